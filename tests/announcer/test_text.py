"""Tests for queue_core.domain.speech: Vietnamese number words, letter names, labels and call sentences."""

from __future__ import annotations

import doctest
import json
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

import queue_core.domain.speech as text_module
from queue_core.domain.speech import (
    DEFAULT_RECALL_TEMPLATE,
    DEFAULT_TEMPLATE,
    DIALECTS,
    SpeechTextError,
    call_caption,
    call_sentence,
    label_words,
    letter_name,
    number_words,
    sentence_words,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Numbers read the same way in both dialects.
COMMON_NUMBERS = [
    (0, "không"),
    (1, "một"),
    (2, "hai"),
    (3, "ba"),
    (4, "bốn"),
    (5, "năm"),
    (6, "sáu"),
    (7, "bảy"),
    (8, "tám"),
    (9, "chín"),
    (10, "mười"),
    (11, "mười một"),
    (12, "mười hai"),
    (13, "mười ba"),
    (14, "mười bốn"),
    (15, "mười lăm"),
    (16, "mười sáu"),
    (17, "mười bảy"),
    (18, "mười tám"),
    (19, "mười chín"),
    (20, "hai mươi"),
    (21, "hai mươi mốt"),
    (22, "hai mươi hai"),
    (23, "hai mươi ba"),
    (25, "hai mươi lăm"),
    (29, "hai mươi chín"),
    (30, "ba mươi"),
    (31, "ba mươi mốt"),
    (35, "ba mươi lăm"),
    (40, "bốn mươi"),
    (41, "bốn mươi mốt"),
    (45, "bốn mươi lăm"),
    (50, "năm mươi"),
    (51, "năm mươi mốt"),
    (55, "năm mươi lăm"),
    (60, "sáu mươi"),
    (61, "sáu mươi mốt"),
    (65, "sáu mươi lăm"),
    (70, "bảy mươi"),
    (71, "bảy mươi mốt"),
    (75, "bảy mươi lăm"),
    (80, "tám mươi"),
    (81, "tám mươi mốt"),
    (85, "tám mươi lăm"),
    (90, "chín mươi"),
    (91, "chín mươi mốt"),
    (95, "chín mươi lăm"),
    (99, "chín mươi chín"),
    (100, "một trăm"),
    (110, "một trăm mười"),
    (111, "một trăm mười một"),
    (114, "một trăm mười bốn"),
    (115, "một trăm mười lăm"),
    (121, "một trăm hai mươi mốt"),
    (125, "một trăm hai mươi lăm"),
    (200, "hai trăm"),
    (210, "hai trăm mười"),
    (300, "ba trăm"),
    (333, "ba trăm ba mươi ba"),
    (555, "năm trăm năm mươi lăm"),
    (999, "chín trăm chín mươi chín"),
]

NORTH_ONLY = [
    (24, "hai mươi tư"),
    (34, "ba mươi tư"),
    (44, "bốn mươi tư"),
    (54, "năm mươi tư"),
    (64, "sáu mươi tư"),
    (74, "bảy mươi tư"),
    (84, "tám mươi tư"),
    (94, "chín mươi tư"),
    (101, "một trăm linh một"),
    (104, "một trăm linh bốn"),
    (105, "một trăm linh năm"),
    (109, "một trăm linh chín"),
    (124, "một trăm hai mươi tư"),
    (205, "hai trăm linh năm"),
    (301, "ba trăm linh một"),
    (904, "chín trăm linh bốn"),
    (1000, "một nghìn"),
    (1001, "một nghìn không trăm linh một"),
    (1005, "một nghìn không trăm linh năm"),
    (1010, "một nghìn không trăm mười"),
    (1015, "một nghìn không trăm mười lăm"),
    (1023, "một nghìn không trăm hai mươi ba"),
    (1024, "một nghìn không trăm hai mươi tư"),
    (1100, "một nghìn một trăm"),
    (1105, "một nghìn một trăm linh năm"),
    (2007, "hai nghìn không trăm linh bảy"),
    (2021, "hai nghìn không trăm hai mươi mốt"),
    (4444, "bốn nghìn bốn trăm bốn mươi tư"),
    (5555, "năm nghìn năm trăm năm mươi lăm"),
    (9999, "chín nghìn chín trăm chín mươi chín"),
    (10_000, "mười nghìn"),
    (10_001, "mười nghìn không trăm linh một"),
    (11_000, "mười một nghìn"),
    (14_000, "mười bốn nghìn"),
    (15_000, "mười lăm nghìn"),
    (20_000, "hai mươi nghìn"),
    (21_000, "hai mươi mốt nghìn"),
    (24_000, "hai mươi tư nghìn"),
    (25_000, "hai mươi lăm nghìn"),
    (50_505, "năm mươi nghìn năm trăm linh năm"),
    (81_234, "tám mươi mốt nghìn hai trăm ba mươi tư"),
    (99_999, "chín mươi chín nghìn chín trăm chín mươi chín"),
]

SOUTH_ONLY = [
    (24, "hai mươi bốn"),
    (34, "ba mươi bốn"),
    (44, "bốn mươi bốn"),
    (54, "năm mươi bốn"),
    (64, "sáu mươi bốn"),
    (74, "bảy mươi bốn"),
    (84, "tám mươi bốn"),
    (94, "chín mươi bốn"),
    (101, "một trăm lẻ một"),
    (104, "một trăm lẻ bốn"),
    (105, "một trăm lẻ năm"),
    (109, "một trăm lẻ chín"),
    (124, "một trăm hai mươi bốn"),
    (205, "hai trăm lẻ năm"),
    (301, "ba trăm lẻ một"),
    (904, "chín trăm lẻ bốn"),
    (1000, "một ngàn"),
    (1001, "một ngàn không trăm lẻ một"),
    (1005, "một ngàn không trăm lẻ năm"),
    (1010, "một ngàn không trăm mười"),
    (1015, "một ngàn không trăm mười lăm"),
    (1023, "một ngàn không trăm hai mươi ba"),
    (1024, "một ngàn không trăm hai mươi bốn"),
    (1100, "một ngàn một trăm"),
    (1105, "một ngàn một trăm lẻ năm"),
    (2007, "hai ngàn không trăm lẻ bảy"),
    (2021, "hai ngàn không trăm hai mươi mốt"),
    (4444, "bốn ngàn bốn trăm bốn mươi bốn"),
    (5555, "năm ngàn năm trăm năm mươi lăm"),
    (9999, "chín ngàn chín trăm chín mươi chín"),
    (10_000, "mười ngàn"),
    (10_001, "mười ngàn không trăm lẻ một"),
    (11_000, "mười một ngàn"),
    (14_000, "mười bốn ngàn"),
    (15_000, "mười lăm ngàn"),
    (20_000, "hai mươi ngàn"),
    (21_000, "hai mươi mốt ngàn"),
    (24_000, "hai mươi bốn ngàn"),
    (25_000, "hai mươi lăm ngàn"),
    (50_505, "năm mươi ngàn năm trăm lẻ năm"),
    (81_234, "tám mươi mốt ngàn hai trăm ba mươi bốn"),
    (99_999, "chín mươi chín ngàn chín trăm chín mươi chín"),
]


@pytest.mark.parametrize(("n", "expected"), COMMON_NUMBERS + NORTH_ONLY)
def test_number_words_north(n: int, expected: str) -> None:
    assert number_words(n) == expected
    assert number_words(n, dialect="north") == expected


@pytest.mark.parametrize(("n", "expected"), COMMON_NUMBERS + SOUTH_ONLY)
def test_number_words_south(n: int, expected: str) -> None:
    assert number_words(n, dialect="south") == expected


def test_dialect_tables_cover_the_same_numbers() -> None:
    assert [n for n, _ in NORTH_ONLY] == [n for n, _ in SOUTH_ONLY]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_number_reads_as_known_words(dialect: str) -> None:
    vocabulary = {
        "không", "một", "mốt", "hai", "ba", "bốn", "tư", "năm", "lăm", "sáu", "bảy",
        "tám", "chín", "mười", "mươi", "trăm", "linh", "lẻ", "nghìn", "ngàn",
    }
    seen: set[str] = set()
    for n in range(0, 100_000, 7):
        words = number_words(n, dialect=dialect).split(" ")
        assert all(words), n
        seen.update(words)
    assert seen <= vocabulary


def test_dialects_constant() -> None:
    assert DIALECTS == ("north", "south")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, "number must be an integer from 0 to 999999, got -1"),
        (1_000_000, "number must be an integer from 0 to 999999, got 1000000"),
        (10_000_000, "got 10000000"),
        (3.0, "got 3.0"),
        ("12", "got '12'"),
        (None, "got None"),
        (True, "got True"),
    ],
)
def test_number_words_rejects_bad_numbers(value: object, message: str) -> None:
    with pytest.raises(SpeechTextError, match=message.replace(".", r"\.")):
        number_words(value)  # type: ignore[arg-type]


