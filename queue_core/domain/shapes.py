"""What the rules read of the center's configuration, as protocols.

The domain imports nothing of the project: `queue_core.config`'s settings satisfy
these shapes, and a test may pass any object that has the same attributes.
"""

from __future__ import annotations

from typing import Protocol


class OpeningHours(Protocol):
    """When tickets may be issued (`config.CenterSettings`)."""

    @property
    def opens_at(self) -> str: ...

    @property
    def closes_at(self) -> str: ...

    @property
    def workdays(self) -> tuple[int, ...]: ...


class CenterFacts(OpeningHours, Protocol):
    """Who the center is, as a Board shows it (`config.CenterSettings`)."""

    @property
    def name(self) -> str: ...

    @property
    def name_en(self) -> str: ...

    @property
    def subtitle(self) -> str: ...

    @property
    def timezone(self) -> str: ...

    @property
    def label_style(self) -> str: ...


class CounterPlan(Protocol):
    """One counter and the fields it serves (`config.CounterSettings`)."""

    @property
    def number(self) -> int: ...

    @property
    def services(self) -> tuple[str, ...]: ...

    @property
    def display_name(self) -> str: ...


class FieldPlan(Protocol):
    """One field with its number series (`config.ServiceSettings`)."""

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def name_en(self) -> str: ...

    @property
    def open(self) -> bool: ...
