/* Pairing a screen with the box: show a 6-digit code and where to type it, wait for an admin.
 *
 *   XephangPairing.start({device: "kiosk", storageKey: "xephang.kiosk.token",
 *                         element: document.getElementById("k-pairing"),
 *                         onToken: function (token) { location.reload(); }});
 *
 * POST /api/v1/pairing gives the code (and the box's address as other machines reach it);
 * GET /api/v1/pairing/{id} is asked every two seconds: "waiting", then the token once. The
 * token is kept in this browser's localStorage under `storageKey`, like /page#token=… does.
 * A code that expired (ten minutes) is replaced by a new one; a box that cannot be reached
 * is asked again. `compact: true` draws a small corner badge instead of a whole screen.
 */
(function () {
  "use strict";

  var POLL_MS = 2000;
  var RETRY_MS = 5000;

  function keep(key, token) {
    try { window.localStorage.setItem(key, token); } catch (e) { /* kept for this page only */ }
  }

  function grouped(code) { return code.slice(0, 3) + " " + code.slice(3); }

  function draw(element, compact, started) {
    element.innerHTML = "";
    element.classList.add("pairing", compact ? "pairing-compact" : "pairing-full");
    element.hidden = false;
    var title = document.createElement("p");
    title.className = "pairing-title";
    title.textContent = compact ? "Màn hình chưa ghép nối · mã" : "Mã ghép nối thiết bị";
    var code = document.createElement("p");
    code.className = "pairing-code";
    code.textContent = started ? grouped(started.code) : "······";
    element.appendChild(title);
    element.appendChild(code);
    var where = document.createElement("p");
    where.className = "pairing-where";
    if (started) {
      where.appendChild(document.createTextNode(compact ? "Nhập tại " : "Quản trị viên mở "));
      var address = document.createElement("b");
      address.textContent = started.address + "/admin";
      where.appendChild(address);
      where.appendChild(document.createTextNode(compact ? " → Thiết bị"
        : " → Thiết bị, nhập mã này và chọn loại thiết bị. Mã đổi sau 10 phút."));
    } else {
      where.textContent = "Đang kết nối với máy chủ…";
    }
    element.appendChild(where);
  }

  function ask(method, path, body) {
    var init = { method: method, headers: { "Accept": "application/json" }, cache: "no-store" };
    if (body) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, body: data }; },
                                  function () { return { status: response.status, body: null }; });
    });
  }

  function start(config) {
    var element = config.element;
    var stopped = false;
    var timer = null;
    var pairing = { stop: function () { stopped = true; clearTimeout(timer); element.hidden = true; } };

    function later(fn, ms) { if (!stopped) timer = setTimeout(fn, ms); }

    function open() {
      draw(element, config.compact, null);
      var body = { device: config.device };
      if (config.name) body.name = config.name;
      ask("POST", "/api/v1/pairing", body).then(function (answer) {
        if (answer.status !== 201) { later(open, RETRY_MS * (answer.status === 429 ? 4 : 1)); return; }
        pairing.current = answer.body;
        draw(element, config.compact, answer.body);
        later(poll, POLL_MS);
      }, function () { later(open, RETRY_MS); });
    }

    function poll() {
      ask("GET", "/api/v1/pairing/" + encodeURIComponent(pairing.current.id)).then(function (answer) {
        if (answer.status === 200 && answer.body.status === "approved" && answer.body.token) {
          keep(config.storageKey, answer.body.token);
          pairing.stop();
          if (config.onToken) config.onToken(answer.body.token, answer.body);
          return;
        }
        if (answer.status === 404) { open(); return; }  // expired: a fresh code
        later(poll, POLL_MS);
      }, function () { later(poll, RETRY_MS); });
    }

    open();
    return pairing;
  }

  window.XephangPairing = { start: start };
})();
