"""``xephang keypad`` and ``xephang ratingpad``: the GPIO satellites beside a counter (see `devices`).

Both talk to the core over the network only (REST + Socket.IO), so they run on the box
itself or on a small board at the counter. Pins are BCM numbers; every option can also be
set by an environment variable (shown in ``--help``). ``--emulate`` uses gpiozero's mock
pins (nothing physical is read or lit) and says so; without it a missing GPIO stops the
command with a plain message instead of silently pretending.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from queue_core.cli.options import configure_logging, core_option, load, run_until_stopped

__all__ = ["keypad_command", "ratingpad_command"]


def _pins(text: str, name: str, count: int | None = None) -> tuple[int, ...]:
    try:
        pins = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a comma-separated list of BCM pin numbers",
                                 param_hint=name) from None
    if count is not None and len(pins) != count:
        raise click.BadParameter(f"give {count} pins, one per rating level, not {len(pins)}",
                                 param_hint=name)
    if any(not 0 <= pin <= 27 for pin in pins):
        raise click.BadParameter("BCM pins run from 0 to 27", param_hint=name)
    return pins


def _pin_factory(emulate: bool) -> Any:
    """Return gpiozero's mock factory when emulating; otherwise check real GPIO is there."""
    if emulate:
        from gpiozero.pins.mock import MockFactory

        click.echo("GPIO: GIẢ LẬP (emulated pins) — không đọc nút thật, không bật đèn thật", err=True)
        return MockFactory()
    try:
        from gpiozero import Device

        Device.ensure_pin_factory()
    except Exception as exc:  # noqa: BLE001 - gpiozero raises several kinds; all mean "no GPIO"
        raise click.ClickException(
            f"no GPIO on this machine ({exc}). On a Raspberry Pi install python3-lgpio; "
            "to try without hardware add --emulate") from None
    return None


