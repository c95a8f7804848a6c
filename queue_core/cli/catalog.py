"""`xephang catalog import FILE`: replace the look-up kiosk's procedure catalog.

The same import the admin console's upload runs (`service.catalog`): all or nothing, the
forms named in the file copied from beside it, audited as the person at the command line.
"""

from __future__ import annotations

from pathlib import Path

import click

from queue_core.cli.options import become_data_owner, common_options, now_at_center
from queue_core.config import Settings
from queue_core.domain.errors import XephangError
from queue_core.service import audit
from queue_core.service.catalog import Catalog
from queue_core.storage import Store


@click.group()
def catalog() -> None:
    """The procedure catalog of the look-up kiosk."""


@catalog.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@common_options
def catalog_import(settings: Settings, file: Path) -> None:
    """Replace the catalog with FILE (.xlsx, .csv or .json; forms next to it)."""
    become_data_owner(settings)
    store = Store.in_data_dir(settings.data_path)
    try:
        imported = Catalog(store, settings, forms_dir=settings.data_path / "forms",
                           now=lambda: now_at_center(settings)).import_file(
            file, actor=audit.cli_actor())
    except XephangError as exc:
        raise click.ClickException(exc.message("en")) from None
    finally:
        store.close()
    click.echo(f"imported {imported.procedures} procedures and {imported.forms} forms "
               f"from {file.name}")
