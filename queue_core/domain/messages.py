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
    "speech_unavailable": {"vi": "Chưa đọc được số thứ tự lúc này; số vẫn hiện trên màn hình.",
                           "en": "The number cannot be spoken now; it is shown on the screen."},
    "speech_off": {"vi": "Kiosk không đọc số (cài đặt kiosk.speak).",
                   "en": "This kiosk does not speak (setting kiosk.speak)."},
    "service_unavailable": {"vi": "Tạm thời không thực hiện được, vui lòng thử lại.",
                            "en": "Temporarily unavailable, please retry."},
    "unknown_route": {"vi": "Không có địa chỉ này.", "en": "No such address."},
    "method_not_allowed": {"vi": "Phương thức không được hỗ trợ.", "en": "Method not allowed."},
    "service_closed": {"vi": "Lĩnh vực {name} hiện không nhận hồ sơ.",
                       "en": "The field {name} is not taking tickets now."},
    "center_closed": {"vi": "{why} Trung tâm mở cửa lại lúc {opens_next}.",
                      "en": "The center is closed now ({why_en}); it opens {opens_next_en}."},
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
    "forbidden": {"vi": "Tài khoản này không có quyền thực hiện việc này.", "en": "You are not allowed to do this."},
    "wrong_counter": {"vi": "Tài khoản này chỉ thao tác được quầy {allowed}.",
                      "en": "This account may only operate counter {allowed}."},
    "too_many_requests": {"vi": "Quá nhiều yêu cầu, vui lòng thử lại sau ít phút.",
                          "en": "Too many requests; retry in a moment."},
    "server_busy": {"vi": "Hệ thống đang bận, vui lòng thử lại sau giây lát.",
                    "en": "The server is busy; retry in a moment."},
    "too_many_connections": {"vi": "Quá nhiều kết nối, vui lòng thử lại sau.",
                             "en": "Too many live connections; retry later."},
    "request_timeout": {"vi": "Yêu cầu gửi quá chậm, vui lòng gửi lại.",
                        "en": "The request arrived too slowly; send it again."},
    "unknown_user": {"vi": "Không có tài khoản '{username}'.", "en": "No user '{username}'."},
    "user_exists": {"vi": "Tên đăng nhập '{username}' đã tồn tại.", "en": "User '{username}' exists."},
    # The province hub.
    "unknown_center": {"vi": "Không có trung tâm '{center}'.", "en": "No center '{center}'."},
    "center_exists": {"vi": "Đã có trung tâm mã '{center}'.", "en": "A center '{center}' already exists."},
    "forbidden_center": {"vi": "Tài khoản này chỉ được xem số liệu của trung tâm mình.",
                         "en": "This account may only read its own center."},
    "database_unavailable": {"vi": "Cơ sở dữ liệu tạm thời không truy cập được; vui lòng thử lại sau.",
                             "en": "The database is unavailable for now; please retry later."},
    "rating_expired": {"vi": "Đã hết thời gian đánh giá số {label}.",
                       "en": "The time to rate ticket {label} is over."},
    "rating_wrong_counter": {"vi": "Số {label} không được phục vụ tại quầy {counter}.",
                             "en": "Ticket {label} was not served at counter {counter}."},
    "kiosk_rate_limited": {"vi": "Kiosk vừa cấp nhiều số liên tiếp. Vui lòng đợi một phút rồi thử lại.",
                           "en": "This kiosk issued many tickets in a row; please wait a minute."},
    "print_not_allowed": {"vi": "Kiosk chỉ in được vé vừa cấp trong ngày; nhờ cán bộ in lại.",
                          "en": "A kiosk prints only tickets issued today; staff can reprint."},
    "unknown_delivery": {"vi": "Không có lần gửi này.", "en": "No such delivery."},
    "not_retryable": {"vi": "Không thể gửi lại: {reason}", "en": "Cannot send again: {reason}"},
    "unknown_procedure": {"vi": "Không có thủ tục mã {procedure}.", "en": "No procedure {procedure}."},
    "unknown_form": {"vi": "Thủ tục này không có mẫu đơn đó.", "en": "This procedure has no such form."},
    "unknown_dossier": {"vi": "Không tìm thấy hồ sơ có mã {dossier}. Quý công dân vui lòng kiểm tra lại mã "
                              "trên phiếu tiếp nhận.",
                        "en": "No dossier with code {dossier}."},
    "catalog_invalid": {"vi": "Không nhập được danh mục thủ tục. Dòng {line}: {reason}. Danh mục cũ "
                              "được giữ nguyên.",
                        "en": "The catalog was not imported. Line {line}: {reason}."},
    "catalog_invalid_file": {"vi": "Không nhập được danh mục thủ tục: {reason}. Danh mục cũ được giữ "
                                   "nguyên.",
                             "en": "The catalog was not imported: {reason}."},
    "catalog_too_large": {"vi": "Tệp quá lớn ({size}); tối đa {limit}. Danh mục cũ được giữ nguyên.",
                          "en": "The file is too large ({size}); at most {limit}."},
    "connector_unavailable": {"vi": "Chưa tra cứu được hồ sơ lúc này. Quý công dân vui lòng thử lại "
                                    "sau hoặc hỏi cán bộ tại quầy.",
                              "en": "Dossier status cannot be looked up now; try again later."},
    "lookup_print_limited": {"vi": "Kiosk vừa in nhiều lần liên tiếp. Vui lòng đợi một phút rồi thử lại.",
                             "en": "This kiosk printed many lists in a row; please wait a minute."},
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
    "unknown_user": {"vi": "Không có tài khoản '{username}'.", "en": "No user '{username}'."},
    "unknown_token": {"vi": "Không có thiết bị (mã) '{token}' đang hoạt động.",
                      "en": "No live device token '{token}'."},
    "last_admin": {"vi": "Không thể khoá hoặc đổi vai trò của '{username}': đây là quản trị viên "
                         "cuối cùng. Hãy tạo một quản trị viên khác trước.",
                   "en": "'{username}' is the last admin; create another admin first."},
    "settings_invalid": {"vi": "Cài đặt không hợp lệ ({field}): {detail}. Chưa có gì thay đổi.",
                         "en": "Invalid setting ({field}): {detail}. Nothing was changed."},
    "settings_conflict": {"vi": "Cài đặt vừa được người khác thay đổi (phiên bản {version}). Hãy "
                                "tải lại trang để xem thay đổi rồi lưu lại.",
                          "en": "The settings were changed by someone else (version {version}); "
                                "reload and save again."},
    "settings_fixed": {"vi": "'{field}' được đặt bởi biến môi trường {variable}, không sửa được "
                             "trên trang quản trị.",
                       "en": "'{field}' is set by the environment variable {variable}."},
    "service_in_use": {"vi": "Không xoá được lĩnh vực {service}: còn {count} số đang chờ hoặc đang "
                             "được phục vụ hôm nay. Hãy tạm ngừng lĩnh vực thay vì xoá.",
                       "en": "Field {service} still has {count} tickets today; close it instead."},
    "counter_in_use": {"vi": "Không xoá được quầy {counter}: quầy đang phục vụ số {label}.",
                       "en": "Counter {counter} is serving {label}; it cannot be removed now."},
    "setup_done": {"vi": "Trung tâm đã được thiết lập. Hãy đăng nhập bằng tài khoản quản trị.",
                   "en": "The center is set up already; log in as an admin."},
    "setup_code_wrong": {"vi": "Mã thiết lập không đúng. Mã có trong cửa sổ chạy máy chủ và trong "
                               "tệp setup-code ở thư mục dữ liệu.",
                         "en": "Wrong setup code; it is printed by xephang serve and kept in "
                               "<data_dir>/setup-code."},
    "pairing_unknown": {"vi": "Không có thiết bị nào đang hiện mã {pairing_code}. Kiểm tra lại mã trên màn "
                              "hình thiết bị (mã có hiệu lực 10 phút).",
                        "en": "No device is showing the code {pairing_code} (codes last 10 minutes)."},
    "pairing_gone": {"vi": "Mã ghép nối đã hết hạn hoặc đã dùng.", "en": "This pairing is over."},
    "pairing_busy": {"vi": "Có quá nhiều thiết bị đang chờ ghép nối; thử lại sau ít phút.",
                     "en": "Too many devices are waiting to pair; retry in a few minutes."},
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