def test_speech_text_error_is_value_error() -> None:
    assert issubclass(SpeechTextError, ValueError)


# ---------------------------------------------------------------- letters

LETTERS = [
    ("A", "a"),
    ("Ă", "á"),
    ("Â", "ớ"),
    ("B", "bê"),
    ("C", "xê"),
    ("D", "dê"),
    ("Đ", "đê"),
    ("E", "e"),
    ("Ê", "ê"),
    ("F", "ép"),
    ("G", "giê"),
    ("H", "hát"),
    ("I", "i"),
    ("J", "gi"),
    ("K", "ca"),
    ("L", "lờ"),
    ("M", "mờ"),
    ("N", "nờ"),
    ("O", "o"),
    ("Ô", "ô"),
    ("Ơ", "ơ"),
    ("P", "pê"),
    ("Q", "quy"),
    ("R", "rờ"),
    ("S", "ét"),
    ("T", "tê"),
    ("U", "u"),
    ("Ư", "ư"),
    ("V", "vê"),
    ("W", "vê kép"),
    ("X", "ích"),
    ("Y", "i dài"),
    ("Z", "dét"),
]


@pytest.mark.parametrize(("letter", "name"), LETTERS)
def test_letter_name_upper_and_lower(letter: str, name: str) -> None:
    assert letter_name(letter) == name
    assert letter_name(letter.lower()) == name


