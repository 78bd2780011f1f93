"""Benchmark: Explore (search, retrieval, matrices, the DOCX download) on a large corpus in PostgreSQL.

The corpus: 1,000 transcripts of 100 segments of 80 words (8M words; a Zipf-distributed vocabulary of
20,000 words, some accented), one case each; 200 codes (20 themes of 9 codes each); 2 coders, each
applying 5 codes to every segment (1M codings), one code ("Theme 0 > Code 0.0") on every tenth segment
(10,000 passages). Built with bulk inserts and COPY, once, and reused by later runs (set-up is not
measured). The calls are the app's own selectors, as the owner reads them (the default source: the
final coding where adjudicated, else every coder's codings).

Workloads (names fixed):

* "search 8M words": ``search.search`` (per-case counts and the first page of 20, marked), over a set of
  queries of every frequency band, phrases, prefixes and an accented word, each run ``--repeat`` times;
  ``p95_ms``, ``p50_ms`` of those calls. The reference is a plain case-insensitive substring scan
  (``ILIKE '%…%'`` over each segment's text, the same per-case counts and first page) of each query's
  words, in the same run; ``ratio`` = the reference's p95 / ours. Targets: p95 ≤ 100 ms, ratio ≥ 20.
* "retrieval 10k passages": the first page of the 10,000-passage code (``retrieval_page``); ``ours_s``
  the first page's time (best of 3; ``cold_s`` the first call). Target ≤ 0.1 s.
* "matrix 200 x 1000": ``matrix_code_case``, every code by every case. Target ≤ 1 s.
* "cooccurrence 200 codes": ``matrix_cooccurrence`` at segment level. Target ≤ 2 s.
* "docx 10k quotations": ``retrieval_docx`` of the 10,000-passage code. Target ≤ 20 s with flat memory:
  ``peak_mb`` next to ``small_peak_mb``, the same download of a 1,000-passage code.

No other tool reads this database, so ``reference`` is null except for search.

Database: ``INTERCODER_BENCH_DATABASE_URL`` (default
``postgres://postgres@127.0.0.1:5432/intercoder_bench_explore``; ``DATABASE_URL`` is ignored so a
benchmark never writes into a development or test database), created and migrated on first use.

Run: ``.venv/bin/python benchmarks/explore.py [--quick]``.
"""

from __future__ import annotations

import bisect
import collections
import hashlib
import io
import itertools
import os
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from _harness import Measurement, emit, measure, parser, percentile
from export import setup_django

SPEAKERS = ("Interviewer", "Participant")
STAMP = "2026-12-04 00:00:00+00"


@dataclass(frozen=True)
class Size:
    documents: int
    segments: int  # per document
    words: int  # per segment
    themes: int
    codes_per_theme: int
    coders: int
    codes_per_segment: int  # per coder
    vocabulary: int
    target_every: int  # the retrieval code is on every n-th segment
    small_every: int  # the small DOCX's code


FULL = Size(1000, 100, 80, 20, 9, 2, 5, 20_000, 10, 100)
QUICK = Size(20, 20, 30, 4, 4, 2, 3, 2_000, 10, 40)


