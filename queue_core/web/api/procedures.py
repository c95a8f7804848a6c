"""The procedure catalog of the look-up kiosk: search, one procedure, its forms, the import.

| method and path | role | result |
|---|---|---|
| ``GET /procedures?q=&service=&limit=`` | none | ``[{"code","name","service","level","deadline","fee","score"}]``, best first |
| ``GET /procedures/{code}`` | none | the procedure with ``documents``, ``legal_basis``, ``forms`` ``[{"name","url"}]`` |
| ``GET /procedures/{code}/forms/{file}`` | none | the form's file, to download |
| ``GET /procedures/{code}/forms/{file}/qr.svg`` | none | a QR code of the form's address, for a phone |
| ``GET /catalog`` | none | where the catalog came from, when, how many procedures, whether the sample |
| ``POST /catalog`` (multipart: ``file``, any ``forms``) | admin | replaces the catalog (all or nothing), audited |

Form addresses start with ``kiosk.public_url`` when set (phones reach the box by it),
else with the address the request came to.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, send_file
from flask.blueprints import BlueprintSetupState

from queue_core.config import Settings
from queue_core.domain.catalog import MAX_FILE_BYTES, Procedure
from queue_core.domain.errors import CatalogTooLarge, InvalidInput, NotFound
from queue_core.service.catalog import Catalog, megabytes
from queue_core.service.search import MAX_LIMIT, ProcedureSearch
from queue_core.web import validation
from queue_core.web.qr import qr_svg
from queue_core.web.security import current_principal, requires

procedures_api = Blueprint("procedures_api", __name__, url_prefix="/api/v1")

# One upload carries the catalog (at most MAX_FILE_BYTES) and its forms.
UPLOAD_LIMIT = 64 * 1024 * 1024
UPLOAD_ENDPOINT = "procedures_api.import_catalog"


@procedures_api.record_once
def _setup(state: BlueprintSetupState) -> None:
    xephang = state.app.extensions["xephang"]
    settings: Settings = xephang.settings
    catalog = Catalog(xephang.store, settings, forms_dir=settings.data_path / "forms",
                      now=xephang.center.clock.now)
    state.app.extensions["xephang_catalog"] = catalog
    state.app.extensions["xephang_search"] = ProcedureSearch(catalog)


def catalog() -> Catalog:
    return current_app.extensions["xephang_catalog"]  # type: ignore[no-any-return]


def public_base() -> str:
    """Return the address phones reach this box by (no trailing slash)."""
    settings: Settings = current_app.extensions["xephang"].settings
    return settings.kiosk.public_url.rstrip("/") or request.host_url.rstrip("/")


def form_url(procedure: Procedure, file: str) -> str:
    return f"{public_base()}/api/v1/procedures/{procedure.code}/forms/{file}"


def procedure_json(procedure: Procedure) -> dict[str, Any]:
    """Return a procedure as `GET /procedures/{code}` answers it."""
    return {
        "code": procedure.code, "name": procedure.name, "service": procedure.service,
        "level": procedure.level, "deadline": procedure.deadline, "fee": procedure.fee,
        "documents": list(procedure.documents), "legal_basis": list(procedure.legal_basis),
        "forms": [{"name": form.name, "url": form_url(procedure, form.file)}
                  for form in procedure.forms],
    }


# --- reading ---------------------------------------------------------------------------------------

@procedures_api.get("/procedures")
def search_procedures() -> Response:
    """Find procedures by words (accents optional, any order, a typo), code or documents."""
    limit = validation.query_int("limit", low=1, high=MAX_LIMIT) or 20
    service = request.args.get("service") or None
    if service is not None:
        current_app.extensions["xephang"].center.service(service)  # 404 for an unknown field
    search: ProcedureSearch = current_app.extensions["xephang_search"]
    return jsonify(search.search(request.args.get("q", ""), service=service, limit=limit))


@procedures_api.get("/procedures/<code>")
def get_procedure(code: str) -> Response:
    return jsonify(procedure_json(catalog().procedure(code)))


@procedures_api.get("/procedures/<code>/forms/<file>")
def download_form(code: str, file: str) -> Response:
    """Send a form's file as an attachment under its own (Vietnamese) name."""
    form, path = catalog().form(code, file)
    response = send_file(path, as_attachment=True, download_name=Path(form.source.replace(
        "\\", "/")).name, max_age=300)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@procedures_api.get("/procedures/<code>/forms/<file>/qr.svg")
def form_qr(code: str, file: str) -> Response:
    """Draw the QR code a phone scans to download the form from this box."""
    procedure = catalog().procedure(code)
    if not any(form.file == file for form in procedure.forms):
        raise NotFound("unknown_form")
    return qr_svg(form_url(procedure, file))


@procedures_api.get("/catalog")
def catalog_facts() -> Response:
    """Tell where the catalog came from and how big it is (the admin console shows it)."""
    catalog().ensure_loaded()
    facts = catalog().facts()
    if facts is None:
        return jsonify({"source": None, "imported_at": None, "procedures": 0, "sample": False})
    return jsonify({key: facts[key] for key in ("source", "imported_at", "procedures",
                                                "sample")})


# --- importing -------------------------------------------------------------------------------------

@procedures_api.before_request
def _allow_uploads() -> None:
    """Let the catalog's upload (only it) be larger than the API's usual bodies."""
    if request.endpoint != UPLOAD_ENDPOINT:
        return
    length = request.content_length
    if length is not None and length > UPLOAD_LIMIT:
        raise CatalogTooLarge(size=megabytes(length), limit=megabytes(UPLOAD_LIMIT))
    request.max_content_length = UPLOAD_LIMIT


def _file_name(name: str | None, field: str) -> str:
    """Return an uploaded file's own name, without any folder a browser sent along."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if base in ("", ".", "..") or "\x00" in base or len(base) > 200:
        raise InvalidInput(field=field, reason="a file with a name")
    return base


@procedures_api.post("/catalog")
@requires("admin")
def import_catalog() -> tuple[Response, int]:
    """Replace the catalog with an uploaded file and its forms, all or nothing."""
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput(field="file", reason="the catalog (.xlsx, .csv or .json) as a "
                                                "multipart file")
    name = _file_name(upload.filename, "file")
    principal = current_principal()
    assert principal is not None
    settings: Settings = current_app.extensions["xephang"].settings
    settings.data_path.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="catalog-upload-", dir=settings.data_path) as temp:
        folder = Path(temp)
        (folder / "forms").mkdir()
        (folder / "catalog").mkdir()
        target = folder / "catalog" / name
        upload.save(target)
        if target.stat().st_size > MAX_FILE_BYTES:
            raise CatalogTooLarge(size=megabytes(target.stat().st_size),
                                  limit=megabytes(MAX_FILE_BYTES))
        for form in request.files.getlist("forms"):
            form.save(folder / "forms" / _file_name(form.filename, "forms"))
        imported = catalog().import_file(target, actor=principal.actor,
                                         forms_from=folder / "forms", source=name)
    facts = catalog().facts() or {}
    return jsonify({"source": imported.source, "imported_at": facts.get("imported_at"),
                    "procedures": imported.procedures, "forms": imported.forms,
                    "sample": False}), 201


__all__ = ["procedure_json", "procedures_api"]
