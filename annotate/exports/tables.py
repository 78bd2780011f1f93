"""The tabular exports: codings, the code × case matrix and quotations per code (CSV, XLSX, JSON Lines,
and for the matrix and quotations a readable HTML or Markdown report).

Each ``*_write`` function streams into ``path`` and returns the number of data rows written.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.utils import timezone

from .selectors import FINAL_USER_NAME, CodingRow, ProjectTables
from .writers import TableWriter


def timestamp(ms: int | None) -> str:
    if ms is None:
        return ""
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def attribute_columns(tables: ProjectTables) -> list[str]:
    return [f"attribute:{a['name']}" for a in tables.attributes]


# --- codings -------------------------------------------------------------------------------------------


def coding_columns(tables: ProjectTables, *, segment_text: bool) -> list[str]:
    return [
        "project",
        "document_id",
        "document",
        "interview_date",
        "analysis_order",
        "case",
        *attribute_columns(tables),
        "segment_id",
        "segment_number",
        "speaker",
        "segment_start_time",
        "segment_end_time",
        "segment_start",
        "segment_end",
        "span_start",
        "span_end",
        "span_text",
        *(["segment_text"] if segment_text else []),
        "code_id",
        "code_guid",
        "code_path",
        "codebook_version",
        "coder",
        "provenance",
        "decision_id",
        "adjudicator",
        "rationale",
        "coded_at",
        # A secondary pass says where each unit came from: the parent project, its code, its segment.
        *(SECONDARY_COLUMNS if tables.secondary else []),
    ]


SECONDARY_COLUMNS = [
    "parent_project_id",
    "parent_project",
    "parent_code_id",
    "parent_code",
    "source_segment_id",
    "source_segment_number",
]


def secondary_cells(tables: ProjectTables, segment_id: int) -> list[Any]:
    link = tables.secondary
    if not link:
        return []
    return [
        link["project"],
        link["project_name"],
        link["code"],
        link["code_path"],
        *(tables.source_segments.get(segment_id) or (None, None)),
    ]


def secondary_sentence(tables: ProjectTables) -> str:
    """The head of a pass's reports says what the pass is ("" for a primary pass)."""
    return f" {tables.secondary['sentence']}" if tables.secondary else ""


def source_citation(tables: ProjectTables, segment_id: int) -> str:
    """ ", ¶12 in the parent" for a pass's segment ("" in a primary pass)."""
    source = tables.source_segments.get(segment_id)
    return f", ¶{source.number} in the parent" if source is not None else ""


def codings_write(
    path: Path,
    fmt: str,
    tables: ProjectTables,
    rows: Iterable[CodingRow],
    *,
    segment_text: bool,
    progress=None,
) -> int:
    columns = coding_columns(tables, segment_text=segment_text)
    with TableWriter(path, fmt, columns) as out:
        for r in rows:
            doc = tables.documents[r.document_id]
            text = tables.text(r.document_id)
            span_text = text[r.span_start : r.span_end] if r.span_start is not None else ""
            out.write(
                [
                    tables.project_name,
                    r.document_id,
                    doc["title"],
                    doc["interview_date"],
                    doc["analysis_order"],
                    tables.cases[doc["case_id"]]["identifier"],
                    *tables.attribute_row(doc["case_id"]),
                    r.segment_id,
                    r.position + 1,
                    r.speaker,
                    timestamp(r.start_time_ms),
                    timestamp(r.end_time_ms),
                    r.start_offset,
                    r.end_offset,
                    r.span_start,
                    r.span_end,
                    span_text,
                    *([text[r.start_offset : r.end_offset]] if segment_text else []),
                    r.code_id,
                    str(tables.codes[r.code_id]["guid"]),
                    tables.code_paths[r.code_id],
                    tables.version_numbers.get(r.codebook_version_id) if r.codebook_version_id else None,
                    tables.users.get(r.coder_id, str(r.coder_id)) if r.coder_id else FINAL_USER_NAME,
                    r.provenance,
                    r.decision_id,
                    r.adjudicator,
                    r.rationale,
                    r.coded_at.isoformat() if r.coded_at is not None else None,
                    *secondary_cells(tables, r.segment_id),
                ]
            )
            if progress is not None and out.rows % 10_000 == 0:
                progress(out.rows)
        return out.rows


