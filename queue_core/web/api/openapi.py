"""`GET /api/v1/openapi.json`: the description of the REST API, for clients and fuzzers."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from queue_core import __version__
from queue_core.web.openapi import PREFIX, build_document

openapi_api = Blueprint("openapi_api", __name__, url_prefix=PREFIX)


@openapi_api.get("/openapi.json")
def openapi_document() -> Response:
    """Serve the OpenAPI 3.1 document, its server being this core's own /api/v1."""
    response = jsonify(build_document(version=__version__,
                                      server_url=request.host_url.rstrip("/") + PREFIX))
    response.headers["Cache-Control"] = "no-cache"
    return response


__all__ = ["openapi_api"]
