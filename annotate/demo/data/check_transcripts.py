"""Check the synthetic demo study in this directory against its design (README.md).

Run:  python annotate/demo/data/check_transcripts.py        (from anywhere)

Checks whichever transcripts/PNN.txt files exist (P01..P16), plus codebook.json and
cases.csv if present:

- files are UTF-8, LF line endings, no BOM;
- every paragraph (turn) of a transcript starts with a speaker label, there are exactly two
  speakers (interviewer + participant), timestamps (if any) increase;
- transcript word count is within 1,000-2,500;
- PNN.codes.json is a list of {"code", "quote"}; each quote occurs exactly once in PNN.txt,
  lies inside one participant turn (after its label, no blank line inside), is 8-60 words;
- the set of codes equals the README table's row for that interview;
- a few phrases that would clearly warrant a code do not occur in interviews where that code
  is not assigned (e.g. "harm reduction" without HR1);
- codebook.json has the README's 25 codes with all MacQueen fields and distinct colours;
- cases.csv has the header, P01..P16, valid roles/dates (increasing) and modes.

Exit status 0 if everything passes, 1 otherwise.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TRANSCRIPTS = HERE / "transcripts"
PIDS = [f"P{i:02d}" for i in range(1, 17)]

MIN_WORDS, MAX_WORDS = 1000, 2500
MIN_QUOTE, MAX_QUOTE = 8, 60

# Label styles a transcription service might deliver (see README / brief).
TS = r"\[(\d\d):(\d\d):(\d\d)\]\s+"
INTERVIEWER_RE = re.compile(rf"^(?:{TS})?(Interviewer|Q):[ \t]")
PARTICIPANT_RE = re.compile(rf"^(?:{TS})?(P\d\d|Participant \d+|A):[ \t]")

# Phrases that, if present, would clearly warrant the code: forbidden where it is not assigned.
GUARDS: dict[str, list[str]] = {
    "HR1": [r"harm[ -]reduction", r"reduc\w* (?:the )?harms? of drug use"],
    "HR2": [r"naloxone", r"narcan"],
    "HR3": [
        r"syringe",
        r"needle exchange",
        r"safe consumption",
        r"overdose prevention (?:centre|center|site)",
        r"supervised (?:consumption|injection)",
    ],
    "HR4": [r"meet(?:s|ing)? (?:people|folks|them|someone) where they(?:'|’)?re|where they are"],
    "PH4": [r"stigma"],
    "EQ2": [r"collateral consequence"],
    "CS3": [r"drug[- ]induced homicide"],
    "PO3": [r"drug court", r"treatment court"],
    "PO5": [r"threshold"],
    "CX1": [r"\bvoters?\b", r"re-?elect"],
    "CX5": [r"newspaper", r"reporter", r"editorial"],
    "CX6": [r"lived experience"],
}

CODEBOOK_FIELDS = [
    "key",
    "name",
    "definition",
    "inclusion",
    "exclusion",
    "typical_example",
    "atypical_example",
    "colour",
]
THEMES = ["HR", "PH", "EQ", "CS", "PO", "CX"]
CASES_HEADER = [
    "participant_id",
    "role",
    "jurisdiction",
    "region",
    "years_in_office",
    "interview_date",
    "interview_mode",
]
ELECTED = {"P01", "P03", "P04", "P06", "P07", "P09", "P10", "P12", "P14", "P16"}

errors: list[str] = []


def err(where: str, msg: str) -> None:
    errors.append(f"{where}: {msg}")


def words(s: str) -> int:
    return len(s.split())


def read_text(path: Path) -> str | None:
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        err(path.name, "has a BOM")
    if b"\r" in raw:
        err(path.name, "has CR characters (must be LF only)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        err(path.name, f"not UTF-8: {e}")
        return None


def read_table() -> dict[str, set[str]]:
    """code -> set of interview ids, from the README's markdown table."""
    table: dict[str, set[str]] = {}
    for line in (HERE / "README.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\|\s*([A-Z]{2}\d)\b[^|]*\|([^|]*)\|\s*$", line)
        if m:
            table[m.group(1)] = set(re.findall(r"P\d\d", m.group(2)))
    return table


