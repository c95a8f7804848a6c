"""Serve the core under eventlet (optional mode): `XEPHANG_ASYNC_MODE=eventlet xephang serve`."""

import eventlet

eventlet.monkey_patch()

import argparse
from typing import Any

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
    app.wsgi_app = terminated_chunked_input(app.wsgi_app)  # type: ignore[method-assign]
    socketio_of(app).run(app, host=settings.server.host, port=settings.server.port,
                         log_output=False)


def terminated_chunked_input(wsgi_app: Any) -> Any:
    """Let the app read a chunked body (eventlet's input ends it at the last chunk).

    Without `wsgi.input_terminated` Werkzeug reads a body without a Content-Length as empty;
    with it, a chunked body past the size limit is 413 as under gunicorn.
    """

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        if getattr(environ.get("eventlet.input"), "chunked_input", False):
            environ["wsgi.input_terminated"] = True
        return wsgi_app(environ, start_response)

    return app


if __name__ == "__main__":
    main()