def _common(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--counter", type=click.IntRange(1, 999), required=True,
                     envvar="XEPHANG_COUNTER", show_envvar=True, help="The counter this device sits at."),
        core_option(show_envvar=True),
        click.option("--emulate", is_flag=True,
                     help="Use gpiozero's mock pins (a demo without hardware)."),
        click.option("--config", "config_file", envvar="XEPHANG_CONFIG", show_envvar=True, default=None,
                     type=click.Path(dir_okay=False), help="Center configuration (TOML)."),
        click.option("--data-dir", envvar="XEPHANG_DATA_DIR", show_envvar=True, default=None,
                     help="Data folder (default ./var)."),
        click.option("-v", "--verbose", is_flag=True, help="Log every press and answer."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.command("keypad")
@_common
@click.option("--token", envvar="XEPHANG_KEYPAD_TOKEN", show_envvar=True, required=True,
              help="Device token: xephang token create keypad-N --role keypad --counter N.")
@click.option("--pin-next", type=click.IntRange(0, 27), default=5, show_default=True,
              envvar="XEPHANG_KEYPAD_PIN_NEXT", show_envvar=True, help="Button: call the next ticket.")
@click.option("--pin-recall", type=click.IntRange(0, 27), default=6, show_default=True,
              envvar="XEPHANG_KEYPAD_PIN_RECALL", show_envvar=True, help="Button: call again.")
@click.option("--pin-no-show", type=click.IntRange(0, 27), default=13, show_default=True,
              envvar="XEPHANG_KEYPAD_PIN_NO_SHOW", show_envvar=True, help="Button: the citizen did not come.")
@click.option("--pin-finish", type=click.IntRange(0, 27), default=19, show_default=True,
              envvar="XEPHANG_KEYPAD_PIN_FINISH", show_envvar=True, help="Button: service finished.")
@click.option("--pin-led", type=click.IntRange(0, 27), default=26, show_default=True,
              envvar="XEPHANG_KEYPAD_PIN_LED", show_envvar=True, help="LED lit while a ticket is being served.")
@click.option("--pin-buzzer", type=click.IntRange(-1, 27), default=12, show_default=True,
              envvar="XEPHANG_KEYPAD_PIN_BUZZER", show_envvar=True, help="Buzzer beeping on a refusal (-1: none).")
@click.option("--repeat-ms", type=click.IntRange(0, 5000), default=250, show_default=True,
              envvar="XEPHANG_KEYPAD_REPEAT_MS", show_envvar=True,
              help="A second press of a button this soon counts as the same press.")
def keypad_command(counter: int, core_url: str, emulate: bool, config_file: str | None,
                   data_dir: str | None, verbose: bool, token: str, pin_next: int,
                   pin_recall: int, pin_no_show: int, pin_finish: int, pin_led: int,
                   pin_buzzer: int, repeat_ms: int) -> None:
    """Counter keypad: Next, Recall, No-show and Finish buttons, a serving LED, a buzzer."""
    from hardware.keypad import KeypadPins
    from queue_core.cli.devices import KeypadSatellite
    from queue_core.client.rest import CoreClient

    configure_logging(verbose)
    settings = load(config_file, data_dir)
    if settings.counter(counter) is None:
        raise click.BadParameter(f"the center has no counter {counter}", param_hint="--counter")
    pins = KeypadPins(next=pin_next, recall=pin_recall, no_show=pin_no_show, finish=pin_finish,
                      led=pin_led, buzzer=None if pin_buzzer < 0 else pin_buzzer)
    used = [*pins.buttons().values(), pins.led] + ([pins.buzzer] if pins.buzzer is not None else [])
    if len(set(used)) != len(used):
        raise click.BadParameter("two functions share one pin", param_hint="--pin-*")
    factory = _pin_factory(emulate)
    keypad = KeypadSatellite(counter, CoreClient(core_url, token), pins=pins, pin_factory=factory,
                             repeat_seconds=repeat_ms / 1000)
    click.echo(f"xephang keypad: quầy {counter} → {core_url} (buttons next={pins.next} "
               f"recall={pins.recall} no-show={pins.no_show} finish={pins.finish}, "
               f"LED {pins.led}, buzzer {pins.buzzer if pins.buzzer is not None else 'none'})",
               err=True)
    run_until_stopped(keypad.start, keypad.stop)


@click.command("ratingpad")
@_common
@click.option("--token", envvar="XEPHANG_RATINGPAD_TOKEN", show_envvar=True, required=True,
              help="Device token: xephang token create danh-gia-N --role kiosk.")
@click.option("--buttons", default="17,27,22", show_default=True, envvar="XEPHANG_RATINGPAD_BUTTONS", show_envvar=True,
              help="Button pins, one per rating level in the order of ratings.levels.")
@click.option("--leds", default="23,24,25", show_default=True, envvar="XEPHANG_RATINGPAD_LEDS", show_envvar=True,
              help="LED pins, one per rating level, same order.")
def ratingpad_command(counter: int, core_url: str, emulate: bool, config_file: str | None,
                      data_dir: str | None, verbose: bool, token: str, buttons: str,
                      leds: str) -> None:
    """Rating pad: one button and LED per satisfaction level, lit when a rating is asked."""
    from hardware.ratingpad import RatingPadPins
    from queue_core.cli.devices import RatingPadSatellite
    from queue_core.client.rest import CoreClient

    configure_logging(verbose)
    settings = load(config_file, data_dir)
    if settings.counter(counter) is None:
        raise click.BadParameter(f"the center has no counter {counter}", param_hint="--counter")
    levels = settings.ratings.levels
    pins = RatingPadPins(buttons=_pins(buttons, "--buttons", len(levels)),
                         leds=_pins(leds, "--leds", len(levels)))
    used = pins.buttons + pins.leds
    if len(set(used)) != len(used):
        raise click.BadParameter("two functions share one pin", param_hint="--buttons/--leds")
    factory = _pin_factory(emulate)
    pad = RatingPadSatellite(counter, CoreClient(core_url, token), levels=levels, pins=pins,
                             pin_factory=factory, idle_seconds=settings.ratings.idle_seconds)
    words = ", ".join(f"{label} = nút {pin}" for label, pin in
                      zip(settings.ratings.labels, pins.buttons, strict=True))
    click.echo(f"xephang ratingpad: quầy {counter} → {core_url} ({words})", err=True)
    run_until_stopped(pad.start, pad.stop)