def test_every_ascii_letter_has_a_name() -> None:
    for code in range(ord("A"), ord("Z") + 1):
        assert letter_name(chr(code))


def test_letter_names_are_single_words_without_hyphens() -> None:
    for _letter, name in LETTERS:
        assert "-" not in name
        assert sentence_words(name) == name.split(" ")


def test_letter_name_accepts_decomposed_unicode() -> None:
    assert letter_name(unicodedata.normalize("NFD", "Ă")) == "á"
    assert letter_name(unicodedata.normalize("NFD", "ư")) == "ư"


@pytest.mark.parametrize(
    ("letter", "message"),
    [
        ("", "expected exactly one letter, got ''"),
        ("AB", "expected exactly one letter, got 'AB'"),
        ("1", "no Vietnamese name for letter '1'"),
        ("-", "no Vietnamese name for letter '-'"),
        ("ß", "no Vietnamese name for letter 'ß'"),
        ("Ñ", "no Vietnamese name for letter 'Ñ'"),
        (None, "letter must be a string, got None"),
    ],
)
def test_letter_name_rejects(letter: object, message: str) -> None:
    with pytest.raises(SpeechTextError, match=message):
        letter_name(letter)  # type: ignore[arg-type]


# ---------------------------------------------------------------- labels

PREFIXED_LABELS = [
    ("A023", "a không hai ba"),
    ("a023", "a không hai ba"),
    ("  A023\n", "a không hai ba"),
    ("B7", "bê bảy"),
    ("C100", "xê một không không"),
    ("D015", "dê không một năm"),
    ("E4", "e bốn"),
    ("F021", "ép không hai một"),
    ("AB12", "a bê một hai"),
    ("Đ5", "đê năm"),
    ("đ5", "đê năm"),
    ("W1", "vê kép một"),
    ("Y0", "i dài không"),
    ("XL99", "ích lờ chín chín"),
    ("A000", "a không không không"),
    ("A123456789", "a một hai ba bốn năm sáu bảy tám chín"),
]


@pytest.mark.parametrize(("label", "expected"), PREFIXED_LABELS)
@pytest.mark.parametrize("dialect", DIALECTS)
def test_prefixed_label_reads_letters_then_each_digit(
    label: str, expected: str, dialect: str
) -> None:
    assert label_words(label, dialect=dialect) == expected


