"""Benchmark: transcript import, end to end against PostgreSQL.

Workloads (names fixed):

* "demo study import": the 16 demo transcripts (annotate/demo/data/transcripts/*.txt), converted at set-up
  into mixed formats (4 .docx via python-docx, 4 .vtt, 4 .csv, 4 .txt), uploaded in one multipart request
  through the API (``POST /api/v1/projects/{id}/imports/``) and polled (``GET …/imports/{job_id}/``) until
  the job is done. Target < 3 s.
* "1000 transcripts import": 1,000 generated transcripts (~8M words in total; speaker-labelled turns
  assembled from real sentences of the demo transcripts, seeded), zipped at set-up into a file on disk,
  then stored and run as an import job through the real services (``import_job_create`` →
  ``import_job_process``, the Celery task's body, run synchronously). Target < 120 s on 2 cores, with
  flat peak memory: the zip is streamed member by member, so ``peak_mb`` should not grow with the batch
  (``small_batch_peak_mb`` is the same import of 100 transcripts, for comparison).

No third-party importer does this, so ``reference``/``ratio`` are null and ``target_s`` is reported.

Database: ``INTERCODER_BENCH_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/intercoder_bench_import``;
``DATABASE_URL`` is ignored so a benchmark never writes into a development or test database), created and
migrated on first use; each run imports into a new project. Celery runs eagerly (settings.test): the job is
executed by the task function after the request's transaction commits, in this process.

Run: ``.venv/bin/python benchmarks/import.py [--quick]``.
"""

from __future__ import annotations

import io
import os
import random
import re
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from urllib.parse import urlparse

from _harness import ROOT, emit, measure, parser

DEMO = ROOT / "annotate" / "demo" / "data" / "transcripts"
_SENTENCE = re.compile(r"(?<=[.?!])\s+")


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
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    call_command("migrate", verbosity=0, interactive=False)


def _create_database(database_url: str) -> None:
    import psycopg

    url = urlparse(database_url)
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def demo_turns() -> list[tuple[str, list[tuple[str, str]]]]:
    """(case id, [(speaker, what was said)]) for each demo transcript, read with the import parser."""
    from annotate.parsing import parse_file

    studies = []
    for path in sorted(DEMO.glob("*.txt")):
        parsed = parse_file(path.read_bytes(), path.name)
        turns = [(s.speaker or "Note", " ".join(parsed.segment_text(s).split())) for s in parsed.segments]
        studies.append((path.stem, turns))
    return studies


def to_docx(turns: list[tuple[str, str]]) -> bytes:
    import docx

    document = docx.Document()
    for speaker, text in turns:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{speaker}:").bold = True
        paragraph.add_run(f" {text}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def to_vtt(turns: list[tuple[str, str]]) -> bytes:
    def stamp(ms: int) -> str:
        return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"

    lines, ms = ["WEBVTT", ""], 0
    for speaker, text in turns:
        length = 400 * len(text.split())
        lines += [f"{stamp(ms)} --> {stamp(ms + length)}", f"<v {speaker}>{text}", ""]
        ms += length + 250
    return "\n".join(lines).encode()


def to_csv(turns: list[tuple[str, str]]) -> bytes:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["speaker", "text"])
    writer.writerows(turns)
    return buffer.getvalue().encode()


def to_txt(turns: list[tuple[str, str]]) -> bytes:
    return "\n\n".join(f"{speaker}: {text}" for speaker, text in turns).encode()


def demo_files(n: int) -> list[tuple[str, bytes]]:
    converters = [("docx", to_docx), ("vtt", to_vtt), ("csv", to_csv), ("txt", to_txt)]
    files = []
    for index, (case, turns) in enumerate(demo_turns()[:n]):
        extension, convert = converters[index % 4]
        files.append((f"{case}.{extension}", convert(turns)))
    return files


def write_generated_zip(path: Path, n: int, words_each: int, seed: int = 7) -> int:
    """Write ``n`` realistic transcripts (turns of real demo sentences) into a zip; return the word count."""
    questions, answers = [], []
    for _case, turns in demo_turns():
        for speaker, text in turns:
            sentences = [s for s in _SENTENCE.split(text) if s]
            (questions if speaker.casefold().startswith(("interviewer", "q")) else answers).extend(sentences)
    rng = random.Random(seed)
    total = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for i in range(1, n + 1):
            label, parts, words = f"P{i:04d}", [], 0
            while words < words_each:
                question = " ".join(rng.choices(questions, k=rng.randint(1, 2)))
                answer = " ".join(rng.choices(answers, k=rng.randint(3, 12)))
                parts.append(f"Interviewer: {question}\n\n{label}: {answer}")
                words += len(question.split()) + len(answer.split())
            total += words
            archive.writestr(f"study/{label}_interview.txt", "\n\n".join(parts))
    return total