# --- code × case matrix ----------------------------------------------------------------------------------


def _ancestors(tables: ProjectTables) -> dict[int, list[int]]:
    """Each code with its ancestors (itself first): a segment coded "Theme > Code" counts for both."""
    out: dict[int, list[int]] = {}
    for code_id in tables.codes:
        chain, current = [], code_id
        while current is not None:
            chain.append(current)
            current = tables.codes[current]["parent_id"]
        out[code_id] = chain
    return out


def _code_order(tables: ProjectTables) -> list[int]:
    return sorted(tables.codes, key=lambda c: tables.code_paths[c].casefold())


def matrix_compute(tables: ProjectTables, rows: Iterable[CodingRow]) -> dict[str, Any]:
    """Distinct coded segments per (case, code), a code counting its sub-codes' segments too.

    Cases are those with at least one document (the denominator of "11 of 16 participants"). With raw
    codings a segment coded by two coders counts once.
    """
    ancestors = _ancestors(tables)
    seen: dict[tuple[int, int], set[int]] = defaultdict(set)
    for r in rows:
        case_id = tables.documents[r.document_id]["case_id"]
        for code_id in ancestors[r.code_id]:
            seen[(case_id, code_id)].add(r.segment_id)
    case_ids = sorted(
        {d["case_id"] for d in tables.documents.values()}, key=lambda c: tables.cases[c]["identifier"]
    )
    counts = {key: len(segments) for key, segments in seen.items()}
    return {"cases": case_ids, "codes": _code_order(tables), "counts": counts}


def matrix_write(
    path: Path, fmt: str, tables: ProjectTables, matrix: dict[str, Any], *, content: dict[str, Any]
) -> int:
    """The matrix as CSV, Markdown or HTML. ``content`` (``selectors.export_contents``) says what it is
    counted from, and what is left out, in the head of the HTML and Markdown files (a CSV stays a plain
    table: its file name carries the source)."""
    cases, codes, counts = matrix["cases"], matrix["codes"], matrix["counts"]
    n = len(cases)
    present = {c: sum(1 for k in cases if counts.get((k, c), 0)) for c in codes}
    if fmt == "csv":
        columns = ["case", *attribute_columns(tables), *(tables.code_paths[c] for c in codes)]
        with TableWriter(path, "csv", columns) as out:
            for case_id in cases:
                out.write(
                    [
                        tables.cases[case_id]["identifier"],
                        *tables.attribute_row(case_id),
                        *(counts.get((case_id, c), 0) for c in codes),
                    ]
                )
            blanks = [""] * len(tables.attributes)
            out.write([f"cases with the code (of {n})", *blanks, *(present[c] for c in codes)])
            return out.rows - 1
    title = f"Code × case matrix: {tables.project_name}"
    intro = (
        f"{content['summary']} Generated {timezone.now():%Y-%m-%d %H:%M} UTC. Cells count distinct "
        f"coded segments per case (a code includes its sub-codes); {n} cases with at least one transcript."
        f"{secondary_sentence(tables)}"
    )
    with open(path, "w", encoding="utf-8") as f:
        if fmt == "md":
            f.write(
                f"# {title}\n\n{intro}\n\n## Cases per code\n\n| Code | Cases | Segments |\n|---|---|---|\n"
            )
            for c in codes:
                total = sum(counts.get((k, c), 0) for k in cases)
                f.write(f"| {_md(tables.code_paths[c])} | {present[c]} of {n} | {total} |\n")
            f.write("\n## Matrix\n\n")
            head = ["Case", *(a["name"] for a in tables.attributes), *(tables.code_paths[c] for c in codes)]
            f.write("| " + " | ".join(map(_md, head)) + " |\n|" + "---|" * len(head) + "\n")
            for k in cases:
                cells = [
                    tables.cases[k]["identifier"],
                    *tables.attribute_row(k),
                    *(counts.get((k, c), 0) for c in codes),
                ]
                f.write("| " + " | ".join(_md("" if v is None else str(v)) for v in cells) + " |\n")
        else:
            f.write(_html_head(title))
            f.write(f"<h1>{_e(title)}</h1><p>{_e(intro)}</p><h2>Cases per code</h2><table>")
            f.write("<tr><th>Code</th><th>Cases</th><th>Segments</th></tr>")
            for c in codes:
                total = sum(counts.get((k, c), 0) for k in cases)
                f.write(
                    f"<tr><td>{_e(tables.code_paths[c])}</td><td>{present[c]} of {n}</td><td>{total}</td></tr>"
                )
            f.write("</table><h2>Matrix</h2><table><tr><th>Case</th>")
            for a in tables.attributes:
                f.write(f"<th>{_e(a['name'])}</th>")
            for c in codes:
                f.write(f"<th>{_e(tables.code_paths[c])}</th>")
            f.write("</tr>")
            for k in cases:
                f.write(f"<tr><td>{_e(tables.cases[k]['identifier'])}</td>")
                for v in tables.attribute_row(k):
                    f.write(f"<td>{_e('' if v is None else str(v))}</td>")
                for c in codes:
                    f.write(f"<td class=n>{counts.get((k, c), 0)}</td>")
                f.write("</tr>")
            f.write("</table></body></html>\n")
    return len(cases)