NUMERIC_LABELS_NORTH = [
    ("1023", "một nghìn không trăm hai mươi ba"),
    ("2007", "hai nghìn không trăm linh bảy"),
    ("7", "bảy"),
    (" 15 ", "mười lăm"),
    ("24", "hai mươi tư"),
    ("0023", "hai mươi ba"),
    ("0", "không"),
    ("99999", "chín mươi chín nghìn chín trăm chín mươi chín"),
    # A widened plain series (numbering: 1999 → 11000, … 110000).
    ("11000", "mười một nghìn"),
    ("110001", "một trăm mười nghìn không trăm linh một"),
]

NUMERIC_LABELS_SOUTH = [
    ("1023", "một ngàn không trăm hai mươi ba"),
    ("2007", "hai ngàn không trăm lẻ bảy"),
    ("7", "bảy"),
    (" 15 ", "mười lăm"),
    ("24", "hai mươi bốn"),
    ("0023", "hai mươi ba"),
    ("0", "không"),
    ("99999", "chín mươi chín ngàn chín trăm chín mươi chín"),
    ("11000", "mười một ngàn"),
    ("110001", "một trăm mười ngàn không trăm lẻ một"),
]


@pytest.mark.parametrize(("label", "expected"), NUMERIC_LABELS_NORTH)
def test_numeric_label_reads_as_number_north(label: str, expected: str) -> None:
    assert label_words(label) == expected


@pytest.mark.parametrize(("label", "expected"), NUMERIC_LABELS_SOUTH)
def test_numeric_label_reads_as_number_south(label: str, expected: str) -> None:
    assert label_words(label, dialect="south") == expected


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("", "ticket label is empty"),
        ("   ", "ticket label is empty"),
        ("A-1", "ticket label 'A-1' is not letters followed by digits"),
        ("12A", "ticket label '12A' is not letters followed by digits"),
        ("A", "ticket label 'A' is not letters followed by digits"),
        ("A 023", "ticket label 'A 023' is not letters followed by digits"),
        ("A1B2", "ticket label 'A1B2' is not letters followed by digits"),
        ("Ñ12", "ticket label 'Ñ12' is not letters followed by digits"),
        ("A٣", "is not letters followed by digits"),
        ("A1234567890", "ticket label 'A1234567890' is longer than 10 characters"),
        ("12345678901", "is longer than 10 characters"),
        ("1000000", "numeric ticket label '1000000' is above 999999"),
        (None, "ticket label must be a string, got None"),
        (23, "ticket label must be a string, got 23"),
    ],
)
def test_label_words_rejects(label: object, message: str) -> None:
    with pytest.raises(SpeechTextError, match=message):
        label_words(label)  # type: ignore[arg-type]


# ---------------------------------------------------------------- sentences

def test_default_templates() -> None:
    assert DEFAULT_TEMPLATE == "Xin mời công dân có số thứ tự {label} đến quầy số {counter}."
    assert DEFAULT_RECALL_TEMPLATE == (
        "Nhắc lại: xin mời công dân có số thứ tự {label} đến quầy số {counter}."
    )


