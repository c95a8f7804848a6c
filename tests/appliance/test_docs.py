"""The product carries its own reference: docs/API.md covers what the box serves."""

from __future__ import annotations

import re
from pathlib import Path

from queue_core.cli import main
from queue_core.web.openapi import build_document

ROOT = Path(__file__).resolve().parents[2]
API = (ROOT / "docs/API.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_keeps_readers_in_the_repository() -> None:
    assert "docs/API.md" in README and "/api/v1/openapi.json" in README
    # No path that leaves the repository, and every local file named exists.
    assert not re.search(r"\.\./", README)
    for link in re.findall(r"\]\(([^)#]+)\)", README):
        if "://" not in link:
            assert (ROOT / link).exists(), link


def test_every_served_path_is_in_the_reference() -> None:
    document = build_document(version="test")
    missing = []
    for path in document["paths"]:
        # The reference writes a resource's id as {id} ({ticket_id}, {token_id}, {pairing_id})
        # or by its own name ({delivery_id}).
        named = re.sub(r"\{(number)\}", "{n}", path)
        shown = re.sub(r"\{[a-z]+_id\}", "{id}", named)
        if shown not in API and named not in API:
            missing.append(path)
    assert missing == [], f"docs/API.md does not describe {missing}"


def test_every_command_is_in_the_reference() -> None:
    from click import Context

    for name in main.list_commands(Context(main)):
        assert f"`xephang {name}" in API, f"docs/API.md does not describe xephang {name}"


def test_planned_parts_are_marked_as_not_built() -> None:
    planned = API.split("## Planned: not built in this version", 1)
    assert len(planned) == 2 and "not served" in planned[1]
    # What the box serves today is not listed among the planned parts.
    later = planned[1].replace("{n}", "{number}").replace("{id}", "{ticket_id}")
    for path in build_document(version="test")["paths"]:
        assert not re.search(rf" {re.escape(path)}[`?\s]", later), path


def _built_part() -> str:
    return API.split("## Planned: not built in this version", 1)[0]


def test_every_hub_route_is_in_the_reference() -> None:
    from flask import Flask

    from queue_core.province.web.api import api
    from queue_core.province.web.pages import pages

    app = Flask(__name__)
    app.register_blueprint(api)
    app.register_blueprint(pages)
    built = _built_part()
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in methods:
            if not re.search(rf"`{method} {re.escape(path)}[`?\s]", built):
                missing.append(f"{method} {path}")
    assert len(list(app.url_map.iter_rules())) > 10
    assert missing == [], f"docs/API.md does not describe the hub's {missing}"


def test_every_hub_command_is_in_the_reference() -> None:
    import click

    from queue_core.province.cli import hub_command

    built = _built_part()
    names = []

    def walk(group: click.Group, prefix: str) -> None:
        for name, command in group.commands.items():
            if isinstance(command, click.Group):
                walk(command, f"{prefix} {name}")
            else:
                names.append(f"{prefix} {name}")

    walk(hub_command, "xephang hub")
    assert len(names) >= 10
    missing = [name for name in names if f"`{name}" not in built]
    assert missing == [], f"docs/API.md does not describe {missing}"
