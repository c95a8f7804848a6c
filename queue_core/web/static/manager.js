/* The manager's dashboard: the hall live (Socket.IO pushes, then GET /api/v1/stats/live),
   and statistics over a period (GET /api/v1/stats) as figures, charts and tables. */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("manager-config").textContent);
  const T = config.text;
  const V = JSON.parse(document.getElementById("vocabulary").textContent);
  const TARGET_S = config.target_wait_minutes * 60;
  const LIVE_EVENTS = ["board", "ticket_issued", "ticket_called", "ticket_updated",
    "counter_updated", "device_status"];
  const COLORS = {
    blue: "#0b5cad", green: "#1d7a3a", lightGreen: "#7cc48f", amber: "#d98c00", red: "#b3121f",
    grey: "#9aa6b5", navy: "#10213a", purple: "#7a2fb0"
  };
  const number = new Intl.NumberFormat("vi-VN", {maximumFractionDigits: 1});
  const $ = (id) => document.getElementById(id);

  const state = {
    live: null, serverOffset: 0, liveTimer: null, liveBusy: false, liveAgain: false,
    history: null, historyLoaded: false, historyTimer: null, historyAsked: 0, charts: {}
  };

  // --- formatting ----------------------------------------------------------------------------

  function fmt(value) { return value === null || value === undefined ? T.none : number.format(value); }
  function pct(value) { return value === null || value === undefined ? T.none : number.format(value) + " %"; }
  function mins(seconds) {
    if (seconds === null || seconds === undefined) { return T.none; }
    return number.format(Math.round(seconds / 6) / 10) + " " + T.minutes;
  }
  function pad(n) { return String(n).padStart(2, "0"); }
  // A wait in words: "16 phút 05 giây" (with seconds) or "16 phút"; "1 giờ 05 phút" past an hour.
  function waitText(seconds, withSeconds) {
    if (seconds === null || seconds === undefined) { return T.none; }
    const s = Math.max(0, Math.floor(seconds));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    if (h) { return h + " " + T.hours + " " + pad(m) + " " + T.minutes; }
    if (withSeconds) {
      return m ? m + " " + T.minutes + " " + pad(s % 60) + " " + T.seconds : (s % 60) + " " + T.seconds;
    }
    return m ? m + " " + T.minutes : "< 1 " + T.minutes;
  }
  function timeOf(iso) {
    if (!iso) { return T.none; }
    return iso.slice(11, 16);
  }
  function vnDate(iso) { return iso.slice(8, 10) + "/" + iso.slice(5, 7) + "/" + iso.slice(0, 4); }
  function shortDate(iso) { return iso.slice(8, 10) + "/" + iso.slice(5, 7); }
  function serviceName(code) { return config.service_names[code] || code; }
  function officerName(name) { return name === null || name === undefined ? T.keypad_officer : name; }

  function cell(text, className) {
    const td = document.createElement("td");
    if (className) { td.className = className; }
    if (text instanceof Node) { td.appendChild(text); } else { td.textContent = text; }
    return td;
  }
  function badge(text, className) {
    const span = document.createElement("span");
    span.className = className;
    span.textContent = text;
    return span;
  }
  function fill(tableId, rows, render, columns) {
    const body = $(tableId).tBodies[0];
    const made = [];
    rows.forEach((row) => { made.push(render(row)); });
    if (!made.length) {
      const tr = document.createElement("tr");
      const td = cell(T.no_data, "empty");
      td.colSpan = columns || $(tableId).tHead.rows[0].cells.length;
      tr.appendChild(td);
      made.push(tr);
    }
    body.replaceChildren(...made);
  }
  function row(cells, className) {
    const tr = document.createElement("tr");
    if (className) { tr.className = className; }
    cells.forEach((c) => tr.appendChild(c));
    return tr;
  }
  function api(path) {
    return fetch(path, {credentials: "same-origin",
                        headers: {"Accept-Language": document.documentElement.lang || "vi"}})
      .then((response) => {
        if (response.status === 401) { window.location.reload(); throw new Error("logged out"); }
        return response.json().then((body) => {
          if (!response.ok) {
            const error = new Error((body.error && body.error.message) || T.load_failed);
            error.body = body;
            throw error;
          }
          return body;
        });
      });
  }

  // --- tabs ----------------------------------------------------------------------------------

  function show(name) {
    ["live", "history"].forEach((panel) => {
      $(panel).hidden = panel !== name;
      $("tab-" + panel).setAttribute("aria-selected", String(panel === name));
    });
    if (name === "history" && !state.historyLoaded) { loadHistory(); }
    if (name === "history") { Object.values(state.charts).forEach((chart) => chart.resize()); }
    if (window.location.hash !== "#" + name) { history.replaceState(null, "", "#" + name); }
  }
  $("tab-live").addEventListener("click", () => show("live"));
  $("tab-history").addEventListener("click", () => show("history"));
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

  function addDays(iso, days) {
    const moment = new Date(iso + "T00:00:00Z");
    moment.setUTCDate(moment.getUTCDate() + days);
    return moment.toISOString().slice(0, 10);
  }
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
      renderHistory(stats);
    }).catch((error) => {
      if (asked !== state.historyAsked) { return; }
      message.textContent = error.message;
      message.hidden = false;
    }).finally(() => {
      if (asked === state.historyAsked) { $("history").classList.remove("loading"); }
    });
  }

  $("filters").addEventListener("submit", (event) => { event.preventDefault(); loadHistory(); });
  document.querySelectorAll("[data-preset]").forEach((button) => {
    button.addEventListener("click", () => {
      const preset = button.dataset.preset;
      const today = config.today;
      let from = today;
      if (preset === "7") { from = addDays(today, -6); }
      if (preset === "30") { from = addDays(today, -29); }
      if (preset === "month") { from = today.slice(0, 8) + "01"; }
      if (preset === "year") { from = addDays(today, -365); }
      $("f-from").value = from;
      $("f-to").value = today;
      loadHistory();
    });
  });

  function ratingCell(ratings) {
    return ratings.total ? pct(ratings.satisfied_pct) + " (" + fmt(ratings.total) + ")" : T.none;
  }

  function renderHistory(s) {
    const lost = s.no_show + s.cancelled + s.expired;
    $("period").textContent = (s.from === s.to ? "Ngày " + vnDate(s.from)
      : "Từ " + vnDate(s.from) + " đến " + vnDate(s.to)) + filterText(s.filters);
    $("h-issued").textContent = fmt(s.issued);
    $("h-priority").textContent = V.priority + ": " + fmt(s.priority.total) + " · chuyển lĩnh vực: " + fmt(s.transfers);
    $("h-served").textContent = fmt(s.served);
    $("h-lost").textContent = "Vắng " + fmt(s.no_show) + " · hủy " + fmt(s.cancelled) + " · hết hạn " + fmt(s.expired);
    $("h-wait-mean").textContent = mins(s.wait.mean_s);
    $("h-wait-more").textContent = "Trung vị " + mins(s.wait.median_s) + " · P90 " + mins(s.wait.p90_s) + " · lâu nhất " + mins(s.wait.max_s);
    $("h-service-mean").textContent = mins(s.service_time.mean_s);
    $("h-service-more").textContent = "Trung vị " + mins(s.service_time.median_s) + " · P90 " + mins(s.service_time.p90_s);
    $("h-target").textContent = pct(s.within_target_pct);
    $("h-satisfied").textContent = pct(s.ratings.satisfied_pct);
    $("h-ratings").textContent = ["very_satisfied", "satisfied", "unsatisfied"]
      .map((level) => fmt(s.ratings[level]) + " " + V.ratings[level].toLowerCase()).join(" · ");
    renderTables(s);
    renderCharts(s);
  }

  function filterText(filters) {
    const parts = [];
    if (filters.service) { parts.push(filters.service + " – " + serviceName(filters.service)); }
    if (filters.counter) { parts.push(V.counter + " " + filters.counter); }
    if (filters.officer) { parts.push("cán bộ " + filters.officer); }
    return parts.length ? " · " + parts.join(" · ") : "";
  }

  function bucketLabel(b) {
    const from = b.from_s / 60;
    return b.to_s === null ? "≥ " + from + " " + T.minutes : from + "–" + (b.to_s / 60) + " " + T.minutes;
  }

  function periods(s) {
    if (s.days <= 62) {
      return {unit: T.day, rows: s.by_day, label: (r) => shortDate(r.date), title: "Theo ngày"};
    }
    return {unit: T.week, rows: s.by_week, label: (r) => shortDate(r.week), title: "Theo tuần"};
  }

  function renderTables(s) {
    fill("t-services", s.by_service, (r) => row([
      cell(r.service + " – " + r.name), cell(fmt(r.issued), "num"), cell(fmt(r.served), "num"),
      cell(fmt(r.no_show), "num"), cell(fmt(r.cancelled + r.expired), "num"), cell(mins(r.wait.mean_s), "num"),
      cell(mins(r.wait.p90_s), "num"), cell(mins(r.service_time.mean_s), "num"),
      cell(pct(r.within_target_pct), "num"), cell(fmt(r.transfers_in), "num"), cell(ratingCell(r.ratings), "num")
    ]));
    const visits = (name) => (r) => row([
      cell(name(r), "name"), cell(fmt(r.calls), "num"), cell(fmt(r.served), "num"), cell(fmt(r.no_show), "num"),
      cell(fmt(r.transferred), "num"), cell(mins(r.service_time.mean_s), "num"),
      cell(mins(r.service_time.median_s), "num"), cell(mins(r.service_time.p90_s), "num"),
      cell(ratingCell(r.ratings), "num")
    ]);
    fill("t-counters", s.by_counter, visits((r) => r.name));
    fill("t-officers", s.by_officer, visits((r) => officerName(r.officer)));
    const waited = s.wait.count;
    fill("t-wait", s.issued ? s.wait_histogram : [], (b) => row([
      cell(bucketLabel(b)), cell(fmt(b.count), "num"),
      cell(waited ? pct(Math.round(1000 * b.count / waited) / 10) : T.none, "num")
    ]));
    fill("t-hours", s.by_hour, (r) => row([
      cell(String(r.hour).padStart(2, "0") + ":00–" + String(r.hour + 1).padStart(2, "0") + ":00"),
      cell(fmt(r.issued), "num"), cell(fmt(r.issued_per_day), "num"), cell(mins(r.wait.mean_s), "num"),
      cell(pct(r.within_target_pct), "num")
    ]));
    const heat = s.by_weekday_hour;
    const head = document.createElement("tr");
    head.appendChild(document.createElement("th"));
    heat.hours.forEach((h) => {
      const th = document.createElement("th");
      th.className = "num";
      th.textContent = String(h).padStart(2, "0") + "h";
      head.appendChild(th);
    });
    $("t-heat").tHead.replaceChildren(head);
    fill("t-heat", heat.rows, (r) => row([cell(T.weekdays[r.weekday] + " (" + r.days + " " + T.days + ")")]
      .concat(r.per_day.map((v) => cell(fmt(v), "num")))), heat.hours.length + 1);
    const p = periods(s);
    $("t-periods-title").textContent = p.title;
    $("t-periods-unit").textContent = p.unit;
    fill("t-periods", p.rows.filter((r) => r.issued), (r) => row([
      cell(p.label(r)), cell(fmt(r.issued), "num"), cell(fmt(r.served), "num"), cell(fmt(r.no_show), "num"),
      cell(mins(r.wait.mean_s), "num"), cell(pct(r.within_target_pct), "num"),
      cell(fmt(r.ratings.very_satisfied), "num"), cell(fmt(r.ratings.satisfied), "num"),
      cell(fmt(r.ratings.unsatisfied), "num"), cell(pct(r.ratings.satisfied_pct), "num")
    ]));
  }

  // --- charts --------------------------------------------------------------------------------

  function chart(id, spec) {
    if (state.charts[id]) { state.charts[id].destroy(); }
    state.charts[id] = new Chart($(id), spec);
    return state.charts[id];
  }
  function toMinutes(seconds) { return seconds === null ? null : Math.round(seconds / 6) / 10; }
  function axisTitle(text) { return {display: true, text: text}; }

  function renderCharts(s) {
    if (typeof Chart !== "function") { return; }
    Chart.defaults.font.family = '"DejaVu Sans", "Noto Sans", sans-serif';
    Chart.defaults.color = "#10213a";
    Chart.defaults.animation = false;
    Chart.defaults.maintainAspectRatio = false;

    chart("chart-wait", {
      type: "bar",
      data: {
        labels: s.wait_histogram.map(bucketLabel),
        datasets: [{
          label: T.wait_chart, data: s.wait_histogram.map((b) => b.count),
          backgroundColor: s.wait_histogram.map((b) => (b.to_s !== null && b.to_s <= TARGET_S ? COLORS.green : COLORS.amber))
        }]
      },
      options: {
        plugins: {legend: {display: false}},
        scales: {y: {beginAtZero: true, title: axisTitle(T.wait_chart), ticks: {precision: 0}},
          x: {title: axisTitle(T.wait_axis + " ≤ " + config.target_wait_minutes + " " + T.minutes)}}
      }
    });

    const heat = s.by_weekday_hour;
    const hours = heat.hours.map((h) => String(h).padStart(2, "0") + "h");
    const weekdays = heat.rows.map((r) => T.weekdays_short[r.weekday]);
    const cells = [];
    let peak = 0;
    heat.rows.forEach((r) => r.per_day.forEach((v, i) => {
      cells.push({x: hours[i], y: T.weekdays_short[r.weekday], v: v || 0, weekday: r.weekday});
      peak = Math.max(peak, v || 0);
    }));
    chart("chart-heat", {
      type: "matrix",
      data: {datasets: [{
        label: T.per_day, data: cells,
        backgroundColor: (c) => {
          const v = c.raw ? c.raw.v : 0;
          return "rgba(11, 92, 173, " + (peak ? 0.06 + 0.94 * v / peak : 0.06) + ")";
        },
        borderColor: "#ffffff", borderWidth: 1,
        width: ({chart: ch}) => ((ch.chartArea || {}).width || 0) / Math.max(1, hours.length) - 1,
        height: ({chart: ch}) => ((ch.chartArea || {}).height || 0) / Math.max(1, weekdays.length) - 1
      }]},
      options: {
        plugins: {legend: {display: false}, tooltip: {callbacks: {
          title: (items) => T.weekdays[items[0].raw.weekday] + ", " + items[0].raw.x,
          label: (item) => number.format(item.raw.v) + " lượt/ngày"
        }}},
        scales: {
          x: {type: "category", labels: hours, offset: true, grid: {display: false}},
          // The first label (Monday) on top, as in the table below.
          y: {type: "category", labels: weekdays, offset: true, reverse: false, grid: {display: false}}
        }
      }
    });

    const serviceSpec = (rows, name) => ({
      type: "bar",
      data: {
        labels: rows.map(name),
        datasets: [
          {label: T.mean, data: rows.map((r) => toMinutes(r.service_time.mean_s)), backgroundColor: COLORS.blue},
          {label: T.median, data: rows.map((r) => toMinutes(r.service_time.median_s)), backgroundColor: COLORS.lightGreen},
          {label: T.p90, data: rows.map((r) => toMinutes(r.service_time.p90_s)), backgroundColor: COLORS.amber}
        ]
      },
      options: {scales: {y: {beginAtZero: true, title: axisTitle(T.minutes)}}}
    });
    chart("chart-counters", serviceSpec(s.by_counter, (r) => r.name));
    chart("chart-officers", serviceSpec(s.by_officer, (r) => officerName(r.officer)));

    const p = periods(s);
    const labels = p.rows.map(p.label);
    const levels = [["very_satisfied", COLORS.green], ["satisfied", COLORS.lightGreen],
      ["neutral", COLORS.grey], ["unsatisfied", COLORS.red]];
    const used = levels.filter(([level]) => level !== "neutral" || p.rows.some((r) => r.ratings.neutral));
    chart("chart-satisfaction", {
      data: {
        labels: labels,
        datasets: used.map(([level, color]) => ({
          type: "bar", label: V.ratings[level], data: p.rows.map((r) => r.ratings[level]),
          backgroundColor: color, stack: "ratings", yAxisID: "y", order: 2
        })).concat([{
          type: "line", label: T.satisfied_pct, data: p.rows.map((r) => r.ratings.satisfied_pct),
          borderColor: COLORS.navy, backgroundColor: COLORS.navy, yAxisID: "pct", spanGaps: true, order: 1
        }])
      },
      options: {scales: {
        y: {stacked: true, beginAtZero: true, title: axisTitle("Lượt đánh giá"), ticks: {precision: 0}},
        x: {stacked: true},
        pct: {position: "right", min: 0, max: 100, grid: {drawOnChartArea: false}, title: axisTitle("%")}
      }}
    });

    chart("chart-level", {
      data: {
        labels: labels,
        datasets: [
          {type: "line", label: T.service_level, data: p.rows.map((r) => r.within_target_pct),
            borderColor: COLORS.green, backgroundColor: COLORS.green, yAxisID: "pct", spanGaps: true},
          {type: "bar", label: T.mean_wait, data: p.rows.map((r) => toMinutes(r.wait.mean_s)),
            backgroundColor: "rgba(217, 140, 0, .55)", yAxisID: "wait"}
        ]
      },
      options: {scales: {
        pct: {position: "left", min: 0, max: 100, title: axisTitle("%")},
        wait: {position: "right", beginAtZero: true, grid: {drawOnChartArea: false}, title: axisTitle(T.minutes)}
      }}
    });
  }

  // --- start ---------------------------------------------------------------------------------

  setInterval(tick, 1000);
  setInterval(loadLive, 30000);
  loadLive();
  connect();
  show(window.location.hash === "#history" ? "history" : "live");
}());
