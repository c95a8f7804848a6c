"""``xephang announcer``: the speech satellite, and a loudspeaker test that needs no core.

The main ``xephang`` command registers `announcer_command`; the supervised child of
``xephang serve`` runs it as ``python -m queue_core.cli announcer``.
"""

from __future__ import annotations

import sys

import click

from queue_core.cli.options import (
    configure_logging,
    core_option,
    device_token,
    device_token_option,
    load,
)

__all__ = ["announcer_command"]


@click.command("announcer")
@core_option()
@device_token_option("announcer")
@click.option("--data-dir", type=click.Path(file_okay=False),
              help="Data folder; the speech cache lives in its speech-cache/ (default ./var).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="Center configuration file (TOML); default: the built-in center.")
@click.option("--test", "test_label", metavar="LABEL", is_flag=False, flag_value="A023",
              default=None, help="Play the chime and the call of LABEL (default A023) on this "
                                 "box's loudspeaker, then exit; no core needed.")
@click.option("--counter", "test_counter", type=click.IntRange(1, 99), default=3,
              show_default=True, help="Counter number used by --test.")
@click.option("-v", "--verbose", is_flag=True, help="Log every call and render.")
def announcer_command(core_url: str, token: str | None, data_dir: str | None,
                      config_file: str | None, test_label: str | None, test_counter: int,
                      verbose: bool) -> None:
    """Speak every call of the queue core: chime, then the Vietnamese sentence."""
    from announcer.supervisor import bind_to_parent

    bind_to_parent()
    configure_logging(verbose)
    settings = load(config_file, data_dir)
    backend = settings.hardware.audio
    if backend != "pygame":
        click.echo(f"Chú ý / note: hardware.audio = {backend!r}: nothing is heard. "
                   "Set [hardware] audio = \"pygame\" (or XEPHANG_AUDIO=pygame) for the loudspeaker.",
                   err=True)
    if test_label is not None:
        sys.exit(_speaker_test(settings, test_label, test_counter))
    # No token: pair with the core (a code for an admin to type), the token kept in the data dir.
    token = device_token(core_url, token, "announcer", data_dir=str(settings.data_path),
                         name="loa")
    from announcer.satellite import run

    click.echo(f"xephang announcer → {core_url} (audio: {backend}, voice: {settings.speech.voice})",
               err=True)
    run(core_url, token, settings)


def _speaker_test(settings: object, label: str, counter: int) -> int:
    """Play one call on this box and print what happened; return the exit status."""
    from announcer.errors import SpeechUnavailable
    from announcer.playback import PLAYED, Announcer

    announcer = Announcer.from_settings(settings, max_age_seconds=30)  # type: ignore[arg-type]
    announcer.start()
    try:
        if announcer.status.has("audio_unavailable"):
            click.echo(f"error: {announcer.status.message}", err=True)
            return 1
        call = announcer.announce(label, counter)
        if call is None or not call.text:
            click.echo(f"Cannot read label {label!r} aloud.", err=True)
            return 2
        click.echo(call.text)
        finished = announcer.wait_idle(timeout=120)
        outcome = announcer.history[-1][1] if announcer.history else "not played"
        status = announcer.status
        click.echo(f"{status.status}: {status.message}")
        return 0 if finished and outcome == PLAYED and status.status != "error" else 1
    except SpeechUnavailable as exc:
        click.echo(str(exc), err=True)
        return 1
    finally:
        announcer.stop()
