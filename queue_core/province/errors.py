"""Errors of the province hub; each maps to one HTTP status, a code and a message (vi, en).

>>> InvalidInput(field="from", reason="a date").message("en")
"Invalid value for 'from': a date"
"""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, tuple[str, str]] = {
    "invalid_input": ("Giá trị không hợp lệ ở trường '{field}': {reason}",
                      "Invalid value for '{field}': {reason}"),
    "malformed_request": ("Yêu cầu không hợp lệ ở trường '{field}': {reason}",
                          "Malformed request at '{field}': {reason}"),
    "unauthorized": ("Cần đăng nhập hoặc mã truy cập hợp lệ.",
                     "A valid login or token is required."),
    "forbidden": ("Tài khoản này không có quyền thực hiện thao tác này.",
                  "This account may not do this."),
    "forbidden_center": ("Tài khoản này chỉ được xem số liệu của trung tâm mình.",
                         "This account may only read its own center."),
    "unknown_center": ("Không có trung tâm '{code}'.", "No center '{code}'."),
    "center_exists": ("Đã có trung tâm mã '{code}'.", "A center '{code}' already exists."),
    "user_exists": ("Đã có tài khoản '{username}'.", "The user '{username}' already exists."),
    "login_failed": ("Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong username or password."),
    "too_many_requests": ("Thử quá nhiều lần. Vui lòng đợi một phút rồi thử lại.",
                          "Too many tries. Please wait a minute."),
    "database_unavailable": ("Cơ sở dữ liệu tạm thời không truy cập được; vui lòng thử lại sau.",
                             "The database is unavailable for now; please retry later."),
    "not_found": ("Không có địa chỉ này.", "No such address."),
    "method_not_allowed": ("Phương thức không được hỗ trợ.", "Method not allowed."),
    "payload_too_large": ("Dữ liệu gửi lên quá lớn.", "The request body is too large."),
    "internal_error": ("Lỗi hệ thống, vui lòng thử lại.", "Internal error, please retry."),
}


class HubError(Exception):
    """Root of every error the hub raises on purpose."""

    status = 500
    code = "internal_error"

    def __init__(self, code: str | None = None, /, **params: Any) -> None:
        self.code = code or type(self).code
        self.params = params
        super().__init__(self.code, params)

    def message(self, lang: str = "vi") -> str:
        vi, en = MESSAGES.get(self.code, MESSAGES["internal_error"])
        try:
            return (en if lang == "en" else vi).format(**self.params)
        except (KeyError, IndexError):
            return en if lang == "en" else vi

    def __str__(self) -> str:
        return self.message("en")


class InvalidInput(HubError, ValueError):
    """A value is missing, of the wrong type or out of range."""

    status = 422
    code = "invalid_input"


class MalformedRequest(HubError, ValueError):
    """The body is not what the route takes."""

    status = 400
    code = "malformed_request"


class Unauthorized(HubError):
    """No valid credentials."""

    status = 401
    code = "unauthorized"


class Forbidden(HubError):
    """Valid credentials, but not for this."""

    status = 403
    code = "forbidden"


class NotFound(HubError, LookupError):
    """No such center or page."""

    status = 404
    code = "not_found"


class Conflict(HubError):
    """The name is taken."""

    status = 409
    code = "center_exists"


class TooManyRequests(HubError):
    """Slow down."""

    status = 429
    code = "too_many_requests"


class Unavailable(HubError):
    """PostgreSQL cannot be reached now; the caller should retry."""

    status = 503
    code = "database_unavailable"


__all__ = ["Conflict", "Forbidden", "HubError", "InvalidInput", "MalformedRequest",
           "NotFound", "TooManyRequests", "Unauthorized", "Unavailable"]
