"""One Vietnamese voice: the formal address everywhere citizens read, one name per thing.

Scans the project's own templates, scripts and message catalogs (not vendored code):

- citizens are addressed as "Quý công dân" / "ông, bà", never with the informal words;
- the names of the vocabulary (priority groups, satisfaction levels, counter states,
  "Quầy N", the "Ưu tiên" label) are not written out in a template or a script: pages get them from
  `queue_core.domain.vocabulary` (Jinja's `vocabulary`, or its JSON in the page), and no
  Python module but the vocabulary spells a priority group out.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from queue_core.domain import vocabulary

ROOT = Path(__file__).resolve().parents[1]

# What citizens read or hear: the kiosk, the ticket (screen, paper, phone page), the wall
# and counter screens, the rating device, and the catalogs their messages come from.
CITIZEN_FILES = sorted(
    [*ROOT.glob("kiosk/templates/**/*.html"), *ROOT.glob("kiosk/static/*.js"),
     ROOT / "kiosk/messages.py", ROOT / "kiosk/layout.py",
     *ROOT.glob("display/templates/**/*.html"), *ROOT.glob("display/static/*.js"),
     ROOT / "display/messages.py", ROOT / "display/native/render.py",
     ROOT / "queue_core/web/templates/base.html", ROOT / "queue_core/web/templates/rate.html",
     ROOT / "queue_core/web/static/rate.js", ROOT / "queue_core/web/static/rating.js",
     ROOT / "queue_core/domain/messages.py", ROOT / "queue_core/domain/vocabulary.py",
     ROOT / "queue_core/domain/speech.py", ROOT / "announcer/messages.py",
     ROOT / "queue_core/service/ratings.py", ROOT / "queue_core/config.py"])

# Every page and script of the product (officers' and manager's too).
PAGE_FILES = sorted(
    path for pattern in ("**/templates/**/*.html", "**/static/*.js")
    for package in ("kiosk", "display", "queue_core")
    for path in ROOT.glob(f"{package}/{pattern}") if "vendor" not in path.parts)

INFORMAL = ("bạn", "các bạn", "mày", "tớ", "cậu")
# Names once written in other ways on some screens: none may come back.
PRIORITY_VARIANTS = ("Có con nhỏ", "Người đi cùng con nhỏ", "Người cao tuổi (từ 60 tuổi)",
                     "Người có công với CM", "Người già")
CODES = (*vocabulary.COUNTER_STATE_NAMES, *vocabulary.PRIORITY_NAMES, *vocabulary.RATING_NAMES)


def standalone(phrase: str) -> re.Pattern[str]:
    """Match `phrase` on its own, not as part of a longer phrase ("Hài lòng hôm nay")."""
    return re.compile(rf"(?<!\w)(?<!\w )(?<!\w&nbsp;){re.escape(phrase)}(?! ?\w)", re.IGNORECASE)


def page_checks(names: list[str]) -> list[re.Pattern[str]]:
    """What a page must not hold: the vocabulary's names, its codes mapped to words, …"""
    return [standalone(name) for name in names] + [
        # A code mapped to its words in a page: the vocabulary's job.
        re.compile(rf"(?:[{{,]|^)\s*[\"']?\b(?:{'|'.join(CODES)})\b[\"']?\s*:\s*[\"'`]",
                   re.MULTILINE),
        # A counter's name made up in a page ("Quầy " + n) instead of the vocabulary's.
        re.compile(r"Quầy\s*(?:\$\{|[\"'`]\s*\+|\{\{|<b)"),
        # The priority label written out before a group's name.
        re.compile(r"Ưu tiên\s*[·:]", re.IGNORECASE),
    ]


def where(path: Path, text: str, match: re.Match[str]) -> str:
    line = text.count("\n", 0, match.start()) + 1
    return f"{path.relative_to(ROOT)}:{line}: {match.group(0)!r}"


def test_the_files_scanned_exist() -> None:
    assert all(path.is_file() for path in CITIZEN_FILES)
    assert len(PAGE_FILES) >= 15
    assert ROOT / "kiosk/templates/kiosk/kiosk.html" in PAGE_FILES


def test_citizens_are_addressed_formally_everywhere() -> None:
    found = []
    for path in CITIZEN_FILES:
        text = path.read_text(encoding="utf-8")
        for word in INFORMAL:
            found += [where(path, text, m) for m in re.finditer(
                rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE)]
    assert found == []


def test_the_informal_check_would_see_the_informal_words() -> None:
    assert re.search(r"(?<!\w)bạn(?!\w)", "Số thứ tự của bạn", re.IGNORECASE)
    assert not re.search(r"(?<!\w)bạn(?!\w)", "Ban quản lý", re.IGNORECASE)


def test_pages_take_every_vocabulary_name_from_the_vocabulary() -> None:
    names = [*vocabulary.PRIORITY_NAMES.values(), *vocabulary.RATING_NAMES.values(),
             *vocabulary.COUNTER_STATE_NAMES.values(), *PRIORITY_VARIANTS]
    checks = page_checks(names)
    found = []
    for path in PAGE_FILES:
        text = path.read_text(encoding="utf-8")
        for check in checks:
            found += [where(path, text, m) for m in check.finditer(text)]
    assert found == []


def test_no_python_module_but_the_vocabulary_spells_a_priority_group_out() -> None:
    names = [*vocabulary.PRIORITY_NAMES.values(), *PRIORITY_VARIANTS]
    found = []
    for path in sorted(ROOT.glob("*/**/*.py")):
        if ".venv" in path.parts or "tests" in path.parts or path.name == "vocabulary.py":
            continue
        text = path.read_text(encoding="utf-8")
        for name in names:
            found += [where(path, text, m) for m in standalone(name).finditer(text)]
    assert found == []


@pytest.mark.parametrize("text,hit", [
    ('{open: "Đang mở", paused: "Tạm dừng"}', True),
    ('"Quầy " + number', True),
    ("`Quầy ${n}`", True),
    ('badge.textContent = "Ưu tiên · " + name', True),
    ("<th>Rất hài lòng</th>", True),
    ("<span>Hài lòng hôm nay</span>", False),
    ("Tỷ lệ hài lòng", False),
    ('state: view.state === "open"', False),
    ('{ state: open ? "paused" : "open" }', False),
])
def test_the_vocabulary_check_sees_what_it_should(text: str, hit: bool) -> None:
    checks = page_checks([vocabulary.RATING_NAMES["very_satisfied"],
                          vocabulary.RATING_NAMES["satisfied"]])
    assert any(check.search(text) for check in checks) is hit
