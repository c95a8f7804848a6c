/* What the kiosk's touch pages (/kiosk, /lookup) share: the device token they keep, and one
 * way to ask the core.
 *
 *   var device = XephangDevice.open("xephang.kiosk.token");
 *   device.token;                          // from #token=… (kept) or what was kept before
 *   device.api("POST", "/api/v1/kiosk/tickets", body, {"Idempotency-Key": key}, 8000)
 *     .then(function (result) { result.status; result.body; });  // rejects when unreachable
 *   device.forget();
 *
 * The installer opens the page once as PAGE#token=<device token>: the token is kept in this
 * browser's localStorage and taken out of the address bar; PAGE?reset=1 forgets it.
 */
(function () {
  "use strict";

  function store(key, action, value) {
    try {
      if (action === "get") return window.localStorage.getItem(key);
      if (action === "set") window.localStorage.setItem(key, value);
      if (action === "remove") window.localStorage.removeItem(key);
    } catch (e) { /* storage disabled: the token lives for this page only */ }
    return null;
  }

  /* Take a token given in the address (and tidy the address), or the one kept before. */
  function takeToken(key) {
    var url = new URL(window.location.href);
    var hash = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    var given = url.searchParams.get("token") || hash.get("token");
    var reset = url.searchParams.get("reset") === "1";
    if (reset) store(key, "remove");
    if (given) store(key, "set", given.trim());
    if (given || reset || window.location.hash) {
      url.searchParams.delete("token");
      url.searchParams.delete("reset");
      window.history.replaceState(null, "", url.pathname + url.search);
    }
    return given ? given.trim() : store(key, "get");
  }

  /* Return a text naming one press, so that a retry of it is known for what it is. */
  function requestKey(prefix) {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return prefix + "-" + Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function open(key) {
    var device = { token: takeToken(key) };

    device.forget = function () {
      store(key, "remove");
      device.token = null;
    };

    /* Ask the core; resolve {status, body} (body parsed JSON or null), reject when unreachable. */
    device.api = function (method, path, body, headers, timeoutMs) {
      var controller = new AbortController();
      var timer = setTimeout(function () { controller.abort(); }, timeoutMs || 8000);
      var init = { method: method, headers: { "Accept": "application/json" },
                   signal: controller.signal, cache: "no-store" };
      if (device.token) init.headers["Authorization"] = "Bearer " + device.token;
      Object.keys(headers || {}).forEach(function (k) { init.headers[k] = headers[k]; });
      if (body !== undefined) {
        init.headers["Content-Type"] = "application/json";
        init.body = JSON.stringify(body);
      }
      return fetch(path, init).then(function (response) {
        clearTimeout(timer);
        return response.text().then(function (text) {
          var data = null;
          try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
          return { status: response.status, body: data };
        });
      }, function (err) {
        clearTimeout(timer);
        throw new Error("the core cannot be reached: " + String(err));
      });
    };

    /* The contract's error of an answer, or one made up from its status. */
    device.errorOf = function (result) {
      return (result.body && result.body.error) || { code: "http_" + result.status, message: "" };
    };

    return device;
  }

  window.XephangDevice = { open: open, requestKey: requestKey };
})();
