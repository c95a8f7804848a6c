/* The citizen's live ticket page: position and estimated wait, the counter when called.
 * Opened from the ticket's QR code it carries the holder key (?k=…), and then offers the
 * rating once served; opened from a bare address it only shows the ticket. */
(function () {
  "use strict";

  var page = document.getElementById("t-page");
  var ticket = JSON.parse(document.getElementById("t-ticket").textContent);
  var holderKey = page.dataset.key || null;
  var pending = null;

  function $(id) { return document.getElementById(id); }

  function render(value) {
    // Events on the public board carry no dossier; the ticket's own answer does.
    if (!("dossier" in value)) value.dossier = ticket.dossier;
    ticket = value;
    page.dataset.state = value.state;
    $("t-ahead").textContent = value.ahead == null ? "–" : value.ahead;
    $("t-eta").textContent = value.eta_minutes == null ? "–" : value.eta_minutes;
    $("t-counter").textContent = value.counter == null ? "" : value.counter;
    $("t-dossier-code").textContent = value.dossier ? value.dossier.code : "";
    $("t-dossier").hidden = !value.dossier;
    document.title = "Số " + value.label + (value.state === "called" ? " — mời đến quầy " + value.counter : "");
    offerRating();
  }

  /* Once served, the ticket's holder may rate the service, once. */
  var ratingShown = false;
  function offerRating() {
    var place = $("t-rating");
    if (ratingShown || ticket.state !== "done" || !place || !holderKey || !window.XephangRating) return;
    ratingShown = true;
    window.XephangRating.mount(place, {ticketId: ticket.id, key: holderKey});
  }

  function refresh() {
    // Many events arrive together at busy moments: one fetch for the lot.
    if (pending) return;
    pending = setTimeout(function () {
      pending = null;
      fetch("/api/v1/tickets/" + encodeURIComponent(ticket.id), { cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (value) { if (value) render(value); }, function () {});
    }, 300);
  }

  function online(value) {
    page.dataset.connection = value ? "online" : "offline";
    $("t-offline").hidden = value;
  }

  if (typeof io !== "function") return;
  var socket = io({ transports: ["websocket"] });
  offerRating();
  socket.on("connect", function () {
    online(true);
    socket.emit("subscribe", { rooms: ["board"] });
    refresh();
  });
  socket.on("disconnect", function () { online(false); });
  socket.on("ticket_called", function (payload) {
    if (payload && payload.ticket && payload.ticket.id === ticket.id) render(payload.ticket);
    refresh();
  });
  ["ticket_issued", "ticket_updated", "counter_updated"].forEach(function (name) {
    socket.on(name, function (payload) {
      var mine = payload && payload.ticket && payload.ticket.id === ticket.id;
      if (mine) render(payload.ticket);
      // A change of its own (a dossier attached, say) is read whole from the ticket's answer.
      if (mine || ticket.state === "waiting") refresh();
    });
  });
})();
