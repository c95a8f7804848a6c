/* The manager's dashboard: the hall live (Socket.IO pushes, then GET /api/v1/stats/live),
   and statistics over a period (GET /api/v1/stats) as figures, charts and tables. */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("manager-config").textContent);
  const view = window.XephangStatsView(config);
  const {fmt, pct, mins, waitText, timeOf, serviceName, officerName, cell, badge, fill, row, api,
    addDays} = view;
  const T = config.text;
  const V = JSON.parse(document.getElementById("vocabulary").textContent);
  const TARGET_S = config.target_wait_minutes * 60;
  const LIVE_EVENTS = ["board", "ticket_issued", "ticket_called", "ticket_updated",
    "counter_updated", "device_status"];
  const $ = (id) => document.getElementById(id);

  const state = {
    live: null, serverOffset: 0, liveTimer: null, liveBusy: false, liveAgain: false,
    history: null, historyLoaded: false, historyTimer: null, historyAsked: 0
  };

  // --- tabs ----------------------------------------------------------------------------------

  const PANELS = Array.from(document.querySelectorAll("[role=tabpanel]")).map((panel) => panel.id);
  function show(name) {
    PANELS.forEach((panel) => {
      $(panel).hidden = panel !== name;
      $("tab-" + panel).setAttribute("aria-selected", String(panel === name));
    });
    // Other views (staffing-view.js) load when their panel is first shown.
    $(name).dispatchEvent(new CustomEvent("panel-shown"));
    if (name === "history" && !state.historyLoaded) { loadHistory(); }
    if (name === "history") { view.resize(); }
    if (window.location.hash !== "#" + name) { history.replaceState(null, "", "#" + name); }
  }
  PANELS.forEach((panel) => $("tab-" + panel).addEventListener("click", () => show(panel)));
  $("logout").addEventListener("click", () => {
    fetch("/api/v1/auth/logout", {method: "POST", credentials: "same-origin"})
      .then((response) => response.text())  // read it all before the page goes
      .finally(() => window.location.reload());
  });

  // --- live ----------------------------------------------------------------------------------

  function serverNow() { return Date.now() + state.serverOffset; }
  function waitedNow(ticket) { return (serverNow() - Date.parse(ticket.since)) / 1000; }

  function loadLive() {
    if (state.liveBusy) { state.liveAgain = true; return; }
    state.liveBusy = true;
    api("/api/v1/stats/live").then((data) => {
      state.serverOffset = Date.parse(data.now) - Date.now();
      state.live = data;
      state.liveFetched = Date.now();
      renderLive(data);
      document.dispatchEvent(new CustomEvent("live-stats", {detail: data}));
    }).catch((error) => {
      $("live-updated").textContent = T.load_failed + ": " + error.message;
    }).finally(() => {
      state.liveBusy = false;
      if (state.liveAgain) { state.liveAgain = false; loadLive(); }
    });
  }
  function scheduleLive() {
    clearTimeout(state.liveTimer);
    state.liveTimer = setTimeout(loadLive, 200);
    // A period that includes today follows the day too, when shown and short enough to be
    // cheap to count again (a year is counted on request, not on every call).
    const from = $("f-from").value;
    if (state.historyLoaded && !$("history").hidden && $("f-to").value >= config.today &&
        from >= addDays(config.today, -31)) {
      scheduleHistory(10000);
    }
  }

  function renderLive(data) {
    const today = data.today;
    $("live-waiting").textContent = fmt(data.waiting);
    $("live-served").textContent = fmt(today.served);
    $("live-noshow").textContent = "Vắng mặt: " + fmt(today.no_show) + " · đang phục vụ: " + fmt(today.in_service);
    $("live-wait-mean").textContent = mins(today.wait.mean_s);
    $("live-wait-p90").textContent = "Trung vị " + mins(today.wait.median_s) + " · P90 " + mins(today.wait.p90_s);
    $("live-target").textContent = pct(today.within_target_pct);
    $("live-satisfied").textContent = pct(today.ratings.satisfied_pct);
    $("live-ratings").textContent = fmt(today.ratings.total) + " lượt đánh giá";
    fill("live-fields", data.fields, (f) => row([
      cell(f.service), cell(f.name), cell(fmt(f.waiting), "num"), cell(fmt(f.priority), "num"),
      cell(f.longest_label ? f.longest_label + " · " : "", "num waited"), cell(fmt(f.over_target), "num over-count")
    ]));
    fill("live-counters", data.counters, (c) => {
      const current = c.current;
      return row([
        cell(c.name, "name"), cell(c.services.join(", "), "name"),
        cell(badge(V.counter_states[c.state] || c.state, "state state-" + c.state)),
        cell(current ? current.label : T.none), cell(current ? officerName(c.officer) : T.none),
        cell(current ? waitText(c.serving_s) : T.none, "num serving"),
        cell(fmt(c.served_today), "num"), cell(mins(c.service_time_today.mean_s), "num")
      ]);
    });
    fill("live-queue", data.queue.slice(0, 30), (q) => {
      const prio = q.priority ? badge(V.priorities[q.priority] || q.priority, "prio") : document.createTextNode("");
      return row([cell(q.label + (q.transferred ? " (" + T.transferred + ")" : "")),
        cell(q.service + " – " + serviceName(q.service)), cell(prio), cell(timeOf(q.issued_at)),
        cell(waitText(q.waited_s), "num waited")]);
    });
    $("live-updated").textContent = T.updated + " " + timeOf(data.now) + ":" + data.now.slice(17, 19);
    tick();
  }

  function tick() {
    const data = state.live;
    if (!data) { return; }
    const since = (Date.now() - state.liveFetched) / 1000;
    const fieldRows = $("live-fields").tBodies[0].rows;
    data.fields.forEach((f, i) => {
      const r = fieldRows[i];
      if (!r || r.cells.length < 6) { return; }
      const oldest = data.queue.find((q) => q.service === f.service);
      r.cells[4].textContent = oldest ? oldest.label + " · " + waitText(waitedNow(oldest)) : T.none;
      const over = data.queue.filter((q) => q.service === f.service && waitedNow(q) > TARGET_S).length;
      r.cells[5].textContent = fmt(over);
      r.classList.toggle("over", over > 0);
    });
    const queueRows = $("live-queue").tBodies[0].rows;
    data.queue.slice(0, 30).forEach((q, i) => {
      const r = queueRows[i];
      if (!r || r.cells.length < 5) { return; }
      const waited = waitedNow(q);
      r.cells[4].textContent = waitText(waited);
      r.classList.toggle("over", waited > TARGET_S);
    });
    const counterRows = $("live-counters").tBodies[0].rows;
    data.counters.forEach((c, i) => {
      const r = counterRows[i];
      if (r && r.cells.length >= 8 && c.current && c.serving_s !== null) {
        r.cells[5].textContent = waitText(c.serving_s + since);
      }
    });
    const longest = data.queue.length ? data.queue[0] : null;
    $("live-longest").textContent = longest ? waitText(waitedNow(longest), true) : T.none;
    $("live-longest-label").textContent = longest
      ? longest.label + " · " + serviceName(longest.service) : T.nobody;
    const over = data.queue.filter((q) => waitedNow(q) > TARGET_S);
    $("tile-longest").classList.toggle("bad", over.length > 0);
    const alert = $("alert");
    alert.hidden = over.length === 0;
    if (over.length) {
      $("alert-text").textContent = over.length + " " + T.alert_one + " " + config.target_wait_minutes + " " + T.minutes + ".";
      const items = over.slice(0, 12).map((q) => {
        const li = document.createElement("li");
        li.textContent = q.label + " – " + serviceName(q.service) + ": " + waitText(waitedNow(q));
        return li;
      });
      $("alert-list").replaceChildren(...items);
    }
  }

  function setLink(on, text) {
    const link = $("link-state");
    link.className = "link " + (on ? "link-on" : "link-off");
    link.textContent = text;
  }

  function connect() {
    if (typeof io !== "function") { setLink(false, T.disconnected); return; }
    const socket = io({transports: ["websocket", "polling"]});
    socket.on("connect", () => {
      socket.emit("subscribe", {rooms: ["board", "staff"]}, (answer) => {
        if (answer && answer.error) { setLink(false, answer.error.message); return; }
        setLink(true, T.connected);
      });
    });
    socket.on("disconnect", () => setLink(false, T.disconnected));
    socket.on("connect_error", () => setLink(false, T.disconnected));
    LIVE_EVENTS.forEach((name) => socket.on(name, scheduleLive));
    state.socket = socket;
  }

  // --- history -------------------------------------------------------------------------------
  function query() {
    const params = new URLSearchParams();
    ["from", "to", "service", "counter", "officer"].forEach((name) => {
      const value = $("filters").elements[name].value;
      if (value) { params.set(name, value); }
    });
    return params.toString();
  }
  function scheduleHistory(delay) {
    clearTimeout(state.historyTimer);
    state.historyTimer = setTimeout(loadHistory, delay);
  }
  function loadHistory() {
    const params = query();
    const message = $("filters-message");
    message.hidden = true;
    $("history").classList.add("loading");
    $("export-xlsx").href = "/api/v1/stats/export.xlsx?" + params;
    $("export-csv").href = "/api/v1/stats/export.csv?" + params;
    // Only the latest request is shown: an earlier one may answer after it.
    const asked = ++state.historyAsked;
    return api("/api/v1/stats?" + params).then((stats) => {
      if (asked !== state.historyAsked) { return; }
      state.history = stats;
      state.historyLoaded = true;
      view.render(stats);
    }).catch((error) => {
      if (asked !== state.historyAsked) { return; }
      message.textContent = error.message;
      message.hidden = false;
    }).finally(() => {
      if (asked === state.historyAsked) { $("history").classList.remove("loading"); }
    });
  }

  $("filters").addEventListener("submit", (event) => { event.preventDefault(); loadHistory(); });
  view.bindPresets(config.today, (from, to) => {
    $("f-from").value = from;
    $("f-to").value = to;
    loadHistory();
  });

  // --- start ---------------------------------------------------------------------------------

  setInterval(tick, 1000);
  setInterval(loadLive, 30000);
  loadLive();
  connect();
  const asked = window.location.hash.slice(1);
  show(PANELS.includes(asked) ? asked : "live");
}());
