/* The province's overview (GET /api/v1/centers, every 30 s), comparisons between centers and
   weeks (GET /api/v1/compare/…) and the monthly report's link. Formatting, tables and the
   period buttons come from the box's statistics view (stats-view.js). */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("hub-config").textContent);
  const view = window.XephangStatsView(config);
  const {fmt, pct, mins, waitText, cell, fill, row, api} = view;
  const T = config.text;
  const $ = (id) => document.getElementById(id);
  const charts = {};
  const state = {centers: [], compared: false, asked: 0};

  // --- tabs ----------------------------------------------------------------------------------

  const PANELS = ["overview", "compare", "report"];
  function show(name) {
    PANELS.forEach((panel) => {
      $(panel).hidden = panel !== name;
      $("tab-" + panel).setAttribute("aria-selected", String(panel === name));
    });
    if (name === "compare" && !state.compared) { loadCompare(); loadWeeks(); }
    Object.values(charts).forEach((chart) => chart.resize());
    if (window.location.hash !== "#" + name) { history.replaceState(null, "", "#" + name); }
  }
  PANELS.forEach((panel) => $("tab-" + panel).addEventListener("click", () => show(panel)));
  $("logout").addEventListener("click", () => {
    fetch("/api/v1/auth/logout", {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json"}, body: "{}"})
      .then((response) => response.text())
      .finally(() => window.location.reload());
  });

  // --- overview ------------------------------------------------------------------------------

  function when(iso) {
    if (!iso) { return config.never; }
    const moment = new Date(iso);
    const time = moment.toLocaleTimeString("vi-VN", {hour: "2-digit", minute: "2-digit", timeZone: "Asia/Ho_Chi_Minh"});
    const day = moment.toLocaleDateString("vi-VN", {day: "2-digit", month: "2-digit", timeZone: "Asia/Ho_Chi_Minh"});
    return iso.slice(0, 10) === config.today ? time : time + " " + day;
  }
  function hours(seconds) {
    const minutes = Math.round(Math.abs(seconds) / 60);
    return minutes >= 60 ? Math.floor(minutes / 60) + " giờ " + (minutes % 60) + " phút" : minutes + " phút";
  }
  function flags(alerts) {
    const span = document.createElement("span");
    span.className = "flags";
    if (!alerts.length) {
      const ok = document.createElement("span");
      ok.className = "flag flag-ok";
      ok.textContent = "Không có cảnh báo";
      span.appendChild(ok);
    }
    alerts.forEach((name) => {
      const flag = document.createElement("span");
      flag.className = "flag flag-" + name;
      flag.textContent = config.alerts[name] || name;
      span.appendChild(flag);
    });
    return span;
  }
  function link(c) {
    const a = document.createElement("a");
    a.href = "/centers/" + encodeURIComponent(c.code);
    a.textContent = c.name;
    return a;
  }
  function lastSeen(c) {
    const span = document.createElement("span");
    span.textContent = when(c.last_seen);
    if (c.alerts.indexOf("clock_off") >= 0) {
      const skew = document.createElement("span");
      skew.className = "skew";
      skew.textContent = " ⚠";
      skew.title = config.clock_note + " " + hours(c.clock_offset_s) + ".";
      span.appendChild(skew);
    }
    return span;
  }

  function loadOverview() {
    return api("/api/v1/centers").then((centers) => {
      state.centers = centers;
      renderOverview(centers);
    }).catch((error) => { $("o-updated").textContent = T.load_failed + ": " + error.message; });
  }

  function renderOverview(centers) {
    const online = centers.filter((c) => c.alerts.indexOf("offline") < 0).length;
    const over = centers.filter((c) => c.alerts.indexOf("waits_above_target") >= 0);
    const sum = (key) => centers.reduce((total, c) => total + (c[key] || 0), 0);
    const rated = sum("ratings_today");
    const satisfied = centers.reduce((total, c) => total + (c.satisfied_pct === null ? 0 : c.satisfied_pct * c.ratings_today / 100), 0);
    const longest = centers.reduce((best, c) => (c.longest_wait_s !== null && (!best || c.longest_wait_s > best.longest_wait_s) ? c : best), null);
    $("o-online").textContent = online + " / " + centers.length;
    $("o-offline").textContent = centers.length - online ? (centers.length - online) + " " + config.alerts.offline.toLowerCase() : "";
    $("o-waiting").textContent = fmt(sum("waiting"));
    $("o-longest").textContent = longest ? "Lâu nhất: " + waitText(longest.longest_wait_s) + " · " + longest.name : "";
    $("o-served").textContent = fmt(sum("served_today"));
    $("o-issued").textContent = "Đã cấp " + fmt(sum("issued_today")) + " · vắng mặt " + fmt(sum("no_show_today"));
    $("o-over").textContent = fmt(over.length);
    $("o-over").parentElement.classList.toggle("bad", over.length > 0);
    $("o-satisfied").textContent = rated ? pct(Math.round(1000 * satisfied / rated) / 10) : T.none;
    $("o-ratings").textContent = fmt(rated) + " lượt đánh giá";
    fill("o-centers", centers, (c) => row([
      cell(c.code), cell(link(c)), cell(lastSeen(c)), cell(fmt(c.waiting), "num"),
      cell(c.longest_wait_s === null ? T.none : waitText(c.longest_wait_s), "num waited"),
      cell(fmt(c.served_today), "num"), cell(mins(c.wait_p90_s), "num"),
      cell(pct(c.within_target_pct), "num"),
      cell(c.ratings_today ? pct(c.satisfied_pct) + " (" + fmt(c.ratings_today) + ")" : T.none, "num"),
      cell(flags(c.alerts))
    ], c.alerts.length ? "alerted" + (c.alerts.indexOf("waits_above_target") >= 0 ? " over" : "") : ""));
    const alerted = centers.filter((c) => c.alerts.indexOf("offline") >= 0 || c.alerts.indexOf("waits_above_target") >= 0);
    $("alert").hidden = alerted.length === 0;
    $("alert-list").replaceChildren(...alerted.slice(0, 20).map((c) => {
      const li = document.createElement("li");
      li.textContent = c.name + ": " + c.alerts.filter((a) => a === "offline" || a === "waits_above_target")
        .map((a) => config.alerts[a]).join(", ");
      return li;
    }));
    $("o-updated").textContent = T.updated + " " + new Date().toLocaleTimeString("vi-VN", {timeZone: "Asia/Ho_Chi_Minh"});
    const select = $("w-center");
    if (select.options.length === 1) {
      centers.forEach((c) => select.add(new Option(c.code + " – " + c.name, c.code)));
    }
  }

  // --- comparisons ---------------------------------------------------------------------------

  function compareRow(first, second, r) {
    return row([cell(first), cell(second), cell(fmt(r.issued), "num"), cell(fmt(r.served), "num"),
      cell(fmt(r.no_show), "num"), cell(mins(r.wait_mean_s), "num"), cell(mins(r.wait_median_s), "num"),
      cell(mins(r.wait_p90_s), "num"), cell(pct(r.within_target_pct), "num"),
      cell(r.ratings ? pct(r.satisfied_pct) + " (" + fmt(r.ratings) + ")" : T.none, "num")]);
  }
  function toMinutes(seconds) { return seconds === null ? null : Math.round(seconds / 6) / 10; }
  function drawn(id, spec) {
    if (charts[id]) { charts[id].destroy(); }
    if (typeof Chart !== "function") { return; }
    Chart.defaults.font.family = '"DejaVu Sans", "Noto Sans", sans-serif';
    Chart.defaults.animation = false;
    Chart.defaults.maintainAspectRatio = false;
    charts[id] = new Chart($(id), spec);
  }

  function loadCompare() {
    const params = new URLSearchParams({from: $("c-from").value, to: $("c-to").value});
    const message = $("c-message");
    message.hidden = true;
    const mine = ++state.asked;
    return api("/api/v1/compare/centers?" + params).then((data) => {
      if (mine !== state.asked) { return; }
      state.compared = true;
      const rows = data.centers.map((c) => compareRow(c.code, link(c), c));
      rows.push(compareRow("", config.all_centers, data.total));
      rows[rows.length - 1].className = "total";
      $("c-centers").tBodies[0].replaceChildren(...rows);
      drawn("chart-centers", {
        type: "bar",
        data: {labels: data.centers.map((c) => c.code), datasets: [
          {label: T.median, data: data.centers.map((c) => toMinutes(c.wait_median_s)), backgroundColor: "#7cc48f"},
          {label: T.p90, data: data.centers.map((c) => toMinutes(c.wait_p90_s)), backgroundColor: "#d98c00"}
        ]},
        options: {scales: {y: {beginAtZero: true, title: {display: true, text: T.minutes}}}}
      });
    }).catch((error) => {
      message.textContent = error.message;
      message.hidden = false;
    });
  }

  function loadWeeks() {
    const params = new URLSearchParams({weeks: "12"});
    if ($("w-center").value) { params.set("center", $("w-center").value); }
    return api("/api/v1/compare/weeks?" + params).then((data) => {
      fill("w-weeks", data.weeks, (w) => row([cell(view.vnDate(w.week)), cell(fmt(w.issued), "num"),
        cell(fmt(w.served), "num"), cell(fmt(w.no_show), "num"), cell(mins(w.wait_mean_s), "num"),
        cell(mins(w.wait_median_s), "num"), cell(mins(w.wait_p90_s), "num"),
        cell(pct(w.within_target_pct), "num"),
        cell(w.ratings ? pct(w.satisfied_pct) + " (" + fmt(w.ratings) + ")" : T.none, "num")]));
      drawn("chart-weeks", {
        data: {labels: data.weeks.map((w) => view.shortDate(w.week)), datasets: [
          {type: "line", label: T.service_level, data: data.weeks.map((w) => w.within_target_pct), borderColor: "#1d7a3a", backgroundColor: "#1d7a3a", spanGaps: true},
          {type: "line", label: T.satisfied_pct, data: data.weeks.map((w) => w.satisfied_pct), borderColor: "#10213a", backgroundColor: "#10213a", spanGaps: true}
        ]},
        options: {scales: {y: {min: 0, max: 100, title: {display: true, text: "%"}}}}
      });
    }).catch((error) => {
      $("c-message").textContent = error.message;
      $("c-message").hidden = false;
    });
  }

  $("c-filters").addEventListener("submit", (event) => { event.preventDefault(); loadCompare(); });
  view.bindPresets(config.today, (from, to) => {
    $("c-from").value = from;
    $("c-to").value = to;
    loadCompare();
  });
  $("w-center").addEventListener("change", loadWeeks);
  $("r-month").addEventListener("change", () => {
    $("r-download").href = "/api/v1/reports/monthly.xlsx?month=" + encodeURIComponent($("r-month").value);
  });

  // --- start ---------------------------------------------------------------------------------

  setInterval(loadOverview, 30000);
  loadOverview();
  const first = window.location.hash.slice(1);
  show(PANELS.indexOf(first) >= 0 ? first : "overview");
}());