SENTENCES = [
    (
        {"label": "A023", "counter": 3},
        "Xin mời công dân có số thứ tự a không hai ba đến quầy số ba.",
    ),
    (
        {"label": "1023", "counter": 3},
        "Xin mời công dân có số thứ tự một nghìn không trăm hai mươi ba đến quầy số ba.",
    ),
    (
        {"label": "1023", "counter": 3, "dialect": "south"},
        "Xin mời công dân có số thứ tự một ngàn không trăm hai mươi ba đến quầy số ba.",
    ),
    (
        {"label": "B015", "counter": 5},
        "Xin mời công dân có số thứ tự bê không một năm đến quầy số năm.",
    ),
    (
        {"label": "C7", "counter": 14},
        "Xin mời công dân có số thứ tự xê bảy đến quầy số mười bốn.",
    ),
    (
        {"label": "C7", "counter": 24},
        "Xin mời công dân có số thứ tự xê bảy đến quầy số hai mươi tư.",
    ),
    (
        {"label": "C7", "counter": 24, "dialect": "south"},
        "Xin mời công dân có số thứ tự xê bảy đến quầy số hai mươi bốn.",
    ),
    (
        {"label": "A023", "counter": 3, "recall": True},
        "Nhắc lại: xin mời công dân có số thứ tự a không hai ba đến quầy số ba.",
    ),
    (
        {"label": "2105", "counter": 1, "recall": True, "dialect": "south"},
        "Nhắc lại: xin mời công dân có số thứ tự hai ngàn một trăm lẻ năm đến quầy số một.",
    ),
    (
        {"label": "a023", "counter": 2, "template": "Số {label}, mời đến quầy {counter}."},
        "Số a không hai ba, mời đến quầy hai.",
    ),
    (
        {"label": "A023", "counter": 2, "template": "Quầy {counter} mời số {label}; số {label}."},
        "Quầy hai mời số a không hai ba; số a không hai ba.",
    ),
    (
        {"label": "A023", "counter": 2, "template": "Mời số {label} {{ưu tiên}}."},
        "Mời số a không hai ba {ưu tiên}.",
    ),
    (
        {"label": "A023", "counter": 2, "template": "Mời số {label}."},
        "Mời số a không hai ba.",
    ),
    (
        {
            "label": "A023",
            "counter": 2,
            "recall": True,
            "recall_template": "Lần nữa: số {label}, quầy {counter}.",
        },
        "Lần nữa: số a không hai ba, quầy hai.",
    ),
    (
        {
            "label": "A023",
            "counter": 2,
            "recall": False,
            "recall_template": "Lần nữa: số {label}, quầy {counter}.",
        },
        "Xin mời công dân có số thứ tự a không hai ba đến quầy số hai.",
    ),
    (
        {"label": "A023", "counter": 99_999},
        "Xin mời công dân có số thứ tự a không hai ba đến quầy số "
        "chín mươi chín nghìn chín trăm chín mươi chín.",
    ),
]


