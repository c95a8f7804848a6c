"""What the province reads: the overview of every center, one center's Stats, comparisons.

A center's Stats over any period are the box's own figures: its counted days (tallies made
by the box's statistics, see `aggregate.py`) added up and reported by `queue_core.stats.figures`,
so they equal the box's `/api/v1/stats` for the same days. Comparisons between centers and
weeks add up the counted days' figures in SQL, with the same median and 90th percentile.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from ..stats import figures as stats
from ..domain.clock import VIETNAM
from . import codec
from .accounts import Principal
from .aggregate import DEFAULT_TARGET_WAIT_MINUTES, target_wait_s
from ..domain.errors import InvalidInput, NotFound
from .storage import reads as sql
from .storage.database import Database

OFFLINE_AFTER = timedelta(minutes=15)
CLOCK_WARNING_S = 300.0

# Alerts of the overview, in the order the dashboard shows them.
OFFLINE = "offline"
WAITS_ABOVE_TARGET = "waits_above_target"
CLOCK_OFF = "clock_off"
EVENTS_LOST = "events_lost"
EVENTS_REJECTED = "events_rejected"


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(VIETNAM).isoformat(timespec="seconds") if moment else None


def check_range(date_from: str, date_to: str) -> tuple[date, date]:
    """Return the dates of a period of at most a year; a bad one is a 422 naming it."""
    dates = []
    for name, value in (("from", date_from), ("to", date_to)):
        try:
            dates.append(date.fromisoformat(value))
        except (TypeError, ValueError):
            raise InvalidInput(field=name, reason="a date such as 2026-11-23") from None
    first, last = dates
    if last < first:
        raise InvalidInput(field="to", reason="a date on or after 'from'")
    if (last - first).days + 1 > stats.MAX_RANGE_DAYS:
        raise InvalidInput(field="to", reason=f"at most {stats.MAX_RANGE_DAYS} days")
    return first, last


# --- the overview ---------------------------------------------------------------------------

def overview(db: Database, principal: Principal, *, now: datetime) -> list[dict[str, Any]]:
    """Return every center the principal may read, with today's figures and its alerts."""
    with db.transaction() as conn:
        rows = sql.overview(conn, now, principal.center_id)
    return [_center_row(row, now) for row in rows]


