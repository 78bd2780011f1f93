"""Regenerate the binary fixtures in this folder: ``.venv/bin/python tests/data/import/make_fixtures.py``.

The files are committed; this script documents exactly what is in them. The PDFs are written by hand (a
few objects and a cross-reference table) so that no PDF-writing library is needed.
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.shared import Pt

HERE = Path(__file__).resolve().parent


def make_docx(path: Path) -> None:
    """A transcript as transcriptionists deliver it: bold labels (with and without a colon), a heading, a
    non-ASCII name, and a two-column speaker table."""
    document = docx.Document()
    document.add_heading("Interview P07 — 12 March 2022", level=1)
    document.add_paragraph("Recorded on Zoom. Names are pseudonyms.")

    def turn(label: str, text: str) -> None:
        paragraph = document.add_paragraph()
        paragraph.add_run(label).bold = True
        paragraph.add_run(text)

    turn("Interviewer:", " Thank you for joining. How did harm reduction come up in your office?")
    turn("P07", "  It came up through the overdose numbers. We saw them double.")
    turn("Interviewer:", " And the community?")
    turn("P07", "  Mixed. Some people were angry.")
    paragraph = document.add_paragraph()
    paragraph.add_run("Zoë Núñez:").bold = True
    paragraph.add_run(" I ran the diversion programme.")
    paragraph = document.add_paragraph()
    emphasis = paragraph.add_run("Never")
    emphasis.bold = True
    paragraph.add_run(" did we think it would work so fast.")
    paragraph.runs[0].font.size = Pt(12)

    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Speaker"
    table.rows[0].cells[1].text = "Text"
    for speaker, text in (
        ("Interviewer", "What changed in 2021?"),
        ("P07", "We stopped charging possession."),
    ):
        cells = table.add_row().cells
        cells[0].text = speaker
        cells[1].text = text
    document.save(path)


def _pdf(objects: list[bytes]) -> bytes:
    """Assemble numbered objects into a PDF with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _stream(content: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(content), extra) + content + b"\nendstream"


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252")  # WinAnsiEncoding, which the font declares
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def make_text_pdf(path: Path) -> None:
    lines = [
        "Interviewer: What does harm reduction mean to you?",
        "P07: Meeting people where they are.",
        "José Núñez: We started in 2019.",
        "Interviewer: Thank you.",
        "José Núñez: You are welcome.",
    ]
    content = b"BT /F1 12 Tf 72 720 Td 16 TL\n"
    content += b"".join(_pdf_string(line) + b" Tj T*\n" for line in lines) + b"ET"
    path.write_bytes(
        _pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                b"/Resources << /Font << /F1 5 0 R >> >> >>",
                _stream(content),
                b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
            ]
        )
    )


def make_scanned_pdf(path: Path) -> None:
    """A page that only paints an image, as a scanner produces: no text layer at all."""
    pixels = bytes([200, 60, 200, 60])  # a 2x2 grey image standing in for the scan
    path.write_bytes(
        _pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                b"/Resources << /XObject << /Im1 5 0 R >> >> >>",
                _stream(b"q 540 0 0 720 36 36 cm /Im1 Do Q"),
                _stream(
                    pixels,
                    b"/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray "
                    b"/BitsPerComponent 8 ",
                ),
            ]
        )
    )


def main() -> None:
    make_docx(HERE / "interview.docx")
    make_text_pdf(HERE / "interview.pdf")
    make_scanned_pdf(HERE / "scanned.pdf")


if __name__ == "__main__":
    main()
