"""What every table module of the store builds on: the connection it speaks through."""

from __future__ import annotations

import sqlite3

import sqlite_utils


class Rows:
    """A group of tables on the store's one connection (mixed into `Store`)."""

    db: sqlite_utils.Database
    conn: sqlite3.Connection