def turns_of(text: str, name: str) -> list[tuple[int, int, str, str]]:
    """(start, end, role, label) for each paragraph; role is 'I' or 'P'."""
    out = []
    for m in re.finditer(r"[^\n](?:.|\n(?!\n))*", text):
        para = m.group(0)
        mi, mp = INTERVIEWER_RE.match(para), PARTICIPANT_RE.match(para)
        if mi:
            out.append((m.start(), m.end(), "I", mi.group(0).strip(), mi))
        elif mp:
            out.append((m.start(), m.end(), "P", mp.group(0).strip(), mp))
        else:
            err(name, f"paragraph without a speaker label: {para[:60]!r}")
    # label consistency, two speakers, timestamps
    labels = {re.sub(TS, "", lab) for _, _, _, lab, _ in out}
    if len(labels) != 2:
        err(name, f"expected exactly two speaker labels, found {sorted(labels)}")
    stamped = [mm for *_, mm in out if mm.group(1) is not None]
    if stamped and len(stamped) != len(out):
        err(name, "some turns have timestamps and some do not")
    last = -1
    for mm in stamped:
        secs = int(mm.group(1)) * 3600 + int(mm.group(2)) * 60 + int(mm.group(3))
        if secs <= last:
            err(name, f"timestamp not increasing at {mm.group(0).strip()}")
        last = secs
    if out and out[0][2] != "I":
        err(name, "first turn is not the interviewer's")
    for a, b in itertools.pairwise(out):
        if a[2] == b[2]:
            err(name, f"two consecutive turns by the same speaker near offset {b[0]}")
    return [(s, e, r, lab) for s, e, r, lab, _ in out]


def check_transcript(pid: str, table: dict[str, set[str]], known_codes: set[str]) -> int | None:
    tpath, cpath = TRANSCRIPTS / f"{pid}.txt", TRANSCRIPTS / f"{pid}.codes.json"
    text = read_text(tpath)
    if text is None:
        return None
    n = words(text)
    if not MIN_WORDS <= n <= MAX_WORDS:
        err(tpath.name, f"{n} words, outside {MIN_WORDS}-{MAX_WORDS}")
    turns = turns_of(text, tpath.name)
    expected = {code for code, pids in table.items() if pid in pids}

    # guards against unassigned codes
    for code, pats in GUARDS.items():
        if code in expected:
            continue
        for pat in pats:
            m = re.search(pat, text, re.IGNORECASE)
            if m:
                err(tpath.name, f"mentions {m.group(0)!r} but {code} is not assigned to {pid}")

    if not cpath.exists():
        err(pid, "transcript has no codes.json")
        return n
    craw = read_text(cpath)
    if craw is None:
        return n
    try:
        gold = json.loads(craw)
    except json.JSONDecodeError as e:
        err(cpath.name, f"invalid JSON: {e}")
        return n
    if not isinstance(gold, list):
        err(cpath.name, "must be a JSON list")
        return n
    seen = set()
    for i, item in enumerate(gold):
        where = f"{cpath.name}[{i}]"
        if not isinstance(item, dict) or set(item) != {"code", "quote"}:
            err(where, "must be an object with exactly 'code' and 'quote'")
            continue
        code, quote = item["code"], item["quote"]
        if known_codes and code not in known_codes:
            err(where, f"unknown code {code!r}")
        seen.add(code)
        if quote != quote.strip():
            err(where, "quote has leading/trailing whitespace")
        qw = words(quote)
        if not MIN_QUOTE <= qw <= MAX_QUOTE:
            err(where, f"{code} quote has {qw} words, outside {MIN_QUOTE}-{MAX_QUOTE}")
        count = text.count(quote)
        if count != 1:
            err(where, f"{code} quote occurs {count} times (must be exactly once): {quote[:60]!r}")
            continue
        pos = text.index(quote)
        if "\n\n" in quote:
            err(where, f"{code} quote spans a blank line")
        owner = [t for t in turns if t[0] <= pos < t[1]]
        if not owner:
            err(where, f"{code} quote is not inside a turn")
            continue
        start, end, role, label = owner[0]
        if role != "P":
            err(where, f"{code} quote is inside an interviewer turn")
        if pos < start + len(label):
            err(where, f"{code} quote includes the speaker label")
        if pos + len(quote) > end:
            err(where, f"{code} quote runs past the end of its turn")
    if seen != expected:
        missing, extra = sorted(expected - seen), sorted(seen - expected)
        err(cpath.name, f"codes differ from README table: missing {missing}, unassigned {extra}")
    return n


