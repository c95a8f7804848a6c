/*
 * Shared by the wall screen and the counter screens.
 *
 * LiveBoard keeps the Board current from pushed events in `seq` order, with the same
 * rules as display/board.py (the native screen): a snapshot replaces everything;
 * events of one operation share a seq; a seq gap keeps the event aside and fetches
 * GET /api/v1/state; what is kept is bounded (recent calls, events kept aside).
 * Which call shows in large type, and a recall as one entry of the recent calls, follow
 * queue_core/domain/calls.py (addCall, shownCall below).
 *
 * XephangDisplay.start() connects with the vendored socket.io client (it reconnects by
 * itself, with growing delays), subscribes on every connect, shows the "connection
 * lost" overlay while disconnected, and calls the page's render function on changes.
 * A screen runs for weeks: no list grows, one timer of each kind, no page reload.
 */
(function (global) {
  "use strict";

  const PENDING_LIMIT = 500;
  const SNAPSHOT_TIMEOUT_MS = 10000;
  // Opening hours and the business day change with no event: look again now and then.
  const REFRESH_MS = 5 * 60 * 1000;
  const RESYNC_RETRY_MS = [500, 1000, 2000, 5000, 10000];

  function seqOf(payload) {
    const seq = payload && typeof payload === "object" ? payload.seq : undefined;
    return Number.isInteger(seq) ? seq : null;
  }

  function callKey(call) {
    return call ? [call.ticket || call.label, call.counter, !!call.recall, call.at || ""].join("|") : "";
  }

  /* --- queue_core/domain/calls.py, line for line ------------------------------------- */

  function sameCall(a, b) {
    return (a.ticket || a.label) === (b.ticket || b.label) && a.counter === b.counter;
  }

  /* Recent calls with `entry` on top; a recall takes the place of the call it repeats. */
  function addCall(recent, entry, limit) {
    const rest = recent.map((e) => Object.assign({}, e));
    if (entry.recall) {
      const index = rest.findIndex((known) => sameCall(known, entry));
      if (index >= 0) rest.splice(index, 1);
    }
    return [Object.assign({}, entry)].concat(rest).slice(0, Math.max(0, limit));
  }

  /* Still true: its ticket is the one served at its counter, and that counter open. */
  function stillTrue(entry, counters) {
    for (const counter of counters) {
      if (counter.number !== entry.counter) continue;
      const current = counter.current;
      return counter.state === "open" && !!current && typeof current === "object" &&
        (current.id || current.label) === (entry.ticket || entry.label);
    }
    return false;
  }

  /* [the call for the large panel, whether it is an earlier one], or null. */
  function shownCall(recent, counters) {
    for (let index = 0; index < recent.length; index += 1) {
      if (stillTrue(recent[index], counters)) return [Object.assign({}, recent[index]), index > 0];
    }
    let last = null;
    for (const counter of counters) {
      if (counter.state !== "open" || !counter.current || typeof counter.current !== "object") continue;
      if (last === null || String(counter.current.called_at || "") > String(last.current.called_at || "")) {
        last = counter;
      }
    }
    if (last === null) return null;
    const current = last.current;
    return [{label: current.label, counter: last.number, at: current.called_at ?? null,
             recall: false, ticket: current.id ?? null}, true];
  }

  function callFromEntry(entry, earlier) {
    return {label: String(entry.label || ""),
            counter: Number.isInteger(entry.counter) ? entry.counter : 0,
            recall: !!entry.recall, speech: String(entry.speech || ""),
            ticket: entry.ticket ?? null, at: entry.at ?? null,
            caption: String(entry.caption || ""), earlier: !!earlier};
  }

  class LiveBoard {
    constructor({recentLimit = 8, highlightMs = 8000, pendingLimit = PENDING_LIMIT,
                 snapshotTimeoutMs = SNAPSHOT_TIMEOUT_MS} = {}) {
      this.recentLimit = Math.max(0, recentLimit);
      this.highlightMs = highlightMs;
      this.pendingLimit = pendingLimit;
      this.snapshotTimeoutMs = snapshotTimeoutMs;
      this.board = null;
      this.seq = null;
      this.call = null;
      this.version = 0;
      this.resyncs = 0;
      this.whole = false;
      this.fresh = new Map();      // counter number -> highlighted until (ms)
      this.pending = [];
      this.resync = false;
      this.awaiting = false;
      this.askedAt = 0;
      this.texts = null;           // sentences fetched for the call shown: [key, speech, caption]
    }

    keep() { return this.recentLimit + 1; }

    /* Take a whole Board; false if it was older than what is shown and ignored. */
    load(board, now, {reset = true} = {}) {
      const seq = seqOf(board);
      if (seq === null) return false;
      if (!reset && this.seq !== null && seq < this.seq) {
        this.awaiting = false;
        this.resync = this.pending.length > 0;
        return false;
      }
      const first = this.board === null;
      const previous = this.call;
      this.board = Object.assign({}, board, {
        counters: (board.counters || []).map((c) => Object.assign({}, c)),
        services: (board.services || []).map((s) => Object.assign({}, s)),
        recent_calls: (board.recent_calls || []).slice(0, this.keep()),
      });
      this.seq = seq;
      this.whole = true;
      this.resync = this.awaiting = false;
      this.settle();
      const call = this.call;
      if (call && !call.earlier && !first && (!previous || callKey(call) !== callKey(previous))) {
        // A call the screen did not see: announce it like one that arrived as an event.
        this.fresh.set(call.counter, now + this.highlightMs);
      }
      this.replay(now);
      this.version += 1;
      return true;
    }

    replay(now) {
      const pending = this.pending.sort((a, b) => a.seq - b.seq);
      this.pending = [];
      for (const item of pending) {
        if (this.covered(item.seq)) continue;
        if (item.seq > this.seq + 1) { this.resync = true; return; }
        this.applyOne(item.name, item.payload, item.seq, now);
      }
    }

    subscribed(now) { this.resync = false; this.awaiting = true; this.askedAt = now; }

    takeResync(now) {
      if (this.awaiting && now - this.askedAt >= this.snapshotTimeoutMs) {
        this.awaiting = false; this.resync = true;
      }
      if (!this.resync || this.awaiting) return false;
      this.resync = false; this.awaiting = true; this.askedAt = now;
      this.resyncs += 1;
      return true;
    }

    requestResync() { if (!this.awaiting) this.resync = true; }

    resyncFailed() { this.awaiting = false; this.resync = true; }

    /* Apply one pushed event, or keep it aside until a snapshot fills a gap. */
    apply(name, payload, now) {
      const seq = seqOf(payload);
      if (seq === null) return;
      if (this.board === null || this.awaiting || this.resync) {
        this.keepAside(seq, name, payload);
        if (this.board === null && !this.awaiting) this.resync = true;
        return;
      }
      if (this.covered(seq)) return;
      if (seq > this.seq + 1) {
        this.keepAside(seq, name, payload);
        this.resync = true;
        return;
      }
      this.applyOne(name, payload, seq, now);
      this.version += 1;
    }

    covered(seq) {
      if (this.seq === null) return false;
      return seq < this.seq || (seq === this.seq && this.whole);
    }

    keepAside(seq, name, payload) {
      if (this.pending.length >= this.pendingLimit) this.pending = [];
      this.pending.push({seq, name, payload});
    }

    applyOne(name, payload, seq, now) {
      const board = this.board;
      this.seq = seq;
      this.whole = false;
      board.seq = seq;
      const waiting = payload.waiting;
      if (waiting && typeof waiting === "object") {
        for (const service of board.services) {
          if (Number.isInteger(waiting[service.code])) service.waiting = waiting[service.code];
        }
      }
      const ticket = payload.ticket && typeof payload.ticket === "object" ? payload.ticket : null;
      if (name === "counter_updated" && payload.counter && typeof payload.counter === "object") {
        this.putCounter(payload.counter);
      } else if ((name === "ticket_called" || name === "ticket_updated") && ticket) {
        for (const counter of board.counters) {
          if (counter.current && counter.current.id === ticket.id) {
            counter.current = ticket.state === "called" ? ticket : null;
          }
        }
        if (name === "ticket_called") this.called(payload, ticket, now);
      }
      this.settle();
    }

    called(payload, ticket, now) {
      const board = this.board;
      let number = payload.counter;
      if (!Number.isInteger(number)) number = Number.isInteger(ticket.counter) ? ticket.counter : 0;
      const entry = {label: String(ticket.label || ""), counter: number,
                     at: payload.at || ticket.called_at || null, recall: !!payload.recall,
                     ticket: ticket.id ?? null, speech: String(payload.speech || ""),
                     caption: String(payload.caption || "")};
      board.recent_calls = addCall(board.recent_calls, entry, this.keep());
      for (const counter of board.counters) {
        // The counter_updated that follows says the same; showing it now saves a frame.
        if (counter.number === number) counter.current = ticket;
      }
      this.fresh.set(number, now + this.highlightMs);
    }

    /* Choose the call the large panel shows; end the highlight of a counter left idle. */
    settle() {
      const counters = this.board ? this.board.counters : [];
      for (const counter of counters) {
        if (counter.state !== "open" || !counter.current) {
          this.fresh.delete(Number.isInteger(counter.number) ? counter.number : 0);
        }
      }
      const shown = shownCall(this.board ? this.board.recent_calls : [], counters);
      let call = shown ? callFromEntry(shown[0], shown[1]) : null;
      if (call && this.texts && this.texts[0] === callKey(call)) {
        call = Object.assign({}, call, {speech: call.speech || this.texts[1],
                                        caption: call.caption || this.texts[2]});
      }
      this.call = call;
    }

    putCounter(counter) {
      const counters = this.board.counters;
      const index = counters.findIndex((c) => c.number === counter.number);
      if (index >= 0) { counters[index] = counter; return; }
      counters.push(counter);
      counters.sort((a, b) => (a.number || 0) - (b.number || 0));
    }

    /* Fill in the sentences of a call known without them (fetched by the page). */
    setSpeech(call, text, caption = "") {
      if (!this.call || callKey(this.call) !== callKey(call)) return;
      this.texts = [callKey(call), text, caption];
      const before = JSON.stringify(this.call);
      this.settle();
      if (JSON.stringify(this.call) !== before) this.version += 1;
    }

    isFresh(counter, now) {
      if (counter === null || counter === undefined) {
        if (!this.call || this.call.earlier) return false;
        counter = this.call.counter;
      }
      return (this.fresh.get(counter) || -Infinity) > now;
    }

    freshUntil() {
      let until = null;
      for (const value of this.fresh.values()) until = until === null ? value : Math.max(until, value);
      return until;
    }

    counter(number) {
      return this.board ? this.board.counters.find((c) => c.number === number) || null : null;
    }

    /* The recent calls but the one shown large, newest first (at most recentLimit). */
    recent() {
      if (!this.board) return [];
      const calls = this.board.recent_calls.slice();
      const shown = this.call;
      const index = shown ? calls.findIndex((e) => callKey(callFromEntry(e, false)) === callKey(shown)) : -1;
      if (index >= 0) calls.splice(index, 1);
      return calls.slice(0, this.recentLimit);
    }

    services() { return this.board ? this.board.services : []; }
  }

  /* --- small DOM helpers -------------------------------------------------------------- */

  function setText(element, text) {
    text = text === null || text === undefined ? "" : String(text);
    if (element && element.textContent !== text) element.textContent = text;
  }

  function toggle(element, name, on) {
    if (element && element.classList.contains(name) !== !!on) element.classList.toggle(name, !!on);
  }

  /* Keep exactly `count` children made by `make()` (reusing what is there). */
  function sizeList(parent, count, make) {
    while (parent.children.length > count) parent.lastElementChild.remove();
    while (parent.children.length < count) parent.appendChild(make());
    return Array.from(parent.children);
  }

  function element(tag, className, children) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    for (const child of children || []) node.appendChild(child);
    return node;
  }

  /*
   * Shrink a box's text until all of it fits (wrapped, never cut): the box gets its size
   * from the layout; the font goes down in small steps, to `minScale` of the stylesheet's.
   * Measured again only when the text or the room around it changed.
   */
  function fitText(node, minScale = 0.45) {
    if (!node) return;
    const room = node.parentElement || node;
    const key = `${node.textContent}|${room.clientWidth}x${room.clientHeight}`;
    if (node.dataset.fitted === key) return;
    node.style.fontSize = "";
    const base = parseFloat(getComputedStyle(node).fontSize);
    let scale = 1;
    const over = () => node.scrollHeight > node.clientHeight || node.scrollWidth > node.clientWidth;
    while (over() && scale > minScale) {
      scale = Math.max(minScale, scale - 0.05);
      node.style.fontSize = `${(base * scale).toFixed(2)}px`;
    }
    node.dataset.fitted = key;
  }

  /* --- the clock: the core's time in the center's time zone ------------------------------ */

  function clockParts(epochMs, timeZone) {
    let format;
    try {
      format = new Intl.DateTimeFormat("en-GB", {timeZone, year: "numeric", month: "2-digit",
        day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", weekday: "short",
        hourCycle: "h23"});
    } catch (error) {
      format = new Intl.DateTimeFormat("en-GB", {year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", second: "2-digit", weekday: "short", hourCycle: "h23"});
    }
    const parts = {};
    for (const part of format.formatToParts(new Date(epochMs))) parts[part.type] = part.value;
    const weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(parts.weekday);
    return {date: `${parts.year}-${parts.month}-${parts.day}`, day: parts.day, month: parts.month,
            year: parts.year, hour: parts.hour, minute: parts.minute, second: parts.second, weekday};
  }

  /* --- the connection ----------------------------------------------------------------- */

  const TOKEN_KEY = "xephang.display.token";

  /* The screen's token: given once as PAGE#token=… (kept), or the one kept before. */
  function screenToken() {
    try {
      const hash = new URLSearchParams(global.location.hash.replace(/^#/, ""));
      const given = hash.get("token");
      if (given) {
        global.localStorage.setItem(TOKEN_KEY, given.trim());
        global.history.replaceState(null, "", global.location.pathname + global.location.search);
      }
      return global.localStorage.getItem(TOKEN_KEY);
    } catch (e) {
      return null;
    }
  }

  /* A screen without a token shows the board (public) and a small pairing badge; a screen whose
   * token was revoked stops showing the board and shows its pairing code full screen. Once an
   * admin approves the code, `adopt(token)` takes the new token in place (no reload: a screen
   * never reloads itself). */
  function pairScreen(compact, adopt) {
    if (!global.XephangPairing || document.getElementById("screen-pairing")) return;
    const holder = document.createElement("div");
    holder.id = "screen-pairing";
    if (!compact) holder.className = "pairing-cover";
    document.body.appendChild(holder);
    const element = document.createElement("div");
    holder.appendChild(element);
    const options = readOptions();
    global.XephangPairing.start({
      device: "display", storageKey: TOKEN_KEY, element, compact,
      name: options.counter ? `man-hinh-quay-${options.counter}` : "man-hinh-chung",
      onToken: (token) => {
        holder.remove();
        document.body.classList.remove("is-revoked");
        adopt(token);
      },
    });
  }

  let tokenChecked = false;

  function checkToken(token, socket, adopt) {
    if (tokenChecked) return;
    tokenChecked = true;
    fetch("/api/v1/auth/me", {headers: {Authorization: `Bearer ${token}`}, cache: "no-store"})
      .then((answer) => {
        if (answer.status === 401) {
          try { global.localStorage.removeItem(TOKEN_KEY); } catch (e) { /* nothing kept */ }
          socket.disconnect();
          document.body.classList.add("is-revoked");
          pairScreen(false, adopt);
        }
        tokenChecked = false;
      })
      .catch(() => { tokenChecked = false; });
  }

  function readOptions() {
    const node = document.getElementById("display-options");
    return node ? JSON.parse(node.textContent) : {};
  }

  /*
   * Start following the Board. `render(display)` draws the page; it is called after
   * every change and when a highlight ends. Returns the display object (also exposed
   * as window.xephangDisplay for tests and for a technician's console).
   */
  function start({render, rooms = ["board"], tick = null} = {}) {
    const options = readOptions();
    const text = options.text || {};
    const live = new LiveBoard({recentLimit: options.recent_calls ?? 8,
                                highlightMs: (options.highlight_seconds ?? 8) * 1000});
    const overlay = document.getElementById("overlay");
    const overlayText = document.getElementById("overlay-text");
    const display = {
      live, options, text, connected: false, renders: 0, serverOffsetMs: 0,
      now: () => performance.now(),
      timeZone: "Asia/Ho_Chi_Minh",
      /* Every event from the socket goes through here (tests replace or call it). */
      receive(name, payload) {
        if (name === "board") {
          const loaded = live.load(payload, display.now(), {reset: true});
          if (loaded) onSnapshot(payload);
          setConnected(true);
        } else {
          live.apply(name, payload, display.now());
        }
        after();
      },
      resync() { live.requestResync(); after(); },
      clock() { return clockParts(Date.now() + display.serverOffsetMs, display.timeZone); },
    };

    let renderedVersion = -1;
    let highlightTimer = null;
    let resyncTimer = null;
    let resyncAttempt = 0;
    let speechAsked = "";
    let lastDate = null;

    function onSnapshot(board) {
      const ribbon = document.getElementById("demo-ribbon");
      if (ribbon) ribbon.hidden = !board.demo;
      if (board.now) {
        const server = Date.parse(board.now);
        if (!Number.isNaN(server)) display.serverOffsetMs = server - Date.now();
      }
      if (board.center && board.center.timezone) display.timeZone = board.center.timezone;
      // Only forward: a snapshot read a moment before midnight must not undo the turn of the day.
      if (board.date && (lastDate === null || board.date > lastDate)) lastDate = board.date;
    }

    function draw() {
      renderedVersion = live.version;
      display.renders += 1;
      render(display);
      // One timer: redraw when the newest highlight ends.
      const until = live.freshUntil();
      if (highlightTimer !== null) { clearTimeout(highlightTimer); highlightTimer = null; }
      const now = display.now();
      if (until !== null && until > now) {
        highlightTimer = setTimeout(() => { highlightTimer = null; draw(); }, until - now + 20);
      }
    }

    function after() {
      if (live.version !== renderedVersion) draw();
      askSpeech();
      if (live.takeResync(display.now())) fetchState();
      else if (live.resync && !resyncTimer) scheduleResync();
    }

    function scheduleResync() {
      const delay = RESYNC_RETRY_MS[Math.min(resyncAttempt, RESYNC_RETRY_MS.length - 1)];
      resyncAttempt += 1;
      resyncTimer = setTimeout(() => { resyncTimer = null; after(); }, delay);
    }

    function fetchState() {
      fetch("/api/v1/state", {cache: "no-store", headers: {"Accept": "application/json"}})
        .then((answer) => {
          if (!answer.ok) throw new Error(`state ${answer.status}`);
          return answer.json();
        })
        .then((board) => {
          if (live.load(board, display.now(), {reset: false})) {
            onSnapshot(board);
            resyncAttempt = 0;
          }
          after();
        })
        .catch(() => {
          live.resyncFailed();
          scheduleResync();
        });
    }

    /* A call known without its sentences (an older core's Board): ask the core for them. */
    function askSpeech() {
      const call = live.call;
      if (!call || (call.speech && call.caption) || !call.label || !call.counter) return;
      const key = callKey(call);
      if (key === speechAsked) return;
      speechAsked = key;
      const query = new URLSearchParams({label: call.label, counter: String(call.counter)});
      if (call.recall) query.set("recall", "1");
      fetch(`/api/v1/speech?${query}`, {cache: "no-store"})
        .then((answer) => (answer.ok ? answer.json() : null))
        .then((body) => {
          if (body && typeof body.text === "string") {
            live.setSpeech(call, body.text, typeof body.caption === "string" ? body.caption : "");
            after();
          }
        })
        .catch(() => { speechAsked = ""; });
    }

    function setConnected(on) {
      display.connected = on;
      if (overlay) overlay.hidden = on;
      document.body.classList.toggle("is-offline", !on);
    }

    if (overlayText && text.connecting) setText(overlayText, text.connecting);
    setConnected(false);

    let token = screenToken();
    const socket = global.io({
      reconnection: true, reconnectionDelay: 1000, reconnectionDelayMax: 5000,
      randomizationFactor: 0.5, timeout: 8000, auth: token ? {token} : {},
    });
    display.socket = socket;
    let connections = 0;
    socket.on("connect", () => {
      const connection = ++connections;
      live.subscribed(display.now());
      socket.timeout(SNAPSHOT_TIMEOUT_MS).emit("subscribe", {rooms}, (error, answer) => {
        if (!error && answer && !answer.error) return;
        if (connection !== connections || !socket.connected) return;  // an older connection
        // Not subscribed: start the connection over rather than sit on a silent socket.
        socket.disconnect();
        setTimeout(() => socket.connect(), 2000);
      });
    });
    socket.on("disconnect", (reason) => {
      if (overlayText && text.disconnected) setText(overlayText, text.disconnected);
      setConnected(false);
      // The server closed us on purpose: socket.io does not come back by itself then.
      if (reason === "io server disconnect") setTimeout(() => socket.connect(), 1000);
    });
    socket.on("connect_error", () => {
      if (display.live.board && overlayText && text.disconnected) setText(overlayText, text.disconnected);
      setConnected(false);
      if (token) checkToken(token, socket, adopt);
    });
    // The admin console saved new settings: the fresh Board follows; the notice line comes here.
    socket.on("settings_changed", (payload) => {
      if (payload && payload.display && options.notice_from_settings !== false) {
        const notice = document.getElementById("notice");
        const noticeText = document.getElementById("notice-text");
        if (notice && noticeText) {
          setText(noticeText, payload.display.notice || "");
          notice.hidden = !payload.display.notice;
        }
      }
    });
    // A token got by pairing: connect again with it (the board never stopped being public).
    function adopt(fresh) {
      token = fresh;
      socket.auth = {token: fresh};
      socket.disconnect();
      socket.connect();
    }
    if (!token) pairScreen(true, adopt);
    socket.onAny((name, payload) => display.receive(name, payload));

    // Once a second: the clock, a snapshot that never came, the day turning over.
    let lastRefresh = display.now();
    setInterval(() => {
      const clock = display.clock();
      if (tick) tick(display, clock);
      const now = display.now();
      if (live.takeResync(now)) fetchState();
      const newDay = lastDate !== null && live.board && clock.date > lastDate;
      if (socket.connected && live.board && (newDay || now - lastRefresh >= REFRESH_MS)) {
        lastRefresh = now;
        lastDate = clock.date;
        live.requestResync();
        after();
      }
    }, 1000);

    global.xephangDisplay = display;
    if (tick) tick(display, display.clock());
    draw();
    return display;
  }

  global.XephangDisplay = {LiveBoard, start, setText, toggle, sizeList, element, clockParts,
                           callKey, addCall, shownCall, fitText};
})(window);
