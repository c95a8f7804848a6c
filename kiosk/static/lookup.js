/* The look-up kiosk: find a procedure with the on-screen keyboard, take its forms home as
 * QR codes, print its list of documents, take a number for it, see where a dossier stands,
 * and rate a counter that asks for it. Back to the attract screen after a minute alone.
 *
 * Searching, reading and dossier status need no token. Printing, numbers and ratings use
 * a kiosk token handed over once as /lookup#token=<kiosk token> (kept in this browser,
 * taken out of the address bar; /lookup?reset=1 forgets it), like the ticket kiosk (device.js).
 */
(function () {
  "use strict";

  var WORDS = JSON.parse(document.getElementById("vocabulary").textContent);
  var TOKEN_KEY = "xephang.lookup.token";
  var PRESS_RETRY_MS = 20000;
  var SEARCH_DELAY_MS = 150;

  function $(id) { return document.getElementById(id); }

  var app = $("lookup");
  var options = JSON.parse($("l-options").textContent);
  var fieldNames = {};
  options.fields.forEach(function (f) { fieldNames[f.code] = f.name; });
  var ratingCounters = countersWanted();

  var state = {
    token: null, chip: "", query: "", searchSeq: 0, searchTimer: null, procedure: null,
    backTo: "search", idleTimer: null, countdown: null, rating: null, ratingTimer: null,
    socket: null, busy: false,
  };

  // --- the token, and talking to the core (device.js) --------------------------------

  var device = XephangDevice.open(TOKEN_KEY);
  var api = device.api;
  var errorOf = device.errorOf;

  function setToken(value) {
    state.token = value;
    app.dataset.token = value ? "ok" : "none";
  }

  function countersWanted() {
    var given = new URLSearchParams(window.location.search).get("counters");
    if (given === null) return options.rating_counters;
    return given.split(",").map(function (n) { return parseInt(n, 10); })
      .filter(function (n) { return options.counter_names[n] !== undefined; });
  }

  // --- screens and the idle reset -------------------------------------------------------------

  function show(name) {
    app.dataset.screen = name;
    stopCountdown();
    touched();
  }

  function touched() {
    clearTimeout(state.idleTimer);
    if (app.dataset.screen !== "attract") {
      state.idleTimer = setTimeout(goHome, options.idle_seconds * 1000);
    }
  }

  function goHome() {
    state.procedure = null;
    state.chip = "";
    textKeyboard.set("");
    codeKeyboard.set("");
    $("l-dossier-result").hidden = true;
    $("l-dossier-error").hidden = true;
    $("l-print-state").hidden = true;
    paintChips();
    show("attract");
    if (state.rating && !expired(state.rating)) openRating();
  }

  function message(title, text) {
    $("l-m-title").textContent = title;
    $("l-m-text").textContent = text || "";
    show("message");
  }

  function startCountdown(seconds) {
    stopCountdown();
    var left = seconds;
    var element = $("l-t-countdown");
    element.textContent = "(" + left + ")";
    state.countdown = setInterval(function () {
      left -= 1;
      if (left <= 0) { goHome(); return; }
      element.textContent = "(" + left + ")";
    }, 1000);
  }

  function stopCountdown() {
    if (state.countdown) clearInterval(state.countdown);
    state.countdown = null;
  }

  // --- search ---------------------------------------------------------------------------------

  var textKeyboard = VNKeys.mount($("l-keyboard"), {
    layout: "text", maxLength: 120,
    onChange: function (text) {
      $("l-query").value = text;
      state.query = text;
      clearTimeout(state.searchTimer);
      state.searchTimer = setTimeout(runSearch, SEARCH_DELAY_MS);
    },
  });

  function openSearch(chip) {
    state.chip = chip || "";
    paintChips();
    show("search");
    runSearch();
  }

  function paintChips() {
    Array.prototype.forEach.call(document.querySelectorAll(".l-chip"), function (chip) {
      chip.setAttribute("aria-pressed", chip.dataset.chip === state.chip ? "true" : "false");
    });
  }

  function runSearch() {
    var seq = ++state.searchSeq;
    var params = new URLSearchParams({ q: state.query, limit: "30" });
    if (state.chip) params.set("service", state.chip);
    app.dataset.searching = "true";
    api("GET", "/api/v1/procedures?" + params.toString(), undefined, {}, 8000).then(function (result) {
      if (seq !== state.searchSeq) return;
      app.dataset.searching = "false";
      if (result.status !== 200) { renderResults([], errorOf(result).message); return; }
      renderResults(result.body, null);
    }, function () {
      if (seq !== state.searchSeq) return;
      app.dataset.searching = "false";
      renderResults([], "Mất kết nối tới máy chủ. Vui lòng thử lại.");
    });
  }

  function renderResults(list, problem) {
    var box = $("l-results");
    box.textContent = "";
    var head = $("l-results-head");
    if (problem) head.textContent = problem;
    else if (!list.length) head.textContent = "Không tìm thấy thủ tục phù hợp. Quý công dân thử gõ từ khác hoặc chọn lĩnh vực.";
    else if (state.query.trim()) head.textContent = "Tìm thấy " + list.length + " thủ tục";
    else if (state.chip) head.textContent = (fieldNames[state.chip] || state.chip) + ": " + list.length + " thủ tục";
    else head.textContent = "Các thủ tục thường gặp";
    list.forEach(function (item) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "l-result";
      button.dataset.code = item.code;
      var name = document.createElement("span");
      name.className = "l-result-name";
      name.textContent = item.name;
      var meta = document.createElement("span");
      meta.className = "l-result-meta";
      meta.textContent = [fieldNames[item.service] || item.service, item.deadline].filter(Boolean).join(" · ");
      button.appendChild(name);
      button.appendChild(meta);
      li.appendChild(button);
      box.appendChild(li);
    });
    app.dataset.results = String(list.length);
  }

  // --- one procedure ------------------------------------------------------------------------

  function openProcedure(code, backTo) {
    state.backTo = backTo || "search";
    api("GET", "/api/v1/procedures/" + encodeURIComponent(code), undefined, {}, 8000).then(function (result) {
      if (result.status !== 200) { message("Không mở được thủ tục", errorOf(result).message); return; }
      renderProcedure(result.body);
      show("procedure");
      $("l-procedure-body").scrollTop = 0;
    }, function () {
      message("Mất kết nối", "Chưa mở được thủ tục. Vui lòng thử lại.");
    });
  }

  function fillList(element, items) {
    element.textContent = "";
    items.forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      element.appendChild(li);
    });
  }

  function renderProcedure(p) {
    state.procedure = p;
    $("l-p-code").textContent = "Mã thủ tục: " + p.code;
    $("l-p-name").textContent = p.name;
    $("l-p-field").textContent = "Lĩnh vực: " + (fieldNames[p.service] || p.service) + (p.level ? " · " + p.level : "");
    $("l-p-deadline").textContent = p.deadline || "—";
    $("l-p-fee").textContent = p.fee || "—";
    fillList($("l-p-documents"), p.documents.length ? p.documents : ["Không yêu cầu giấy tờ."]);
    fillList($("l-p-legal"), p.legal_basis);
    var forms = $("l-p-forms");
    forms.textContent = "";
    $("l-p-forms-box").hidden = !p.forms.length;
    p.forms.forEach(function (form) {
      var figure = document.createElement("figure");
      figure.className = "l-form";
      var img = document.createElement("img");
      img.className = "l-qr";
      img.alt = "Mã QR tải " + form.name;
      // The QR code encodes the address phones use; the kiosk fetches it from its own box.
      img.src = new URL(form.url).pathname + "/qr.svg";
      var caption = document.createElement("figcaption");
      var kind = form.url.split(".").pop().toUpperCase();
      caption.textContent = form.name + " (" + kind + ")";
      figure.appendChild(img);
      figure.appendChild(caption);
      forms.appendChild(figure);
    });
    $("l-print-state").hidden = true;
    $("l-take").hidden = !state.token || !fieldNames[p.service];
    $("l-print").hidden = !state.token;
  }

  function printList() {
    var p = state.procedure;
    if (!p || state.busy) return;
    state.busy = true;
    var line = $("l-print-state");
    line.hidden = false;
    line.dataset.state = "printing";
    line.textContent = "Đang in danh sách giấy tờ…";
    api("POST", "/api/v1/procedures/" + encodeURIComponent(p.code) + "/print", undefined, {}, 8000)
      .then(function (result) {
        state.busy = false;
        if (result.status === 401 || result.status === 403) { tokenRefused(); return; }
        if (result.status !== 200) {
          line.dataset.state = "failed";
          line.textContent = errorOf(result).message || "Chưa in được. Vui lòng thử lại.";
          return;
        }
        var print = result.body;
        line.dataset.state = print.state;
        line.textContent = print.state === "printed" ? "Đã in. Mời quý công dân nhận giấy ở khe máy in."
          : print.state === "printing" ? "Đang in…" : (print.message || "Máy in gặp sự cố, chưa in được.");
      }, function () {
        state.busy = false;
        line.dataset.state = "failed";
        line.textContent = "Mất kết nối tới máy chủ. Vui lòng thử lại.";
      });
  }

  // --- a number for this procedure (the ticket kiosk's rules, limits and retries) -------------

  function takeNumber(service) {
    if (state.busy || !service) return;
    state.busy = true;
    app.dataset.busy = "true";
    var key = XephangDevice.requestKey("lookup");
    var giveUpAt = Date.now() + PRESS_RETRY_MS;
    var attempt = function () {
      api("POST", "/api/v1/kiosk/tickets", { service: service, priority: null },
          { "Idempotency-Key": key }, 8000).then(function (result) {
        state.busy = false;
        app.dataset.busy = "false";
        numberAnswer(result);
      }, function () {
        if (Date.now() > giveUpAt) {
          state.busy = false;
          app.dataset.busy = "false";
          message("Mất kết nối", "Chưa lấy được số. Vui lòng thử lại hoặc dùng kiosk lấy số.");
          return;
        }
        setTimeout(attempt, 2000);  // the same key: a retry never gives a second number
      });
    };
    attempt();
  }

  function numberAnswer(result) {
    if (result.status === 200 || result.status === 201) { showTicket(result.body.ticket, result.body.print); return; }
    if (result.status === 401 || result.status === 403) { tokenRefused(); return; }
    var error = errorOf(result);
    if (result.status === 429) { message("Vui lòng đợi một chút", error.message); return; }
    message("Chưa lấy được số", error.message || "Vui lòng thử lại hoặc hỏi cán bộ hướng dẫn.");
  }

  function showTicket(ticket, print) {
    $("l-t-label").textContent = ticket.label;
    $("l-t-field").textContent = "Lĩnh vực: " + (fieldNames[ticket.service] || ticket.service);
    $("l-t-ahead").textContent = ticket.ahead ? "Trước quý công dân còn " + ticket.ahead + " người" : "Quý công dân là người tiếp theo";
    var printed = print && print.state === "printed";
    $("l-t-print").textContent = printed ? "Mời nhận phiếu ở khe máy in." : "Máy in chưa in được phiếu — quý công dân vui lòng ghi nhớ số.";
    $("l-t-print").dataset.state = print ? print.state : "failed";
    show("ticket");
    startCountdown(options.return_seconds + (printed ? 0 : 15));
  }

  function tokenRefused() {
    device.forget();
    setToken(null);
    if (state.socket) state.socket.disconnect();
    message("Kiosk chưa được cấp mã hợp lệ", "Vui lòng báo cán bộ. Quý công dân vẫn tra cứu được thủ tục và hồ sơ.");
  }

  // --- dossier status -----------------------------------------------------------------------

  var codeKeyboard = VNKeys.mount($("l-code-keyboard"), {
    layout: "code", telex: false, maxLength: 64,
    onChange: function (text) { $("l-code").value = text; },
  });

  var dateFormat = new Intl.DateTimeFormat("vi-VN", {
    day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit",
    hour12: false, timeZone: options.timezone || undefined,
  });

  function when(text) {
    if (!text) return "—";
    var moment = new Date(text);
    return isNaN(moment.getTime()) ? "—" : dateFormat.format(moment);
  }

  function checkDossier() {
    var code = codeKeyboard.text().trim();
    var error = $("l-dossier-error");
    $("l-dossier-result").hidden = true;
    error.hidden = true;
    if (!code) { error.textContent = "Quý công dân vui lòng nhập mã hồ sơ."; error.hidden = false; return; }
    app.dataset.checking = "true";
    api("GET", "/api/v1/dossiers/" + encodeURIComponent(code), undefined, {}, 10000).then(function (result) {
      app.dataset.checking = "false";
      if (result.status === 200) { showDossier(result.body); return; }
      var problem = errorOf(result);
      error.dataset.code = problem.code;
      error.textContent = result.status === 422
        ? "Mã hồ sơ chưa đúng. Mã gồm chữ, số và dấu gạch ngang, như trên phiếu tiếp nhận."
        : problem.message || "Chưa tra cứu được hồ sơ lúc này. Vui lòng thử lại sau.";
      error.hidden = false;
    }, function () {
      app.dataset.checking = "false";
      error.dataset.code = "offline";
      error.textContent = "Mất kết nối tới máy chủ. Vui lòng thử lại.";
      error.hidden = false;
    });
  }

  function showDossier(d) {
    var status = $("l-d-status");
    status.textContent = options.dossier_statuses[d.status] || d.status;
    status.dataset.status = d.status;
    $("l-d-text").textContent = d.status_text;
    $("l-d-received").textContent = when(d.received_at);
    $("l-d-due").textContent = when(d.due_at);
    $("l-d-updated").textContent = when(d.updated_at);
    $("l-take-results").hidden = !(d.status === "ready" && state.token && options.results_service);
    $("l-dossier-result").hidden = false;
  }

  // --- ratings asked for by a counter ------------------------------------------------------------

  function connect() {
    if (!state.token || !ratingCounters.length || typeof io !== "function") return;
    var socket = io({ transports: ["websocket"], auth: { token: state.token }, reconnectionDelayMax: 3000 });
    state.socket = socket;
    socket.on("connect", function () {
      // Live once the core has put the page in its counters' rooms (the subscription's answer).
      socket.emit("subscribe", { rooms: ratingCounters.map(function (n) { return "counter:" + n; }) },
        function () { app.dataset.live = "true"; });
    });
    socket.on("disconnect", function () { app.dataset.live = "false"; });
    socket.on("rating_requested", function (payload) {
      if (!payload || !payload.ticket || ratingCounters.indexOf(payload.counter) < 0) return;
      state.rating = { counter: payload.counter, ticket: payload.ticket, at: Date.now() };
      clearTimeout(state.ratingTimer);
      state.ratingTimer = setTimeout(dropRating, options.ratings.window_seconds * 1000);
      if (app.dataset.screen === "attract") openRating();
      else showRatingCall();
    });
  }

  function expired(rating) {
    return Date.now() - rating.at > options.ratings.window_seconds * 1000;
  }

  function showRatingCall() {
    var r = state.rating;
    $("l-rating-call-text").textContent = (options.counter_names[r.counter] || WORDS.counter + " " + r.counter) +
      " mời quý công dân đánh giá lượt phục vụ số " + r.ticket.label + " — chạm vào đây";
    $("l-rating-call").hidden = false;
  }

  function dropRating() {
    state.rating = null;
    $("l-rating-call").hidden = true;
    if (app.dataset.screen === "rating") goHome();
  }

  function openRating() {
    var r = state.rating;
    if (!r) return;
    $("l-rating-call").hidden = true;
    $("l-r-who").textContent = "Số " + r.ticket.label + " · " + (options.counter_names[r.counter] || WORDS.counter + " " + r.counter);
    $("l-r-question").textContent = "Quý công dân có hài lòng với sự phục vụ?";
    var box = $("l-r-choices");
    box.textContent = "";
    XephangRating.choices(box, options.ratings.levels, function (level) {
      var ratings = options.ratings;
      if ((ratings.reasons_for || []).indexOf(level) >= 0 && ratings.reasons.length) {
        box.textContent = "";
        $("l-r-question").textContent = "Xin cho biết điều quý công dân chưa hài lòng";
        XephangRating.reasons(box, ratings.reasons, function (reason) { sendRating(r, level, reason); });
        return;
      }
      sendRating(r, level, null);
    });
    show("rating");
  }

  function sendRating(r, level, reason) {
    state.rating = null;
    clearTimeout(state.ratingTimer);
    var body = { ticket: r.ticket.id, level: level };
    if (reason) body.comment = reason;
    api("POST", "/api/v1/counters/" + r.counter + "/rating", body, {}, 8000).then(function (result) {
      return XephangRating.outcomeOf({ ok: result.status < 300, json: function () { return Promise.resolve(result.body || {}); } });
    }).then(function (outcome) {
      if (outcome.outcome === "rated") message("Cảm ơn quý công dân!", "Ý kiến của quý công dân giúp chúng tôi phục vụ tốt hơn.");
      else if (outcome.outcome === "already_rated") message("Lượt phục vụ này đã được đánh giá", "Cảm ơn quý công dân!");
      else message("Không ghi nhận được đánh giá", outcome.message);
      app.dataset.rated = outcome.outcome;
      startThanks();
    }, function () {
      message("Chưa gửi được đánh giá", "Mất kết nối tới máy chủ. Xin lỗi quý công dân.");
      startThanks();
    });
  }

  function startThanks() {
    clearTimeout(state.idleTimer);
    state.idleTimer = setTimeout(goHome, options.ratings.thanks_seconds * 1000);
  }

  // --- wiring ---------------------------------------------------------------------------------

  app.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target || target.disabled) return;
    if (target.dataset.chip !== undefined) { state.chip = target.dataset.chip; paintChips(); runSearch(); return; }
    if (target.dataset.field) { openSearch(target.dataset.field); return; }
    if (target.dataset.code) { openProcedure(target.dataset.code, app.dataset.screen); return; }
    var action = target.dataset.action;
    if (action === "home") goHome();
    else if (action === "search") openSearch("");
    else if (action === "dossier") { show("dossier"); }
    else if (action === "back") show(state.backTo === "attract" ? "search" : state.backTo);
    else if (action === "print") printList();
    else if (action === "take" && state.procedure) takeNumber(state.procedure.service);
    else if (action === "take-results") takeNumber(options.results_service);
    else if (action === "check") checkDossier();
    else if (action === "rate") openRating();
  });
  // Any touch keeps the page where it is for another minute.
  document.addEventListener("pointerdown", touched, true);
  // The attract screen: a touch anywhere but its buttons opens the search.
  document.querySelector(".l-attract").addEventListener("click", function (event) {
    if (!event.target.closest("button")) openSearch("");
  });

  $("l-attract-dossier").hidden = !options.dossiers;

  var clockFormat = new Intl.DateTimeFormat("vi-VN", {
    hour: "2-digit", minute: "2-digit", hour12: false, timeZone: options.timezone || undefined,
  });
  function tick() { $("l-clock").textContent = clockFormat.format(new Date()); }
  tick();
  setInterval(tick, 10000);

  window.addEventListener("hashchange", function () {
    if (/token=/.test(window.location.hash)) window.location.reload();
  });

  /* Without a token the page still searches; a small badge offers pairing for printing,
   * numbers and ratings. */
  function offerPairing() {
    if (!window.XephangPairing || document.getElementById("l-pairing")) return;
    var holder = document.createElement("div");
    holder.id = "l-pairing";
    document.body.appendChild(holder);
    XephangPairing.start({ device: "lookup", storageKey: TOKEN_KEY, element: holder, compact: true,
                           name: "kiosk-tra-cuu", onToken: function () { window.location.reload(); } });
  }

  setToken(device.token);
  if (state.token) {
    api("GET", "/api/v1/auth/me", undefined, {}, 5000).then(function (result) {
      if (result.status === 401 || result.status === 403) {
        device.forget(); setToken(null); offerPairing(); return;
      }
      connect();
    }, function () { connect(); });
  } else {
    offerPairing();
  }
  app.dataset.ready = "true";
})();
