"""Paced places: what a round holds while it goes through a hall of pages."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from queue_core.web import place_notices
from queue_core.web.place_notices import MESSAGES_PER_BATCH, PlaceNotices


def test_a_round_through_the_pages_does_not_hold_up_the_writer_path(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """While a round weighs each page, a commit can still mark its fields as moved."""
    notices = PlaceNotices(lambda messages: None,
                           places=lambda code: [("t1", 0, 1), ("t2", 1, 2)])
    notices.watch("t1")
    notices.watch("t2")
    notices.moved(["A"], {"A": 2})
    marked: list[bool] = []
    weigh = place_notices.worth_telling

    def worth_telling(before: Any, now: Any) -> bool:
        if not marked:                        # mid-round, from the writer's thread
            writer = threading.Thread(target=notices.moved, args=(["B"], {"B": 1}))
            writer.start()
            writer.join(5)
            marked.append(not writer.is_alive())
        return weigh(before, now)

    monkeypatch.setattr(place_notices, "worth_telling", worth_telling)
    assert notices.send_due(now=10.0) == 2
    assert marked == [True]
    assert notices._moved == {"B"}


def test_a_long_round_is_handed_over_in_batches() -> None:
    count = 2 * MESSAGES_PER_BATCH + 1
    places = [(f"t{n}", n, n) for n in range(count)]
    batches: list[list[Any]] = []
    pauses: list[float] = []
    notices = PlaceNotices(batches.append, places=lambda code: places, pause=pauses.append)
    for ticket_id, _, _ in places:
        notices.watch(ticket_id)
    notices.moved(["A"], {})
    assert notices.send_due(now=10.0) == count
    assert [len(batch) for batch in batches] == [MESSAGES_PER_BATCH, MESSAGES_PER_BATCH, 1]
    assert len(pauses) == 2
    assert batches[2] == [(f"ticket:t{count - 1}",
                           {"id": f"t{count - 1}", "ahead": count - 1, "eta_minutes": count - 1})]
