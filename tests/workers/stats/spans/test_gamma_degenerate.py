"""γ where a coder marked nothing, and pooled γ without an interval (no pygamma-agreement needed)."""

from workers.stats.spans.gamma import Units, gamma_agreement, gamma_over_documents


def test_a_coder_with_no_units_gives_a_defined_gamma():
    # Chance continua draw each coder's units from a random coder: drawing only the silent coder gives a
    # continuum with no units, which has no disorder and is drawn again rather than divided by zero.
    u = Units.of([(0, 0, 10, 0), (0, 20, 30, 1)], n_coders=2)
    for seed in range(20):
        g = gamma_agreement(u, seed=seed)
        assert g.value is not None
        assert g.extra["n_samples"] >= 30


def test_pooled_gamma_without_resamples_has_no_interval():
    docs = [
        Units.of([(0, 0, 10, 0), (1, 1, 10, 0)], n_coders=2),
        Units.of([(0, 5, 15, 1), (1, 5, 16, 1)], n_coders=2),
    ]
    report = gamma_over_documents(docs, n_resamples=0, seed=4)
    assert report["pooled"]["value"] is not None
    assert report["pooled"]["ci"] is None
    assert len(report["per_document"]) == 2
