/* The citizen's live ticket page: position and estimated wait, the counter when called. */
(function () {
  "use strict";

  var page = document.getElementById("t-page");
  var ticket = JSON.parse(document.getElementById("t-ticket").textContent);
  var pending = null;

  function $(id) { return document.getElementById(id); }

  function render(value) {
    ticket = value;
    page.dataset.state = value.state;
    $("t-ahead").textContent = value.ahead == null ? "–" : value.ahead;
    $("t-eta").textContent = value.eta_minutes == null ? "–" : value.eta_minutes;
    $("t-counter").textContent = value.counter == null ? "" : value.counter;
    document.title = "Số " + value.label + (value.state === "called" ? " — mời đến quầy " + value.counter : "");
    offerRating();
  }

  /* Once served, the ticket's holder may rate the service, once. */
  var ratingShown = false;
  function offerRating() {
    var place = $("t-rating");
    if (ratingShown || ticket.state !== "done" || !place || !window.XephangRating) return;
    ratingShown = true;
    window.XephangRating.mount(place, {ticketId: ticket.id});
  }

  // A hall may hold thousands of these pages: a refresh comes only for events of this
  // ticket's field, after a random delay that spreads the phones' requests out.
  var REFRESH_JITTER_MS = 4000;
  // When the box refuses the live connection (too many), look again this often instead.
  var POLL_MS = 20000;
  var poller = null;

  function fetchTicket() {
    return fetch("/api/v1/tickets/" + encodeURIComponent(ticket.id), { cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (value) { if (value) render(value); }, function () {});
  }

  function refresh(soon) {
    // Many events arrive together at busy moments: one fetch for the lot.
    if (pending) return;
    pending = setTimeout(function () {
      pending = null;
      fetchTicket();
    }, soon ? 300 : 300 + Math.random() * REFRESH_JITTER_MS);
  }

  function concernsMe(payload) {
    var other = payload && (payload.ticket || (payload.counter && payload.counter.current));
    return !other || !other.service || other.service === ticket.service;
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

  if (typeof io !== "function") { polling(true); return; }
  // Growing delays between tries: a refused page does not hammer a full box.
  var socket = io({ transports: ["websocket"], reconnectionDelay: 2000,
                    reconnectionDelayMax: 60000, randomizationFactor: 0.5 });
  offerRating();
  socket.on("connect", function () {
    online(true);
    polling(false);
    socket.emit("subscribe", { rooms: ["board"] });
    refresh(true);
  });
  socket.on("disconnect", function () { online(false); });
  // Refused (the box is full) or unreachable: the ticket still updates, just more slowly.
  socket.on("connect_error", function () {
    if (!poller) fetchTicket();
    polling(true);
  });
  socket.on("ticket_called", function (payload) {
    if (payload && payload.ticket && payload.ticket.id === ticket.id) render(payload.ticket);
    else if (ticket.state === "waiting" && concernsMe(payload)) refresh(false);
  });
  ["ticket_issued", "ticket_updated", "counter_updated"].forEach(function (name) {
    socket.on(name, function (payload) {
      if (payload && payload.ticket && payload.ticket.id === ticket.id) render(payload.ticket);
      else if (ticket.state === "waiting" && concernsMe(payload)) refresh(false);
    });
  });
})();
