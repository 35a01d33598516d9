"""The dedupe bench files its labelled inquiries through the real filing code over an in-memory
stand-in of profile's store: a store method the filing code starts to use must exist there too."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import dedupe_quality  # noqa: E402


def test_a_small_run_files_every_inquiry_and_reports_quality(capsys):
    assert dedupe_quality.main(["--inquiries", "300"]) in (0, None)
    printed = capsys.readouterr().out
    assert "pairwise precision" in printed and "pairwise recall" in printed
