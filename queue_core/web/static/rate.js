/* The counter's rating device: idle until the core asks for a rating of the ticket just
 * finished at this counter (`rating_requested` in room counter:N), then three big choices,
 * the reasons when unsatisfied, thanks, and back to idle. One rating per ticket.
 *
 * Provisioning: the installer creates a kiosk token and opens /rate/N#token=… once; the
 * token is kept in this browser's localStorage and taken out of the address bar.
 */
(function () {
  "use strict";

  const CONFIG = JSON.parse(document.getElementById("rate-config").textContent);
  const OPTIONS = CONFIG.options;
  const TOKEN_KEY = "xephang.rate.token";
  const $ = (id) => document.getElementById(id);

  const state = { token: null, socket: null, ticket: null, timer: null, handled: new Set() };

  function show(name) {
    for (const screen of document.querySelectorAll(".screen")) {
      screen.hidden = screen.dataset.screen !== name;
    }
    document.body.dataset.screen = name;
  }

  function later(seconds, then) {
    clearTimeout(state.timer);
    state.timer = setTimeout(then, seconds * 1000);
  }

  function countdown(id, seconds) {
    const bar = $(id);
    bar.style.animation = "none";
    void bar.offsetWidth;
    bar.style.animation = "countdown " + seconds + "s linear forwards";
  }

  // --- the device token -------------------------------------------------------------------

  function readToken() {
    const hash = new URLSearchParams(location.hash.slice(1));
    const given = hash.get("token");
    if (given) {
      localStorage.setItem(TOKEN_KEY, given);
      history.replaceState(null, "", location.pathname + location.search);
    }
    return localStorage.getItem(TOKEN_KEY);
  }

  let pairing = null;

  /* No usable token: show the pairing code; an admin's approval brings the token (kept). */
  function setup(reason, refused) {
    clearTimeout(state.timer);
    if (refused) {
      try { localStorage.removeItem(TOKEN_KEY); } catch (e) { /* nothing kept */ }
      if (state.socket) { state.socket.disconnect(); state.socket = null; }
    }
    $("setup-reason").textContent = reason;
    show("setup");
    if (!pairing && window.XephangPairing) {
      pairing = XephangPairing.start({ device: "rating", storageKey: TOKEN_KEY,
                                       name: "danh-gia-quay-" + CONFIG.counter,
                                       element: $("rate-pairing"),
                                       onToken: () => window.location.reload() });
    }
  }

  async function checkToken() {
    let response;
    try {
      response = await fetch("/api/v1/auth/me", {
        headers: { Authorization: "Bearer " + state.token, Accept: "application/json" },
      });
    } catch (err) {
      return "offline";
    }
    if (response.status === 401) return "invalid";
    if (!response.ok) return "offline";
    const me = await response.json();
    return ["kiosk", "manager"].includes(me.user.role) ? "ok" : "role";
  }

  // --- live link --------------------------------------------------------------------------

  function connect() {
    const socket = io({ transports: ["websocket"], auth: { token: state.token },
                        reconnectionDelay: 500, reconnectionDelayMax: 3000 });
    state.socket = socket;
    socket.on("connect", () => {
      socket.emit("subscribe", { rooms: ["counter:" + CONFIG.counter] });
    });
    // Ready once the counter's room is joined: the core answers `subscribe` with the Board.
    socket.on("board", () => setLink(true));
    socket.on("disconnect", (reason) => {
      setLink(false);
      if (reason === "io server disconnect") setTimeout(() => socket.connect(), 1000);
    });
    socket.on("connect_error", () => setLink(false));
    socket.on("rating_requested", onRequest);
  }

  function setLink(up) {
    const link = $("link-state");
    link.textContent = up ? "Sẵn sàng" : "Mất kết nối — đang thử lại…";
    link.className = "link " + (up ? "link-on" : "link-off");
  }

  // --- the rating -------------------------------------------------------------------------

  function onRequest(payload) {
    if (!payload || payload.counter !== CONFIG.counter || !payload.ticket) return;
    const ticket = payload.ticket;
    if (state.handled.has(ticket.id)) return;
    ask(ticket);
  }

  function ask(ticket) {
    state.ticket = ticket;
    $("ask-label").textContent = ticket.label;
    const box = $("ask-choices");
    box.textContent = "";
    XephangRating.choices(box, OPTIONS.levels, (level) => picked(ticket, level));
    show("ask");
    countdown("ask-bar", OPTIONS.idle_seconds);
    later(OPTIONS.idle_seconds, idle);
  }

  function picked(ticket, level) {
    if ((OPTIONS.reasons_for || []).includes(level) && OPTIONS.reasons.length) {
      const box = $("reason-list");
      box.textContent = "";
      XephangRating.reasons(box, OPTIONS.reasons, (reason) => send(ticket, level, reason));
      show("reasons");
      countdown("reasons-bar", OPTIONS.idle_seconds);
      // The citizen has chosen; walking away from the reasons still counts the choice.
      later(OPTIONS.idle_seconds, () => send(ticket, level, null));
      return;
    }
    send(ticket, level, null);
  }

  async function send(ticket, level, reason) {
    clearTimeout(state.timer);
    state.handled.add(ticket.id);
    const body = { ticket: ticket.id, level };
    if (reason) body.comment = reason;
    let response = null;
    for (let attempt = 0; attempt < 3 && response === null; attempt++) {
      try {
        response = await fetch("/api/v1/counters/" + CONFIG.counter + "/rating", {
          method: "POST",
          headers: { Authorization: "Bearer " + state.token, "Content-Type": "application/json",
                     Accept: "application/json" },
          body: JSON.stringify(body),
        });
      } catch (err) {
        await new Promise((resolve) => setTimeout(resolve, 1500));
      }
    }
    if (response === null) {
      done("unsent", "Chưa gửi được đánh giá", "Mất kết nối tới máy chủ. Xin lỗi quý công dân.");
      return;
    }
    if (response.status === 401) {
      setup("Mã thiết bị không còn hiệu lực.", true);
      return;
    }
    const result = await XephangRating.outcomeOf(response);
    if (result.outcome === "rated") {
      done("thanks", "Cảm ơn quý công dân!", "Ý kiến của quý công dân giúp chúng tôi phục vụ tốt hơn.");
    } else if (result.outcome === "already_rated") {
      done("refused", "Số " + ticket.label + " đã được đánh giá", "Mỗi lượt phục vụ chỉ được đánh giá một lần. Cảm ơn quý công dân!");
    } else if (result.outcome === "expired") {
      done("refused", "Đã hết thời gian đánh giá", result.message);
    } else {
      done("refused", "Không ghi nhận được đánh giá", result.message);
    }
  }

  function done(kind, title, text) {
    state.ticket = null;
    $("done-face").innerHTML = kind === "thanks" ? XephangRating.thanks() : "";
    $("done-title").textContent = title;
    $("done-text").textContent = text || "";
    $("screen-done").dataset.kind = kind;
    show("done");
    later(OPTIONS.thanks_seconds, idle);
  }

  function idle() {
    clearTimeout(state.timer);
    state.ticket = null;
    show("idle");
  }

  // --- start ------------------------------------------------------------------------------

  async function start() {
    // A token given to an open page (the installer pasted the address again): start over with it.
    window.addEventListener("hashchange", () => {
      if (new URLSearchParams(location.hash.slice(1)).get("token")) location.reload();
    });
    const faces = $("idle-faces");
    for (const item of OPTIONS.levels) {
      const span = document.createElement("span");
      span.innerHTML = XephangRating.face(item.level);
      span.style.color = XephangRating.colorOf(item.level);
      faces.appendChild(span);
    }
    state.token = readToken();
    if (!state.token) {
      setup("Chưa có mã thiết bị trên trình duyệt này.");
      return;
    }
    let verdict = await checkToken();
    while (verdict === "offline") {
      setLink(false);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      verdict = await checkToken();
    }
    if (verdict === "invalid") {
      setup("Mã thiết bị không đúng hoặc đã bị thu hồi.", true);
      return;
    }
    if (verdict === "role") {
      setup("Mã này không phải mã của thiết bị kiosk (role kiosk).");
      return;
    }
    idle();
    connect();
  }

  start();
})();