def _vocabulary(n: int, rng: random.Random) -> list[str]:
    """``n`` distinct made-up words, a few accented; the first ones are the most frequent (Zipf)."""
    letters = "abcdefghiklmnoprstuvy"
    words: list[str] = []
    seen: set[str] = set()
    while len(words) < n:
        word = "".join(rng.choice(letters) for _ in range(rng.randint(2, 9)))
        if rng.random() < 0.03:
            word = word[:-1] + "é"
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def build(name: str, size: Size):
    """The corpus project (reused when it exists): its owner's membership."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from annotate.cases.models import Case
    from annotate.codebook.models import CodebookVersion
    from annotate.codebook.selectors import codebook_get
    from annotate.codebook.services import code_create
    from annotate.documents.models import Document, Segment
    from annotate.projects.models import Membership, Project, Role
    from annotate.projects.services import membership_add, project_create

    existing = Project.objects.filter(name=name).first()
    if existing is not None:
        return Membership.objects.get(project=existing, role=Role.OWNER)
    started = time.perf_counter()
    with transaction.atomic():  # a failed build leaves nothing behind
        User = get_user_model()
        rng = random.Random(18)
        owner = User.objects.create_user(f"{name}-owner", password="x")
        coders = [User.objects.create_user(f"{name}-coder{i}", password="x") for i in range(size.coders)]
        project = project_create(creator=owner, name=name)
        for coder in coders:
            membership_add(project=project, actor=owner, username=coder.username, role=Role.CODER)
        codebook = codebook_get(project_id=project.id)
        leaves = []
        for t in range(size.themes):
            theme = code_create(codebook=codebook, actor=owner, name=f"Theme {t}")
            leaves += [
                code_create(codebook=codebook, actor=owner, name=f"Code {t}.{c}", parent=theme).pk
                for c in range(size.codes_per_theme)
            ]
        version = CodebookVersion.objects.filter(codebook=codebook).order_by("-number").first()
        target, small, others = leaves[0], leaves[1], leaves[2:]
        vocabulary = _vocabulary(size.vocabulary, rng)
        cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(vocabulary))))
        cases = Case.objects.bulk_create(
            Case(project=project, identifier=f"P{d:04d}") for d in range(size.documents)
        )
        for d, case in enumerate(cases):
            turns = [
                " ".join(rng.choices(vocabulary, cum_weights=cumulative, k=size.words)).capitalize() + "."
                for _ in range(size.segments)
            ]
            text = "\n\n".join(turns)
            document = Document.objects.create(
                project=project,
                case=case,
                title=f"Interview {d}",
                text=text,
                text_length=len(text),
                source_filename=f"interview-{d}.txt",
                source_format="txt",
                sha256=hashlib.sha256(text.encode()).hexdigest(),
                analysis_order=d + 1,
                created_by=owner,
            )
            specs, at = [], 0
            for position, turn in enumerate(turns):
                specs.append(
                    Segment(
                        document=document,
                        position=position,
                        speaker=SPEAKERS[position % 2],
                        start_offset=at,
                        end_offset=at + len(turn),
                        codable=position % 2 == 1,
                    )
                )
                at += len(turn) + 2
            Segment.objects.bulk_create(specs)
        segment_ids = list(
            Segment.objects.filter(document__project=project).order_by("id").values_list("id", flat=True)
        )
        # Codings by COPY: coder 0 picks codes_per_segment codes; coder 1 keeps all but one of them.
        buffer = io.StringIO()
        for i, segment_id in enumerate(segment_ids):
            first = rng.sample(others, size.codes_per_segment)
            if i % size.target_every == 0:
                first[0] = target
            if i % size.small_every == 1:
                first[-1] = small
            second = [*first[:-1], rng.choice([c for c in others if c not in first])]
            if i % size.small_every == 1:
                second[-1] = small
            for coder, codes in zip(coders, (first, second), strict=False):
                for code in codes:
                    buffer.write(
                        f"{project.id}\t{segment_id}\t{code}\t{coder.id}\t{version.id}\t\\N\t\\N\t{STAMP}\n"
                    )
        buffer.seek(0)
        copy_sql = (
            "COPY coding_coding (project_id, segment_id, code_id, coder_id, codebook_version_id, "
            "span_start, span_end, created_at) FROM STDIN"
        )
        with connection.cursor() as cursor, cursor.connection.cursor() as raw, raw.copy(copy_sql) as copy:
            copy.write(buffer.getvalue())
    with connection.cursor() as cursor:  # as autovacuum leaves a table after a bulk load
        cursor.execute("VACUUM ANALYZE")
    print(f"# built {name} in {time.perf_counter() - started:.0f} s", flush=True)
    return Membership.objects.get(project=project, role=Role.OWNER)


def _queries(words: list[str], sample_text: str) -> list[tuple[str, str]]:
    """(search query, the substring the reference scans for): content words of every frequency band from
    rank 100 down to the rarest, an accented word, a prefix, and a phrase (two content words that stand
    together in the corpus). The words ranked above 100 are a real language's function words ("the",
    "and", "of"), which nobody searches transcripts for; ``FREQUENT`` ones are timed apart."""
    picks = [words[min(len(words) - 1, rank)] for rank in (100, 200, 300, 500, 1000, 2000, 5000, 10000)]
    picks.append(words[-1])
    accented = next((w for w in words[100:] if w.endswith("é")), words[150])
    queries = [(word, word) for word in picks]
    queries.append((accented, accented))
    stem = next(w for w in words[100:] if len(w) >= 7)[:5]
    queries.append((stem + "*", stem))
    content = set(words[100:])
    tokens = sample_text.lower().replace(".", " ").split()
    first, second = next((a, b) for a, b in itertools.pairwise(tokens) if a in content and b in content)
    queries.append((f'"{first} {second}"', f"{first} {second}"))
    return queries


FREQUENT = (0, 10, 30)  # ranks of function-word-like queries, timed apart (``frequent_ms``)


def substring_scan(membership, needle: str) -> tuple[int, int]:
    """The reference: a plain case-insensitive substring scan. The transcripts' texts and the segments'
    offsets are read from the database, each text lower-cased and searched for every occurrence of
    ``needle`` (``str.find``), each occurrence assigned to its segment; then search's answer: the
    per-case counts and the first page of 20 segments in order. Returns (segments found, cases)."""
    from annotate.documents.models import Document, Segment

    needle = needle.lower()
    documents = Document.objects.filter(project_id=membership.project_id)
    texts = dict(documents.values_list("id", "text").iterator(chunk_size=100))
    order = {
        document: (case, analysis_order)
        for document, case, analysis_order in documents.values_list(
            "id", "case__identifier", "analysis_order"
        )
    }
    segments: dict[int, list[tuple[int, int, int, int]]] = {}
    for segment, document, position, start, end in (
        Segment.objects.filter(document__project_id=membership.project_id)
        .order_by("document_id", "start_offset")
        .values_list("id", "document_id", "position", "start_offset", "end_offset")
        .iterator(chunk_size=10_000)
    ):
        segments.setdefault(document, []).append((start, end, segment, position))
    found: dict[int, tuple] = {}
    for document, text in texts.items():
        lowered, at = text.lower(), 0
        spans = segments.get(document, [])
        offsets = [span[0] for span in spans]
        while (at := lowered.find(needle, at)) >= 0:
            i = bisect.bisect_right(offsets, at) - 1
            if i >= 0 and at + len(needle) <= spans[i][1]:
                found[spans[i][2]] = (*order[document], document, spans[i][3])
            at += 1
    per_case = collections.Counter(key[0] for key in found.values())
    sorted(found, key=found.__getitem__)[:20]  # the first page
    return len(found), len(per_case)


def bench_search(membership, size: Size, repeat: int) -> None:
    from annotate.documents.models import Document
    from annotate.explore.scope import SegmentFilters
    from annotate.explore.search import SearchRequest, search

    words = _vocabulary(size.vocabulary, random.Random(18))  # as built: the seed's first use
    sample = Document.objects.filter(project_id=membership.project_id).order_by("id").first()
    assert sample is not None
    queries = _queries(words, sample.text)

    def timed(text: str) -> tuple[list[float], int]:
        request = SearchRequest(membership=membership, text=text, filters=SegmentFilters())
        seconds, result = [], None
        for _ in range(repeat):
            start = time.perf_counter()
            result = search(request)
            seconds.append(time.perf_counter() - start)
        assert result is not None
        return seconds, result["segments"]

    ours: list[float] = []
    reference: list[float] = []
    found, scanned = [], []
    for text, needle in queries:
        seconds, segments = timed(text)
        ours += seconds
        found.append(segments)
        start = time.perf_counter()
        scanned.append(substring_scan(membership, needle)[0])
        reference.append(time.perf_counter() - start)
    frequent = [(words[rank], timed(words[rank])) for rank in FREQUENT if rank < len(words)]
    p95, ref_p95 = percentile(ours, 0.95), percentile(reference, 0.95)
    emit(
        "search 8M words",
        Measurement(seconds=p95, peak_mb=0.0, result=None),
        "case-insensitive substring scan (lower + str.find over the texts)",
        Measurement(seconds=ref_p95, peak_mb=0.0, result=None),
        p95_ms=round(p95 * 1000, 1),
        p50_ms=round(percentile(ours, 0.5) * 1000, 1),
        reference_p95_ms=round(ref_p95 * 1000, 1),
        reference_p50_ms=round(percentile(reference, 0.5) * 1000, 1),
        queries=[text for text, _ in queries],
        calls=len(ours),
        segments_found=found,
        reference_segments_found=scanned,
        frequent_words={
            f"rank {rank}: {word}": {"segments": n, "p50_ms": round(percentile(s, 0.5) * 1000, 1)}
            for rank, (word, (s, n)) in zip(FREQUENT, frequent, strict=False)
        },
        target_ms=100,
        target_ratio=20,
    )


def _code(membership, name: str) -> int:
    from annotate.codebook.models import Code

    return Code.objects.get(codebook__project_id=membership.project_id, name=name).pk


def _retrieval(membership, code: int):
    from annotate.explore.passages import CodeQuery, retrieval_build
    from annotate.explore.scope import SegmentFilters

    return retrieval_build(membership=membership, query=CodeQuery(all=(code,)), filters=SegmentFilters())


def bench_retrieval(membership) -> None:
    from annotate.explore.passages import retrieval_page

    code = _code(membership, "Code 0.0")

    def first_page():
        return retrieval_page(_retrieval(membership, code), page=1)

    cold = measure(first_page)
    m = measure(first_page, repeat=3)
    emit(
        "retrieval 10k passages",
        m,
        passages=m.result["passages_total"],
        shown=len(m.result["results"]),
        cold_s=round(cold.seconds, 4),
        target_s=0.1,
    )


def bench_matrices(membership) -> None:
    from annotate.explore.matrices import matrix_code_case, matrix_cooccurrence
    from annotate.explore.scope import SegmentFilters

    m = measure(lambda: matrix_code_case(membership=membership, filters=SegmentFilters()), repeat=2)
    emit(
        "matrix 200 x 1000",
        m,
        codes=len(m.result["rows"]),
        cases=m.result["cases_total"],
        target_s=1,
    )
    m = measure(lambda: matrix_cooccurrence(membership=membership, filters=SegmentFilters()), repeat=2)
    emit("cooccurrence 200 codes", m, codes=len(m.result["counts"]), units=m.result["units"], target_s=2)


def bench_docx(membership, directory: Path) -> None:
    from annotate.explore.writing import retrieval_docx

    def download(code_name: str):
        retrieval = _retrieval(membership, _code(membership, code_name))
        path = directory / f"{code_name}.docx"
        return lambda: (retrieval_docx(retrieval, path), path.stat().st_size)

    small = measure(download("Code 0.1"))
    m = measure(download("Code 0.0"))
    emit(
        "docx 10k quotations",
        m,
        quotations=m.result[0],
        size_mb=round(m.result[1] / 2**20, 1),
        small_quotations=small.result[0],
        small_s=round(small.seconds, 3),
        small_peak_mb=round(small.peak_mb, 1),
        target_s=20,
    )


def main() -> None:
    args_parser = parser(__doc__.splitlines()[0])
    args_parser.add_argument("--repeat", type=int, default=5, help="calls of each search query")
    args_parser.add_argument(
        "--only", choices=["search", "retrieval", "matrices", "docx"], help="run one workload only"
    )
    args = args_parser.parse_args()
    url = os.environ.get(
        "INTERCODER_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/intercoder_bench_explore"
    )
    directory = Path(tempfile.mkdtemp(prefix="intercoder-bench-explore-"))
    setup_django(url, directory)
    size = QUICK if args.quick else FULL
    membership = build("bench explore quick" if args.quick else "bench explore full", size)
    if args.only in (None, "search"):
        bench_search(membership, size, repeat=2 if args.quick else args.repeat)
    if args.only in (None, "retrieval"):
        bench_retrieval(membership)
    if args.only in (None, "matrices"):
        bench_matrices(membership)
    if args.only in (None, "docx"):
        bench_docx(membership, directory)


if __name__ == "__main__":
    main()