# --- quotations ------------------------------------------------------------------------------------------


def quotation_items(
    tables: ProjectTables, rows: Iterable[CodingRow], code_id: int | None, *, mixed: bool = False
) -> list[tuple]:
    """(code path, document order, position, span start, span end, segment id, document id, code id,
    segment start, segment end, start time, speaker, who) per distinct quotation, sorted by code then location. Small tuples only; the text is read when
    writing. ``who`` is the provenance (final) or the coders who applied it (raw)."""
    wanted = None
    if code_id is not None:
        ancestors = _ancestors(tables)
        wanted = {c for c, chain in ancestors.items() if code_id in chain}
    grouped: dict[tuple, set[str]] = defaultdict(set)
    for r in rows:
        if wanted is not None and r.code_id not in wanted:
            continue
        key = (
            tables.code_paths[r.code_id].casefold(),
            tables.documents[r.document_id]["analysis_order"],
            r.position,
            r.span_start if r.span_start is not None else -1,
            r.span_end if r.span_end is not None else -1,
            r.segment_id,
            r.document_id,
            r.code_id,
            r.start_offset,
            r.end_offset,
            r.start_time_ms,
            r.speaker,
        )
        # With coders' and final codings mixed (final_else_raw), a final one says so.
        who = (
            tables.users.get(r.coder_id, "")
            if r.coder_id
            else (f"final ({r.provenance})" if mixed else r.provenance)
        )
        grouped[key].add(who)
        if r.rationale:
            grouped[key].add("rationale: " + r.rationale)
    return sorted((*key, sorted(who)) for key, who in grouped.items())


def _quote(tables: ProjectTables, item: tuple) -> tuple[str, str]:
    (_, _, _, span_start, span_end, _, document_id, _, start, end, _, _, _) = item
    text = tables.text(document_id)
    quote = text[span_start:span_end] if span_start >= 0 else text[start:end]
    return quote, (f"{span_start}–{span_end}" if span_start >= 0 else f"{start}–{end}")


