"""The schema as named, ordered migrations; each is applied once, in order, on open.

Names and order never change: a database made by any earlier version upgrades itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlite_utils

from queue_core.storage.outbox import new_stream_id


def create_queue_tables(db: sqlite_utils.Database) -> None:
    db.table("tickets").create({
        "id": str, "service": str, "series": str, "day": str, "number": int, "label": str,
        "state": str, "priority": str, "channel": str, "counter": int, "officer": str,
        "issued_at": str, "queued_at": str, "called_at": str, "finished_at": str, "recalls": int,
    }, pk="id", not_null={"service", "series", "day", "number", "label", "state", "issued_at",
                          "queued_at"}, defaults={"recalls": 0})
    db.table("tickets").create_index(["series", "day", "number"], unique=True,
                               index_name="tickets_unique_number")
    db.table("tickets").create_index(["state", "service"], index_name="tickets_state_service")
    db.table("tickets").create_index(["day"], index_name="tickets_day")
    db.table("transitions").create({
        "id": int, "ticket_id": str, "action": str, "from_state": str, "to_state": str,
        "at": str, "actor": str, "service": str, "counter": int, "detail": str,
    }, pk="id", foreign_keys=[("ticket_id", "tickets", "id")],
        not_null={"ticket_id", "action", "to_state", "at", "actor", "service"})
    db.table("transitions").create_index(["ticket_id"], index_name="transitions_ticket")
    db.table("transitions").create_index(["at"], index_name="transitions_at")
    db.table("counters").create({"number": int, "state": str, "current": str, "officer": str,
                           "changed_at": str}, pk="number")
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("meta").insert({"key": "seq", "value": "0"})
    db.table("ratings").create({"ticket_id": str, "level": str, "comment": str, "at": str,
                          "service": str, "counter": int, "officer": str}, pk="ticket_id",
                         foreign_keys=[("ticket_id", "tickets", "id")])


def create_people_and_tokens(db: sqlite_utils.Database) -> None:
    db.table("users").create({"username": str, "password_hash": str, "role": str, "counter": int,
                        "created_at": str, "disabled": int}, pk="username",
                       defaults={"disabled": 0})
    db.table("tokens").create({"id": int, "name": str, "token_hash": str, "role": str, "counter": int,
                         "created_at": str, "revoked_at": str}, pk="id")
    db.table("tokens").create_index(["token_hash"], unique=True, index_name="tokens_hash")


def add_request_keys(db: sqlite_utils.Database) -> None:
    # A kiosk that retries after a lost response names its request, and gets the same ticket.
    db.table("tickets").add_column("request_key", str)
    db.execute("CREATE UNIQUE INDEX tickets_request_key ON tickets(request_key) "
               "WHERE request_key IS NOT NULL")


def add_ticket_prints(db: sqlite_utils.Database) -> None:
    # Whether a ticket's paper came out. A failed print leaves the ticket valid; staff see it.
    db.table("ticket_prints").create({
        "ticket_id": str, "printed": int, "code": str, "message": str, "attempts": int,
        "printer": str, "at": str,
    }, pk="ticket_id", foreign_keys=[("ticket_id", "tickets", "id")],
        not_null={"printed", "code", "at"}, defaults={"attempts": 1})


def index_the_queue_order(db: sqlite_utils.Database) -> None:
    # Who is next, and how many are ahead, are read from this index without a scan.
    db.table("tickets").create_index(["state", "service", "queued_at", "number"],
                                     index_name="tickets_queue_order")


def create_audit_log(db: sqlite_utils.Database) -> None:
    # Who did what outside a ticket's own history: logins, counter states, people and tokens.
    db.table("audit_log").create({
        "id": int, "at": str, "actor": str, "action": str, "target": str, "detail": str,
    }, pk="id", not_null={"at", "actor", "action"})
    db.table("audit_log").create_index(["at"], index_name="audit_log_at")


def add_ticket_secrets(db: sqlite_utils.Database) -> None:
    # The holder's key: printed in the ticket's QR code, never shown on a screen or in an
    # event, and the only credential for rating a ticket from the citizen's own page.
    # Tickets issued before this have none: their pages stay readable, not rateable.
    db.table("tickets").add_column("secret", str)


def add_session_versions_and_audit_counts(db: sqlite_utils.Database) -> None:
    # A person's sessions carry this number; raising it (logging out, a new password,
    # disabling the person) ends every session made before, at once.
    db.table("users").add_column("session_version", int, not_null_default=0)
    # Repeated failed or throttled logins of one name from one address fold into one
    # row per window: `count` attempts, the last at `last_at`.
    db.table("audit_log").add_column("count", int, not_null_default=1)
    db.table("audit_log").add_column("last_at", str)
    db.table("audit_log").create_index(["action", "target", "detail", "at"],
                                       index_name="audit_log_fold")


def create_procedure_catalog(db: sqlite_utils.Database) -> None:
    # The look-up kiosk's procedures. The search index holds their code, name and documents
    # folded (đ as d: Unicode decomposition keeps its stroke); the tokenizer removes the
    # other marks, so "chung thuc" finds "Chứng thực". Index rows share the procedure's rowid.
    db.table("procedures").create({
        "code": str, "name": str, "service": str, "level": str, "deadline": str, "fee": str,
        "documents": str, "legal_basis": str, "forms": str, "position": int,
    }, pk="code", not_null={"name", "service", "position"})
    db.table("procedures").create_index(["service", "position"], index_name="procedures_service")
    db.execute("CREATE VIRTUAL TABLE procedures_search USING fts5(code, name, documents,"
               " tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')")
    # The index's own words: a word typed with a typo is corrected against them.
    db.execute("CREATE VIRTUAL TABLE procedures_words USING fts5vocab(procedures_search, 'row')")


def create_settings(db: sqlite_utils.Database) -> None:
    # What the admin console changed, as one JSON document over the file's settings, with a
    # version that rises with every save (two admins saving at once: the second is told).
    db.table("settings").create({"id": int, "document": str, "version": int, "saved_at": str,
                                 "saved_by": str}, pk="id", not_null={"document", "version"})
    db.table("settings").insert({"id": 1, "document": "{}", "version": 0})


def create_pairings(db: sqlite_utils.Database) -> None:
    # A device without a token shows a code; an admin approves it; the device collects its
    # token once. Tokens remember when they were last used (the console's device list).
    db.table("pairings").create({
        "id": str, "code": str, "device": str, "name": str, "address": str, "created_at": str,
        "expires_at": str, "approved_at": str, "approved_by": str, "role": str, "counter": int,
        "token_name": str,
    }, pk="id", not_null={"code", "device", "created_at", "expires_at"})
    db.table("pairings").create_index(["code"], unique=True, index_name="pairings_code")
    db.table("tokens").add_column("last_used_at", str)
def create_outbox(db: sqlite_utils.Database) -> None:
    # Every published event, written in the transaction of its change. AUTOINCREMENT: an id
    # is never given twice, even after the newest rows are deleted, so it is the stream's seq.
    db.execute("CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT,"
               " board_seq INTEGER NOT NULL, event TEXT NOT NULL, at TEXT NOT NULL,"
               " data TEXT NOT NULL)")
    db.execute("CREATE INDEX outbox_at ON outbox(at)")
    # A stream id names this numbering; a restore gives a new one.
    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('stream', ?)", [new_stream_id()])
    # One cursor per receiver (a webhook endpoint, the province hub).
    db.execute("CREATE TABLE outbox_consumers (name TEXT PRIMARY KEY, cursor INTEGER NOT NULL,"
               " attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT, last_error TEXT,"
               " last_success_at TEXT, lost INTEGER NOT NULL DEFAULT 0, state TEXT)")
    db.execute("CREATE TABLE deliveries (id INTEGER PRIMARY KEY AUTOINCREMENT,"
               " consumer TEXT NOT NULL, outbox_id INTEGER NOT NULL, event TEXT NOT NULL,"
               " url TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
               " last_error TEXT, next_attempt_at TEXT, created_at TEXT NOT NULL,"
               " updated_at TEXT NOT NULL, UNIQUE (consumer, outbox_id))")
    db.execute("CREATE INDEX deliveries_updated ON deliveries(updated_at)")


def add_dossiers(db: sqlite_utils.Database) -> None:
    # The one-door dossier a ticket became (its code), and the procedure it is for.
    db.table("tickets").add_column("dossier", str)
    db.table("tickets").add_column("procedure", str)
    db.execute("CREATE INDEX tickets_dossier ON tickets(dossier) WHERE dossier IS NOT NULL")


# Every write to a ticket, its transitions or its rating counts as a change of its day.
_DAY_CHANGED = ("INSERT INTO day_summaries (day, changes) {source}"
                " ON CONFLICT(day) DO UPDATE SET changes = changes + 1,"
                " figures = NULL, durations = NULL;")


def create_day_summaries(db: sqlite_utils.Database) -> None:
    # One counted summary of statistics per past business day. `changes` rises with every
    # write to one of the day's tickets (the triggers below, in the writer's own
    # transaction); a summary is good while `counted` (the changes it saw) equals it.
    db.execute("""CREATE TABLE day_summaries (
        day TEXT PRIMARY KEY,
        changes INTEGER NOT NULL DEFAULT 0,
        counted INTEGER,
        format INTEGER,
        target_wait_s REAL,
        tickets INTEGER,
        figures TEXT,
        durations BLOB)""")
    for table, ticket in (("transitions", "ticket_id"), ("ratings", "ticket_id")):
        for when, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            source = f"SELECT day, 1 FROM tickets WHERE id = {row}.{ticket}"
            db.execute(f"CREATE TRIGGER {table}_{when.lower()}_changes_day AFTER {when} ON {table}"
                       f" BEGIN {_DAY_CHANGED.format(source=source)} END")
    for when, rows in (("INSERT", ("NEW",)), ("UPDATE", ("NEW", "OLD")), ("DELETE", ("OLD",))):
        body = " ".join(_DAY_CHANGED.format(source=f"VALUES ({row}.day, 1)") for row in rows)
        db.execute(f"CREATE TRIGGER tickets_{when.lower()}_changes_day AFTER {when} ON tickets"
                   f" BEGIN {body} END")


Migration = Callable[[sqlite_utils.Database], None]

MIGRATIONS: Sequence[tuple[str, Migration]] = (
    ("0001_create_queue_tables", create_queue_tables),
    ("0002_create_people_and_tokens", create_people_and_tokens),
    ("0003_add_request_keys", add_request_keys),
    ("0004_add_ticket_prints", add_ticket_prints),
    ("0005_index_the_queue_order", index_the_queue_order),
    ("0006_create_audit_log", create_audit_log),
    ("0008_ticket_secrets", add_ticket_secrets),
    ("0009_session_versions", add_session_versions_and_audit_counts),
    ("0012_procedure_catalog", create_procedure_catalog),
    ("0010_outbox", create_outbox),
    ("0011_dossiers", add_dossiers),
    ("0013_settings", create_settings),
    ("0014_pairings", create_pairings),
    ("0007_day_summaries", create_day_summaries),
)


def migrate(db: sqlite_utils.Database,
            migrations: Sequence[tuple[str, Migration]] = MIGRATIONS) -> list[str]:
    """Apply the migrations this database has not seen yet; return their names."""
    conn = db.conn
    conn.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    applied = {row[0] for row in conn.execute("SELECT name FROM _migrations")}
    done = []
    for name, step in migrations:
        if name in applied:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have applied it while we waited for the lock.
            if conn.execute("SELECT 1 FROM _migrations WHERE name = ?", [name]).fetchone():
                conn.execute("COMMIT")
                continue
            step(db)
            conn.execute("INSERT INTO _migrations VALUES (?, datetime('now'))", [name])
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        done.append(name)
    return done
