"""Serve the hub: gunicorn with gthread workers, each with its own pool of connections.

Several workers may serve the same database: ingest serialises per center in PostgreSQL,
and only one worker at a time counts the changed days (an advisory lock).
"""

from __future__ import annotations

import os
from typing import Any


def run(database: str, *, host: str, port: int, workers: int = 2, threads: int = 8) -> None:
    """Serve until stopped."""
    from gunicorn.app.base import BaseApplication

    class HubApplication(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "worker_class": "gthread",
                "threads": threads,
                "timeout": 120,
                "graceful_timeout": 10,
                "keepalive": 5,
                "accesslog": None,
                "errorlog": "-",
                "loglevel": os.environ.get("XEPHANG_LOG_LEVEL", "info"),
                "proc_name": "xephang-hub",
            }
            if "control_socket_disable" in self.cfg.settings:
                options["control_socket_disable"] = True
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from .web.app import create_app

            return create_app(database, background=True)

    HubApplication().run()


__all__ = ["run"]
