/* The officer's console: one counter's desk, live over Socket.IO, actions over REST.
 *
 * Nothing here reloads the page. The counter's state lives in the core; this page shows
 * it (board + events, then GET /counters/N/queue for the lists) and sends actions. When the
 * session ends, the login form comes back over the desk and the desk resumes after login.
 */
(function () {
  "use strict";

  const CONFIG = JSON.parse(document.getElementById("staff-config").textContent);
  const $ = (id) => document.getElementById(id);
  const SERVICES = Object.fromEntries(CONFIG.services.map((s) => [s.code, s.name]));
  const KEYS = { n: "next", l: "recall", v: "no_show", x: "finish", c: "transfer", t: "pause" };
  const WORDS = JSON.parse(document.getElementById("vocabulary").textContent);
  const STATE_WORDS = WORDS.counter_states;
  const COUNTER_KEY = "xephang.counter";
  // The pages are Vietnamese: the core answers in the page's language, whatever the
  // browser's own (the same rule as the manager's pages).
  const LANGUAGE = { "Accept-Language": document.documentElement.lang || "vi" };
  // Times as every other screen shows them: in the center's time zone, not the browser's.
  const CLOCK = centerClock(CONFIG.timezone);
  const HISTORY = 6;
  // A no-show is recorded this long after the key, unless taken back (Esc): V sits by X.
  const UNDO_MS = 5000;
  // A barcode scanner types its characters a few ms apart; a person, 100 ms or more. A
  // shortcut key waits this long for a second key before it acts: a second key this soon
  // is a scan, and the burst goes to the dossier field instead of acting.
  const SCAN_GAP_MS = 50;

  const state = {
    me: null,
    csrf: null,
    counter: null,       // the counter number this desk operates
    view: null,          // the Counter (state, current ticket)
    viewSeq: -1,
    queue: null,         // GET /counters/N/queue
    waiting: {},         // waiting per field, from the latest event
    lastSeq: null,
    offset: 0,           // server clock minus this browser's clock, in ms
    busy: false,
    socket: null,
    queueTimer: null,
    queueAsked: 0,
    then: null,          // what the busy dialog does after finish / no-show
    listShape: null,     // the lists as last drawn
    queued: null,        // an action asked for while another was on its way
    ownRecall: null,     // ticket id#recalls of this console's last recall
    pendingNoShow: null, // {ticket, timer, tick, until}: a no-show waiting out its undo time
    dossier: null,       // {ticket, code, procedure}: the dossier attached here last
    burst: null,         // {keys, timer}: keys typed outside any field, perhaps a scan
    ready: false,
  };

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  // --- talking to the core ----------------------------------------------------------------

  function centerClock(timeZone) {
    const options = { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" };
    let format;
    try {
      format = new Intl.DateTimeFormat("en-GB", Object.assign({ timeZone }, options));
    } catch (err) {
      format = new Intl.DateTimeFormat("en-GB", options);
    }
    // "08:05:09" (seconds) or "08:05", for a moment in ms since the epoch.
    return (ms, seconds = true) => format.format(new Date(ms)).slice(0, seconds ? 8 : 5);
  }

  async function api(method, path, body, retried) {
    const headers = Object.assign({ Accept: "application/json" }, LANGUAGE);
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && state.csrf) headers["X-CSRFToken"] = state.csrf;
    let response;
    try {
      response = await fetch("/api/v1" + path, {
        method, headers, credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new ApiError(0, "offline", "Không kết nối được tới máy chủ. Kiểm tra mạng rồi thử lại.");
    }
    if (response.status === 204) return null;
    let data = null;
    try { data = await response.json(); } catch (err) { data = null; }
    if (response.ok) return data;
    const error = (data && data.error) || {};
    if (response.status === 403 && error.code === "csrf_failed" && !retried) {
      await whoAmI();
      return api(method, path, body, true);
    }
    if (response.status === 401) sessionEnded();
    if (error.code === "storage_full") $("storage-state").hidden = false;
    throw new ApiError(response.status, error.code || "http_" + response.status,
                       error.message || "Máy chủ trả lỗi " + response.status + ".");
  }

  async function whoAmI() {
    const data = await fetch("/api/v1/auth/me", { credentials: "same-origin", headers: LANGUAGE });
    if (!data.ok) return null;
    const me = await data.json();
    state.csrf = me.csrf_token;
    state.me = me.user;
    return me.user;
  }

  // --- login and session ------------------------------------------------------------------

  function showLogin(message) {
    state.ready = false;
    const form = $("login-form");
    $("login-message").textContent = message || "";
    const remembered = new URLSearchParams(location.search).get("counter") ||
                       localStorage.getItem(COUNTER_KEY) || "";
    if (remembered && !form.counter.value) form.counter.value = remembered;
    if (state.me && !form.username.value) form.username.value = state.me.username;
    $("login").hidden = false;
    closeDialogs();
    (form.username.value ? form.password : form.username).focus();
  }

  function sessionEnded() {
    if ($("login").hidden) {
      showLogin("Phiên đăng nhập đã hết. Đăng nhập lại để tiếp tục; quầy vẫn giữ nguyên trạng thái.");
    }
  }

  async function login(event) {
    event.preventDefault();
    const form = event.target;
    const body = { username: form.username.value.trim(), password: form.password.value };
    if (form.counter.value) body.counter = Number(form.counter.value);
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    $("login-message").textContent = "Đang đăng nhập…";
    try {
      const response = await fetch("/api/v1/auth/login", {
        method: "POST", credentials: "same-origin",
        headers: Object.assign({ "Content-Type": "application/json", Accept: "application/json" },
                               LANGUAGE),
        body: JSON.stringify(body),
      });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) {
        $("login-message").textContent = (data.error && data.error.message) || "Không đăng nhập được.";
        return;
      }
      if (!["staff", "manager", "admin"].includes(data.user.role)) {
        $("login-message").textContent = "Tài khoản này không làm việc tại quầy.";
        return;
      }
      if (data.user.counter === null || data.user.counter === undefined) {
        $("login-message").textContent = "Tài khoản này chưa gắn với quầy nào: hãy chọn quầy làm việc.";
        form.counter.focus();
        return;
      }
      state.csrf = data.csrf_token;
      state.me = data.user;
      form.password.value = "";
      $("login").hidden = true;
      if (document.activeElement) document.activeElement.blur();
      begin();
    } catch (err) {
      $("login-message").textContent = "Không kết nối được tới máy chủ.";
    } finally {
      button.disabled = false;
    }
  }

  async function logout() {
    try {
      await fetch("/api/v1/auth/logout", { method: "POST", credentials: "same-origin" });
    } catch (err) { /* the form comes back either way */ }
    state.me = null;
    state.csrf = null;
    showLogin("Đã đăng xuất. Quầy vẫn giữ nguyên trạng thái.");
  }

  function begin() {
    const number = state.me.counter;
    if (state.counter !== number) {
      state.counter = number;
      state.view = null;
      state.viewSeq = -1;
      state.queue = null;
    }
    localStorage.setItem(COUNTER_KEY, String(number));
    const config = CONFIG.counters.find((c) => c.number === number);
    $("counter-name").textContent = config ? config.name : WORDS.counter + " " + number;
    const fields = $("counter-fields");
    fields.textContent = "";
    for (const code of config ? config.services : []) {
      const field = document.createElement("span");
      field.textContent = code + " · " + (SERVICES[code] || code);
      fields.appendChild(field);
    }
    $("link-state").hidden = false;
    $("officer-name").textContent = state.me.username;
    $("logout").hidden = false;
    $("desk").hidden = false;
    state.ready = true;
    document.title = (config ? config.name : WORDS.counter + " " + number) + " · Bàn làm việc cán bộ";
    if (!state.socket) connect();
    else if (state.socket.connected) state.socket.emit("subscribe", { rooms: ["board"] });
    render();
    loadQueue();
  }

  // --- live updates -----------------------------------------------------------------------

  function connect() {
    const socket = io({ transports: ["websocket"], reconnectionDelay: 500,
                        reconnectionDelayMax: 3000 });
    state.socket = socket;
    socket.on("connect", () => {
      socket.emit("subscribe", { rooms: ["board"] });
    });
    socket.on("disconnect", (reason) => {
      setLink(false);
      // The core said goodbye on purpose (a restart): socket.io waits for us to come back.
      if (reason === "io server disconnect") setTimeout(() => socket.connect(), 1000);
    });
    socket.on("connect_error", () => setLink(false));
    socket.on("board", onBoard);
    // The box's storage: while it is full no action can be saved, and the officer sees why.
    socket.on("device_status", (payload) => {
      if (payload && payload.device === "storage") $("storage-state").hidden = payload.status !== "error";
    });
    for (const name of ["ticket_issued", "ticket_called", "ticket_updated", "counter_updated"]) {
      socket.on(name, (payload) => onEvent(name, payload));
    }
  }

  function setLink(up) {
    const link = $("link-state");
    link.textContent = up ? "Đã kết nối" : "Mất kết nối — đang thử lại…";
    link.className = "link " + (up ? "link-on" : "link-off");
    document.body.classList.toggle("offline", !up);
  }

  function syncClock(now) {
    const at = Date.parse(now);
    if (!Number.isNaN(at)) state.offset = at - Date.now();
  }

  function onBoard(board) {
    // Live once the Board answering `subscribe` is in: from here every event reaches the desk.
    setLink(true);
    state.lastSeq = board.seq;
    if (board.now) syncClock(board.now);
    for (const s of board.services || []) state.waiting[s.code] = s.waiting;
    const mine = (board.counters || []).find((c) => c.number === state.counter);
    if (mine && board.seq >= state.viewSeq) setView(mine, board.seq);
    render();
    scheduleQueue(0);
  }

  function onEvent(name, payload) {
    if (!payload || typeof payload.seq !== "number") return;
    if (state.lastSeq !== null && payload.seq > state.lastSeq + 1) {
      // A change was missed: ask for the whole board again.
      state.socket.emit("subscribe", { rooms: ["board"] });
    }
    if (state.lastSeq === null || payload.seq > state.lastSeq) state.lastSeq = payload.seq;
    if (payload.waiting) state.waiting = Object.assign({}, payload.waiting);
    if (!state.counter) return;
    const ticket = payload.ticket || {};
    const fields = myFields();
    let relevant = fields.includes(ticket.service) || fields.includes(payload.transferred_from);
    if (name === "counter_updated" && payload.counter && payload.counter.number === state.counter) {
      if (payload.seq >= state.viewSeq) {
        const before = current();
        setView(payload.counter, payload.seq);
        remoteChange(before, current());
      }
      relevant = true;
    }
    if (name === "ticket_called" && payload.counter === state.counter && state.view &&
        payload.seq >= state.viewSeq) {
      const before = current();
      state.view = Object.assign({}, state.view, { current: payload.ticket });
      state.viewSeq = payload.seq;
      const echo = payload.ticket.id + "#" + payload.ticket.recalls;
      if (payload.recall && !state.busy && echo !== state.ownRecall) {
        notify("info", "Số " + payload.ticket.label + " vừa được gọi lại (từ thiết bị khác).");
      } else {
        remoteChange(before, current());
      }
      relevant = true;
    }
    render();
    if (relevant) scheduleQueue(150);
  }

  function remoteChange(before, after) {
    // Our own actions say what they did; this tells about a keypad or a colleague's console.
    if (state.busy) return;
    const was = before && before.id;
    const now = after && after.id;
    if (was === now) return;
    if (now) notify("info", "Số " + after.label + " vừa được gọi đến quầy này (từ thiết bị khác).");
    else notify("info", "Số " + before.label + " vừa được kết thúc tại quầy này (từ thiết bị khác).");
  }

  function setView(view, seq) {
    state.view = view;
    state.viewSeq = seq;
  }

  function scheduleQueue(delay) {
    clearTimeout(state.queueTimer);
    state.queueTimer = setTimeout(loadQueue, delay);
  }

  async function loadQueue() {
    if (!state.ready || !state.counter) return;
    const asked = ++state.queueAsked;
    let data;
    try {
      data = await api("GET", "/counters/" + state.counter + "/queue");
    } catch (err) {
      return;
    }
    if (asked !== state.queueAsked) return;
    state.queue = data;
    syncClock(data.now);
    if (data.seq >= state.viewSeq) setView(data.counter, data.seq);
    render();
  }

  // --- actions ----------------------------------------------------------------------------

  function current() {
    return state.view ? state.view.current : null;
  }

  function myFields() {
    const config = CONFIG.counters.find((c) => c.number === state.counter);
    return config ? config.services : [];
  }

  // Waiting in one field: from the list when it is as fresh as the latest event.
  function waitingIn(code) {
    const queue = state.queue;
    if (queue && queue.seq >= (state.lastSeq || 0)) {
      return queue.waiting.filter((t) => t.service === code).length;
    }
    return state.waiting[code] || 0;
  }

  function waitingMine() {
    if (state.queue && state.queue.seq >= (state.lastSeq || 0)) return state.queue.waiting.length;
    return myFields().reduce((sum, code) => sum + (state.waiting[code] || 0), 0);
  }

  // Why an action would be refused now, or "" when it may go.
  function refusal(action) {
    const view = state.view;
    if (!view) return "";  // not loaded yet: the core decides
    const serving = current();
    switch (action) {
      case "next":
      case "call":
        if (view.state !== "open") return "Quầy đang " + STATE_WORDS[view.state].toLowerCase() +
          ": mở quầy trước (T).";
        // Nobody waiting is not a refusal: the list may be a moment behind, so ask the core.
        return "";
      case "recall":
      case "no_show":
      case "finish":
      case "transfer":
        return serving ? "" : "Chưa có số nào đang được phục vụ.";
      default:
        return "";
    }
  }

  async function perform(action, ticket) {
    if (!state.ready) return;
    if (state.busy) {
      // A key pressed while the last action is on its way (the new number may show before
      // the answer arrives): do it right after, in order, unless that action fails.
      state.queued = { action, ticket };
      return;
    }
    if (state.pendingNoShow) {
      // Another key while a no-show waits: next goes on from the no-show; finishing,
      // recalling or transferring the citizen means the no-show was a slip: dropped.
      if (action === "no_show") return;
      if (action === "next" || action === "call") {
        const pending = commitNoShow();
        if (!(await pending)) return;
      } else if (action !== "pause") {
        undoNoShow(false);
      }
    }
    const reason = refusal(action);
    if (reason) {
      notify("error", reason);
      return;
    }
    if (action === "no_show") {
      startNoShow();
      return;
    }
    if ((action === "next" || action === "call") && current()) {
      openBusy(null, action === "call" ? ticket : null);
      return;
    }
    if (action === "transfer") {
      openTransfer();
      return;
    }
    await send(action, ticket);
  }

  const REQUESTS = {
    next: () => ["POST", "/call-next"],
    call: (ticket) => ["POST", "/call", { ticket: ticket.id }],
    recall: () => ["POST", "/recall"],
    no_show: () => ["POST", "/no-show"],
    finish: () => ["POST", "/finish"],
    transfer: (arg) => ["POST", "/transfer", { service: arg.service, keep_place: arg.keep }],
    pause: () => ["PUT", "/state", { state: state.view && state.view.state === "open" ? "paused" : "open" }],
  };

  const WORKING = {
    next: "Đang gọi số tiếp theo…", call: "Đang gọi…", recall: "Đang gọi lại…",
    no_show: "Đang ghi vắng mặt…", finish: "Đang kết thúc…", transfer: "Đang chuyển…",
    pause: "Đang đổi trạng thái quầy…",
  };

  // Send one action; returns true when the core accepted it.
  async function send(action, arg) {
    const [method, suffix, body] = REQUESTS[action](arg);
    setBusy(true);
    notify("work", WORKING[action]);
    let result;
    try {
      result = await api(method, "/counters/" + state.counter + suffix, body);
    } catch (err) {
      state.queued = null;
      setBusy(false);
      if (!refused(action, err, arg)) scheduleQueue(0);
      return false;
    }
    setBusy(false);
    accepted(action, result, arg);
    scheduleQueue(0);
    const queued = state.queued;
    state.queued = null;
    if (queued) setTimeout(() => perform(queued.action, queued.ticket), 0);
    return true;
  }

  function accepted(action, result, arg) {
    const n = state.counter;
    switch (action) {
      case "next":
      case "call":
        if (!result) {
          notify("info", "Không có công dân nào đang chờ.");
          return;
        }
        state.view = Object.assign({}, state.view, { current: result });
        notify("ok", "Đã gọi số " + result.label + " đến quầy " + n + ".");
        flashServing();
        break;
      case "recall":
        // Its event may come after this answer: it is ours, not another device's.
        state.ownRecall = result.id + "#" + result.recalls;
        state.view = Object.assign({}, state.view, { current: result });
        notify("ok", "Đã gọi lại số " + result.label + " (lần " + (result.recalls + 1) + ").");
        break;
      case "no_show":
        state.view = Object.assign({}, state.view, { current: null });
        notify("ok", "Đã ghi số " + result.label + " vắng mặt. Có thể gọi lại trong danh sách vắng mặt.");
        break;
      case "finish":
        state.view = Object.assign({}, state.view, { current: null });
        notify("ok", "Đã kết thúc số " + result.label + ". Mời công dân đánh giá.");
        break;
      case "transfer":
        state.view = Object.assign({}, state.view, { current: null });
        notify("ok", "Đã chuyển số " + result.label + " sang " + (SERVICES[result.service] || result.service) +
          (arg.keep ? " (giữ thứ tự)." : " (xếp cuối hàng)."));
        break;
      case "pause":
        state.view = result;
        notify("ok", result.state === "open" ? "Đã mở quầy." : "Đã tạm dừng quầy: không nhận gọi số mới.");
        break;
      default:
        break;
    }
    render();
  }

  // Say why the core refused; returns true when it also re-read the counter itself.
  function refused(action, err, arg) {
    if (err.status === 401) return false;  // the login form is back; nothing else to say
    notify("error", err.message);
    if (err.code === "counter_busy" && (action === "next" || action === "call")) {
      // This desk was behind: read the counter again, then ask what to do with its ticket.
      loadQueue().then(() => openBusy(err.message, action === "call" ? arg : null));
      return true;
    }
    return false;
  }

  // --- a no-show, undoable for a few seconds ---------------------------------------------

  function startNoShow() {
    const ticket = current();
    const pending = { ticket, until: Date.now() + UNDO_MS, timer: null, tick: null };
    state.pendingNoShow = pending;
    pending.timer = setTimeout(() => { commitNoShow(); }, UNDO_MS);
    pending.tick = setInterval(showUndo, 250);
    showUndo();
    renderButtons();
  }

  function showUndo() {
    const pending = state.pendingNoShow;
    $("undo").hidden = !pending;
    if (!pending) return;
    const left = Math.max(0, Math.ceil((pending.until - Date.now()) / 1000));
    $("undo-text").textContent = "Ghi vắng mặt số " + pending.ticket.label + " sau " + left + " giây…";
  }

  function clearNoShow() {
    const pending = state.pendingNoShow;
    if (pending) {
      clearTimeout(pending.timer);
      clearInterval(pending.tick);
    }
    state.pendingNoShow = null;
    showUndo();
    renderButtons();
    return pending;
  }

  // Record the waiting no-show now; resolves true when the core took it.
  function commitNoShow() {
    const pending = clearNoShow();
    if (!pending) return Promise.resolve(true);
    const serving = current();
    if (!serving || serving.id !== pending.ticket.id) return Promise.resolve(true);  // gone already
    return send("no_show");
  }

  function undoNoShow(say) {
    const pending = clearNoShow();
    if (pending && say !== false) {
      notify("info", "Đã hủy ghi vắng mặt số " + pending.ticket.label + ": vẫn đang phục vụ.");
    }
  }

  // --- the two dialogs --------------------------------------------------------------------

  function openBusy(message, ticket) {
    const serving = current();
    const next = ticket ? "số " + ticket.label : "số tiếp theo";
    state.then = ticket ? { action: "call", ticket } : { action: "next" };
    $("busy-title").textContent = serving ? "Số " + serving.label + " vẫn đang được phục vụ" :
      "Quầy đang phục vụ";
    $("busy-text").textContent = message ||
      "Hãy kết thúc hoặc báo vắng mặt trước khi gọi " + next + ".";
    $("busy-finish").textContent = "Xong rồi gọi " + next;
    $("busy-noshow").textContent = "Vắng mặt rồi gọi " + next;
    $("busy-dialog").showModal();
  }

  async function busyChoice(close) {
    const then = state.then;
    $("busy-dialog").close();
    if (!current()) {
      await send(then.action, then.ticket);
      return;
    }
    if (await send(close)) await send(then.action, then.ticket);
  }

  function openTransfer() {
    const serving = current();
    const box = $("transfer-fields");
    box.textContent = "";
    for (const s of CONFIG.services) {
      if (s.code === serving.service) continue;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "act field-choice";
      button.dataset.service = s.code;
      button.innerHTML = "<span class=\"act-name\"></span><kbd></kbd>";
      button.querySelector(".act-name").textContent = s.code + " · " + s.name;
      button.querySelector("kbd").textContent = s.code;
      button.addEventListener("click", () => transferTo(s.code));
      box.appendChild(button);
    }
    $("transfer-label").textContent = serving.label;
    $("transfer-keep").checked = true;
    $("transfer-dialog").showModal();
  }

  function transferTo(code) {
    const keep = $("transfer-keep").checked;
    $("transfer-dialog").close();
    send("transfer", { service: code, keep });
  }

  function closeDialogs() {
    for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  }

  // --- showing ----------------------------------------------------------------------------

  function setBusy(busy) {
    state.busy = busy;
    document.body.classList.toggle("working", busy);
    renderButtons();
  }

  let noticeTimer = null;
  function notify(kind, text) {
    const notice = $("notice");
    notice.className = "notice notice-" + kind;
    notice.textContent = "";
    const time = document.createElement("time");
    time.textContent = CLOCK(Date.now() + state.offset);
    const words = document.createElement("span");
    words.textContent = text;
    notice.append(time, words);
    clearTimeout(noticeTimer);
    if (kind === "ok" || kind === "info") {
      noticeTimer = setTimeout(() => notice.classList.add("notice-old"), 15000);
    }
    if (kind !== "work") remember(kind, time.textContent, text);
  }

  function remember(kind, at, text) {
    const history = $("history");
    const item = document.createElement("li");
    item.className = "history-" + kind;
    const time = document.createElement("time");
    time.textContent = at;
    item.append(time, document.createTextNode(" " + text));
    history.prepend(item);
    while (history.children.length > HISTORY) history.lastChild.remove();
  }

  function flashServing() {
    const box = $("serving");
    box.classList.remove("flash");
    void box.offsetWidth;
    box.classList.add("flash");
  }

  function render() {
    const pending = state.pendingNoShow;
    if (pending && (!current() || current().id !== pending.ticket.id)) {
      clearNoShow();  // the citizen left this counter some other way (keypad, colleague)
    }
    renderServing();
    renderButtons();
    renderQueue();
  }

  function renderServing() {
    const view = state.view;
    const pill = $("counter-state");
    if (view) {
      pill.hidden = false;
      pill.textContent = STATE_WORDS[view.state] || view.state;
      pill.className = "pill pill-" + view.state;
    }
    const serving = current();
    const box = $("serving");
    box.classList.toggle("idle", !serving);
    $("serving-label").textContent = serving ? serving.label : "—";
    $("serving-field").textContent = serving ?
      serving.service + " · " + (SERVICES[serving.service] || "") :
      (view && view.state !== "open" ? WORDS.counter + " " + STATE_WORDS[view.state].toLowerCase() :
        "Chưa gọi số nào");
    const prio = $("serving-priority");
    prio.hidden = !(serving && serving.priority);
    prio.textContent = serving && serving.priority ?
      WORDS.priority + " · " + (WORDS.priorities[serving.priority] || serving.priority) : "";
    $("serving-recalls").textContent = serving && serving.recalls ?
      "đã gọi lại " + serving.recalls + " lần" : "";
    $("pause-name").textContent = view && view.state !== "open" ? "Mở quầy" : STATE_WORDS.paused;
    renderDossier();
    tick();
  }

  // --- the dossier (mã hồ sơ) ------------------------------------------------------------

  function renderDossier() {
    const serving = current();
    const input = $("dossier-code");
    input.disabled = !serving;
    $("dossier-save").disabled = !serving;
    if (!serving && document.activeElement === input) input.blur();
    const shown = state.dossier && serving && state.dossier.ticket === serving.id ?
      state.dossier : null;
    const line = $("dossier-current");
    line.hidden = !shown;
    line.textContent = shown ? "Số " + serving.label + " đã gắn hồ sơ " + shown.code : "";
  }

  async function attachDossier(event) {
    if (event) event.preventDefault();
    const input = $("dossier-code");
    const serving = current();
    const code = input.value.trim();
    if (!serving || !code) return;
    try {
      const ticket = await api("PUT", "/tickets/" + encodeURIComponent(serving.id) + "/dossier",
                               { code });
      state.dossier = { ticket: ticket.id, code: ticket.dossier.code };
      input.value = "";
      input.blur();
      notify("ok", "Đã gắn hồ sơ " + ticket.dossier.code + " cho số " + ticket.label + ".");
      renderDossier();
    } catch (err) {
      notify("error", err.message);
      input.focus();
      input.select();
    }
  }

  // Keys typed outside any field: one alone is a shortcut; a fast burst is a scanned code.
  function burstKey(key) {
    const burst = state.burst;
    if (burst === null) {
      state.burst = { keys: [key], timer: setTimeout(endBurst, SCAN_GAP_MS) };
      return;
    }
    clearTimeout(burst.timer);
    state.burst = null;
    const input = $("dossier-code");
    if (input.disabled) {
      notify("error", "Chưa có công dân đang được phục vụ: gọi số trước khi quét mã hồ sơ.");
      return;
    }
    // The rest of the scan types straight into the field, and its Enter attaches it.
    input.value = burst.keys.join("") + key;
    input.focus();
  }

  function endBurst() {
    const burst = state.burst;
    state.burst = null;
    if (burst === null || burst.keys.length !== 1) return;
    const action = KEYS[burst.keys[0].toLowerCase()];
    if (action) perform(action);
  }

  function renderButtons() {
    for (const button of document.querySelectorAll("#actions [data-action]")) {
      const reason = refusal(button.dataset.action);
      const waiting = button.dataset.action === "no_show" && !!state.pendingNoShow;
      button.disabled = state.busy || !!reason || waiting;
      button.title = reason;
    }
    const callReason = refusal("call");
    for (const button of document.querySelectorAll("#waiting-list button, #noshow-list button.call")) {
      button.disabled = state.busy || !!callReason;
      button.title = callReason;
    }
    for (const button of document.querySelectorAll("#noshow-list button.restore")) {
      button.disabled = state.busy;
    }
  }

  function renderQueue() {
    const fields = myFields();
    const counts = $("field-counts");
    counts.textContent = "";
    for (const code of fields) {
      const chip = document.createElement("span");
      chip.className = "chip";
      chip.dataset.service = code;
      chip.innerHTML = "<b></b> <span></span> <strong></strong>";
      chip.querySelector("b").textContent = code;
      chip.querySelector("span").textContent = SERVICES[code] || code;
      chip.querySelector("strong").textContent = String(waitingIn(code));
      counts.appendChild(chip);
    }
    const queue = state.queue;
    $("waiting-total").textContent = String(queue ? queue.waiting.length : waitingMine());
    // Rebuild the lists only when they changed: rows under the officer's finger stay put.
    const shape = queue ? JSON.stringify([queue.waiting, queue.no_show]) : "";
    if (shape !== state.listShape) {
      state.listShape = shape;
      const list = $("waiting-list");
      list.textContent = "";
      for (const ticket of queue ? queue.waiting : []) list.appendChild(waitingRow(ticket));
      const noShows = $("noshow-list");
      noShows.textContent = "";
      for (const ticket of queue ? queue.no_show : []) noShows.appendChild(noShowRow(ticket));
    }
    $("waiting-empty").hidden = !!(queue && queue.waiting.length);
    $("noshow-total").textContent = String(queue ? queue.no_show.length : 0);
    $("noshow-empty").hidden = !!(queue && queue.no_show.length);
    if (queue) {
      $("today-served").textContent = String(queue.today.served);
      $("today-noshow").textContent = String(queue.today.no_show);
      $("today-service").textContent = duration(queue.today.mean_service_s);
      $("today-wait").textContent = duration(queue.today.mean_wait_s);
    }
    renderButtons();
    tick();
  }

  function waitingRow(ticket) {
    const row = document.createElement("tr");
    row.dataset.ticket = ticket.id;
    row.dataset.label = ticket.label;
    if (ticket.priority) row.className = "priority";
    row.innerHTML = "<td class=\"pos\"></td><td class=\"label\"></td><td class=\"field\"></td>" +
      "<td class=\"waited\"></td><td class=\"do\"><button type=\"button\" class=\"call\">Gọi</button></td>";
    row.querySelector(".pos").textContent = String(ticket.ahead + 1);
    row.querySelector(".label").textContent = ticket.label;
    const field = row.querySelector(".field");
    field.textContent = SERVICES[ticket.service] || ticket.service;
    if (ticket.priority) {
      const badge = document.createElement("span");
      badge.className = "prio";
      badge.textContent = WORDS.priority + " · " + (WORDS.priorities[ticket.priority] || ticket.priority);
      field.appendChild(badge);
    }
    const waited = row.querySelector(".waited");
    waited.dataset.since = ticket.issued_at;
    const button = row.querySelector("button");
    button.setAttribute("aria-label", "Gọi số " + ticket.label);
    button.addEventListener("click", () => perform("call", ticket));
    return row;
  }

  function noShowRow(ticket) {
    const row = document.createElement("tr");
    row.dataset.ticket = ticket.id;
    row.dataset.label = ticket.label;
    row.innerHTML = "<td class=\"label\"></td><td class=\"field\"><span></span><small class=\"when\"></small></td>" +
      "<td class=\"do\"><button type=\"button\" class=\"call\">Gọi lại</button> " +
      "<button type=\"button\" class=\"restore quiet\">Về hàng chờ</button></td>";
    row.querySelector(".label").textContent = ticket.label;
    row.querySelector(".field span").textContent = SERVICES[ticket.service] || ticket.service;
    const at = ticket.finished_at ? Date.parse(ticket.finished_at) : NaN;
    row.querySelector(".when").textContent = !Number.isNaN(at) ?
      "vắng lúc " + CLOCK(at, false) + (ticket.counter ? " · quầy " + ticket.counter : "") : "";
    row.querySelector("button.call").setAttribute("aria-label", "Gọi lại số " + ticket.label);
    row.querySelector("button.call").addEventListener("click", () => perform("call", ticket));
    row.querySelector("button.restore").addEventListener("click", () => restore(ticket));
    return row;
  }

  async function restore(ticket) {
    if (state.busy) return;
    setBusy(true);
    notify("work", "Đang đưa số " + ticket.label + " về hàng chờ…");
    try {
      await api("POST", "/tickets/" + encodeURIComponent(ticket.id) + "/restore", { keep_place: true });
      notify("ok", "Số " + ticket.label + " đã trở lại hàng chờ, giữ thứ tự cũ.");
    } catch (err) {
      if (err.status !== 401) notify("error", err.message);
    } finally {
      setBusy(false);
      scheduleQueue(0);
    }
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return "—";
    const s = Math.max(0, Math.floor(seconds));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const pad = (v) => String(v).padStart(2, "0");
    return (h ? h + ":" + pad(m) : pad(m)) + ":" + pad(s % 60);
  }

  function since(iso) {
    const at = Date.parse(iso);
    return Number.isNaN(at) ? null : (Date.now() + state.offset - at) / 1000;
  }

  function tick() {
    const serving = current();
    $("serving-timer").textContent = serving && serving.called_at ?
      duration(since(serving.called_at)) : "00:00";
    for (const cell of document.querySelectorAll("#waiting-list .waited")) {
      const waited = since(cell.dataset.since);
      cell.textContent = duration(waited);
      cell.classList.toggle("long", waited !== null && waited > 15 * 60);
    }
  }

  // --- keyboard ---------------------------------------------------------------------------

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || !state.ready) return;
    if (event.key === "Shift" || event.key === "CapsLock") return;
    // Any other key ends a lone key's wait at once: it acts before this one is read.
    if (state.burst !== null && (event.key.length !== 1 || event.key === " ")) {
      clearTimeout(state.burst.timer);
      endBurst();
    }
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const transfer = $("transfer-dialog");
    if (transfer.open) {
      const code = event.key.toUpperCase();
      if (code.length === 1 && code !== $("transfer-label").textContent &&
          transfer.querySelector("[data-service=\"" + code + "\"]")) {
        event.preventDefault();
        transferTo(code);
      }
      return;
    }
    const busyDialog = $("busy-dialog");
    if (busyDialog.open) {
      if (key === "x" || key === "v") {
        event.preventDefault();
        busyChoice(key === "x" ? "finish" : "no_show");
      }
      return;
    }
    const tag = event.target && event.target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
    if (key === "Escape" && state.pendingNoShow) {
      event.preventDefault();
      undoNoShow();
      return;
    }
    if (event.key.length === 1 && event.key !== " ") {
      event.preventDefault();
      burstKey(event.key);
    }
  }

  // --- start ------------------------------------------------------------------------------

  async function start() {
    $("login-form").addEventListener("submit", login);
    $("logout").addEventListener("click", logout);
    $("undo-button").addEventListener("click", () => undoNoShow());
    for (const button of document.querySelectorAll("#actions [data-action]")) {
      button.addEventListener("click", () => perform(button.dataset.action));
    }
    for (const button of document.querySelectorAll("#busy-dialog [data-then]")) {
      button.addEventListener("click", () => busyChoice(button.dataset.then));
    }
    document.addEventListener("keydown", onKey);
    $("dossier-form").addEventListener("submit", attachDossier);
    $("dossier-save").addEventListener("click", () => attachDossier());
    setInterval(tick, 1000);
    let me = null;
    try { me = await whoAmI(); } catch (err) { me = null; }
    if (me && me.counter !== null && me.counter !== undefined &&
        ["staff", "manager", "admin"].includes(me.role) && me.kind === "user") {
      begin();
    } else {
      showLogin(me ? "Chọn quầy làm việc và đăng nhập lại." : "");
    }
  }

  start();
})();
