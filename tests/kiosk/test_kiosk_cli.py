"""``xephang kiosk``: help, the installer's sample print, and clear refusals."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from queue_core.cli import main


def test_kiosk_command_is_registered_with_help() -> None:
    result = CliRunner().invoke(main, ["kiosk", "--help"])
    assert result.exit_code == 0
    assert "--button FIELD[:PRIORITY]=PIN" in result.output and "--test-print" in result.output


def test_test_print_saves_a_sample_on_the_emulated_printer(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["kiosk", "--test-print", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    saved = sorted(p.name for p in (tmp_path / "printer-jobs").iterdir())
    assert len(saved) == 2 and saved[0].endswith("-sample.bin") and saved[1].endswith("-sample.png")


def test_buttons_are_required_before_pairing(tmp_path: Path) -> None:
    runner = CliRunner()
    # Without a token the kiosk would pair with the core: its buttons are checked first.
    no_token = runner.invoke(main, ["kiosk", "--data-dir", str(tmp_path)], env={"XEPHANG_KIOSK_TOKEN": ""})
    assert no_token.exit_code != 0 and "--button" in no_token.output
    no_button = runner.invoke(main, ["kiosk", "--token", "xph_x", "--data-dir", str(tmp_path)])
    assert no_button.exit_code != 0 and "--button" in no_button.output
    bad = runner.invoke(main, ["kiosk", "--token", "xph_x", "--button", "A17",
                               "--data-dir", str(tmp_path)])
    assert bad.exit_code != 0 and "FIELD=PIN" in bad.output


def test_an_incomplete_printer_configuration_stops_with_the_key(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["kiosk", "--test-print", "--data-dir", str(tmp_path)],
                                env={"XEPHANG_PRINTER": "network"})
    assert result.exit_code != 0 and "printer_host" in result.output
