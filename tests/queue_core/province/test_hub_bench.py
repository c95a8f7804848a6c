"""The hub's benchmark in a short form (a few centers, a few days): it runs end to end and
its figures hang together. The full run (300 centers, a year) is `python bench/bench_hub.py`."""

from __future__ import annotations

import json
import random
import sys
from datetime import date
from pathlib import Path

import pytest

from queue_core.stats import figures as stats
from queue_core.province import protocol

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from bench import bench_hub  # noqa: E402

pytestmark = pytest.mark.postgres


def test_the_synthetic_day_speaks_the_ingest_protocol():
    events, histories = bench_hub.synthetic_day(random.Random(3), date(2026, 11, 23), 60)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    parsed = [protocol.parse_event(e) for e in events]
    assert {e.name for e in parsed} >= {"ticket_issued", "ticket_called", "ticket_updated",
                                        "rating_given"}
    assert len(histories) == 60
    assert sum(1 for e in parsed if e.name == "ticket_issued") == 60
    facts = [stats.ticket_facts(h) for h in histories]
    assert all(f.state in ("done", "no_show", "cancelled") for f in facts)


def test_the_short_benchmark_prints_its_tables(tmp_path, capsys):
    out = tmp_path / "results.json"
    assert bench_hub.main(["--centers", "3", "--tickets", "20", "--senders", "2",
                           "--workers", "1", "--history-days", "5", "--raw-budget", "0.5",
                           "--probes", "2", "--background-rate", "2", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    for title in ("Ingest: 3 centers × 20 tickets", "Lag from an event to the dashboard",
                  "Dashboard queries, median of 5 (ms)", "History loaded"):
        assert title in printed
    results = json.loads(out.read_text())
    assert results["ingest"]["events"] > 3 * 20 * 2
    assert results["ingest"]["events_per_s"] > 0
    assert results["lag"]["probes"] == 2
    assert results["history"]["center_days_rows"] >= 3 * 4
    assert set(results["queries_year"]) == set(results["queries_one_day"])
