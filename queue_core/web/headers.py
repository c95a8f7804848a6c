"""Security headers on every answer, and a Content-Security-Policy on every page.

Pages load scripts only from the box itself. An inline script a template still
carries is allowed by its own SHA-256 hash, worked out from the page as sent, so a
script injected into a page does not run while the page's own does.
"""

from __future__ import annotations

import base64
import hashlib
import re

from flask import Flask, Response, request

# Every answer.
BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}

# A script element without src whose type is JavaScript (or not given).
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc\s*=)(?P<attrs>[^>]*)>(?P<body>.*?)</script\s*>",
    re.IGNORECASE | re.DOTALL)
SCRIPT_TYPE = re.compile(r"\btype\s*=\s*[\"']?([^\"'\s>]+)", re.IGNORECASE)
JS_TYPES = {"", "text/javascript", "application/javascript", "module"}
LARGEST_PAGE = 2 * 1024 * 1024


def inline_script_hashes(html: str) -> list[str]:
    """Return the CSP source expressions of the page's inline scripts.

    >>> inline_script_hashes('<script>alert(1)</script><script type="application/json">{}</script>')
    ["'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"]
    """
    found: list[str] = []
    for match in INLINE_SCRIPT.finditer(html):
        kind = SCRIPT_TYPE.search(match.group("attrs"))
        if (kind.group(1).lower() if kind else "") not in JS_TYPES:
            continue
        digest = hashlib.sha256(match.group("body").encode("utf-8")).digest()
        source = f"'sha256-{base64.b64encode(digest).decode('ascii')}'"
        if source not in found:
            found.append(source)
    return found


def content_security_policy(host: str, script_hashes: list[str]) -> str:
    """Return the policy for a page served as `host` (Socket.IO connects back to it)."""
    # No 'unsafe-eval': the pages never evaluate text as code, so nothing injected may either.
    scripts = " ".join(["'self'", *script_hashes])
    return "; ".join([
        "default-src 'self'",
        f"script-src {scripts}",
        # Templates and the chart library set styles inline.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "media-src 'self' data: blob:",
        f"connect-src 'self' ws://{host} wss://{host}",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ])


def install(app: Flask) -> None:
    """Add the headers to every answer `app` gives."""

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in BASE_HEADERS.items():
            response.headers.setdefault(name, value)
        if response.mimetype == "text/html" and "Content-Security-Policy" not in response.headers:
            hashes: list[str] = []
            if not response.direct_passthrough and not response.is_streamed:
                body = response.get_data()
                if len(body) <= LARGEST_PAGE:
                    hashes = inline_script_hashes(body.decode("utf-8", "replace"))
            response.headers["Content-Security-Policy"] = content_security_policy(
                request.host, hashes)
        return response
