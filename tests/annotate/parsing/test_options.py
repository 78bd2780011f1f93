"""Options round-trip through JSON; the package stays free of Django."""

import ast
from pathlib import Path

import pytest

from annotate import parsing
from annotate.parsing import ImportFileError, ImportLimits, ImportOptions, Segmentation

PACKAGE = Path(parsing.__file__).resolve().parent


def test_options_round_trip_through_json():
    options = ImportOptions(
        segmentation=Segmentation.SENTENCE,
        encoding="windows-1252",
        speaker_pattern=r"(?P<speaker>\w+)>",
        interviewer_speakers=("Sarah",),
        exclude_interviewer=True,
        limits=ImportLimits(max_segments=100),
    )
    assert ImportOptions.from_dict(options.to_dict()) == options
    assert options.to_dict()["segmentation"] == "sentence"


def test_defaults():
    options = ImportOptions()
    assert options.segmentation is Segmentation.TURN
    assert options.interviewer_labels == ("Interviewer", "I", "Q", "Int")
    assert options.exclude_interviewer is False
    assert options.limits == ImportLimits(
        max_file_bytes=25 * 1024 * 1024,
        max_archive_bytes=200 * 1024 * 1024,
        max_zip_members=2_000,
        max_unpacked_bytes=500 * 1024 * 1024,
        max_compression_ratio=200,
        compression_ratio_floor_bytes=1024 * 1024,
        max_segments=20_000,
    )


def test_unknown_keys_and_values_are_errors():
    with pytest.raises(ImportFileError, match=r"Unknown import option\(s\): segmentaton\."):
        ImportOptions.from_dict({"segmentaton": "turn"})
    with pytest.raises(
        ImportFileError, match=r"Unknown segmentation 'words'\. Choose one of 'turn', 'paragraph'"
    ):
        ImportOptions(segmentation="words")
    with pytest.raises(ImportFileError, match=r"Unknown import limit\(s\): max_pages\."):
        ImportOptions.from_dict({"limits": {"max_pages": 3}})
    with pytest.raises(ImportFileError, match="max_segments must be a positive whole number"):
        ImportLimits(max_segments=0)


def test_no_django_imports_in_the_parsing_package():
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(("django", "rest_framework", "celery", "annotate")), (
                    path.name,
                    name,
                )
