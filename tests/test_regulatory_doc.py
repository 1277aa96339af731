"""docs/regulatory.md maps each rule to its code and the tests that prove it: every file and test
it names must exist, so a renamed test or a moved module cannot leave the map silently wrong."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "regulatory.md").read_text()
SECTIONS = "ABCDEFGHIJK"
_END = r"\b"


def test_every_section_of_the_map_is_present():
    headings = re.findall(r"^## ([A-Z])\. ", DOC, re.M)
    assert headings == list(SECTIONS)


def test_every_test_it_names_exists():
    named = set(re.findall(r"(tests/[\w/]+\.py)(?:::(\w+))?", DOC))
    assert len(named) > 50
    missing = []
    for path, test in sorted(named):
        source = ROOT / path
        if not source.exists():
            missing.append(path)
        # a name ending in "_" stands for every test that starts with it
        elif test and not re.search(
            rf"^(async )?def {re.escape(test)}{_END if not test.endswith('_') else ''}", source.read_text(), re.M
        ):
            missing.append(f"{path}::{test}")
    assert missing == []


def test_every_code_file_it_names_exists():
    named = set(
        re.findall(r"`((?:ratings|audit|dpa_portal|templates|bench|scripts)/[\w/.]+\.(?:py|html|txt|sql))", DOC)
    )
    assert len(named) > 40
    assert sorted(path for path in named if not (ROOT / path).exists()) == []
