"""`Store`: the queue's database, one connection with every table group's rows.

>>> store = Store.open(":memory:")
>>> with store.write():
...     store.bump_seq()
1
"""

from __future__ import annotations

from queue_core.storage.audit import AuditRows
from queue_core.storage.catalog import CatalogRows
from queue_core.storage.connection import Connection
from queue_core.storage.counters import CounterRows
from queue_core.storage.history import HistoryRows
from queue_core.storage.meta import MetaRows
from queue_core.storage.pairings import PairingRows
from queue_core.storage.outbox import OutboxRows
from queue_core.storage.people import PeopleRows
from queue_core.storage.prints import PrintRows
from queue_core.storage.purge import PurgeRows
from queue_core.storage.settings import SettingsRows
from queue_core.storage.summaries import SummaryRows
from queue_core.storage.tickets import TicketRows


class Store(Connection, TicketRows, CounterRows, PeopleRows, AuditRows, PrintRows, MetaRows,
            HistoryRows, PurgeRows, CatalogRows, OutboxRows, SettingsRows, PairingRows,
            SummaryRows):
    """The queue's database. One per process, used by one thread at a time (`lock`)."""


__all__ = ["Store"]
