"""The first run: a one-time setup code, then the first admin and the center, from a browser.

While no admin exists, `xephang serve` makes a setup code (`issue_code`): it prints it,
writes it to `<data_dir>/setup-code` (mode 0600) and keeps only its hash in the database.
`complete` checks the code, creates the first admin and ends the code in one transaction;
a wrong code is refused (and the caller throttles tries), and once an admin exists setup
is over for good.

>>> from datetime import datetime
>>> from queue_core.domain.clock import VIETNAM
>>> from queue_core.storage import Store
>>> store, now = Store.open(":memory:"), datetime(2026, 11, 23, 8, tzinfo=VIETNAM)
>>> code = issue_code(store, None, now=now)
>>> complete(store, code=code, username="an", password="mat-khau-dai", now=now)
'an'
>>> is_pending(store)
False
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any

from queue_core.domain.errors import Conflict, Forbidden, InvalidInput
from queue_core.service import audit, auth
from queue_core.storage import Store

CODE_FILE = "setup-code"
META_KEY = "setup_code_hash"
# Digits only, in two groups: read off a terminal and typed on a phone without mistakes.
CODE_DIGITS = 8
SETUP_DONE = "setup_done"
SETUP_FAILED = "setup_failed"


def _digest(code: str) -> str:
    return hashlib.sha256("".join(code.split()).replace("-", "").encode()).hexdigest()


def is_pending(store: Store) -> bool:
    """Tell whether the center still waits for its first admin."""
    with store.read():
        return store.count_admins() == 0


def issue_code(store: Store, data_dir: Path | None, *, now: datetime) -> str | None:
    """Make a fresh setup code while no admin exists (None once one does); keep its hash only.

    The code is also written to `<data_dir>/setup-code`, readable by the box's owner only.
    """
    with store.write():
        if store.count_admins():
            store.set_meta(META_KEY, "")
            pending = False
        else:
            raw = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
            code = f"{raw[:4]}-{raw[4:]}"
            store.set_meta(META_KEY, _digest(code))
            pending = True
    if data_dir is not None:
        path = Path(data_dir) / CODE_FILE
        path.unlink(missing_ok=True)
        if pending:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(code + "\n")
    return code if pending else None


def complete(store: Store, *, code: Any, username: Any, password: Any, now: datetime,
             address: str = "?", data_dir: Path | None = None) -> str:
    """Create the first admin if `code` is the setup code; the code ends with it.

    Raises Conflict `setup_done` once an admin exists, Forbidden `setup_code_wrong` for a
    wrong code, InvalidInput naming the field for a bad name or password.
    """
    if not isinstance(code, str) or not code.strip():
        raise InvalidInput(field="code", reason="the setup code printed by xephang serve")
    for name, value in (("username", username), ("password", password)):
        if not isinstance(value, str):
            raise InvalidInput(field=name, reason="required: text")
    wrong = False
    with store.write():
        # One transaction: two browsers with the right code make one admin, never two.
        if store.count_admins():
            raise Conflict(SETUP_DONE)
        kept = store.meta_value(META_KEY) or ""
        if not kept or not hmac.compare_digest(kept, _digest(code)):
            audit.add(store, actor="anonymous", action=SETUP_FAILED, detail=address, now=now)
            wrong = True
        else:
            auth.insert_user(store, username.strip(), password, role="admin", counter=None,
                             now=now, actor=f"setup:{address}",
                             note="role=admin (first run, from the browser)")
            store.set_meta(META_KEY, "")
    if wrong:
        raise Forbidden("setup_code_wrong")
    if data_dir is not None:
        (Path(data_dir) / CODE_FILE).unlink(missing_ok=True)
    return str(username).strip()


__all__ = ["CODE_FILE", "complete", "is_pending", "issue_code"]
