"""Statistics for the manager under /api/v1: figures, the live view, CSV and Excel exports."""

from __future__ import annotations

import logging
import math
import re
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, current_app, jsonify, request, send_file
from flask.blueprints import BlueprintSetupState

from queue_core.domain import businessday, vocabulary
from queue_core.domain.errors import InvalidInput, NotFound
from queue_core.stats import figures as stats
from queue_core.stats import reader as history
from queue_core.stats import staffing
from queue_core.stats.reader import DayCache
from queue_core.web import validation
from queue_core.web.security import requires

if TYPE_CHECKING:
    # openpyxl loads with the first export, not when the server starts.
    from queue_core.stats import reports

stats_api = Blueprint("stats_api", __name__, url_prefix="/api/v1")

CACHE_KEY = "xephang_stats"
DEFAULT_SERVICE_LEVEL = 0.8
log = logging.getLogger("xephang.stats")
OFFICER_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@stats_api.record_once
def _attach(state: BlueprintSetupState) -> None:
    # One cache per app: two apps in one process never share counted days.
    state.app.extensions[CACHE_KEY] = DayCache()


@dataclass(frozen=True)
class Query:
    """A checked statistics request: the days, and which tickets to count."""

    date_from: str
    date_to: str
    filters: stats.Filters


def _xephang() -> Any:
    return current_app.extensions["xephang"]


def _target_wait_s() -> float:
    return float(_xephang().settings.policy.target_wait_minutes * 60)


def parse_query() -> Query:
    """Read from, to, service, counter and officer; a bad one is a 422 or 404 naming it."""
    xephang = _xephang()
    center = xephang.center
    today = businessday.day_of(center.clock.now())
    given_from = validation.query_date("from")
    given_to = validation.query_date("to")
    date_from = given_from or given_to or today
    date_to = given_to or given_from or today
    if date_to < date_from:
        raise InvalidInput(field="to", reason="a date on or after 'from'")
    span = (date.fromisoformat(date_to) - date.fromisoformat(date_from)).days + 1
    if span > stats.MAX_RANGE_DAYS:
        raise InvalidInput(field="to",
                           reason=f"at most {stats.MAX_RANGE_DAYS} days from 'from', both included")
    service = request.args.get("service") or None
    if service is not None:
        service = center.service(service).code
    counter = validation.query_int("counter", low=1, high=99_999)
    if counter is not None:
        counter = center.counter(counter).number
    officer = request.args.get("officer") or None
    if officer is not None:
        if not OFFICER_RE.match(officer):
            raise InvalidInput(field="officer", reason="a username")
        if not history.officer_known(xephang.store, officer):
            raise NotFound("unknown_officer", officer=officer)
    return Query(date_from, date_to, stats.Filters(service, counter, officer))


def compute(query: Query) -> dict[str, Any]:
    """Return the Stats of a query, counting only days not already counted."""
    xephang = _xephang()
    now = xephang.center.clock.now()
    target = _target_wait_s()
    cache: DayCache = current_app.extensions[CACHE_KEY]
    parts = cache.tallies(xephang.store, stats.days_between(query.date_from, query.date_to),
                          query.filters, target_wait_s=target, now=now,
                          today=businessday.day_of(now))
    figures = stats.report(stats.combine(parts), date_from=query.date_from,
                           date_to=query.date_to, target_wait_s=target, filters=query.filters)
    return _named(figures)


def _named(figures: dict[str, Any]) -> dict[str, Any]:
    """Add the configured names of fields and counters to their rows."""
    settings = _xephang().settings
    figures["target_wait_minutes"] = settings.policy.target_wait_minutes
    for row in figures["by_service"]:
        found = settings.service(row["service"])
        row["name"] = found.name if found else row["service"]
    for row in figures["by_counter"]:
        found = settings.counter(row["counter"])
        row["name"] = found.display_name if found else vocabulary.counter_name(row['counter'])
    return figures


def warm_up() -> None:
    """Store the summaries of the past year's days not yet summarised, in the background.

    Run when the server starts and when the dashboard opens, so a year view reads stored
    summaries; a day already summarised costs nothing.
    """
    xephang = _xephang()
    cache: DayCache = current_app.extensions[CACHE_KEY]
    now = xephang.center.clock.now()
    today = businessday.day_of(now)
    first = (date.fromisoformat(today) - timedelta(days=stats.MAX_RANGE_DAYS - 1)).isoformat()
    target = float(xephang.settings.policy.target_wait_minutes * 60)

    def count() -> None:
        try:
            cache.warm(xephang.store, stats.days_between(first, today), target_wait_s=target,
                       now=now, today=today)
        except Exception:  # a closed store at shutdown, a vanished file: the cache just stays cold
            log.debug("counting the past year for statistics failed", exc_info=True)

    xephang.socketio.start_background_task(count)


@stats_api.get("/stats")
@requires("manager")
def get_stats() -> Response:
    return jsonify(compute(parse_query()))