# Why a catalog was refused (the `reason` of `catalog_invalid`).
CATALOG_REASONS: dict[str, dict[str, str]] = {
    "missing_column": {"vi": "thiếu cột {column} (cần đủ các cột: {columns})",
                       "en": "the column {column} is missing (the columns are: {columns})"},
    "empty_value": {"vi": "cột {column} để trống", "en": "the {column} cell is empty"},
    "bad_code": {"vi": "mã thủ tục '{code}' chỉ được gồm chữ, số, dấu chấm, gạch ngang (tối đa 64 ký tự)",
                 "en": "the code '{code}' may hold only letters, digits, '.', '-', '_' (64 at most)"},
    "duplicate_code": {"vi": "mã thủ tục {code} đã có ở dòng {first}",
                       "en": "the code {code} is already on line {first}"},
    "unknown_service": {"vi": "lĩnh vực '{service}' không có trong cấu hình của trung tâm ({known})",
                        "en": "the field '{service}' is not one of the center's ({known})"},
    "cell_too_long": {"vi": "ô ở cột {column} dài quá {limit} ký tự",
                      "en": "the {column} cell is longer than {limit} characters"},
    "formula": {"vi": "ô {cell} chứa công thức ({formula}); hãy sao chép và dán dạng giá trị "
                      "(Paste Values) rồi nhập lại",
                "en": "cell {cell} holds a formula ({formula}); paste it as values and import again"},
    "form_missing": {"vi": "không tìm thấy tệp mẫu đơn '{form}' bên cạnh tệp danh mục",
                     "en": "the form file '{form}' is not next to the catalog"},
    "form_unreadable": {"vi": "không đọc được tệp mẫu đơn '{form}' ({detail})",
                        "en": "the form file '{form}' cannot be read ({detail})"},
    "form_too_large": {"vi": "tệp mẫu đơn '{form}' lớn quá {limit}",
                       "en": "the form file '{form}' is larger than {limit}"},
    "form_path_outside": {"vi": "tên tệp mẫu đơn '{form}' phải là một tệp bên cạnh tệp danh mục",
                          "en": "the form '{form}' must name a file next to the catalog"},
    "form_type_refused": {"vi": "tệp mẫu đơn '{form}' không thuộc loại được phép ({allowed})",
                          "en": "the form '{form}' is not an allowed kind of file ({allowed})"},
    "too_many_rows": {"vi": "danh mục có quá {limit} dòng", "en": "more than {limit} rows"},
    "no_rows": {"vi": "danh mục không có thủ tục nào", "en": "the catalog holds no procedure"},
    "not_utf8": {"vi": "tệp CSV không phải mã UTF-8; hãy lưu lại dạng \"CSV UTF-8\"",
                 "en": "the CSV file is not UTF-8; save it as \"CSV UTF-8\""},
    "unreadable": {"vi": "không đọc được tệp ({detail})", "en": "the file cannot be read ({detail})"},
    "bad_json": {"vi": "tệp JSON phải là một danh sách các thủ tục ({detail})",
                 "en": "the JSON file must be a list of procedures ({detail})"},
    "not_an_object": {"vi": "mục này không phải một thủ tục (đối tượng JSON)",
                      "en": "this item is not a procedure (a JSON object)"},
    "unknown_format": {"vi": "chỉ nhận tệp .xlsx, .csv hoặc .json", "en": "only .xlsx, .csv or .json"},
}


def render(code: str, lang: str = "vi", **params: Any) -> str:
    """Return the text of `code` in `lang`, filled with `params` (missing ones left as is)."""
    if "state" in params:
        params.setdefault("state_vi", state_word(str(params["state"])))
    return _filled(CATALOG.get(code) or CATALOG["internal_error"], lang, params)


def _filled(entry: dict[str, str], lang: str, params: dict[str, Any]) -> str:
    text = entry.get(lang) or entry["vi"]
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text


def render_reason(reason: str, lang: str = "vi", **params: Any) -> str:
    """Return why a catalog was refused, in `lang`."""
    return _filled(CATALOG_REASONS.get(reason) or CATALOG_REASONS["unreadable"], lang, params)