@pytest.mark.parametrize(("kwargs", "expected"), SENTENCES)
def test_call_sentence(kwargs: dict[str, object], expected: str) -> None:
    assert call_sentence(**kwargs) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"counter": 0}, "counter must be an integer from 1 to 99999, got 0"),
        ({"counter": -3}, "counter must be an integer from 1 to 99999, got -3"),
        ({"counter": 100_000}, "counter must be an integer from 1 to 99999, got 100000"),
        ({"counter": "3"}, "counter must be an integer from 1 to 99999, got '3'"),
        ({"counter": True}, "counter must be an integer from 1 to 99999, got True"),
        ({"label": "A-1"}, "ticket label 'A-1' is not letters followed by digits"),
        ({"label": ""}, "ticket label is empty"),
        ({"template": "Mời {name} đến quầy {counter}."}, r"placeholder \{name\}"),
        ({"template": "Mời {0} đến quầy {counter}."}, r"placeholder \{0\}"),
        ({"template": "Mời {} đến quầy {counter}."}, r"placeholder \{\}"),
        ({"template": "Mời {label.upper} đến quầy."}, r"placeholder \{label\.upper\}"),
        ({"template": "Mời {label[0]} đến quầy."}, r"placeholder \{label\[0\]\}"),
        ({"template": "Mời {label!r} đến quầy."}, r"placeholder \{label!r\}"),
        ({"template": "Mời {label:>20} đến quầy."}, r"placeholder \{label:>20\}"),
        ({"template": "Mời {label đến quầy."}, "template .* is malformed"),
        ({"template": "Mời label} đến quầy."}, "template .* is malformed"),
        ({"template": None}, "template must be a string, got None"),
        (
            {"recall": True, "recall_template": "Nhắc {who}."},
            r"recall template 'Nhắc \{who\}\.' has placeholder \{who\}; "
            r"only \{label\} and \{counter\} are allowed",
        ),
        ({"dialect": "central"}, "unknown dialect 'central': expected one of north, south"),
        ({"dialect": "North"}, "unknown dialect 'North'"),
    ],
)
def test_call_sentence_rejects(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"label": "A023", "counter": 3}
    arguments.update(kwargs)
    with pytest.raises(SpeechTextError, match=message):
        call_sentence(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize("kwargs,expected", [
    ({"label": "A001", "counter": 1}, "Xin mời công dân có số thứ tự A001 đến quầy số 1."),
    ({"label": "1023", "counter": 12, "recall": True},
     "Nhắc lại: xin mời công dân có số thứ tự 1023 đến quầy số 12."),
    ({"label": "B007", "counter": 3, "template": "Mời số {label} tới quầy {counter}."},
     "Mời số B007 tới quầy 3."),
])
def test_call_caption_is_the_same_sentence_as_written(kwargs: dict[str, object],
                                                      expected: str) -> None:
    assert call_caption(**kwargs) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("kwargs", [{"label": "", "counter": 1}, {"label": "A1", "counter": 0},
                                    {"label": "A1", "counter": 1, "template": "{who}"}])
def test_call_caption_rejects(kwargs: dict[str, object]) -> None:
    with pytest.raises(SpeechTextError):
        call_caption(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "call",
    [
        lambda: number_words(1, dialect="hue"),
        lambda: label_words("A1", dialect="hue"),
        lambda: call_sentence("A1", 1, dialect="hue"),
    ],
)
def test_unknown_dialect_is_named(call: Callable[[], object]) -> None:
    with pytest.raises(SpeechTextError, match="unknown dialect 'hue'"):
        call()


def test_unknown_dialect_non_string() -> None:
    with pytest.raises(SpeechTextError, match="unknown dialect None"):
        number_words(1, dialect=None)  # type: ignore[arg-type]


# ---------------------------------------------------------------- sentence words

SENTENCE_WORDS = [
    (
        "Xin mời công dân có số thứ tự a không hai ba đến quầy số ba.",
        ["xin", "mời", "công", "dân", "có", "số", "thứ", "tự", "a", "không", "hai", "ba",
         "đến", "quầy", "số", "ba"],
    ),
    (
        "Nhắc lại: xin mời quầy số ba.",
        ["nhắc", "lại", "xin", "mời", "quầy", "số", "ba"],
    ),
    ("ĐẾN QUẦY", ["đến", "quầy"]),
    ("  một,hai;  ba!? (bốn) \"năm\" – sáu…\n", ["một", "hai", "ba", "bốn", "năm", "sáu"]),
    ("e-lờ_ích", ["e", "lờ", "ích"]),
    ("", []),
    ("...!", []),
    (unicodedata.normalize("NFD", "Quầy Số"), ["quầy", "số"]),
]


@pytest.mark.parametrize(("sentence", "expected"), SENTENCE_WORDS)
def test_sentence_words(sentence: str, expected: list[str]) -> None:
    assert sentence_words(sentence) == expected


@pytest.mark.parametrize("recall", [False, True])
@pytest.mark.parametrize("dialect", DIALECTS)
def test_sentence_words_of_call_sentence_are_nfc_lowercase(recall: bool, dialect: str) -> None:
    words = sentence_words(call_sentence("W2024", 21, recall=recall, dialect=dialect))
    assert words
    for word in words:
        assert word == word.lower()
        assert word == unicodedata.normalize("NFC", word)
        assert word.isalpha()


def test_sentence_words_rejects_non_string() -> None:
    with pytest.raises(SpeechTextError, match="sentence must be a string, got None"):
        sentence_words(None)  # type: ignore[arg-type]


# ---------------------------------------------------------------- module hygiene

def test_module_docstring_examples() -> None:
    failures, attempted = doctest.testmod(text_module, verbose=False)
    assert attempted > 0
    assert failures == 0


def test_import_pulls_in_only_the_standard_library() -> None:
    script = (
        "import json, sys\n"
        "before = set(sys.modules)\n"
        "import queue_core.domain.speech\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(PROJECT_ROOT)!r})\n"
         + script],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    loaded = json.loads(result.stdout)
    assert "queue_core.domain.speech" in loaded
    own = {"queue_core", "queue_core.domain", "queue_core.domain.speech"}
    top_level = {name.split(".")[0] for name in loaded if name not in own}
    non_stdlib = sorted(top_level - set(sys.stdlib_module_names))
    assert non_stdlib == []
    for heavy in ("flask", "pyttsx3", "pygame", "sqlite3", "hardware"):
        assert heavy not in top_level
