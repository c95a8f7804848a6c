"""Run a counter's queue from the one-door software: call the next citizen, attach the
dossier, finish, with xephang's REST API and a staff token bound to that counter.

Make the token on the box (once, by an admin):
    xephang token create motcua-quay-1 --role staff --counter 1
Then, from the one-door machine:
    python one_door_client.py --core http://192.168.1.10:8000 --token xph_… --counter 1 next
    python one_door_client.py … dossier 000.00.12.H13-261123-0001 [--procedure 1.001234]
    python one_door_client.py … finish

Only the standard library is used. Every error comes back as
{"error": {"code", "message"}}; the message is Vietnamese (Accept-Language: en for English).
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from typing import Any


class Counter:
    """One counter of the queue, seen from the one-door software."""

    def __init__(self, core: str, token: str, counter: int, *, timeout: float = 5.0) -> None:
        self.core = core.rstrip("/") + "/api/v1"
        self.token = token
        self.counter = counter
        self.timeout = timeout

    def request(self, method: str, path: str, body: dict[str, Any] | None = None
                ) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.core + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                text = answer.read()
                return answer.status, json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def call_next(self) -> dict[str, Any] | None:
        """Call the next citizen to this counter; None when nobody waits."""
        status, ticket = self.request("POST", f"/counters/{self.counter}/call-next")
        if status == 204:
            return None
        return self._ok(status, ticket)

    def current(self) -> dict[str, Any] | None:
        """Return the ticket this counter is serving, if any."""
        return self._ok(*self.request("GET", f"/counters/{self.counter}"))["current"]

    def attach_dossier(self, code: str, procedure: str | None = None) -> dict[str, Any]:
        """Attach the dossier received from the citizen being served."""
        ticket = self.current()
        if ticket is None:
            raise SystemExit("no citizen is being served at this counter")
        body: dict[str, Any] = {"code": code}
        if procedure:
            body["procedure"] = procedure
        return self._ok(*self.request("PUT", f"/tickets/{ticket['id']}/dossier", body))

    def finish(self) -> dict[str, Any]:
        return self._ok(*self.request("POST", f"/counters/{self.counter}/finish"))

    @staticmethod
    def _ok(status: int, body: Any) -> Any:
        if status >= 400:
            error = (body or {}).get("error", {})
            raise SystemExit(f"{status} {error.get('code')}: {error.get('message')}")
        return body


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run a counter from the one-door software")
    parser.add_argument("--core", required=True, help="the box's address, http://…:8000")
    parser.add_argument("--token", required=True, help="a staff token bound to the counter")
    parser.add_argument("--counter", type=int, required=True)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("next", help="call the next citizen")
    dossier = commands.add_parser("dossier", help="attach a dossier code to the current ticket")
    dossier.add_argument("code")
    dossier.add_argument("--procedure")
    commands.add_parser("finish", help="finish the current ticket")
    args = parser.parse_args(argv)
    counter = Counter(args.core, args.token, args.counter)
    if args.command == "next":
        result = counter.call_next()
    elif args.command == "dossier":
        result = counter.attach_dossier(args.code, args.procedure)
    else:
        result = counter.finish()
    json.dump(result, sys.stdout, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
