"""The methods-appendix report (latest agreement and saturation runs) and the audit-trail export.

The report is one self-contained HTML file: no scripts, no external resources; the saturation figures
are inline SVG (drawn by ``workers.figures.saturation`` from the stored result). For each run it prints
the parameters, the snapshot it was computed from (time, codebook version, counts, input digest) and the
result as tables.

The audit export writes every event of the project's chain in sequence order with the fields the hash
covers (see ``annotate.audit.chain``), ``before``/``after`` as canonical JSON, plus ``actor_username``
(not hashed, for reading). ``scripts/verify_audit_export.py`` checks such a file offline.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from annotate.analysis.models import AgreementRun, SaturationRun
from annotate.audit.chain import canonical_json
from annotate.audit.models import AuditEvent

from .tables import _e, _html_head
from .writers import TableWriter

MAX_TABLE_ROWS = 500

AUDIT_COLUMNS = [
    "project",
    "sequence",
    "prev_hash",
    "actor",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "reason",
    "request_id",
    "created_at",
    "hash",
]


def audit_write(path: Path, fmt: str, project_id: int) -> int:

    usernames = dict(get_user_model().objects.values_list("id", "username"))
    events = AuditEvent.objects.filter(project_id=project_id).order_by("sequence")
    # Byte-exact, formula-looking cells included: the chain's hashes are recomputed from these cells (open
    # the file as data: import it, do not double-click it).
    with TableWriter(path, fmt, AUDIT_COLUMNS, exact_csv=True) as out:
        for e in events.iterator(chunk_size=2000):
            json_cells = fmt == "csv"
            out.write(
                [
                    e.project_id,
                    e.sequence,
                    e.prev_hash,
                    e.actor_id,
                    usernames.get(e.actor_id, "") if e.actor_id else "",
                    e.action,
                    e.object_type,
                    e.object_id,
                    canonical_json(e.before) if json_cells else e.before,
                    canonical_json(e.after) if json_cells else e.after,
                    e.reason,
                    e.request_id,
                    e.created_at.isoformat(),
                    e.hash,
                ]
            )
        return out.rows


# --- the analysis report ----------------------------------------------------------------------------------


def _scalar(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if value is None:
        return "—"
    return str(value)


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, dict | list)


def render_value(value: Any, depth: int = 0) -> Iterator[str]:
    """A JSON result as nested HTML tables: scalars in key/value tables, lists of flat objects as tables
    (at most ``MAX_TABLE_ROWS`` rows), anything deeper as a nested section."""
    if _is_scalar(value):
        yield f"<p>{_e(_scalar(value))}</p>"
        return
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            columns: list[str] = []
            for row in value[:MAX_TABLE_ROWS]:
                columns += [k for k in row if k not in columns]
            yield "<table><tr>" + "".join(f"<th>{_e(str(c))}</th>" for c in columns) + "</tr>"
            for row in value[:MAX_TABLE_ROWS]:
                cells = []
                for c in columns:
                    v = row.get(c)
                    cells.append(_e(_scalar(v) if _is_scalar(v) else json.dumps(v, ensure_ascii=False)[:300]))
                yield "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"
            yield "</table>"
            if len(value) > MAX_TABLE_ROWS:
                yield f"<p>({len(value) - MAX_TABLE_ROWS} more rows in the run's JSON result.)</p>"
        elif all(_is_scalar(v) for v in value):
            text = ", ".join(_scalar(v) for v in value[:MAX_TABLE_ROWS])
            yield f"<p>{_e(text)}{' …' if len(value) > MAX_TABLE_ROWS else ''}</p>"
        else:
            for i, v in enumerate(value[:MAX_TABLE_ROWS]):
                yield f"<details><summary>{i}</summary>"
                yield from render_value(v, depth + 1)
                yield "</details>"
        return
    flat = {k: v for k, v in value.items() if _is_scalar(v)}
    if flat:
        yield "<table>"
        for k, v in flat.items():
            yield f"<tr><th>{_e(str(k))}</th><td>{_e(_scalar(v))}</td></tr>"
        yield "</table>"
    for k, v in value.items():
        if _is_scalar(v):
            continue
        level = min(3 + depth, 6)
        yield f"<h{level}>{_e(str(k))}</h{level}>"
        yield from render_value(v, depth + 1)


_SVG_PROLOGUE = re.compile(rb"^.*?(?=<svg)", re.S)


def _inline_svg(svg: bytes) -> str:
    return _SVG_PROLOGUE.sub(b"", svg, count=1).decode("utf-8")


def _run_section(title: str, run, figures: dict[str, bytes] | None) -> Iterator[str]:
    yield f"<h2>{_e(title)}</h2>"
    if run is None:
        yield "<p>No completed run yet.</p>"
        return
    yield (
        f"<p>Run {run.id}, requested {'automatically' if run.automatic else 'by a member'}, finished "
        f"{run.finished_at:%Y-%m-%d %H:%M} UTC; seed {_e(_scalar(run.seed))}.</p>"
    )
    yield "<h3>Parameters</h3>"
    yield from render_value(run.params or {}, 1)
    yield "<h3>Computed from (snapshot)</h3>"
    yield from render_value(run.snapshot or {}, 1)
    if figures:
        yield "<h3>Figures</h3>"
        for name, svg in figures.items():
            yield f'<figure id="figure-{_e(name)}">{_inline_svg(svg)}<figcaption>{_e(name)}</figcaption></figure>'
    yield "<h3>Result</h3>"
    yield from render_value(run.result or {}, 1)


def analysis_report_write(path: Path, project) -> int:
    """The latest completed agreement and saturation runs; returns how many runs it holds."""

    def latest(model):
        return (
            model.objects.filter(project_id=project.id, status="done").order_by("-finished_at", "-id").first()
        )

    agreement, saturation = latest(AgreementRun), latest(SaturationRun)
    figures = None
    if saturation is not None and saturation.result:
        # matplotlib takes most of a second to import: only a report with a saturation run pays for it.
        from workers.figures.saturation import saturation_figures

        try:
            figures = {name: f["svg"] for name, f in saturation_figures(saturation.result).items()}
        except (KeyError, TypeError, ValueError):  # a result from an older engine: tables only
            figures = None
    title = f"Agreement and saturation: {project.name}"
    with open(path, "w", encoding="utf-8") as f:
        f.write(_html_head(title))
        f.write(f"<h1>{_e(title)}</h1><p>Generated {timezone.now():%Y-%m-%d %H:%M} UTC by Intercoder.</p>")
        for chunk in _run_section("Inter-coder agreement", agreement, None):
            f.write(chunk)
        for chunk in _run_section("Saturation", saturation, figures):
            f.write(chunk)
        f.write("</body></html>\n")
    return sum(r is not None for r in (agreement, saturation))
