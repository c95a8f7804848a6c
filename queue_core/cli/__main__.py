"""`python -m queue_core.cli …` is `xephang …` (screens started under cage use it)."""

from queue_core.cli.group import main

main()
