"""Turn ticket labels and counter numbers into Vietnamese words for the call announcement.

Numbers are read by this module, not by the speech engine, so every call sounds the
same whatever voice is installed. Northern reading is the default; the Southern
variant says "lẻ" for "linh", "ngàn" for "nghìn" and "bốn" for "tư".

>>> number_words(1023)
'một nghìn không trăm hai mươi ba'
>>> number_words(205, dialect="south")
'hai trăm lẻ năm'
>>> label_words("A023")
'a không hai ba'
>>> call_sentence("A023", 3)
'Xin mời công dân có số thứ tự a không hai ba đến quầy số ba.'
>>> call_caption("A023", 3)
'Xin mời công dân có số thứ tự A023 đến quầy số 3.'
>>> sentence_words("Nhắc lại: xin mời quầy số ba.")
['nhắc', 'lại', 'xin', 'mời', 'quầy', 'số', 'ba']
>>> ticket_sentence("A023", 4)
'Số của quý công dân là a không hai ba. Phía trước còn bốn người.'
>>> ticket_sentence("1021", 0)
'Số của quý công dân là một nghìn không trăm hai mươi mốt. Quý công dân là người tiếp theo.'
>>> ticket_caption("A023", 4)
'Số của quý công dân là A023. Phía trước còn 4 người.'

The module imports only the standard library: the server imports it to fill the
``speech`` field of a call.
"""

from __future__ import annotations

import re
import string
import unicodedata

__all__ = [
    "DEFAULT_RECALL_TEMPLATE",
    "DEFAULT_TEMPLATE",
    "DIALECTS",
    "MAX_LABEL_LENGTH",
    "MAX_NUMBER",
    "SpeechTextError",
    "call_caption",
    "call_sentence",
    "label_words",
    "letter_name",
    "number_words",
    "sentence_words",
    "ticket_caption",
    "ticket_sentence",
]

DIALECTS = ("north", "south")
DEFAULT_TEMPLATE = "Xin mời công dân có số thứ tự {label} đến quầy số {counter}."
DEFAULT_RECALL_TEMPLATE = "Nhắc lại: xin mời công dân có số thứ tự {label} đến quầy số {counter}."
# What the kiosk says, once and quietly, to the citizen who just took a number.
TICKET_TEMPLATE = "Số của quý công dân là {label}. {ahead}"
AHEAD_TEMPLATE = "Phía trước còn {ahead} người."
NEXT_IN_LINE = "Quý công dân là người tiếp theo."

# Up to six digits: a widened plain series (1999 → 11000 … 110000) is still read as a number.
MAX_NUMBER = 999_999
MAX_COUNTER = 99_999
MAX_LABEL_LENGTH = 10
TEMPLATE_FIELDS = ("label", "counter")

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")

_DIALECT_WORDS: dict[str, dict[str, str]] = {
    "north": {"linh": "linh", "nghìn": "nghìn", "tư": "tư"},
    "south": {"linh": "lẻ", "nghìn": "ngàn", "tư": "bốn"},
}

# Spoken Vietnamese names of letters; each name is made of pronounceable words.
LETTER_NAMES: dict[str, str] = {
    "A": "a",
    "Ă": "á",
    "Â": "ớ",
    "B": "bê",
    "C": "xê",
    "D": "dê",
    "Đ": "đê",
    "E": "e",
    "Ê": "ê",
    "F": "ép",
    "G": "giê",
    "H": "hát",
    "I": "i",
    "J": "gi",
    "K": "ca",
    "L": "lờ",
    "M": "mờ",
    "N": "nờ",
    "O": "o",
    "Ô": "ô",
    "Ơ": "ơ",
    "P": "pê",
    "Q": "quy",
    "R": "rờ",
    "S": "ét",
    "T": "tê",
    "U": "u",
    "Ư": "ư",
    "V": "vê",
    "W": "vê kép",
    "X": "ích",
    "Y": "i dài",
    "Z": "dét",
}

_LETTER_CLASS = "".join(sorted(LETTER_NAMES))
_PREFIXED_LABEL = re.compile(f"([{_LETTER_CLASS}]+)([0-9]+)")
_NUMERIC_LABEL = re.compile("[0-9]+")
_WORD = re.compile(r"[^\W_]+")


