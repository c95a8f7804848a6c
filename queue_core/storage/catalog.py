"""The procedure catalog (`procedures`) and its full-text index (`procedures_search`).

A new catalog replaces the old one inside the caller's transaction: readers see the old
catalog whole until the commit, then the new one whole (WAL gives each read its own
snapshot), and a failure half-way leaves the old one as it was.

>>> from queue_core.domain.catalog import Procedure
>>> from queue_core.storage import Store
>>> store = Store.open(":memory:")
>>> with store.write():
...     store.replace_catalog([Procedure("1.001", "Đăng ký khai sinh", "B")],
...                           version="v1", source="mau.csv", at="2026-11-23T08:00:00+07:00")
>>> [row["code"] for row in store.match_procedures([["dang"], ["ky"]], limit=5)]
['1.001']
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from queue_core.domain.catalog import FormFile, Procedure, fold
from queue_core.storage.rows import Rows

SUMMARY = "p.code, p.name, p.service, p.level, p.deadline, p.fee"
# How much a word found in each indexed column weighs (code, name, documents).
WEIGHTS = (8.0, 10.0, 1.0)
CATALOG_KEYS = ("catalog_version", "catalog_source", "catalog_imported_at")


def match_expression(groups: Sequence[Sequence[str]]) -> str:
    """Return an FTS5 query: every group must match, a group by any of its words.

    Each word is quoted (never parsed as syntax); the first word of the last group is a
    prefix, since it may still be being typed (with one group, every word of it is).

    >>> match_expression([["near"], ["ban", "bang"]])
    '"near" AND ("ban"* OR "bang")'
    """
    parts = []
    for number, group in enumerate(groups, start=1):
        quoted = ['"' + word.replace('"', '""') + '"' for word in group]
        if len(groups) == 1:
            quoted = [word + "*" for word in quoted]
        elif number == len(groups):
            quoted[0] += "*"
        parts.append(quoted[0] if len(quoted) == 1 else "(" + " OR ".join(quoted) + ")")
    return " AND ".join(parts)


def _summary(row: Sequence[Any]) -> dict[str, Any]:
    return {"code": row[0], "name": row[1], "service": row[2], "level": row[3] or "",
            "deadline": row[4] or "", "fee": row[5] or ""}


class CatalogRows(Rows):
    """The `procedures` table, its search index and the catalog's facts in `meta`."""

    def replace_catalog(self, procedures: Sequence[Procedure], *, version: str, source: str,
                        at: str) -> None:
        """Put `procedures` in place of the whole catalog (inside the caller's transaction)."""
        self.conn.execute("DELETE FROM procedures_search")
        self.conn.execute("DELETE FROM procedures")
        for position, procedure in enumerate(procedures):
            cursor = self.conn.execute(
                "INSERT INTO procedures (code, name, service, level, deadline, fee, documents,"
                " legal_basis, forms, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [procedure.code, procedure.name, procedure.service, procedure.level,
                 procedure.deadline, procedure.fee,
                 json.dumps(procedure.documents, ensure_ascii=False),
                 json.dumps(procedure.legal_basis, ensure_ascii=False),
                 json.dumps([{"name": f.name, "source": f.source, "file": f.file}
                             for f in procedure.forms], ensure_ascii=False),
                 position])
            self.conn.execute(
                "INSERT INTO procedures_search (rowid, code, name, documents) VALUES (?, ?, ?, ?)",
                [cursor.lastrowid, fold(procedure.code), fold(procedure.name),
                 fold("\n".join(procedure.documents))])
        for key, value in zip(CATALOG_KEYS, (version, source, at), strict=True):
            self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                              [key, value])

    def catalog_facts(self) -> dict[str, Any] | None:
        """Return the catalog's version, source and import time, or None before any."""
        rows = dict(self.conn.execute(
            "SELECT key, value FROM meta WHERE key IN (?, ?, ?)", list(CATALOG_KEYS)).fetchall())
        if "catalog_version" not in rows:
            return None
        count = self.conn.execute("SELECT COUNT(*) FROM procedures").fetchone()[0]
        return {"version": rows["catalog_version"], "source": rows.get("catalog_source", ""),
                "imported_at": rows.get("catalog_imported_at"), "procedures": int(count)}

    def procedure(self, code: str) -> Procedure | None:
        row = self.conn.execute(
            "SELECT code, name, service, level, deadline, fee, documents, legal_basis, forms"
            " FROM procedures WHERE code = ?", [code]).fetchone()
        if row is None:
            return None
        return Procedure(
            code=row[0], name=row[1], service=row[2], level=row[3] or "", deadline=row[4] or "",
            fee=row[5] or "", documents=tuple(json.loads(row[6] or "[]")),
            legal_basis=tuple(json.loads(row[7] or "[]")),
            forms=tuple(FormFile(f["name"], f["source"], f["file"])
                        for f in json.loads(row[8] or "[]")))

    def match_procedures(self, groups: Sequence[Sequence[str]], *, service: str | None = None,
                         limit: int = 20) -> list[dict[str, Any]]:
        """Return the procedures holding a word of every group, best first, with `rank`.

        `rank` is FTS5's bm25: negative, lower is better.
        """
        if not groups or not all(groups):
            return []
        sql = (f"SELECT {SUMMARY}, bm25(procedures_search, ?, ?, ?) AS rank"
               " FROM procedures_search JOIN procedures p ON p.rowid = procedures_search.rowid"
               " WHERE procedures_search MATCH ?")
        params: list[Any] = [*WEIGHTS, match_expression(groups)]
        if service is not None:
            sql += " AND p.service = ?"
            params.append(service)
        sql += " ORDER BY rank, p.position LIMIT ?"
        params.append(limit)
        return [{**_summary(row), "rank": float(row[6])}
                for row in self.conn.execute(sql, params).fetchall()]

    def list_procedures(self, *, service: str | None = None,
                        limit: int = 20) -> list[dict[str, Any]]:
        """Return procedures in the catalog's own order (a field's, when `service` is given)."""
        if service is None:
            rows = self.conn.execute(f"SELECT {SUMMARY} FROM procedures p ORDER BY p.position"
                                     " LIMIT ?", [limit]).fetchall()
        else:
            rows = self.conn.execute(f"SELECT {SUMMARY} FROM procedures p WHERE p.service = ?"
                                     " ORDER BY p.position LIMIT ?", [service, limit]).fetchall()
        return [_summary(row) for row in rows]

    def procedure_summaries(self, codes: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Return the summaries of the procedures with these codes, by code."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(codes), 500):
            chunk = list(codes[start:start + 500])
            marks = ", ".join("?" for _ in chunk)
            for row in self.conn.execute(f"SELECT {SUMMARY} FROM procedures p"
                                         f" WHERE p.code IN ({marks})", chunk).fetchall():
                found[row[0]] = _summary(row)
        return found

    def indexed_words(self) -> list[str]:
        """Return every word of the search index, as indexed (folded, without marks), sorted."""
        return [row[0] for row in self.conn.execute(
            "SELECT term FROM procedures_words ORDER BY term").fetchall()]

    def procedure_names(self) -> list[tuple[str, str, str]]:
        """Return (code, name, service) of every procedure, in the catalog's order."""
        return [(row[0], row[1], row[2]) for row in self.conn.execute(
            "SELECT code, name, service FROM procedures ORDER BY position").fetchall()]
