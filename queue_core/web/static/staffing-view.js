/* "Kế hoạch quầy" on the manager's dashboard: the counters to open hour by hour on a chosen
   day (GET /api/v1/stats/staffing) as plain sentences, a chart and a table; and on the live
   view, a hint when the counters open cannot call everyone waiting within the target
   (the `staffing_hints` of GET /api/v1/stats/live, handed over by manager.js). */
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const config = JSON.parse($("manager-config").textContent);
  const WEEKDAYS = config.text.weekdays;
  const number = new Intl.NumberFormat("vi-VN", {maximumFractionDigits: 1});
  const state = {loaded: false, asked: 0, chart: null};

  // "Chứng thực", "Chứng thực và Hộ tịch", "Chứng thực, Hộ tịch và Tư pháp".
  function names(list) {
    if (list.length < 2) { return list.join(""); }
    return list.slice(0, -1).join(", ") + " và " + list[list.length - 1];
  }
  function counters(n) { return n + " quầy"; }
  function hours(start, end) { return start + "–" + end + " giờ"; }
  function waitWords(seconds) {
    if (seconds === null || seconds === undefined) { return null; }
    const minutes = Math.round(seconds / 60);
    return minutes < 1 ? "dưới 1 phút" : minutes + " phút";
  }

  // One period of one group as a sentence, e.g. "Thứ Hai 8–10 giờ: nên mở 3 quầy cho
  // Chứng thực và Hộ tịch; hiện mở 2 — thời gian chờ dự kiến 24 phút".
  function sentence(body, period, group) {
    const head = WEEKDAYS[String(body.weekday)] + " " + hours(period.start, period.end) + ": ";
    const who = names(group.names);
    const wait = waitWords(period.expected_wait_s);
    const waitText = wait === null
      ? "số quầy đang bố trí không kịp phục vụ, hàng chờ sẽ dài mãi"
      : "thời gian chờ dự kiến " + wait;
    if (period.verdict === "short") {
      return head + "nên mở " + counters(period.counters_needed) + " cho " + who + "; hiện mở " +
        period.counters_open + " — " + waitText + ".";
    }
    if (period.verdict === "spare") {
      return head + "chỉ cần mở " + counters(period.counters_needed) + " cho " + who +
        "; hiện mở " + period.counters_open + " — thời gian chờ dự kiến với " +
        counters(period.counters_open) + ": " + wait + ".";
    }
    return head + "nên mở " + counters(period.counters_needed) + " cho " + who +
      "; hiện mở đủ " + period.counters_open + " — " + waitText + ".";
  }

  function cell(text, className) {
    const td = document.createElement("td");
    if (className) { td.className = className; }
    td.textContent = text;
    return td;
  }

  function render(body) {
    const day = body.date;
    const title = $("plan-title");
    const list = $("plan-sentences");
    title.textContent = "Kế hoạch quầy " + WEEKDAYS[String(body.weekday)] + " " + day.slice(8, 10) +
      "/" + day.slice(5, 7) + "/" + day.slice(0, 4) + " · " + Math.round(body.service_level * 100) +
      " % công dân được gọi trong " + body.target_wait_minutes + " phút";
    const items = [];
    const groups = {};
    body.groups.forEach((g) => { groups[g.group] = g; });
    const say = (text, className) => {
      const li = document.createElement("li");
      li.textContent = text;
      if (className) { li.className = className; }
      items.push(li);
    };
    if (!body.open) {
      say(WEEKDAYS[String(body.weekday)] + " trung tâm không làm việc.");
    } else if (!body.hours.length) {
      say("Chưa có số liệu của các " + WEEKDAYS[String(body.weekday)] + " trước để lập kế hoạch.");
    }
    body.periods.filter((p) => p.verdict !== "none").forEach((p) => {
      say(sentence(body, p, groups[p.group]), "verdict-" + p.verdict);
    });
    list.replaceChildren(...items);

    const rows = [];
    body.hours.forEach((h) => h.groups.filter((g) => g.arrivals > 0).forEach((g) => {
      const tr = document.createElement("tr");
      if (g.counters_needed > g.counters_open) { tr.className = "over"; }
      [cell(hours(h.hour, h.hour + 1), "name"), cell(names(groups[g.group].names), "groups"),
        cell(number.format(g.arrivals), "num"),
        cell(g.mean_service_s === null ? "—" : number.format(Math.round(g.mean_service_s / 6) / 10) + " phút", "num"),
        cell(String(g.counters_needed), "num"), cell(String(g.counters_open), "num"),
        cell(waitWords(g.expected_wait_s) || "không kịp", "num"),
        cell(number.format(g.within_target_pct) + " %", "num")].forEach((c) => tr.appendChild(c));
      rows.push(tr);
    }));
    $("t-plan").tBodies[0].replaceChildren(...rows);

    const history = body.history;
    $("plan-note").textContent = history
      ? "Tính theo mô hình Erlang C từ số liệu " + history.days.length + " " +
        WEEKDAYS[String(body.weekday)] + " gần nhất (tối đa " + history.weeks + " tuần)" +
        (history.closed_days.length ? ", bỏ qua " + history.closed_days.length + " ngày nghỉ" : "") +
        ". Các quầy dùng chung lĩnh vực được tính chung một hàng chờ. “Đang bố trí” là số quầy được cấu hình cho các lĩnh vực đó."
      : "";
    renderChart(body);
  }

  function renderChart(body) {
    if (typeof Chart !== "function") { return; }
    if (state.chart) { state.chart.destroy(); }
    const labels = body.hours.map((h) => h.hour + "h");
    state.chart = new Chart($("chart-plan"), {
      data: {
        labels: labels,
        datasets: [
          {type: "bar", label: "Cần mở", data: body.hours.map((h) => h.counters_needed),
            backgroundColor: "#0b5cad", yAxisID: "y", order: 2},
          {type: "bar", label: "Đang bố trí", data: body.hours.map((h) => h.counters_open),
            backgroundColor: "#9aa6b5", yAxisID: "y", order: 3},
          {type: "line", label: "Chờ dự kiến (phút)",
            data: body.hours.map((h) => (h.expected_wait_s === null ? null : Math.round(h.expected_wait_s / 6) / 10)),
            borderColor: "#b3121f", backgroundColor: "#b3121f", yAxisID: "wait", spanGaps: false, order: 1}
        ]
      },
      options: {
        animation: false, maintainAspectRatio: false,
        scales: {
          y: {beginAtZero: true, ticks: {precision: 0}, title: {display: true, text: "Số quầy"}},
          wait: {position: "right", beginAtZero: true, grid: {drawOnChartArea: false},
            title: {display: true, text: "phút"}}
        }
      }
    });
  }

  function load() {
    const form = $("plan-form");
    const message = $("plan-message");
    const params = new URLSearchParams(new FormData(form));
    const asked = ++state.asked;
    message.hidden = true;
    $("plan").classList.add("loading");
    return fetch("/api/v1/stats/staffing?" + params, {credentials: "same-origin"})
      .then((response) => response.json().then((body) => {
        if (asked !== state.asked) { return; }
        if (!response.ok) { throw new Error((body.error && body.error.message) || "Không tải được"); }
        state.loaded = true;
        render(body);
      }))
      .catch((error) => {
        if (asked !== state.asked) { return; }
        message.textContent = error.message;
        message.hidden = false;
      })
      .finally(() => { if (asked === state.asked) { $("plan").classList.remove("loading"); } });
  }

  $("plan-form").addEventListener("submit", (event) => { event.preventDefault(); load(); });
  $("plan").addEventListener("panel-shown", () => {
    if (!state.loaded) { load(); }
    if (state.chart) { state.chart.resize(); }
  });
  if (!$("plan").hidden) { load(); }

  // --- live hint -------------------------------------------------------------------------------

  // "Nên mở thêm một quầy cho lĩnh vực Chứng thực (7 người đang chờ; 1 quầy đang mở chỉ gọi
  // kịp 3 người trong 15 phút)."
  function hintText(h) {
    const more = h.extra === 1 ? "một quầy" : counters(h.extra);
    const why = h.counters_open === 0 ? "chưa có quầy nào mở"
      : h.counters_open + " quầy đang mở chỉ gọi kịp " + h.clearable + " người trong " +
        config.target_wait_minutes + " phút";
    return "Nên mở thêm " + more + " cho lĩnh vực " + names(h.names) + " (" + h.waiting +
      " người đang chờ; " + why + ").";
  }
  document.addEventListener("live-stats", (event) => {
    const hints = event.detail.staffing_hints || [];
    const box = $("staffing-hint");
    box.hidden = hints.length === 0;
    box.replaceChildren(...hints.map((h) => {
      const p = document.createElement("p");
      p.textContent = hintText(h);
      return p;
    }));
  });
}());
