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
    "payload_too_large": {"vi": "Yêu cầu quá lớn (tối đa {limit} KB).",
                          "en": "The request is too large (at most {limit} KB)."},
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
    "series_exhausted": {"vi": "Lĩnh vực {service} đã hết số thứ tự trong ngày. Quý công dân "
                               "vui lòng liên hệ cán bộ tại quầy hướng dẫn để được hỗ trợ.",
                         "en": "Field {service} has no numbers left today; please ask the staff "
                               "at the information desk."},
    "storage_full": {"vi": "Bộ nhớ của máy đầy, không lưu được dữ liệu mới. Quý công dân vui "
                           "lòng liên hệ cán bộ; cán bộ: giải phóng bộ nhớ (xóa bản sao lưu cũ, "
                           "xephang purge) rồi thử lại.",
                     "en": "The box's storage is full: nothing new can be saved. Staff: free "
                           "space (old backups, xephang purge), then retry."},
    "storage_low": {"vi": "Bộ nhớ của máy sắp đầy. Cán bộ: xóa bản sao lưu cũ hoặc chạy "
                          "xephang purge.",
                    "en": "The box's storage is almost full: delete old backups or run "
                          "xephang purge."},
    "database_error": {"vi": "Cơ sở dữ liệu không trả lời.", "en": "The database does not answer."},
    "printer_error": {"vi": "Máy in gặp sự cố.", "en": "The printer has a problem."},
    "printer_offline": {"vi": "Không kết nối được máy in.", "en": "The printer cannot be reached."},
    "audio_error": {"vi": "Loa thông báo gặp sự cố.", "en": "The loudspeaker has a problem."},
    "audio_offline": {"vi": "Loa thông báo mất kết nối.", "en": "The loudspeaker is not connected."},
    "wrong_ticket_key": {"vi": "Mã trên vé không đúng. Quý công dân vui lòng quét lại mã QR "
                               "in trên vé để đánh giá.",
                         "en": "The ticket's key is missing or wrong; scan the QR code printed "
                               "on the ticket to rate."},
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
    "unknown_user": {"vi": "Không có tài khoản '{username}'.", "en": "No user '{username}'."},
    "user_exists": {"vi": "Tên đăng nhập '{username}' đã tồn tại.", "en": "User '{username}' exists."},
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
    # A database the box will not serve, at `xephang serve`.
    "database_missing": {
        "vi": "Không thấy cơ sở dữ liệu {path}, nhưng máy này đã có dữ liệu (đến số thứ tự thay "
              "đổi {seq}). Không khởi động với dữ liệu trống. Khôi phục bản sao lưu: "
              "xephang restore {newest}",
        "en": "The database {path} is missing, but this box had data (up to change {seq}). Not "
              "starting on an empty database. Restore a backup: xephang restore {newest}"},
    "database_empty": {
        "vi": "Cơ sở dữ liệu {path} rỗng (0 byte): tệp đã bị hỏng. Không khởi động với dữ liệu "
              "trống. Khôi phục bản sao lưu: xephang restore {newest}",
        "en": "The database {path} is empty (0 bytes): the file is damaged. Not starting on an "
              "empty database. Restore a backup: xephang restore {newest}"},
    "database_damaged": {
        "vi": "Cơ sở dữ liệu {path} bị hỏng ({detail}). Không khởi động. Khôi phục bản sao lưu: "
              "xephang restore {newest}",
        "en": "The database {path} is damaged ({detail}). Not starting. Restore a backup: "
              "xephang restore {newest}"},
    "database_foreign": {
        "vi": "Tệp {path} không phải cơ sở dữ liệu của xephang ({detail}). Khôi phục bản sao "
              "lưu: xephang restore {newest}",
        "en": "{path} is not a xephang database ({detail}). Restore a backup: xephang restore "
              "{newest}"},
    "database_older": {
        "vi": "Cơ sở dữ liệu {path} cũ hơn dữ liệu máy này đã ghi (thay đổi {seq} < {recorded}): "
              "có thể tệp đã bị thay bằng bản cũ. Để dùng một bản sao lưu, hãy khôi phục đúng "
              "cách (số thứ tự sẽ không bị cấp lại): xephang restore {newest}",
        "en": "The database {path} is older than what this box recorded (change {seq} < "
              "{recorded}): the file may have been replaced by an old copy. To use a backup, "
              "restore it properly (numbers are never given twice): xephang restore {newest}"},
    "database_storage_full": {
        "vi": "Bộ nhớ của máy đầy: không nâng cấp được cơ sở dữ liệu {path}. Giải phóng bộ nhớ "
              "(xóa bản sao lưu cũ, xephang purge) rồi khởi động lại.",
        "en": "The box's storage is full: the database {path} cannot be upgraded. Free space "
              "(old backups, xephang purge), then start again."},
    "serving_storage_full": {
        "vi": "Bộ nhớ của máy đầy ({free} còn trống). Máy chủ vẫn chạy và hiển thị, nhưng không "
              "cấp được số mới cho đến khi giải phóng bộ nhớ (xóa bản sao lưu cũ, xephang purge).",
        "en": "The box's storage is full ({free} free). The server runs and shows the queue, but "
              "cannot issue new tickets until space is freed (old backups, xephang purge)."},
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