class SpeechTextError(ValueError):
    """Report a number, label, template or dialect that cannot be read aloud."""


def _check_dialect(dialect: object) -> dict[str, str]:
    """Return the dialect's word table or raise SpeechTextError naming the dialect."""
    if not isinstance(dialect, str) or dialect not in _DIALECT_WORDS:
        raise SpeechTextError(
            f"unknown dialect {dialect!r}: expected one of {', '.join(DIALECTS)}"
        )
    return _DIALECT_WORDS[dialect]


def _check_int(value: object, what: str, low: int, high: int) -> int:
    """Return value if it is an int within low..high, else raise SpeechTextError."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SpeechTextError(
            f"{what} must be an integer from {low} to {high}, got {value!r}"
        )
    return value


def _tens_words(n: int, words: dict[str, str]) -> list[str]:
    """Read 10..99 with the mười/mươi, mốt, tư and lăm rules."""
    tens, unit = divmod(n, 10)
    if tens == 1:
        out = ["mười"]
        if unit == 5:
            out.append("lăm")
        elif unit:
            out.append(_DIGITS[unit])
        return out
    out = [_DIGITS[tens], "mươi"]
    if unit == 1:
        out.append("mốt")
    elif unit == 4:
        out.append(words["tư"])
    elif unit == 5:
        out.append("lăm")
    elif unit:
        out.append(_DIGITS[unit])
    return out


def _below_hundred(n: int, words: dict[str, str]) -> list[str]:
    """Read 0..99 standing on its own."""
    if n < 10:
        return [_DIGITS[n]]
    return _tens_words(n, words)


def _hundreds_words(n: int, words: dict[str, str]) -> list[str]:
    """Read 0..999 as a full hundreds group, saying "không trăm" and "linh" where needed."""
    hundreds, rest = divmod(n, 100)
    out = [_DIGITS[hundreds], "trăm"]
    if rest == 0:
        return out
    if rest < 10:
        return out + [words["linh"], _DIGITS[rest]]
    return out + _tens_words(rest, words)


def number_words(n: int, *, dialect: str = "north") -> str:
    """Return the Vietnamese words for n (0..999 999) in the given dialect.

    >>> number_words(11000)
    'mười một nghìn'
    >>> number_words(110005)
    'một trăm mười nghìn không trăm linh năm'
    """
    words = _check_dialect(dialect)
    _check_int(n, "number", 0, MAX_NUMBER)
    thousands, rest = divmod(n, 1000)
    if thousands == 0:
        if rest < 100:
            return " ".join(_below_hundred(rest, words))
        return " ".join(_hundreds_words(rest, words))
    group = _below_hundred(thousands, words) if thousands < 100 else _hundreds_words(
        thousands, words)
    out = group + [words["nghìn"]]
    if rest:
        out += _hundreds_words(rest, words)
    return " ".join(out)


def letter_name(letter: str) -> str:
    """Return the spoken Vietnamese name of one letter (A–Z, Đ, Ă Â Ê Ô Ơ Ư), any case."""
    if not isinstance(letter, str):
        raise SpeechTextError(f"letter must be a string, got {letter!r}")
    normalized = unicodedata.normalize("NFC", letter)
    if len(normalized) != 1:
        raise SpeechTextError(f"expected exactly one letter, got {letter!r}")
    name = LETTER_NAMES.get(normalized.upper())
    if name is None:
        raise SpeechTextError(f"no Vietnamese name for letter {letter!r}")
    return name


def label_words(label: str, *, dialect: str = "north") -> str:
    """Return the spoken words for a ticket label such as "A023" or "1023"."""
    _check_dialect(dialect)
    if not isinstance(label, str):
        raise SpeechTextError(f"ticket label must be a string, got {label!r}")
    text = unicodedata.normalize("NFC", label).strip().upper()
    if not text:
        raise SpeechTextError("ticket label is empty")
    if len(text) > MAX_LABEL_LENGTH:
        raise SpeechTextError(
            f"ticket label {label!r} is longer than {MAX_LABEL_LENGTH} characters"
        )
    if _NUMERIC_LABEL.fullmatch(text):
        value = int(text)
        if value > MAX_NUMBER:
            raise SpeechTextError(
                f"numeric ticket label {label!r} is above {MAX_NUMBER} and cannot be read"
            )
        return number_words(value, dialect=dialect)
    match = _PREFIXED_LABEL.fullmatch(text)
    if match is None:
        raise SpeechTextError(
            f"ticket label {label!r} is not letters followed by digits (like A023) "
            "or digits only (like 1023)"
        )
    letters, digits = match.groups()
    spoken = [LETTER_NAMES[ch] for ch in letters]
    spoken += [_DIGITS[int(ch)] for ch in digits]
    return " ".join(spoken)


def _check_template(template: object, what: str) -> str:
    """Return template if its only placeholders are {label} and {counter}, else raise."""
    if not isinstance(template, str):
        raise SpeechTextError(f"{what} must be a string, got {template!r}")
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise SpeechTextError(f"{what} {template!r} is malformed: {exc}") from None
    for _literal, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in TEMPLATE_FIELDS or spec or conversion:
            shown = "{" + field + (f"!{conversion}" if conversion else "")
            shown += (f":{spec}" if spec else "") + "}"
            raise SpeechTextError(
                f"{what} {template!r} has placeholder {shown}; "
                "only {label} and {counter} are allowed"
            )
    return template


def _chosen_template(counter: object, recall: bool, template: str, recall_template: str) -> str:
    """Return the template of a call or recall, checked, once the counter number is checked."""
    chosen = _check_template(
        recall_template if recall else template,
        "recall template" if recall else "template",
    )
    _check_int(counter, "counter", 1, MAX_COUNTER)
    return chosen


def call_sentence(
    label: str,
    counter: int,
    *,
    recall: bool = False,
    template: str = DEFAULT_TEMPLATE,
    recall_template: str = DEFAULT_RECALL_TEMPLATE,
    dialect: str = "north",
) -> str:
    """Return the sentence that calls ticket label to counter, or the recall sentence."""
    _check_dialect(dialect)
    chosen = _chosen_template(counter, recall, template, recall_template)
    return chosen.format(
        label=label_words(label, dialect=dialect),
        counter=number_words(counter, dialect=dialect),
    )


def call_caption(
    label: str,
    counter: int,
    *,
    recall: bool = False,
    template: str = DEFAULT_TEMPLATE,
    recall_template: str = DEFAULT_RECALL_TEMPLATE,
) -> str:
    """Return the sentence of a call as it is written (label and counter as on the ticket).

    The screens show it for people who cannot hear the loudspeaker, which says the
    spoken form (`call_sentence`) of the same template.
    """
    chosen = _chosen_template(counter, recall, template, recall_template)
    if not isinstance(label, str) or not label.strip():
        raise SpeechTextError(f"ticket label must be a non-empty string, got {label!r}")
    return chosen.format(label=unicodedata.normalize("NFC", label).strip(), counter=str(counter))


def sentence_words(sentence: str) -> list[str]:
    """Return the lowercase words of sentence, punctuation dropped, in order."""
    if not isinstance(sentence, str):
        raise SpeechTextError(f"sentence must be a string, got {sentence!r}")
    return _WORD.findall(unicodedata.normalize("NFC", sentence).lower())


def _ahead_text(ahead: object, words: bool, dialect: str) -> str:
    count = _check_int(ahead, "people ahead", 0, MAX_NUMBER)
    if count == 0:
        return NEXT_IN_LINE
    return AHEAD_TEMPLATE.format(ahead=number_words(count, dialect=dialect) if words else count)


def ticket_sentence(label: str, ahead: int, *, dialect: str = "north") -> str:
    """Return what the kiosk says after issuing `label` with `ahead` people before it.

    The label is read by the announcer's rules (`label_words`), so the citizen hears the
    number the way the hall loudspeaker will call it.
    """
    _check_dialect(dialect)
    return TICKET_TEMPLATE.format(label=label_words(label, dialect=dialect),
                                  ahead=_ahead_text(ahead, True, dialect))


def ticket_caption(label: str, ahead: int) -> str:
    """Return the written form of `ticket_sentence` (label and count as on the ticket)."""
    if not isinstance(label, str) or not label.strip():
        raise SpeechTextError(f"ticket label must be a non-empty string, got {label!r}")
    return TICKET_TEMPLATE.format(label=unicodedata.normalize("NFC", label).strip(),
                                  ahead=_ahead_text(ahead, False, "north"))
