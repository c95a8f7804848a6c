"""``python -m announcer``: the same as ``xephang announcer``."""

from .cli import announcer_command

announcer_command(prog_name="python -m announcer")