def new_project(tag: str):
    from annotate.projects.services import project_create
    from tests.factories import UserFactory

    owner = UserFactory(username=f"bench-{tag}-{time.time_ns()}")
    return project_create(creator=owner, name=f"Benchmark {tag} {time.time_ns()}")


def api_import(files: list[tuple[str, bytes]]) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    project = new_project("demo")
    client = APIClient()
    client.force_authenticate(project.created_by)
    uploads = [SimpleUploadedFile(name, data) for name, data in files]
    response = client.post(f"/api/v1/projects/{project.id}/imports/", {"files": uploads}, format="multipart")
    assert response.status_code == 202, response.content
    job_url = f"/api/v1/projects/{project.id}/imports/{response.json()['id']}/"
    while (job := client.get(job_url).json())["status"] not in ("done", "partial", "failed"):
        time.sleep(0.05)
    return job


def job_import(zip_path: Path) -> object:
    from annotate.documents.imports import Upload, import_job_create, import_options_build

    project = new_project("batch")
    with zip_path.open("rb") as handle:
        upload = Upload(name=zip_path.name, file=handle, size=zip_path.stat().st_size)
        # Eager Celery: the job runs (import_job_process) as soon as its row commits.
        job = import_job_create(
            project=project, actor=project.created_by, uploads=[upload], options=import_options_build({})
        )
    job.refresh_from_db()
    return job


def timed_cpu(fn):
    """Wrap ``fn`` to also record this process's CPU seconds (the load on a shared machine inflates wall
    time; CPU time shows what the import itself costs, PostgreSQL's own work not included)."""
    spent = {}

    def run():
        start = time.process_time()
        try:
            return fn()
        finally:
            spent["cpu_s"] = round(time.process_time() - start, 2)

    return run, spent


def main() -> None:
    args = parser(
        "Transcript import: demo study through the API; 1,000 transcripts through the job."
    ).parse_args()
    database_url = os.environ.get(
        "INTERCODER_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/intercoder_bench_import"
    )
    n_demo, n_batch, n_small, words_each = (4, 20, 5, 2_000) if args.quick else (16, 1_000, 100, 8_000)
    with tempfile.TemporaryDirectory(prefix="import-bench-") as tmp:
        tmp_path = Path(tmp)
        setup_django(database_url, tmp_path / "media")

        files = demo_files(n_demo)
        api_import(files[:1])  # warm-up: imports, URL resolver, first queries
        run_demo, demo_cpu = timed_cpu(lambda: api_import(files))
        demo = measure(run_demo)
        job = demo.result
        assert job["status"] == "done", job
        assert job["files_imported"] == n_demo, job["report"]
        emit(
            "demo study import",
            demo,
            files=n_demo,
            formats=sorted({name.rsplit(".", 1)[1] for name, _ in files}),
            segments=job["segments_imported"],
            target_s=3.0,
            **demo_cpu,
            loadavg_1m=round(os.getloadavg()[0], 2),
        )

        small_zip, big_zip = tmp_path / "small.zip", tmp_path / "batch.zip"
        write_generated_zip(small_zip, n_small, words_each, seed=3)
        words = write_generated_zip(big_zip, n_batch, words_each)
        small = measure(lambda: job_import(small_zip))
        run_batch, batch_cpu = timed_cpu(lambda: job_import(big_zip))
        batch = measure(run_batch)
        done = batch.result
        assert done.status == "done", done.error
        assert done.files_imported == n_batch, [r for r in done.report if r["status"] != "imported"][:3]
        emit(
            "1000 transcripts import",
            batch,
            transcripts=n_batch,
            words=words,
            zip_mb=round(big_zip.stat().st_size / 2**20, 1),
            segments=done.segments_imported,
            small_batch=n_small,
            small_batch_peak_mb=round(small.peak_mb, 1),
            small_batch_s=round(small.seconds, 2),
            target_s=120.0,
            **batch_cpu,
            loadavg_1m=round(os.getloadavg()[0], 2),
        )


if __name__ == "__main__":
    sys.exit(main())