def quotations_write(
    path: Path, fmt: str, tables: ProjectTables, items: list[tuple], *, content: dict[str, Any]
) -> int:
    """Quotations per code as CSV, Markdown or HTML; each is cited by case, transcript, segment number
    (¶N, as the reader numbers it) and time. ``content`` says what they are drawn from (file head; the CSV's
    ``source`` column)."""
    source = content["which"]
    if fmt == "csv":
        columns = [
            "code_path",
            "case",
            *attribute_columns(tables),
            "document",
            "segment_number",
            "speaker",
            "segment_start_time",
            "start",
            "end",
            "quotation",
            "coded_by" if source in ("raw", "final_else_raw") else "provenance",
            "source",
            *(SECONDARY_COLUMNS if tables.secondary else []),
        ]
        with TableWriter(path, "csv", columns) as out:
            for item in items:
                code_id, document_id = item[7], item[6]
                doc = tables.documents[document_id]
                quote, _ = _quote(tables, item)
                start = item[3] if item[3] >= 0 else item[8]
                end = item[4] if item[4] >= 0 else item[9]
                out.write(
                    [
                        tables.code_paths[code_id],
                        tables.cases[doc["case_id"]]["identifier"],
                        *tables.attribute_row(doc["case_id"]),
                        doc["title"],
                        item[2] + 1,
                        item[11],
                        timestamp(item[10]),
                        start,
                        end,
                        quote,
                        "; ".join(item[12]),
                        source,
                        *secondary_cells(tables, item[5]),
                    ]
                )
            return out.rows
    title = f"Quotations per code: {tables.project_name}"
    n_cases = len({d["case_id"] for d in tables.documents.values()})
    intro = f"{content['summary']} Generated {timezone.now():%Y-%m-%d %H:%M} UTC.{secondary_sentence(tables)}"
    by_code: dict[int, list[tuple]] = defaultdict(list)
    for item in items:
        by_code[item[7]].append(item)
    with open(path, "w", encoding="utf-8") as f:
        f.write(
            f"# {title}\n\n{intro}\n\n"
            if fmt == "md"
            else _html_head(title) + f"<h1>{_e(title)}</h1><p>{_e(intro)}</p>"
        )
        for code_id in _code_order(tables):
            group = by_code.get(code_id)
            if not group:
                continue
            cases = {tables.documents[i[6]]["case_id"] for i in group}
            heading = tables.code_paths[code_id]
            summary = f"{len(group)} quotation(s) from {len(cases)} of {n_cases} cases."
            definition = tables.codes[code_id]["definition"]
            if fmt == "md":
                f.write(f"## {_md(heading)}\n\n")
                if definition:
                    f.write(f"*{_md(definition)}*\n\n")
                f.write(summary + "\n\n")
            else:
                f.write(f"<h2>{_e(heading)}</h2>")
                if definition:
                    f.write(f"<p><em>{_e(definition)}</em></p>")
                f.write(f"<p>{_e(summary)}</p>")
            for item in group:
                doc = tables.documents[item[6]]
                quote, where = _quote(tables, item)
                stamp = f" [{timestamp(item[10])}]" if item[10] is not None else ""
                speaker = item[11]
                cite = (
                    f"{tables.cases[doc['case_id']]['identifier']}, {doc['title']}, ¶{item[2] + 1}"
                    f"{source_citation(tables, item[5])}{stamp}"
                    f"{', ' + speaker if speaker else ''} (characters {where}; {'; '.join(item[12])})"
                )
                if fmt == "md":
                    f.write("> " + _md(quote).replace("\n", "\n> ") + f"\n>\n> — {_md(cite)}\n\n")
                else:
                    f.write(f"<blockquote><p>{_e(quote)}</p><footer>— {_e(cite)}</footer></blockquote>")
        if fmt != "md":
            f.write("</body></html>\n")
    return len(items)


# --- small helpers shared by the HTML and Markdown reports ---------------------------------------------

_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}"
    "table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;"
    "text-align:left;vertical-align:top}td.n{text-align:right}blockquote{border-left:3px solid #4e79a7;"
    "margin:1rem 0;padding:.25rem 1rem}footer{color:#555;font-size:.9em}pre{white-space:pre-wrap}"
)


def _html_head(title: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f"<style>{_CSS}</style></head><body>"
    )


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def html_document(title: str, body: Iterator[str]) -> Iterator[str]:
    yield _html_head(title)
    yield from body
    yield "</body></html>\n"
