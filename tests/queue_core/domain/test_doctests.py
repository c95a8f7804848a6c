"""The examples in the docstrings run: every module of the domain, and the other layers'."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import queue_core.domain

DOMAIN = sorted(f"queue_core.domain.{m.name}" for m in pkgutil.iter_modules(queue_core.domain.__path__))
# Elsewhere: modules whose docstrings show how they are used (eventlet's entry point is not
# imported here: it patches the whole process).
OTHERS = [
    "queue_core.config", "queue_core.client.rest", "queue_core.storage.store",
    "queue_core.service.center", "queue_core.service.audit", "queue_core.service.auth",
    "queue_core.service.ratings", "queue_core.service.throttle", "queue_core.service.printing",
    "queue_core.stats.figures", "queue_core.ops.backup", "queue_core.ops.clockguard",
    "queue_core.ops.retention", "queue_core.ops.watchdog", "queue_core.ops.doctor",
    "queue_core.web.headers", "queue_core.stats.reports", "queue_core.storage.marks",
    "queue_core.service.kiosks", "queue_core.storage.catalog", "queue_core.service.catalog",
    "queue_core.service.search", "queue_core.service.dossiers", "queue_core.stats.summary",
    "queue_core.web.place_notices", "queue_core.stats.staffing",
]


@pytest.mark.parametrize("name", DOMAIN + OTHERS)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_every_domain_module_has_examples_or_is_plain_data() -> None:
    plain = {"queue_core.domain.shapes", "queue_core.domain.errors", "queue_core.domain.events",
             "queue_core.domain.messages", "queue_core.domain.model",
             "queue_core.domain.counters", "queue_core.domain.businessday",
             "queue_core.domain.payloads"}
    tested = [name for name in DOMAIN
              if doctest.DocTestFinder().find(importlib.import_module(name))
              and any(t.examples for t in doctest.DocTestFinder().find(importlib.import_module(name)))]
    assert set(DOMAIN) - set(tested) <= plain
