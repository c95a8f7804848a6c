"""The REST API of CONTRACT.md under /api/v1: one module per resource, thin handlers.

Each handler validates, calls a service, answers. `api` (blueprint "api") carries the
resources of `board`, `tickets`, `counters`, `people` and `ratings`; `stats`, `audit`
and `openapi` have blueprints of their own.
"""

from queue_core.web.api import board, counters, people, ratings, tickets
from queue_core.web.api.base import api

__all__ = ["api", "board", "counters", "people", "ratings", "tickets"]
