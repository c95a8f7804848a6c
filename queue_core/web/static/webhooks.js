/* The admin's view of the outbox: receivers, deliveries, and "send again". */
(function () {
  "use strict";
  var STATUS_TEXT = {delivered: "Đã gửi", failed: "Lỗi, sẽ thử lại", pending: "Đang chờ",
                     rejected: "Bị từ chối", lost: "Bị xoá trước khi gửi"};
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var message = document.getElementById("webhooks-message");
  var filter = document.getElementById("status-filter");

  function cell(row, text, className) {
    var td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "" : String(text);
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  function when(text) {
    if (!text) return "";
    var moment = new Date(text);
    return isNaN(moment) ? text : moment.toLocaleString("vi-VN");
  }

  function getJson(path) {
    return fetch(path, {credentials: "same-origin", headers: {"Accept-Language": "vi"}})
      .then(function (response) { return response.json(); });
  }

  function showReceivers(status) {
    var box = status.outbox;
    document.getElementById("outbox-facts").textContent =
      "Mã luồng " + status.stream + " · đang giữ " + box.rows + " sự kiện (số " +
      (box.oldest_seq === null ? "—" : box.oldest_seq) + " đến " + box.newest_seq +
      ") · giữ tối đa " + box.retention_days + " ngày và " + box.max_rows + " sự kiện";
    var body = document.querySelector("#receivers tbody");
    body.textContent = "";
    status.receivers.forEach(function (receiver) {
      var row = document.createElement("tr");
      cell(row, receiver.receiver === "hub" ? "Hệ thống tỉnh" : "Webhook");
      cell(row, receiver.url, "url");
      cell(row, receiver.behind);
      cell(row, when(receiver.last_success_at));
      cell(row, receiver.last_error, "error");
      cell(row, when(receiver.next_attempt_at));
      cell(row, receiver.lost);
      body.appendChild(row);
    });
  }

  function showDeliveries(list) {
    var body = document.querySelector("#deliveries tbody");
    body.textContent = "";
    list.forEach(function (delivery) {
      var row = document.createElement("tr");
      row.dataset.id = delivery.id;
      cell(row, delivery.delivery);
      cell(row, delivery.event);
      cell(row, delivery.url, "url");
      cell(row, STATUS_TEXT[delivery.status] || delivery.status, "status-" + delivery.status);
      cell(row, delivery.attempts);
      cell(row, delivery.last_error, "error");
      cell(row, when(delivery.updated_at));
      var action = cell(row, "");
      if (delivery.receiver === "webhook" && delivery.status !== "lost") {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button retry";
        button.textContent = "Gửi lại";
        button.addEventListener("click", function () { retry(delivery.id, button); });
        action.appendChild(button);
      }
      body.appendChild(row);
    });
  }

  function retry(id, button) {
    button.disabled = true;
    fetch("/api/v1/webhooks/deliveries/" + id + "/retry", {
      method: "POST", credentials: "same-origin",
      headers: {"X-CSRFToken": csrf, "Accept-Language": "vi"}
    }).then(function (response) {
      return response.json().then(function (data) {
        message.hidden = false;
        message.textContent = response.ok ? "Đã yêu cầu gửi lại " + data.delivery + "."
          : (data.error && data.error.message) || "Không gửi lại được.";
        refresh();
      });
    }).catch(function () {
      message.hidden = false;
      message.textContent = "Không kết nối được với máy chủ.";
      button.disabled = false;
    });
  }

  function refresh() {
    var query = filter.value ? "&status=" + encodeURIComponent(filter.value) : "";
    getJson("/api/v1/webhooks").then(showReceivers);
    getJson("/api/v1/webhooks/deliveries?limit=200" + query).then(showDeliveries);
  }

  document.getElementById("refresh").addEventListener("click", refresh);
  filter.addEventListener("change", refresh);
  refresh();
  window.setInterval(refresh, 15000);
}());
