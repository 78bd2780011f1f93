"""Benchmark: exports, end to end against PostgreSQL.

Workloads (names fixed):

* "csv 100k codings": the codings export (``which=raw``, with segment text) of a project with 100,000
  codings (400 transcripts × 50 segments, 5 coders, 1 code each on segment level… see ``build``), run
  as the worker runs it (``export_job_execute``). Target < 10 s.
* "xlsx 100k codings": the same as XLSX (openpyxl write-only). Target < 60 s, with flat memory:
  ``peak_mb`` is reported next to ``small_peak_mb``, the same export of a 20,000-coding project; the two
  should be close (rows are streamed from a server-side cursor into a streamed sheet).
* "qdpx 10k codings": the whole-project REFI-QDA export of a 10,000-coding project. Target < 10 s.

No third-party tool does these, so ``reference``/``ratio`` are null and ``target_s`` is reported.

Database: ``INTERCODER_BENCH_DATABASE_URL`` (default
``postgres://postgres@127.0.0.1:5432/intercoder_bench_export``; ``DATABASE_URL`` is ignored so a benchmark
never writes into a development or test database), created and migrated on first use; the projects are
built once and reused by later runs (set-up is not measured). Files go to a temporary MEDIA_ROOT.

Run: ``.venv/bin/python benchmarks/export.py [--quick]``.
"""

from __future__ import annotations

import os
import random
import tempfile
from pathlib import Path
from urllib.parse import urlparse

from _harness import emit, measure, parser

SENTENCES = [
    "We stopped prosecuting possession of test strips.",
    "Harm reduction meant naloxone in every patrol car.",
    "Diversion programs were at odds with public health approaches.",
    "Racial equity was the first thing the community asked about.",
    "Some people called it coercive treatment, and they were right.",
]


def setup_django(database_url: str, media_root: Path) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotate.settings.test")
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    _create_database(database_url)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.MEDIA_ROOT = media_root
    call_command("migrate", verbosity=0, interactive=False)


def _create_database(database_url: str) -> None:
    import psycopg

    url = urlparse(database_url)
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def build(name: str, documents: int, segments: int, coders: int, codes_per_segment: int):
    """A project of ``documents × segments × coders × codes_per_segment`` codings, reused if present."""
    from django.contrib.auth import get_user_model

    from annotate.cases.services import attribute_define, case_create
    from annotate.codebook.models import CodebookVersion
    from annotate.codebook.selectors import codebook_get
    from annotate.codebook.services import code_create
    from annotate.coding.models import Coding
    from annotate.documents.services import SegmentSpec, document_create
    from annotate.projects.models import Project
    from annotate.projects.services import project_create

    existing = Project.objects.filter(name=name).first()
    if existing is not None:
        return existing
    User = get_user_model()
    rng = random.Random(7)
    owner = User.objects.filter(username="bench-owner").first() or User.objects.create_user(
        "bench-owner", password="x"
    )
    users = [
        User.objects.filter(username=f"bench-coder{i}").first()
        or User.objects.create_user(f"bench-coder{i}", password="x")
        for i in range(coders)
    ]
    project = project_create(creator=owner, name=name)
    attribute_define(
        project=project, actor=owner, name="role", type="choice", choices=["prosecutor", "staff"]
    )
    attribute_define(project=project, actor=owner, name="years", type="number")
    codebook = codebook_get(project_id=project.id)
    themes = [code_create(codebook=codebook, actor=owner, name=f"Theme {t}") for t in range(4)]
    codes = [
        code_create(codebook=codebook, actor=owner, name=f"Code {t}.{c}", parent=th)
        for t, th in enumerate(themes)
        for c in range(5)
    ]
    version = CodebookVersion.objects.filter(codebook=codebook).order_by("-number").first()
    batch = []
    for d in range(documents):
        case = case_create(
            project=project,
            actor=owner,
            identifier=f"P{d:04d}",
            attributes={"role": rng.choice(["prosecutor", "staff"]), "years": rng.randint(1, 20)},
        )
        parts, specs, pos = [], [], 0
        for s in range(segments):
            turn = f"P{d:04d}: " + " ".join(rng.choice(SENTENCES) for _ in range(3)) + f" ({s})"
            specs.append(SegmentSpec(start=pos, end=pos + len(turn), speaker=f"P{d:04d}"))
            parts.append(turn)
            pos += len(turn) + 2
        document = document_create(
            project=project,
            actor=owner,
            case=case,
            title=f"Interview {d}",
            text="\n\n".join(parts),
            segments=specs,
            normalise=False,
        )
        for seg_id, start, _end in document.segments.values_list("id", "start_offset", "end_offset"):
            for user in users:
                for code in rng.sample(codes, codes_per_segment):
                    span = (start + 5, start + 40) if rng.random() < 0.3 else (None, None)
                    batch.append(
                        Coding(
                            project=project,
                            segment_id=seg_id,
                            code=code,
                            coder=user,
                            codebook_version=version,
                            span_start=span[0],
                            span_end=span[1],
                        )
                    )
        if len(batch) > 20_000:
            Coding.objects.bulk_create(batch, batch_size=5000)
            batch = []
    Coding.objects.bulk_create(batch, batch_size=5000)
    return project


def run_export(project, kind: str, fmt: str, params: dict):
    from annotate.core.models import JobStatus
    from annotate.exports.models import ExportJob
    from annotate.exports.services import export_job_execute

    job = ExportJob.objects.create(
        project=project, created_by=project.created_by, kind=kind, format=fmt, params=params
    )

    def go():
        export_job_execute(job_id=job.id)
        done = ExportJob.objects.get(pk=job.id)
        assert done.status == JobStatus.DONE, done.error
        return done

    return go


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    url = os.environ.get(
        "INTERCODER_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/intercoder_bench_export"
    )
    media = Path(tempfile.mkdtemp(prefix="intercoder-bench-export-"))
    setup_django(url, media)
    # (documents, segments, coders, codes per segment): 400*50*5*1 = 100k; 80*50*5*1 = 20k; 100*20*5*1 = 10k.
    big, small, qdpx = ((400, 50, 5, 1), (80, 50, 5, 1), (100, 20, 5, 1))
    if args.quick:
        big, small, qdpx = ((8, 10, 3, 1), (4, 10, 3, 1), (4, 10, 3, 1))
    suffix = "quick" if args.quick else "full"
    p_big = build(f"bench export big {suffix}", *big)
    p_small = build(f"bench export small {suffix}", *small)
    p_qdpx = build(f"bench export qdpx {suffix}", *qdpx)
    params = {"which": "raw", "segment_text": True}

    m = measure(run_export(p_big, "codings", "csv", params))
    emit(
        "csv 100k codings",
        m,
        rows=m.result.row_count,
        size_mb=round(m.result.size_bytes / 2**20, 1),
        target_s=10,
    )
    small_m = measure(run_export(p_small, "codings", "xlsx", params))
    m = measure(run_export(p_big, "codings", "xlsx", params))
    emit(
        "xlsx 100k codings",
        m,
        rows=m.result.row_count,
        size_mb=round(m.result.size_bytes / 2**20, 1),
        target_s=60,
        small_rows=small_m.result.row_count,
        small_s=round(small_m.seconds, 3),
        small_peak_mb=round(small_m.peak_mb, 1),
    )
    m = measure(run_export(p_qdpx, "qdpx", "qdpx", {}))
    emit(
        "qdpx 10k codings",
        m,
        rows=m.result.row_count,
        size_mb=round(m.result.size_bytes / 2**20, 2),
        target_s=10,
    )


if __name__ == "__main__":
    main()
