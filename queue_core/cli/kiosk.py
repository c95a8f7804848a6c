"""``xephang kiosk``: the button kiosk satellite, and a printer test that needs no core.

    xephang kiosk --core http://192.168.1.10:8000 --token xph_… \\
        --button A=17 --button B=27 --button A:elderly=22 --led 5
    xephang kiosk --test-print          # print a sample ticket on this box's printer

The main ``xephang`` command registers `kiosk_command`.
"""

from __future__ import annotations

import signal
import sys
from typing import Any

import click

from queue_core.cli.options import (
    configure_logging,
    core_option,
    device_token,
    device_token_option,
    load,
)

__all__ = ["kiosk_command"]


@click.command("kiosk")
@core_option()
@device_token_option("kiosk")
@click.option("--button", "buttons", multiple=True, metavar="FIELD[:PRIORITY]=PIN",
              help="A push button (GPIO/BCM pin to ground) issuing tickets of FIELD, e.g. A=17; "
                   "A:elderly=22 issues priority tickets. Repeat for each button.")
@click.option("--led", type=int, default=None, metavar="PIN",
              help="GPIO pin of the status LED: steady = ready, fast blink = printer trouble, "
                   "slow blink = core unreachable.")
@click.option("--debounce", type=click.FloatRange(0.0, 1.0), default=0.05, show_default=True,
              help="Seconds a button line must be quiet before a press counts.")
@click.option("--data-dir", type=click.Path(file_okay=False),
              help="Data folder (the emulated printer saves tickets in its printer-jobs/).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="Configuration file (TOML); its [hardware] printer is this box's printer.")
@click.option("--test-print", is_flag=True,
              help="Print a sample ticket on this box's printer, say how it went, and exit.")
@click.option("-v", "--verbose", is_flag=True, help="Log every press.")
def kiosk_command(core_url: str, token: str | None, buttons: tuple[str, ...], led: int | None,
                  debounce: float, data_dir: str | None, config_file: str | None,
                  test_print: bool, verbose: bool) -> None:
    """Issue and print tickets from physical buttons (centers without a touch screen)."""
    from hardware.printer import PrinterError, open_printer

    configure_logging(verbose)
    settings = load(config_file, data_dir)
    try:
        printer = open_printer(settings.hardware, settings.data_path)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if settings.hardware.printer == "fake":
        click.echo("Máy in: GIẢ LẬP (emulated printer) — vé được lưu thành ảnh trong "
                   f"{settings.data_path / 'printer-jobs'}", err=True)
    if test_print:
        from kiosk.satellite import sample_ticket

        try:
            sample_ticket(printer, {"center_name": settings.center.name,
                                    "subtitle": settings.center.subtitle,
                                    "footer": settings.kiosk.footer})
        except PrinterError as exc:
            click.echo(f"Không in được (printing failed): {exc}", err=True)
            sys.exit(1)
        click.echo(f"Đã in vé mẫu (sample ticket printed) on {printer.name}: "
                   f"{printer.status().state}")
        return
    try:
        mappings = [_parse(text) for text in buttons]
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--button") from None
    if not mappings:
        raise click.UsageError("give at least one --button FIELD=PIN")
    # No token: pair with the core (a code for an admin to type), the token kept in the data dir.
    token = device_token(core_url, token, "kiosk", data_dir=str(settings.data_path),
                         name="kiosk-nut-bam")
    _run(core_url, token, printer, mappings, led, debounce, audio=settings.hardware.audio)


def _parse(text: str) -> Any:
    from kiosk.satellite import parse_button

    return parse_button(text)


def _run(core_url: str, token: str, printer: Any, mappings: list[Any], led: int | None,
         debounce: float, *, audio: str = "none") -> None:
    from hardware.audio import AudioUnavailable, open_audio
    from hardware.gpio import DebouncedButton, GpioUnavailable, IndicatorLight
    from kiosk.satellite import ButtonKiosk, light_for
    from kiosk.speaker import TicketSpeaker
    from queue_core.client.rest import CoreClient

    try:
        light = IndicatorLight(led) if led is not None else None
    except GpioUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    core = CoreClient(core_url, token)
    # This box's own speaker says each number (the hall loudspeaker is the announcer's).
    try:
        speaker = TicketSpeaker(core, open_audio(audio)) if audio != "none" else None
    except AudioUnavailable as exc:
        click.echo(f"Loa của kiosk không dùng được (kiosk speaker unavailable): {exc}", err=True)
        speaker = None
    kiosk = ButtonKiosk(core, printer, light=light_for(light) if light is not None else None,
                        speaker=speaker)
    devices: list[Any] = []

    def pressing(mapping: Any) -> Any:
        def pressed(_pin: Any) -> None:
            kiosk.button_pressed(mapping.service, mapping.priority)

        return pressed

    try:
        for mapping in mappings:
            devices.append(DebouncedButton(mapping.pin, debounce=debounce, min_interval=0.3,
                                           when_pressed=pressing(mapping)))
    except GpioUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"xephang kiosk → {core_url} (printer: {printer.name}; buttons: "
               + ", ".join(f"{m.service}{':' + m.priority if m.priority else ''}=GPIO{m.pin}"
                           for m in mappings) + ")", err=True)
    signal.signal(signal.SIGTERM, lambda *_: kiosk.stop())
    try:
        kiosk.run()
    except KeyboardInterrupt:
        kiosk.stop()
    finally:
        for device in devices:
            device.close()
        if light is not None:
            light.close()
