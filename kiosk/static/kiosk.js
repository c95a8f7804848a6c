/* The ticket kiosk: one press, one ticket, the number shown large whatever the printer does.
 *
 * Provisioning: the installer opens /kiosk#token=<kiosk token> once; the token is kept in
 * this browser's localStorage and removed from the address bar. /kiosk?reset=1 forgets it.
 */
(function () {
  "use strict";

  var TOKEN_KEY = "xephang.kiosk.token";
  var OFFLINE_GRACE_MS = 1200;
  var PRESS_RETRY_MS = 20000;
  var IDLE_MS = 30000;

  var app = document.getElementById("kiosk");
  var options = JSON.parse(document.getElementById("k-options").textContent);
  var T = JSON.parse(document.getElementById("k-texts").textContent);
  var fieldNames = {};
  options.fields.forEach(function (f) { fieldNames[f.code] = f.name; });
  var priorityNames = {};
  options.priorities.forEach(function (p) { priorityNames[p.code] = p.name; });

  var token = null;
  var socket = null;
  var board = null;
  var busy = false;
  var priority = null;
  var online = null;  // unknown until the first answer or connection
  var offlineTimer = null;
  var countdownTimer = null;
  var idleTimer = null;
  var printPoll = null;

  function $(id) { return document.getElementById(id); }

  // --- the token, and talking to the core (device.js) --------------------------------

  var device = XephangDevice.open(TOKEN_KEY);

  function api(method, path, body, headers, timeoutMs) {
    return device.api(method, path, body, headers, timeoutMs);
  }

  var errorOf = device.errorOf;

  // --- screens -------------------------------------------------------------------------

  function show(name) {
    app.dataset.screen = name;
    clearTimeout(idleTimer);
    if (name === "priority" || (name === "fields" && priority)) {
      idleTimer = setTimeout(idleHome, IDLE_MS);
    }
    refreshOverlays();
  }

  function goHome() {
    stopCountdown();
    stopPrintPoll();
    priority = null;
    $("k-priority-chosen").hidden = true;
    $("k-priority-button").hidden = false;
    app.querySelector(".k-fields-screen .k-back").hidden = true;
    $("k-prompt-text").textContent = T.prompt_fields;
    show("fields");
    renderFields();
  }

  /* Back to the start by itself (nobody touched it): the next citizen starts afresh
     (kiosk-access.js hears "kiosk-idle" and leaves the large mode). */
  function idleHome() {
    app.dispatchEvent(new CustomEvent("kiosk-idle"));
    goHome();
  }

  function choosePriority(code) {
    priority = code;
    $("k-priority-name").textContent = priorityNames[code] || code;
    $("k-priority-chosen").hidden = false;
    $("k-priority-button").hidden = true;
    app.querySelector(".k-fields-screen .k-back").hidden = false;
    $("k-prompt-text").textContent = T.prompt_priority_fields;
    show("fields");
  }

  var pairing = null;

  /* No usable token: show the pairing code; an admin's approval brings the token (kept). */
  function setup(reason, refused) {
    if (refused) device.forget();
    if (socket) { socket.disconnect(); socket = null; }
    $("k-setup-reason").textContent = reason;
    show("setup");
    if (!pairing && window.XephangPairing) {
      pairing = XephangPairing.start({ device: "kiosk", storageKey: TOKEN_KEY, element: $("k-pairing"),
                                       onToken: function () { window.location.reload(); } });
    }
  }

  function message(title, text, seconds) {
    $("k-message-title").textContent = title;
    $("k-message-text").textContent = text || "";
    show("message");
    countdown($("k-message-countdown"), seconds || 8);
  }

  function countdown(element, seconds) {
    stopCountdown();
    var left = seconds;
    element.textContent = "(" + left + ")";
    countdownTimer = setInterval(function () {
      left -= 1;
      if (left <= 0) { idleHome(); return; }
      element.textContent = "(" + left + ")";
    }, 1000);
  }

  function stopCountdown() {
    if (countdownTimer) clearInterval(countdownTimer);
    countdownTimer = null;
  }

  function setBusy(value) {
    busy = value;
    app.classList.toggle("k-is-busy", value);
    renderFields();
    refreshOverlays();
  }

  function refreshOverlays() {
    var screen = app.dataset.screen;
    $("k-busy").hidden = !busy || !online;
    // A number already on screen is the citizen's: never hide it behind the overlay.
    $("k-offline").hidden = online !== false || screen === "setup" || screen === "result";
  }

  // --- connection ----------------------------------------------------------------------

  function setOnline(value, immediately) {
    clearTimeout(offlineTimer);
    if (value) {
      online = true;
      app.dataset.connection = "online";
      refreshOverlays();
      renderFields();
      return;
    }
    var drop = function () {
      online = false;
      app.dataset.connection = "offline";
      refreshOverlays();
      renderFields();
    };
    // A blip of a second is not worth frightening anyone; a waiting press is.
    if (immediately) drop(); else offlineTimer = setTimeout(drop, OFFLINE_GRACE_MS);
  }

  function connect() {
    if (typeof io !== "function") { setOnline(false, true); return; }
    socket = io({ transports: ["websocket"], auth: { token: token }, reconnectionDelayMax: 3000 });
    socket.on("connect", function () {
      socket.emit("subscribe", { rooms: ["board"] });
      setOnline(true);
      loadHealth();
    });
    socket.on("disconnect", function (reason) {
      setOnline(false);
      // The box closed this connection on purpose (the token was revoked?): ask, then act.
      if (reason === "io server disconnect") {
        verify(true).then(function (ok) { if (ok && socket) socket.connect(); });
      }
    });
    socket.on("connect_error", function () {
      setOnline(false);
      verify(true);
    });
    socket.on("board", applyBoard);
    // The admin console saved new settings: fields, names or hours may have changed.
    socket.on("settings_changed", function () { refreshFields(); });
    ["ticket_issued", "ticket_called", "ticket_updated", "counter_updated"].forEach(function (name) {
      socket.on(name, function (payload) {
        if (payload && payload.waiting) applyWaiting(payload.waiting);
      });
    });
    socket.on("device_status", function (payload) {
      if (payload && payload.device === "printer") showPrinter(payload.status);
      if (payload && payload.device === "storage") showStorage(payload.status === "error");
    });
    // The clock passes opening and closing time without any event: look again now and then.
    setInterval(function () {
      api("GET", "/api/v1/state", undefined, {}, 5000).then(function (result) {
        if (result.status === 200) applyBoard(result.body);
      }, function () { setOnline(false); });
    }, 30000);
  }

  function loadHealth() {
    api("GET", "/api/v1/health", undefined, {}, 5000).then(function (result) {
      if (result.status === 200 && result.body) {
        showPrinter(result.body.printer);
        showStorage(result.body.storage === "full");
      }
    }, function () {});
  }

  function showPrinter(status) {
    $("k-printer-trouble").hidden = !(status === "error" || status === "offline");
  }

  function showStorage(full) {
    $("k-storage-full").hidden = !full;
  }

  function verify(quiet) {
    return api("GET", "/api/v1/auth/me", undefined, {}, 5000).then(function (result) {
      if (result.status === 401 || result.status === 403) {
        setup(T.setup_invalid, true);
        return false;
      }
      return result.status === 200;
    }, function () {
      if (!quiet) setTimeout(function () { verify(false).then(start); }, 3000);
      setOnline(false, true);
      return false;
    });
  }

  function start(ok) {
    if (!ok || socket) return;
    goHome();
    connect();
  }

  // --- the board -----------------------------------------------------------------------

  /* Take the page's fields again from the box (the same buttons the page was made with). */
  function refreshFields() {
    fetch("/kiosk", { cache: "no-store" }).then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var grid = fresh.getElementById("k-fields");
        var title = fresh.querySelector(".k-title");
        var given = fresh.getElementById("k-options");
        if (!grid || !given) return;
        $("k-fields").innerHTML = grid.innerHTML;
        if (title) app.querySelector(".k-title").innerHTML = title.innerHTML;
        options = JSON.parse(given.textContent);
        fieldNames = {};
        options.fields.forEach(function (f) { fieldNames[f.code] = f.name; });
        if (board) applyBoard(board);
        renderFields();
      }, function () {});
  }

  function applyBoard(value) {
    if (!value || !value.services) return;
    board = value;
    var ribbon = document.getElementById("demo-ribbon");
    if (ribbon) ribbon.hidden = !value.demo;
    var waiting = {};
    value.services.forEach(function (s) { waiting[s.code] = s.waiting; });
    applyWaiting(waiting);
    renderFields();
  }

  function applyWaiting(waiting) {
    Object.keys(waiting).forEach(function (code) {
      var cell = app.querySelector('[data-waiting="' + code + '"]');
      if (cell) cell.textContent = waiting[code];
      if (board) board.services.forEach(function (s) { if (s.code === code) s.waiting = waiting[code]; });
    });
  }

  function centerOpen() { return !board || board.open !== false; }

  function serviceOpen(code) {
    if (!board) return true;
    var found = board.services.filter(function (s) { return s.code === code; })[0];
    return !!found && found.open !== false;
  }

  /* "Trung tâm mở cửa lúc 7 giờ 00, thứ Hai 7/12": the next opening, in the center's zone. */
  function openingText(iso) {
    var at = iso ? new Date(iso) : null;
    if (!at || isNaN(at.getTime())) return "";
    var parts = {};
    new Intl.DateTimeFormat("en-GB", {
      timeZone: options.timezone || undefined, hour: "numeric", minute: "2-digit", day: "numeric",
      month: "numeric", weekday: "short", hourCycle: "h23"
    }).formatToParts(at).forEach(function (part) { parts[part.type] = part.value; });
    var weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(parts.weekday);
    return T.opens_next.replace("{hour}", String(Number(parts.hour)))
      .replace("{minute}", parts.minute).replace("{weekday}", T.weekdays[weekday] || "")
      .replace("{day}", String(Number(parts.day))).replace("{month}", String(Number(parts.month)));
  }

  /* Outside opening hours the kiosk says when the center opens, and nothing else. */
  function showClosed() {
    $("k-opens-next").textContent = openingText(board && board.opens_next);
    // A public holiday or a day the center closed: its name, above when it opens again.
    var why = board && board.closed_reason;
    $("k-closed-why").hidden = !why;
    $("k-closed-why").textContent = why ? T.holiday.replace("{name}", why) : "";
    var screen = app.dataset.screen;
    if (screen === "fields" || screen === "priority" || screen === "message") {
      stopCountdown();
      priority = null;
      show("closed");
    }
  }

  function renderFields() {
    var closedCenter = !centerOpen();
    app.classList.toggle("k-center-closed", closedCenter);
    if (closedCenter) showClosed();
    else if (app.dataset.screen === "closed") { goHome(); return; }
    Array.prototype.forEach.call(app.querySelectorAll(".k-field"), function (button) {
      var open = serviceOpen(button.dataset.service);
      button.dataset.open = open ? "true" : "false";
      button.disabled = busy || !online;
      button.setAttribute("aria-disabled", open && !closedCenter ? "false" : "true");
    });
    Array.prototype.forEach.call(app.querySelectorAll(".k-priority-button, .k-priority"), function (b) {
      b.disabled = busy || !online;
    });
  }

  // --- a press -------------------------------------------------------------------------

  function press(code) {
    if (busy) return;
    if (!centerOpen()) { showClosed(); return; }
    if (!serviceOpen(code)) {
      message(T.field_closed_title, (fieldNames[code] || code) + ": tạm ngừng nhận hồ sơ.");
      return;
    }
    setBusy(true);
    var key = XephangDevice.requestKey("kiosk");  // one press, one key: a retry of this press gets the same ticket
    var body = { service: code, priority: priority };
    var giveUpAt = Date.now() + PRESS_RETRY_MS;
    var attempt = function () {
      return api("POST", "/api/v1/kiosk/tickets", body, { "Idempotency-Key": key }, 8000)
        .then(function (result) {
          setOnline(true);
          setBusy(false);
          answer(result);
        }, function () {
          // The core is unreachable: claim nothing, say so, and try this same press again.
          setOnline(false, true);
          if (Date.now() > giveUpAt) { setBusy(false); goHome(); return null; }
          return new Promise(function (resolve) { setTimeout(resolve, 2000); }).then(attempt);
        });
    };
    attempt();
  }

  function answer(result) {
    if (result.status === 200 || result.status === 201) {
      showTicket(result.body.ticket, result.body.print, result.body.where);
      // Said once, on this kiosk's own speaker (kiosk-speech.js); the screen never waits.
      if (window.KioskSpeech && options.speak) window.KioskSpeech.say(device, result.body.speech);
      return;
    }
    var error = errorOf(result);
    if (result.status === 401 || result.status === 403) { setup(T.setup_invalid, true); return; }
    if (result.status === 429) { message(T.limited_title, T.limited_text, 20); return; }
    if (error.code === "center_closed") {
      if (board) board.open = false;
      // The Board says when it opens next: fetch it, then say so.
      api("GET", "/api/v1/state", undefined, {}, 5000).then(function (state) {
        if (state.status === 200) applyBoard(state.body);
      }, function () {});
      renderFields();
      return;
    }
    if (error.code === "service_closed") { message(T.field_closed_title, error.message); return; }
    // Said plainly, with where to go: a citizen must never be left at a dead button.
    if (error.code === "series_exhausted") { message(T.exhausted_title, error.message, 20); return; }
    if (error.code === "storage_full") { showStorage(true); message(T.storage_title, error.message, 20); return; }
    if (result.status === 404) { message(T.unknown_title, error.message); return; }
    message(T.error_title, error.message || T.error_text);
  }

  function showTicket(ticket, print, where) {
    $("k-label").textContent = ticket.label;
    $("k-result-field").textContent = fieldNames[ticket.service] || ticket.service;
    // Which counters will call this number, as on the paper ticket (the live configuration).
    $("k-where").textContent = where || "";
    $("k-where").hidden = !where;
    var prio = $("k-result-priority");
    prio.hidden = !ticket.priority;
    prio.textContent = ticket.priority ? T.priority_prefix + (priorityNames[ticket.priority] || "") : "";
    $("k-ahead").textContent = ticket.ahead == null ? "0" : ticket.ahead;
    $("k-eta").textContent = ticket.eta_minutes == null ? T.no_estimate : ticket.eta_minutes;
    showPrint(ticket, print || { state: "failed", code: "printer_error" });
    show("result");
  }

  function showPrint(ticket, print) {
    var state = print.state;
    var none = print.code === "printer_none";
    $("k-print-ok").hidden = state !== "printed";
    $("k-print-busy").hidden = state !== "printing";
    $("k-print-failed").hidden = state !== "failed" || none;
    $("k-print-none").hidden = !(state === "failed" && none);
    app.dataset.print = state;
    // Longer on screen when there is no paper: the number must be remembered.
    var seconds = options.return_seconds + (state === "printed" ? 0 : 15);
    countdown($("k-countdown"), seconds);
    stopPrintPoll();
    if (state === "printing") {
      printPoll = setInterval(function () {
        api("GET", "/api/v1/tickets/" + encodeURIComponent(ticket.id) + "/print", undefined, {}, 3000)
          .then(function (result) {
            if (result.status === 200 && result.body && result.body.state !== "printing") {
              stopPrintPoll();
              showPrint(ticket, result.body);
            }
          }, function () {});
      }, 700);
    }
  }

  function stopPrintPoll() {
    if (printPoll) clearInterval(printPoll);
    printPoll = null;
  }

  // --- wiring --------------------------------------------------------------------------

  app.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target || target.disabled) return;
    clearTimeout(idleTimer);
    if (app.dataset.screen === "priority" || priority) idleTimer = setTimeout(idleHome, IDLE_MS);
    if (target.dataset.service) { press(target.dataset.service); return; }
    if (target.dataset.priority) { choosePriority(target.dataset.priority); return; }
    var action = target.dataset.action;
    if (action === "priority") show("priority");
    else if (action === "home") goHome();
    else if (action === "back") show("priority");
  });

  var clockFormat = new Intl.DateTimeFormat("vi-VN", {
    hour: "2-digit", minute: "2-digit", hour12: false, timeZone: options.timezone || undefined
  });
  function tick() { $("k-clock").textContent = clockFormat.format(new Date()); }
  tick();
  setInterval(tick, 10000);

  // An installer pasting /kiosk#token=… into this same tab changes only the hash.
  window.addEventListener("hashchange", function () {
    if (/token=/.test(window.location.hash)) window.location.reload();
  });

  token = device.token;
  if (!token) { setup(T.setup_missing); return; }
  verify(false).then(start);
})();