@stats_api.get("/stats/live")
@requires("manager")
def get_live() -> Response:
    xephang = _xephang()
    center = xephang.center
    now = center.clock.now()
    today = businessday.day_of(now)
    counters = center.counters()
    facts = history.load_facts(xephang.store, today, today)
    live = stats.live_summary(facts, now=now, target_wait_s=_target_wait_s(),
                              services=[s.code for s in xephang.settings.services],
                              counters=counters)
    for row in live["fields"]:
        found = xephang.settings.service(row["service"])
        row["name"] = found.name if found else row["service"]
    live["target_wait_minutes"] = xephang.settings.policy.target_wait_minutes
    live["staffing_hints"] = _live_hints(facts, live["fields"], counters)
    return jsonify(live)


def _group_names(services: Sequence[str]) -> list[str]:
    settings = _xephang().settings
    return [(found.name if (found := settings.service(code)) else code) for code in services]


def _live_hints(facts: Sequence[stats.Facts], fields: Sequence[dict[str, Any]],
                counters: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Groups of counters that cannot call everyone waiting within the target wait."""
    settings = _xephang().settings
    codes = [s.code for s in settings.services]
    groups = staffing.counter_groups([(c.number, c.services) for c in settings.counters], codes)
    service_s = staffing.live_service_s(facts, codes,
                                        settings.policy.default_service_minutes * 60)
    hints = staffing.live_hints({row["service"]: row["waiting"] for row in fields}, counters,
                                groups, service_s, _target_wait_s())
    for hint in hints:
        hint["names"] = _group_names(hint["services"])
    return hints


def _service_level() -> float:
    value = request.args.get("service_level")
    if value is None or value == "":
        return DEFAULT_SERVICE_LEVEL
    try:
        level = float(value)
    except ValueError:
        level = math.nan
    if not 0.5 <= level <= 0.99:
        raise InvalidInput(field="service_level", reason="a share from 0.5 to 0.99, such as 0.8")
    return level


@stats_api.get("/stats/staffing")
@requires("manager")
def get_staffing() -> Response:
    """Counters needed hour by hour on a date, from the history of its weekday (Erlang C)."""
    xephang = _xephang()
    settings = xephang.settings
    today = businessday.day_of(xephang.center.clock.now())
    day = validation.query_date("date") or today
    minutes = validation.query_int("target_wait_minutes", low=1, high=240)
    target_minutes = minutes if minutes is not None else settings.policy.target_wait_minutes
    level = _service_level()
    advice = staffing.advice_for(
        settings, date.fromisoformat(day), today=date.fromisoformat(today),
        load=lambda days: history.load_facts(xephang.store, days=days),
        target_wait_s=target_minutes * 60.0, level=level)
    body: dict[str, Any] = {"date": day, "weekday": date.fromisoformat(day).isoweekday(),
                            "target_wait_minutes": target_minutes, "service_level": level,
                            "open": advice is not None}
    if advice is None:
        body.update(hours=[], periods=[], groups=[], history=None)
        return jsonify(body)
    body.update(staffing.advice_json(advice))
    for group in body["groups"]:
        group["names"] = _group_names(group["services"])
    return jsonify(body)


def _export_facts(store: Any, query: Query) -> Iterator[stats.Facts]:
    """Yield the chosen tickets in order, reading a month at a time."""
    days = stats.days_between(query.date_from, query.date_to)
    for _, facts in history.facts_by_month(store, days):
        yield from stats.select(facts, query.filters)


def _filename(query: Query, extension: str) -> str:
    return f"thong-ke-{query.date_from}-den-{query.date_to}.{extension}"


def _context(query: Query) -> reports.ReportContext:
    from queue_core.stats import reports

    xephang = _xephang()
    settings = xephang.settings
    return reports.ReportContext(
        center=settings.center.name,
        services={s.code: s.name for s in settings.services},
        counters={c.number: c.display_name for c in settings.counters},
        target_wait_s=_target_wait_s(),
        now=xephang.center.clock.now(),
        date_from=query.date_from,
        date_to=query.date_to,
        filters=query.filters,
        rating_labels=dict(zip(settings.ratings.levels, settings.ratings.labels)),
    )


@stats_api.get("/stats/export.csv")
@requires("manager")
def export_csv() -> Response:
    from queue_core.stats import reports

    query = parse_query()
    # Streamed: a year of tickets never sits in memory at once.
    body = reports.csv_chunks(_export_facts(_xephang().store, query), _context(query))
    return Response(body, mimetype="text/csv", headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{_filename(query, "csv")}"',
    })


@stats_api.get("/stats/export.xlsx")
@requires("manager")
def export_xlsx() -> Response:
    from queue_core.stats import reports

    query = parse_query()
    figures = compute(query)
    context = _context(query)
    # Spooled: a month stays in memory, a year spills to a temporary file.
    out = tempfile.SpooledTemporaryFile(max_size=8 * 2**20)  # noqa: SIM115 (send_file closes it)
    reports.write_xlsx(out, figures, _export_facts(_xephang().store, query), context)
    out.seek(0)
    return send_file(out, mimetype=reports.XLSX_MIMETYPE, as_attachment=True,
                     download_name=_filename(query, "xlsx"), max_age=0)


__all__ = ["Query", "compute", "parse_query", "stats_api", "warm_up"]
