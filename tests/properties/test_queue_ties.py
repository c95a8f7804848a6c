"""Regression: tickets of one field with equal queue keys still get distinct places.

Found by the state machine in test_properties_center.py: a ticket transferred with
`keep_place` keeps its queue time and its number from its first series, so a new
ticket of the target field issued at the same moment with the same number has the
very same (priority group, queue time, number). Both used to be told "0 ahead", and
which one call-next took depended on the database's row order; the ticket id now
breaks the tie in `policy.queue_key`, `Store.head_of_queue` and `Store.count_ahead`.
"""

from __future__ import annotations

from queue_core.service.center import Center

STAFF = "user:lan"


def test_equal_keys_get_distinct_places(center: Center) -> None:
    moved = center.issue("A", actor="kiosk")          # A001 at 08:00
    assert center.call_next(5, actor=STAFF)["id"] == moved["id"]   # counter 5 serves F and A
    center.transfer(5, "D", actor=STAFF, keep_place=True)          # waits in D, key (1, 08:00, 1)
    fresh = center.issue("D", actor="kiosk")          # D001 at 08:00: key (1, 08:00, 1)
    queue = center.tickets(state="waiting", service="D")
    assert {t["id"] for t in queue} == {moved["id"], fresh["id"]}
    assert sorted(t["ahead"] for t in queue) == [0, 1]
