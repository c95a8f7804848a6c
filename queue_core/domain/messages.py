"""Message catalog: the human text for every error code, Vietnamese first, English second."""

from __future__ import annotations

from typing import Any

from queue_core.domain.vocabulary import state_word

CATALOG: dict[str, dict[str, str]] = {
    "internal_error": {"vi": "Lỗi hệ thống, vui lòng thử lại.", "en": "Internal error, please retry."},
    "invalid_config": {"vi": "Cấu hình không hợp lệ: {detail}", "en": "Invalid configuration: {detail}"},
    "invalid_input": {"vi": "Giá trị không hợp lệ ở trường '{field}': {reason}",
                      "en": "Invalid value for '{field}': {reason}"},
    "malformed_request": {"vi": "Yêu cầu không phải JSON hợp lệ: {reason}",
                          "en": "The request body is not valid JSON: {reason}"},
    "not_found": {"vi": "Không tìm thấy.", "en": "Not found."},
    "unknown_service": {"vi": "Không có lĩnh vực '{service}'.", "en": "No field '{service}'."},
    "unknown_counter": {"vi": "Không có quầy số {counter}.", "en": "No counter {counter}."},
    "unknown_ticket": {"vi": "Không tìm thấy số thứ tự này.", "en": "No such ticket."},
    "unknown_route": {"vi": "Không có địa chỉ này.", "en": "No such address."},
    "method_not_allowed": {"vi": "Phương thức không được hỗ trợ.", "en": "Method not allowed."},
    "service_closed": {"vi": "Lĩnh vực {name} hiện không nhận hồ sơ.",
                       "en": "The field {name} is not taking tickets now."},
    "center_closed": {"vi": "Ngoài giờ làm việc ({opens_at}–{closes_at}). Vui lòng quay lại sau.",
                      "en": "Outside opening hours ({opens_at}–{closes_at})."},
    "series_exhausted": {"vi": "Lĩnh vực {service} đã hết số trong ngày.",
                         "en": "Field {service} has no numbers left today."},
    "counter_busy": {"vi": "Quầy {counter} đang phục vụ số {label}; hãy kết thúc hoặc báo vắng trước.",
                     "en": "Counter {counter} is serving {label}; finish it or mark a no-show first."},
    "counter_idle": {"vi": "Quầy {counter} không có công dân nào đang được phục vụ.",
                     "en": "Counter {counter} is not serving anyone."},
    "counter_not_open": {"vi": "Quầy {counter} đang {state_vi}; hãy mở quầy trước.",
                         "en": "Counter {counter} is {state}; open it first."},
    "service_not_at_counter": {"vi": "Quầy {counter} không phục vụ lĩnh vực {service}.",
                               "en": "Counter {counter} does not serve field {service}."},
    "ticket_not_callable": {"vi": "Số {label} đang ở trạng thái {state_vi}, không thể gọi.",
                            "en": "Ticket {label} is {state} and cannot be called."},
    "ticket_not_waiting": {"vi": "Số {label} không còn chờ.", "en": "Ticket {label} is not waiting."},
    "ticket_not_restorable": {"vi": "Số {label} không phải số vắng mặt hôm nay.",
                              "en": "Ticket {label} is not a no-show of today."},
    "same_service": {"vi": "Số {label} đã thuộc lĩnh vực {service}.",
                     "en": "Ticket {label} is already in field {service}."},
    "not_rateable": {"vi": "Chỉ đánh giá được sau khi được phục vụ xong.",
                     "en": "Only a served ticket can be rated."},
    "already_rated": {"vi": "Số này đã được đánh giá.", "en": "This ticket was rated already."},
    "unauthorized": {"vi": "Vui lòng đăng nhập.", "en": "Please log in."},
    "bad_credentials": {"vi": "Sai tên đăng nhập hoặc mật khẩu.", "en": "Wrong username or password."},
    "csrf_failed": {"vi": "Phiên làm việc đã hết hạn, vui lòng tải lại trang.",
                    "en": "Missing or stale CSRF token; reload the page."},
    "forbidden": {"vi": "Bạn không có quyền thực hiện việc này.", "en": "You are not allowed to do this."},
    "wrong_counter": {"vi": "Tài khoản này chỉ thao tác được quầy {allowed}.",
                      "en": "This account may only operate counter {allowed}."},
    "too_many_requests": {"vi": "Quá nhiều yêu cầu, vui lòng thử lại sau ít phút.",
                          "en": "Too many requests; retry in a moment."},
    "user_exists": {"vi": "Tên đăng nhập '{username}' đã tồn tại.", "en": "User '{username}' exists."},
    # The province hub.
    "unknown_center": {"vi": "Không có trung tâm '{center}'.", "en": "No center '{center}'."},
    "center_exists": {"vi": "Đã có trung tâm mã '{center}'.", "en": "A center '{center}' already exists."},
    "forbidden_center": {"vi": "Tài khoản này chỉ được xem số liệu của trung tâm mình.",
                         "en": "This account may only read its own center."},
    "database_unavailable": {"vi": "Cơ sở dữ liệu tạm thời không truy cập được; vui lòng thử lại sau.",
                             "en": "The database is unavailable for now; please retry later."},
    "payload_too_large": {"vi": "Dữ liệu gửi lên quá lớn.", "en": "The request body is too large."},
    "rating_expired": {"vi": "Đã hết thời gian đánh giá số {label}.",
                       "en": "The time to rate ticket {label} is over."},
    "rating_wrong_counter": {"vi": "Số {label} không được phục vụ tại quầy {counter}.",
                             "en": "Ticket {label} was not served at counter {counter}."},
    "kiosk_rate_limited": {"vi": "Kiosk vừa cấp nhiều số liên tiếp. Vui lòng đợi một phút rồi thử lại.",
                           "en": "This kiosk issued many tickets in a row; please wait a minute."},
    "print_not_allowed": {"vi": "Kiosk chỉ in được vé vừa cấp trong ngày; nhờ cán bộ in lại.",
                          "en": "A kiosk prints only tickets issued today; staff can reprint."},
    "unknown_officer": {"vi": "Không có cán bộ '{officer}'.", "en": "No officer '{officer}'."},
    "clock_behind": {
        "vi": "Đồng hồ của máy đang chậm: máy báo {now}, nhưng dữ liệu đã ghi đến {last}. "
              "Không mở ngày làm việc với ngày giờ sai. Hãy chỉnh giờ (sudo timedatectl set-time "
              "'YYYY-MM-DD HH:MM:SS') rồi khởi động lại. Nếu chắc chắn giờ hiện tại là đúng: "
              "xephang serve --accept-clock",
        "en": "The clock is behind: it says {now} but the data was recorded up to {last}. "
              "Not starting a business day on a wrong date. Set the time (sudo timedatectl "
              "set-time 'YYYY-MM-DD HH:MM:SS') and start again; if the time shown is right, "
              "run: xephang serve --accept-clock"},
    "clock_implausible": {
        "vi": "Đồng hồ của máy sai rõ ràng ({now}). Hãy chỉnh giờ (sudo timedatectl set-time "
              "'YYYY-MM-DD HH:MM:SS') rồi khởi động lại.",
        "en": "The clock is plainly wrong ({now}). Set the time (sudo timedatectl set-time "
              "'YYYY-MM-DD HH:MM:SS') and start again."},
    "backup_failed": {"vi": "Sao lưu/khôi phục không thực hiện được: {detail}",
                      "en": "Backup or restore failed: {detail}"},
}


def render(code: str, lang: str = "vi", **params: Any) -> str:
    """Return the text of `code` in `lang`, filled with `params` (missing ones left as is)."""
    entry = CATALOG.get(code) or CATALOG["internal_error"]
    text = entry.get(lang) or entry["vi"]
    if "state" in params:
        params.setdefault("state_vi", state_word(str(params["state"])))
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text