def check_codebook(table: dict[str, set[str]]) -> set[str]:
    path = HERE / "codebook.json"
    if not path.exists():
        return set()
    text = read_text(path)
    if text is None:
        return set()
    try:
        cb = json.loads(text)
    except json.JSONDecodeError as e:
        err(path.name, f"invalid JSON: {e}")
        return set()
    codes: set[str] = set()
    colours: list[str] = []
    if not cb.get("name"):
        err(path.name, "missing name")
    themes = cb.get("themes", [])
    if [t.get("key") for t in themes] != THEMES:
        err(path.name, f"themes must be {THEMES}, got {[t.get('key') for t in themes]}")
    for t in themes:
        for f in ("key", "name", "definition", "colour", "codes"):
            if not t.get(f):
                err(path.name, f"theme {t.get('key')} missing {f}")
        colours.append(str(t.get("colour", "")))
        for c in t.get("codes", []):
            k = c.get("key", "?")
            for f in CODEBOOK_FIELDS:
                if not isinstance(c.get(f), str) or not c.get(f).strip():
                    err(path.name, f"code {k} missing {f}")
            if not str(k).startswith(str(t.get("key"))):
                err(path.name, f"code {k} under theme {t.get('key')}")
            codes.add(k)
            colours.append(str(c.get("colour", "")))
    for col in colours:
        if not re.fullmatch(r"#[0-9A-Fa-f]{6}", col):
            err(path.name, f"bad colour {col!r}")
    if len({c.upper() for c in colours}) != len(colours):
        err(path.name, "colours are not distinct")
    if codes != set(table):
        err(
            path.name,
            f"codes differ from README: missing {sorted(set(table) - codes)}, "
            f"extra {sorted(codes - set(table))}",
        )
    return codes


def check_cases() -> None:
    path = HERE / "cases.csv"
    if not path.exists():
        return
    text = read_text(path)
    if text is None:
        return
    rows = list(csv.reader(text.splitlines()))
    if rows[0] != CASES_HEADER:
        err(path.name, f"header must be {CASES_HEADER}")
    body = [dict(zip(rows[0], r, strict=False)) for r in rows[1:] if r]
    if [r["participant_id"] for r in body] != PIDS:
        err(path.name, "participant ids must be P01..P16 in order")
        return
    last = None
    for r in body:
        pid = r["participant_id"]
        want = "Elected prosecutor" if pid in ELECTED else "Policy staff"
        if r["role"] != want:
            err(path.name, f"{pid} role {r['role']!r}, expected {want!r}")
        if r["region"] not in {"Northeast", "Midwest", "South", "West"}:
            err(path.name, f"{pid} bad region {r['region']!r}")
        if not r["years_in_office"].isdigit():
            err(path.name, f"{pid} years_in_office not an integer")
        if r["interview_mode"] not in {"video", "phone"}:
            err(path.name, f"{pid} bad interview_mode")
        d = dt.date.fromisoformat(r["interview_date"])
        if not dt.date(2021, 11, 8) <= d <= dt.date(2022, 4, 22):
            err(path.name, f"{pid} date {d} outside study window")
        if last and d <= last:
            err(path.name, f"{pid} date {d} not after previous")
        last = d
    juris: dict[str, list[str]] = {}
    for r in body:
        juris.setdefault(r["jurisdiction"], []).append(r["participant_id"])
    shared = sorted(sorted(v) for v in juris.values() if len(v) > 1)
    if len(juris) != 14 or shared != [["P01", "P02"], ["P10", "P11"]]:
        err(
            path.name,
            f"expected 14 jurisdictions with P01/P02 and P10/P11 shared, got {len(juris)}, {shared}",
        )


def main() -> int:
    table = read_table()
    if len(table) != 25:
        err("README.md", f"table has {len(table)} codes, expected 25")
    known = check_codebook(table)
    check_cases()
    counts = {}
    for pid in PIDS:
        if (TRANSCRIPTS / f"{pid}.txt").exists():
            counts[pid] = check_transcript(pid, table, known)
        elif (TRANSCRIPTS / f"{pid}.codes.json").exists():
            err(pid, "codes.json without transcript")
    for pid, n in counts.items():
        expected = sorted(c for c, p in table.items() if pid in p)
        print(f"{pid}: {n} words, {len(expected)} codes ({' '.join(expected)})")
    print(
        f"checked {len(counts)} transcript(s); codebook: {'yes' if known else 'no'}; "
        f"cases.csv: {'yes' if (HERE / 'cases.csv').exists() else 'no'}"
    )
    if errors:
        print(f"\n{len(errors)} problem(s):")
        for e in errors:
            print("  " + e)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
