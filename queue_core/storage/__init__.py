"""Durable storage on SQLite: the only place in the core that speaks SQL.

`Store` is one connection with a module of rows per table group: `tickets` (tickets,
transitions, ratings), `counters`, `people` (users, tokens), `audit`, `prints`, `meta`;
`migrations` holds the schema's named, ordered steps; `history` and `summaries` (stored
per-day statistics), `purge` and `copies` serve statistics, retention and backups.
"""

from queue_core.storage.connection import DATABASE_FILE
from queue_core.storage.migrations import MIGRATIONS, migrate
from queue_core.storage.store import Store

__all__ = ["DATABASE_FILE", "MIGRATIONS", "Store", "migrate"]
