"""The xephang queue core: domain, storage, services, statistics, web, operations, the command
line, and the client every satellite uses (see the map in README.md)."""

__version__ = "0.1.0"
