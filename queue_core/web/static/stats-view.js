/* Statistics of a period as figures, charts and tables, from a Stats answer (GET /api/v1/stats
   of a box, or of one center on the province hub). Both dashboards load this file and build
   their view with XephangStatsView(config); the page holds the elements it fills (ids h-*,
   t-*, chart-*). */
window.XephangStatsView = function (config) {
  "use strict";

  const T = config.text;
  const V = JSON.parse(document.getElementById("vocabulary").textContent);
  const TARGET_S = config.target_wait_minutes * 60;
  const COLORS = {
    blue: "#0b5cad", green: "#1d7a3a", lightGreen: "#7cc48f", amber: "#d98c00", red: "#b3121f",
    grey: "#9aa6b5", navy: "#10213a", purple: "#7a2fb0"
  };
  const number = new Intl.NumberFormat("vi-VN", {maximumFractionDigits: 1});
  const $ = (id) => document.getElementById(id);
  const state = {charts: {}};

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

  function addDays(iso, days) {
    const moment = new Date(iso + "T00:00:00Z");
    moment.setUTCDate(moment.getUTCDate() + days);
    return moment.toISOString().slice(0, 10);
  }

  // Buttons with data-preset="today|7|30|month|year" choose a period ending today.
  function bindPresets(today, choose) {
    document.querySelectorAll("[data-preset]").forEach((button) => {
      button.addEventListener("click", () => {
        const preset = button.dataset.preset;
        let from = today;
        if (preset === "7") { from = addDays(today, -6); }
        if (preset === "30") { from = addDays(today, -29); }
        if (preset === "month") { from = today.slice(0, 8) + "01"; }
        if (preset === "year") { from = addDays(today, -365); }
        choose(from, today);
      });
    });
  }

  // --- a period ------------------------------------------------------------------------------

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

  function resize() { Object.values(state.charts).forEach((chart) => chart.resize()); }

  return {
    fmt, pct, mins, pad, waitText, timeOf, vnDate, shortDate, serviceName, officerName, cell, badge,
    fill, row, api, addDays, bindPresets, render: renderHistory, resize
  };
};
