/* The citizen's live ticket page: position and estimated wait, the counter when called.
 * Opened from the ticket's QR code it carries the holder key (?k=…), and then offers the
 * rating once served; opened from a bare address it only shows the ticket. */
(function () {
  "use strict";

  var page = document.getElementById("t-page");
  var ticket = JSON.parse(document.getElementById("t-ticket").textContent);
  var holderKey = page.dataset.key || null;

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

  // A hall may hold thousands of these pages: each joins only its own ticket's room
  // ("ticket:<id>"), where its ticket's changes come at once and its place in the queue
  // comes paced by the server (ticket_place), so no page has to ask after every call.
  // The room is the holder's: it is joined with the key of the ticket's QR code, so a page
  // opened from the bare address follows its ticket by looking again instead, as does one
  // the box refuses (too many live connections), this often.
  var POLL_MS = 20000;
  var poller = null;
  // The newest state shown, by seq; and how many pushes came (a fetch sent before one is stale).
  var shownSeq = -1;
  var pushes = 0;

  function show(value, seq) {
    if (typeof seq === "number") {
      if (seq < shownSeq) return;
      shownSeq = seq;
    }
    render(value);
  }

  function fetchTicket() {
    var seen = pushes;
    // The holder key lets the answer carry the ticket's dossier (nobody else reads it).
    var url = "/api/v1/tickets/" + encodeURIComponent(ticket.id) +
      (holderKey ? "?k=" + encodeURIComponent(holderKey) : "");
    return fetch(url, { cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (value) { if (value && seen === pushes) render(value); }, function () {});
  }

  function polling(on) {
    page.dataset.mode = on ? "polling" : "live";
    if (on && !poller) {
      poller = setInterval(function () { if (ticket.state !== "done") fetchTicket(); }, POLL_MS);
    } else if (!on && poller) {
      clearInterval(poller);
      poller = null;
    }
  }

  function online(value) {
    page.dataset.connection = value ? "online" : "offline";
    $("t-offline").hidden = value;
  }

  if (typeof io !== "function" || !holderKey) { polling(true); return; }
  // Growing delays between tries: a refused page does not hammer a full box. "relaxed":
  // the server checks this quiet page's link less often than a screen's.
  var socket = io({ transports: ["websocket"], reconnectionDelay: 2000,
                    reconnectionDelayMax: 60000, randomizationFactor: 0.5,
                    query: { pace: "relaxed" } });
  offerRating();

  socket.on("connect", function () {
    online(true);
    polling(false);
    socket.emit("subscribe", { rooms: ["ticket:" + ticket.id], key: holderKey }, function (answer) {
      if (answer && answer.ticket) {
        pushes++;
        show(answer.ticket, answer.seq);
      } else if (answer && answer.error) {
        // The room is refused (the ticket is gone from the box): stop asking for it.
        socket.io.reconnection(false);
        socket.disconnect();
        polling(true);
      }
    });
  });
  socket.on("disconnect", function () { if (!poller) online(false); });
  // Refused (the box is full) or unreachable: the ticket still updates, just more slowly.
  socket.on("connect_error", function () {
    if (!poller) fetchTicket();
    polling(true);
  });
  function onTicket(payload) {
    if (!payload || !payload.ticket || payload.ticket.id !== ticket.id) return;
    pushes++;
    show(payload.ticket, payload.seq);
    // Events carry no dossier; the ticket's own answer does (a few per ticket, not per call).
    fetchTicket();
  }
  socket.on("ticket_called", onTicket);
  socket.on("ticket_updated", onTicket);
  socket.on("ticket_place", function (place) {
    if (!place || place.id !== ticket.id || ticket.state !== "waiting") return;
    pushes++;
    var value = {};
    for (var key in ticket) value[key] = ticket[key];
    value.ahead = place.ahead;
    value.eta_minutes = place.eta_minutes;
    render(value);
  });
})();