def _center_row(row: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    profile = row["profile"] or {}
    target_minutes = float(profile.get("target_wait_minutes") or DEFAULT_TARGET_WAIT_MINUTES)
    offset = row["clock_offset_s"] or 0.0
    box_now = now + timedelta(seconds=offset)
    oldest = row["oldest_waiting_since"]
    longest = max(0.0, (box_now - oldest).total_seconds()) if oldest else None
    rated = sum(row[level] or 0 for level in ("very_satisfied", "satisfied", "neutral",
                                              "unsatisfied"))
    satisfied = (row["very_satisfied"] or 0) + (row["satisfied"] or 0)
    last_seen = row["last_seen"]
    alerts = []
    if last_seen is None or now - last_seen > OFFLINE_AFTER:
        alerts.append(OFFLINE)
    p90 = row["wait_p90_s"]
    if (longest is not None and longest > target_minutes * 60) or (
            p90 is not None and p90 > target_minutes * 60):
        alerts.append(WAITS_ABOVE_TARGET)
    if row["clock_offset_s"] is not None and abs(offset) > CLOCK_WARNING_S:
        alerts.append(CLOCK_OFF)
    if row["lost_events"]:
        alerts.append(EVENTS_LOST)
    if row["rejected_events"]:
        alerts.append(EVENTS_REJECTED)
    return {
        "code": row["code"],
        "name": row["name"],
        "last_seen": _iso(last_seen),
        "waiting": row["waiting"] or 0,
        "served_today": row["served"] or 0,
        "wait_p90_s": p90,
        "satisfied_pct": stats.percent(satisfied, rated),
        "issued_today": row["issued"] or 0,
        "no_show_today": row["no_show"] or 0,
        "in_service": row["in_service"] or 0,
        "wait_median_s": row["wait_median_s"],
        "within_target_pct": stats.percent(row["met"] or 0, row["judged"] or 0),
        "ratings_today": rated,
        "longest_wait_s": None if longest is None else round(longest, 1),
        "target_wait_minutes": target_minutes,
        "day": row["day"].isoformat() if row["day"] else None,
        "counted_at": _iso(row["counted_at"]),
        "last_event_at": _iso(row["last_event_at"]),
        "last_event_received_at": _iso(row["last_event_received_at"]),
        "clock_offset_s": None if row["clock_offset_s"] is None else round(offset, 1),
        "lost_events": row["lost_events"],
        "rejected_events": row["rejected_events"],
        "alerts": alerts,
    }


# --- Stats of one center or of the province -----------------------------------------------------

def find_center(db: Database, principal: Principal, code: str) -> dict[str, Any]:
    """Return a center the principal may read (403 for another one, 404 if there is none)."""
    with db.transaction() as conn:
        found = sql.center(conn, code.upper())
    if found is None:
        raise NotFound("unknown_center", center=code)
    principal.ensure_reads(found["code"])
    return found


def _named(figures: dict[str, Any], profile: Mapping[str, Any]) -> dict[str, Any]:
    """Add the box's names of fields and counters, as the box's own /stats does."""
    services = {s["code"]: s["name"] for s in profile.get("services") or ()}
    counters = {c["number"]: c["name"] for c in profile.get("counters") or ()}
    figures["target_wait_minutes"] = float(profile.get("target_wait_minutes")
                                           or DEFAULT_TARGET_WAIT_MINUTES)
    for row in figures["by_service"]:
        row["name"] = services.get(row["service"], row["service"])
    for row in figures["by_counter"]:
        if not isinstance(row["counter"], int):
            continue
        row["name"] = counters.get(row["counter"], f"Quầy {row['counter']}")
    return figures


def _combined(parts: Iterable[stats.Tallies]) -> stats.Tallies:
    return stats.combine(parts)


def _center_tallies(db: Database, center_ids: list[int], first: date,
                    last: date) -> dict[int, list[stats.Tallies]]:
    found: dict[int, list[stats.Tallies]] = {center: [] for center in center_ids}
    with db.transaction() as conn:
        for center_id, _, blob in sql.day_tallies(conn, center_ids, first, last):
            found[center_id].append(codec.loads(blob))
    return found


def center_stats(db: Database, principal: Principal, code: str, date_from: str,
                 date_to: str) -> dict[str, Any]:
    """Return one center's Stats (every breakdown of the box's /stats) over a period."""
    first, last = check_range(date_from, date_to)
    found = find_center(db, principal, code)
    profile = found["profile"] or {}
    parts = _center_tallies(db, [found["id"]], first, last)[found["id"]]
    figures = stats.report(_combined(parts), date_from=first.isoformat(),
                           date_to=last.isoformat(), target_wait_s=target_wait_s(profile))
    figures = _named(figures, profile)
    figures["center"] = {"code": found["code"], "name": found["name"]}
    return figures


def _province_key(code: str, tallies: stats.Tallies) -> stats.Tallies:
    """Return the tallies with counters and officers named by their center too."""
    keyed = stats.Tallies(total=tallies.total, by_service=tallies.by_service,
                          by_hour=tallies.by_hour, by_day=tallies.by_day, heat=tallies.heat,
                          priorities=tallies.priorities, priority_waits=tallies.priority_waits)
    keyed.by_counter = {(code, n): t for n, t in tallies.by_counter.items()}  # type: ignore[misc]
    keyed.by_officer = {f"{code}:{name or ''}": t for name, t in tallies.by_officer.items()}
    return keyed


def province_stats(db: Database, principal: Principal, date_from: str, date_to: str,
                   center: str | None = None) -> dict[str, Any]:
    """Return `{"total": Stats, "centers": {"CODE": Stats}}` for the centers one may read."""
    first, last = check_range(date_from, date_to)
    if center:
        chosen = [find_center(db, principal, center)]
    else:
        with db.transaction() as conn:
            chosen = sql.centers(conn, principal.center_id)
    tallies = _center_tallies(db, [c["id"] for c in chosen], first, last)
    per_center: dict[str, Any] = {}
    keyed = []
    targets = set()
    for found in chosen:
        profile = found["profile"] or {}
        target = target_wait_s(profile)
        targets.add(target)
        combined = _combined(tallies[found["id"]])
        per_center[found["code"]] = _named(
            stats.report(combined, date_from=first.isoformat(), date_to=last.isoformat(),
                         target_wait_s=target), profile)
        keyed.append(_province_key(found["code"], combined))
    # The province's share within target counts each ticket against its own center's target.
    target = targets.pop() if len(targets) == 1 else DEFAULT_TARGET_WAIT_MINUTES * 60
    total = stats.report(_combined(keyed), date_from=first.isoformat(),
                         date_to=last.isoformat(), target_wait_s=target)
    for row in total["by_counter"]:
        row["center"], row["counter"] = row["counter"]
    for row in total["by_officer"]:
        row["center"], _, name = str(row["officer"]).partition(":")
        row["officer"] = name or None
    services: dict[str, str] = {}
    for found in chosen:
        for item in (found["profile"] or {}).get("services") or ():
            services.setdefault(item["code"], item["name"])
    for row in total["by_service"]:
        row["name"] = services.get(row["service"], row["service"])
    return {"total": total, "centers": per_center}


# --- comparisons and the monthly report ---------------------------------------------------------

def _compared(row: Mapping[str, Any], quantiles: tuple[float, float] | None) -> dict[str, Any]:
    rated = sum(row[k] or 0 for k in ("very_satisfied", "satisfied", "neutral", "unsatisfied"))
    wait_count = row["wait_count"] or 0
    return {
        "issued": row["issued"] or 0, "served": row["served"] or 0,
        "no_show": row["no_show"] or 0, "cancelled": row["cancelled"] or 0,
        "expired": row["expired"] or 0, "priority": row["priority"] or 0,
        "wait_mean_s": round(row["wait_sum"] / wait_count, 1) if wait_count else None,
        "wait_median_s": None if quantiles is None else round(quantiles[0], 1),
        "wait_p90_s": None if quantiles is None else round(quantiles[1], 1),
        "service_mean_s": (round(row["service_sum"] / row["service_count"], 1)
                           if row["service_count"] else None),
        "within_target_pct": stats.percent(row["met"] or 0, row["judged"] or 0),
        "ratings": rated,
        "satisfied_pct": stats.percent((row["very_satisfied"] or 0) + (row["satisfied"] or 0),
                                       rated),
    }


def compare_centers(db: Database, principal: Principal, date_from: str,
                    date_to: str) -> dict[str, Any]:
    """Return each center's figures over a period, side by side, and the province's."""
    first, last = check_range(date_from, date_to)
    scope = principal.center_id
    with db.transaction() as conn:
        known = sql.centers(conn, scope)
        sums = {row["key"]: row for row in sql.sums(conn, first, last, group="center",
                                                    center=scope)}
        quantiles = sql.wait_quantiles(conn, first, last, group="center", center=scope)
        total = sql.totals(conn, first, last, scope)
        overall = sql.wait_quantiles(conn, first, last, group=None, center=scope)
    rows = []
    for found in known:
        summed = sums.get(found["id"])
        figures = (_compared(summed, quantiles.get(found["id"])) if summed
                   else _compared(dict.fromkeys(sql.SUMS, 0), None))
        rows.append({"code": found["code"], "name": found["name"], **figures})
    return {"from": first.isoformat(), "to": last.isoformat(), "centers": rows,
            "total": _compared(total, overall.get(0))}


def compare_weeks(db: Database, principal: Principal, *, weeks: int, today: date,
                  center: str | None = None) -> dict[str, Any]:
    """Return the last `weeks` ISO weeks (this one included), for the province or a center."""
    if not 1 <= weeks <= 53:
        raise InvalidInput(field="weeks", reason="1 to 53")
    scope = principal.center_id
    if center:
        scope = find_center(db, principal, center)["id"]
    monday = today - timedelta(days=today.weekday())
    first = monday - timedelta(weeks=weeks - 1)
    with db.transaction() as conn:
        sums = {row["key"]: row for row in sql.sums(conn, first, today, group="week",
                                                    center=scope)}
        quantiles = sql.wait_quantiles(conn, first, today, group="week", center=scope)
    rows = []
    for n in range(weeks):
        week = first + timedelta(weeks=n)
        summed = sums.get(week) or dict.fromkeys(sql.SUMS, 0)
        rows.append({"week": week.isoformat(), **_compared(summed, quantiles.get(week))})
    return {"center": center.upper() if center else None, "weeks": rows}


def month_range(month: str) -> tuple[str, str]:
    """Return the first and last day of a month given as 2026-11."""
    try:
        first = date.fromisoformat(f"{month}-01")
    except (TypeError, ValueError):
        raise InvalidInput(field="month", reason="a month such as 2026-11") from None
    following = (first + timedelta(days=32)).replace(day=1)
    return first.isoformat(), (following - timedelta(days=1)).isoformat()


__all__ = ["CLOCK_OFF", "EVENTS_LOST", "EVENTS_REJECTED", "OFFLINE", "WAITS_ABOVE_TARGET",
           "center_stats", "check_range", "compare_centers", "compare_weeks", "find_center",
           "month_range", "overview", "province_stats"]
