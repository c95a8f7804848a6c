"""Serve the core under eventlet (optional mode): `XEPHANG_ASYNC_MODE=eventlet xephang serve`."""

import eventlet

eventlet.monkey_patch()

import argparse

from queue_core.config import load_settings


def main() -> None:
    parser = argparse.ArgumentParser(prog="xephang-eventlet")
    parser.add_argument("--config", default="")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    settings = load_settings(args.config or None, overrides={"server": {
        "data_dir": args.data_dir, "host": args.host, "port": args.port,
        "async_mode": "eventlet"}})
    from queue_core.cli.serve import start_local_announcer
    from queue_core.web.app import create_app, socketio_of

    start_local_announcer(settings)

    app = create_app(settings, background=True)
    socketio_of(app).run(app, host=settings.server.host, port=settings.server.port,
                         log_output=False)


if __name__ == "__main__":
    main()
