"""Finding a procedure the way citizens type: with or without accents, any order, a typo.

A query becomes plain words (`domain.catalog.search_tokens`: folded, syntax characters
dropped, cut to a sane length), then:

1. a code typed whole ("HT-01") comes first;
2. SQLite FTS5 finds the procedures holding every word in their code, name or required
   documents (the last word as a prefix: it is still being typed), ranked by bm25 with
   the name weighing most;
3. when that finds nothing, each word the index does not know is corrected with
   rapidfuzz against the index's own words ("soa" → "sao", "khaii" → "khai"; a word
   with no close match is left out) and FTS5 is asked again;
4. when even that finds nothing, rapidfuzz compares the whole query with every
   procedure's name without accents ("khaisinh" → "Đăng ký khai sinh").

Each answer carries a `score` from 0 to 1, best first: 1 for a code, 0.6–0.99 for
every word found, 0.35–0.59 after corrections, below 0.35 for a likeness of the name;
an empty query lists the catalog in its own order (score 0).

>>> from datetime import datetime
>>> from pathlib import Path
>>> import tempfile
>>> from queue_core.config import load_settings
>>> from queue_core.service.catalog import Catalog
>>> from queue_core.storage import Store
>>> catalog = Catalog(Store.open(":memory:"), load_settings(env={}),
...                   forms_dir=Path(tempfile.mkdtemp()), now=datetime.now)
>>> search = ProcedureSearch(catalog)
>>> [p["name"] for p in search.search("khai sinh", limit=1)]
['Đăng ký khai sinh']
>>> search.search("chung thuc ban soa", limit=1)[0]["code"]
'CT-01'
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Sequence
from typing import Any

from rapidfuzz import fuzz, process

from queue_core.domain.catalog import plain, search_tokens
from queue_core.domain.errors import InvalidInput
from queue_core.service.catalog import Catalog

MAX_LIMIT = 100
# How alike (0–100) a typed word must be to a word of the index to stand for it.
WORD_CUTOFF = 75
# Words shorter than this are not corrected: too many words are that close to them.
CORRECT_MIN_CHARS = 3
# How alike (0–100) a name's words must be to the typed words after a correction.
LIKENESS_FLOOR = 60
# How alike (0–100) a name must be to the whole query, and the query's least length.
NAME_CUTOFF = 85
NAME_MIN_CHARS = 5
# The score bands of each step (see the module's docstring).
CODE_SCORE = 1.0
EXACT_BAND = (0.6, 0.99)
CORRECTED_BAND = (0.35, 0.59)
NAME_BAND = 0.34

Groups = list[list[str]]


class ProcedureSearch:
    """Search over one catalog; the words and names rapidfuzz reads are kept per version."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.store = catalog.store
        self._cache: tuple[str, list[str], dict[str, tuple[str, str]]] | None = None
        self._lock = threading.Lock()

    def search(self, query: str, *, service: str | None = None,
               limit: int = 20) -> list[dict[str, Any]]:
        """Return the procedures matching `query` (within one field if given), best first."""
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidInput(field="limit", reason=f"a whole number from 1 to {MAX_LIMIT}")
        self.catalog.ensure_loaded()
        service = service.strip().upper() if service else None
        tokens = search_tokens(query)
        if not tokens:
            with self.store.read():
                listed = self.store.list_procedures(service=service, limit=limit)
            return [{**row, "score": 0.0} for row in listed]
        scores: dict[str, float] = {}
        self._code(query.strip(), service, scores)
        wanted = max(limit, 100)
        exact = self._words([[t] for t in tokens], service, wanted, EXACT_BAND, scores)
        if not exact:
            corrected = self._corrected(tokens)
            if corrected and corrected != [[t] for t in tokens]:
                self._corrected_words(tokens, corrected, service, wanted, scores)
        if not scores:
            for code, likeness in self._names_like(" ".join(tokens), service, limit):
                scores.setdefault(code, NAME_BAND * likeness / 100)
        ranked = sorted(scores.items(), key=lambda item: -item[1])[:limit]
        with self.store.read():
            summaries = self.store.procedure_summaries([code for code, _ in ranked])
        return [{**summaries[code], "score": round(score, 3)} for code, score in ranked
                if code in summaries]

    # --- the steps -------------------------------------------------------------------------

    def _code(self, text: str, service: str | None, scores: dict[str, float]) -> None:
        if not 0 < len(text) <= 64:
            return
        with self.store.read():
            found = self.store.procedure(text) or self.store.procedure(text.upper())
        if found is not None and service in (None, found.service):
            scores[found.code] = CODE_SCORE

    def _words(self, groups: Groups, service: str | None, limit: int,
               band: tuple[float, float], scores: dict[str, float]) -> int:
        """Score the procedures FTS5 finds for `groups` within `band`; return how many."""
        with self.store.read():
            found = self.store.match_procedures(groups, service=service, limit=limit)
        if found:
            low, high = band
            best = found[0]["rank"] or -1.0
            for row in found:
                relative = min(1.0, row["rank"] / best) if best else 1.0
                scores.setdefault(row["code"], low + (high - low) * relative)
        return len(found)

    def _corrected_words(self, tokens: Sequence[str], groups: Groups, service: str | None,
                         limit: int, scores: dict[str, float]) -> None:
        """Score what any corrected word finds by how alike its name is to what was typed.

        A word with a typo may have no counterpart at all ("ki" for "ký"), so every
        procedure holding any of the corrected words is a candidate; bm25 alone would then
        rank a name holding one stray word first, so the likeness of the name's words to
        the typed words orders them ("Đăng ký khai sinh" first for "dang ki khai sinh").
        """
        alternatives = [[word for group in groups for word in group]]
        with self.store.read():
            found = self.store.match_procedures(alternatives, service=service, limit=limit)
        _, names = self._vocabulary()
        typed = [plain(token) for token in tokens]
        low, high = CORRECTED_BAND
        for row in found:
            words = names.get(row["code"], ("", ""))[0].split()
            likeness = _word_likeness(typed, words)
            if likeness >= LIKENESS_FLOOR:
                scores.setdefault(row["code"], low + (high - low) * likeness / 100)

    def _corrected(self, tokens: Sequence[str]) -> Groups:
        """Return each token with the index's words it may stand for; unknown ones left out.

        A word the index knows may still be a typo of another ("thanh" for "thang"), so its
        close words join it.
        """
        words, _ = self._vocabulary()
        groups: Groups = []
        for number, token in enumerate(tokens, start=1):
            word = plain(token)
            group = [word] if _known(words, word, prefix=number == len(tokens)) else []
            if len(word) >= CORRECT_MIN_CHARS:
                group += [found for found, _, _ in process.extract(
                    word, words, scorer=fuzz.ratio, limit=4, score_cutoff=WORD_CUTOFF)
                    if found != word]
            if group:
                groups.append(group)
        return groups

    def _names_like(self, query: str, service: str | None,
                    limit: int) -> list[tuple[str, float]]:
        text = plain(query)
        if len(text.replace(" ", "")) < NAME_MIN_CHARS:
            return []
        _, names = self._vocabulary()
        choices = {code: name for code, (name, field) in names.items()
                   if service is None or field == service}
        return [(code, likeness) for _, likeness, code in process.extract(
            text, choices, scorer=fuzz.partial_ratio, limit=limit, score_cutoff=NAME_CUTOFF)]

    def _vocabulary(self) -> tuple[list[str], dict[str, tuple[str, str]]]:
        """Return the index's words (sorted) and every name without accents, by code."""
        facts = self.catalog.facts()
        version = facts["version"] if facts else ""
        with self._lock:
            if self._cache is None or self._cache[0] != version:
                with self.store.read():
                    words = self.store.indexed_words()
                    rows = self.store.procedure_names()
                self._cache = (version, words,
                               {code: (plain(name), field) for code, name, field in rows})
            return self._cache[1], self._cache[2]


def _word_likeness(typed: Sequence[str], words: Sequence[str]) -> float:
    """Return how alike (0–100) a name's words are to the typed ones: each typed word's best.

    >>> round(_word_likeness(["dang", "ki", "khai", "sinh"], ["dang", "ky", "khai", "sinh"]), 1)
    91.7
    """
    if not typed or not words:
        return 0.0
    best = [process.extractOne(word, words, scorer=fuzz.ratio) for word in typed]
    return sum(found[1] if found else 0.0 for found in best) / len(typed)


def _known(words: list[str], word: str, *, prefix: bool) -> bool:
    """Tell whether the index holds `word` (or, for the word being typed, a word it begins)."""
    at = bisect.bisect_left(words, word)
    if at < len(words) and (words[at] == word or (prefix and words[at].startswith(word))):
        return True
    return False


__all__ = ["MAX_LIMIT", "ProcedureSearch"]
