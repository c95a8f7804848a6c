/* One center on the province hub: its Stats over a period (GET /api/v1/centers/CODE/stats),
   shown with the very figures, charts and tables of the box's manager page. */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("hub-config").textContent);
  const view = window.XephangStatsView(config);
  const $ = (id) => document.getElementById(id);
  let asked = 0;

  function load() {
    const params = new URLSearchParams({from: $("f-from").value, to: $("f-to").value});
    const message = $("filters-message");
    message.hidden = true;
    $("history").classList.add("loading");
    const mine = ++asked;
    view.api("/api/v1/centers/" + encodeURIComponent(config.center) + "/stats?" + params)
      .then((stats) => { if (mine === asked) { view.render(stats); } })
      .catch((error) => {
        if (mine !== asked) { return; }
        message.textContent = error.message;
        message.hidden = false;
      })
      .finally(() => { if (mine === asked) { $("history").classList.remove("loading"); } });
  }

  $("filters").addEventListener("submit", (event) => { event.preventDefault(); load(); });
  view.bindPresets(config.today, (from, to) => {
    $("f-from").value = from;
    $("f-to").value = to;
    load();
  });
  $("logout").addEventListener("click", () => {
    fetch("/api/v1/auth/logout", {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json"}, body: "{}"})
      .then((response) => response.text())
      .finally(() => { window.location.href = "/"; });
  });
  load();
}());
