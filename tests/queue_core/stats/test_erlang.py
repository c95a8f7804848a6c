"""Erlang B and C against published tables, an exact computation, and their limits."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from queue_core.stats import erlang


@pytest.mark.parametrize("counters,load,blocking", [
    # Erlang B tables as printed in teletraffic textbooks and handbooks (e.g. ITU-D,
    # "Teletraffic Engineering Handbook", table of the offered traffic A that N circuits
    # carry at a given loss E): N=10 at 1 %, 2 % and 5 %; N=20, 50 and 100 at 1 %.
    (10, 4.461, 0.01), (10, 5.084, 0.02), (10, 6.216, 0.05),
    (20, 12.03, 0.01), (50, 37.90, 0.01), (100, 84.06, 0.01),
    # The classic small case: 5 lines, 2 Erlangs, 3.67 % blocked.
    (5, 2.0, 0.0367),
])
def test_erlang_b_matches_the_published_tables(counters: int, load: float, blocking: float) -> None:
    # Tables give A to four significant figures, so the loss is matched to that precision.
    assert erlang.erlang_b(counters, load) == pytest.approx(blocking, rel=2e-3)


def test_erlang_c_matches_the_standard_call_centre_worked_example() -> None:
    # Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example":
    # 100 calls a half hour of 180 s (A = 10 Erlangs), 80 % answered within 20 s. With 11
    # agents a call waits with probability 68.21 % and 39 % are answered in time; 12 agents
    # give 64 %, 13 give 79.6 % (short of 80 %), 14 give 88.8 %: 14 agents are needed.
    assert erlang.erlang_c(11, 10.0) == pytest.approx(0.6821, abs=5e-5)
    shares = [erlang.share_within(n, 10.0, 180.0, 20.0) for n in (11, 12, 13, 14)]
    assert [round(100 * s, 1) for s in shares] == [39.0, 64.0, 79.6, 88.8]
    assert erlang.counters_needed(10.0, 180.0, 20.0, 0.8) == 14


def test_erlang_c_matches_a_textbook_exercise() -> None:
    # 120 customers an hour, 3 minutes each, 10 assistants (a = 6 Erlangs): "from the Erlang
    # C curve, the probability of waiting is about 0.10".
    assert erlang.erlang_c(10, 6.0) == pytest.approx(0.10, abs=0.005)
    # 30 calls an hour of 5 minutes; at least 90 % must not wait at all: 6 people.
    assert erlang.erlang_c(5, 2.5) > 0.1 > erlang.erlang_c(6, 2.5)


def exact_c(counters: int, load: Fraction) -> Fraction:
    """The textbook closed form, in exact rational arithmetic (slow but never rounded)."""
    top = load ** counters / math.factorial(counters) * Fraction(counters) / (counters - load)
    below = sum(load ** k / math.factorial(k) for k in range(counters))
    return top / (below + top)


@pytest.mark.parametrize("counters,load", [
    (1, Fraction(1, 2)), (2, Fraction(3, 2)), (3, Fraction(29, 10)), (7, Fraction(5)),
    (25, Fraction(45, 2)), (60, Fraction(55)), (170, Fraction(160)), (300, Fraction(290)),
])
def test_erlang_c_equals_the_exact_closed_form(counters: int, load: Fraction) -> None:
    assert erlang.erlang_c(counters, float(load)) == pytest.approx(float(exact_c(counters, load)),
                                                                   rel=1e-9)


def test_large_counts_stay_finite_and_exact() -> None:
    # 171! overflows a float: the closed form in floating point cannot even start here.
    with pytest.raises(OverflowError):
        float(math.factorial(171))
    value = erlang.erlang_c(1000, 950.0)
    assert 0 < value < 1
    assert value == pytest.approx(float(exact_c(1000, Fraction(950))), rel=1e-9)
    assert math.isfinite(erlang.mean_wait_s(5000, 4900.0, 300.0))


def test_an_overloaded_line_waits_for_ever_and_needs_more_counters() -> None:
    # Utilisation at or above one: every citizen waits, the wait grows without end.
    for counters, load in ((2, 2.0), (2, 3.5), (1, 1.0)):
        assert erlang.erlang_c(counters, load) == 1.0
        assert erlang.mean_wait_s(counters, load, 300.0) == math.inf
        assert erlang.share_within(counters, load, 300.0, 900.0) == 0.0
        assert erlang.counters_needed(load, 300.0, 900.0, 0.8) > load


def test_limits_no_arrivals_and_a_zero_target() -> None:
    assert erlang.erlang_c(3, 0.0) == 0.0
    assert erlang.mean_wait_s(0, 0.0, 300.0) == 0.0
    assert erlang.counters_needed(0.0, 300.0, 900.0, 0.8) == 0
    # With a zero target the share is the share that does not wait at all: 1 − C.
    assert erlang.share_within(4, 2.0, 300.0, 0.0) == pytest.approx(1 - erlang.erlang_c(4, 2.0))


def test_more_counters_never_make_it_worse() -> None:
    load = 7.3
    shares = [erlang.share_within(n, load, 420.0, 900.0) for n in range(8, 20)]
    waits = [erlang.mean_wait_s(n, load, 420.0) for n in range(8, 20)]
    assert shares == sorted(shares) and waits == sorted(waits, reverse=True)
    needed = erlang.counters_needed(load, 420.0, 900.0, 0.8)
    assert erlang.share_within(needed, load, 420.0, 900.0) >= 0.8
    assert erlang.share_within(needed - 1, load, 420.0, 900.0) < 0.8


@pytest.mark.parametrize("call", [
    lambda: erlang.erlang_b(-1, 1.0), lambda: erlang.erlang_c(2, -0.5),
    lambda: erlang.erlang_c(2, math.nan), lambda: erlang.counters_needed(1.0, 300.0, 900.0, 1.0),
    lambda: erlang.counters_needed(1.0, 0.0, 900.0, 0.8),
])
def test_nonsense_is_refused(call: object) -> None:
    with pytest.raises(ValueError):
        call()  # type: ignore[operator]
