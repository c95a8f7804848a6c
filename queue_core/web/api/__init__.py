"""The REST API of CONTRACT.md under /api/v1: one module per resource, thin handlers.

Each handler validates, calls a service, answers. `api` (blueprint "api") carries the
resources of `board`, `tickets`, `counters`, `people`, `ratings`, and for the admin
console `settings`, `accounts` (people and device tokens), `pairing` and `setup`; `stats`, `audit`
and `openapi` have blueprints of their own.
"""

from queue_core.web.api import (
    accounts,
    board,
    counters,
    pairing,
    people,
    ratings,
    settings,
    setup,
    tickets,
)
from queue_core.web.api.base import api

__all__ = ["accounts", "api", "board", "counters", "pairing", "people", "ratings", "settings",
           "setup", "tickets"]
