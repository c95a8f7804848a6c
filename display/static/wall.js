/* The wall screen: the call just made in large type, every counter, recent calls, waiting. */
(function () {
  "use strict";
  const {setText, toggle, sizeList, element, callKey, fitText} = window.XephangDisplay;

  const $ = (id) => document.getElementById(id);
  const nodes = {
    centerName: $("center-name"), clock: $("clock"), date: $("date"), hero: $("hero"),
    caption: $("hero-caption"), label: $("hero-label"), counter: $("hero-counter"),
    speech: $("hero-speech"), rows: $("counter-rows"), recent: $("recent"), waiting: $("waiting"),
    notice: $("notice"), noticeText: $("notice-text"),
  };
  let shownCall = null;

  let words = {};

  function counterName(board, number) {
    const counter = board.counters.find((c) => c.number === number);
    return counter && counter.name ? counter.name : `${words.counter} ${number}`;
  }

  function counterRow() {
    return element("li", "crow", [
      element("span", "c-num"),
      element("span", "c-fields", [element("b", "c-codes"), element("span", "c-names")]),
      element("span", "c-serving"),
    ]);
  }

  function recentItem() {
    return element("li", "recent-item", [
      element("b", "r-label"),
      // The counter, and under it "gọi lại" for a call made again.
      element("span", "r-side", [element("span", "r-counter"), element("small", "r-again")]),
    ]);
  }

  function waitingItem() {
    return element("li", "waiting-item", [
      element("span", "w-head", [element("b", "w-code"), element("span", "w-count")]),
      element("span", "w-name"),
    ]);
  }

  /* Play the highlight's animation again for every new call, even back to back. */
  function cue(node) {
    node.classList.remove("is-cue");
    void node.offsetWidth;
    node.classList.add("is-cue");
  }

  function renderHero(display, board, now) {
    const {live, text} = display;
    const call = live.call;
    if (call && call.earlier) {
      // The latest call is no longer true: the call still true before it, marked so.
      setText(nodes.caption, text.earlier_caption);
      setText(nodes.label, call.label);
      setText(nodes.counter, `${text.at_counter} ${counterName(board, call.counter)}`);
      setText(nodes.speech, "");
    } else if (call) {
      setText(nodes.caption, call.recall ? text.recall_caption : text.call_caption);
      setText(nodes.label, call.label);
      setText(nodes.counter, `${text.to_counter} ${counterName(board, call.counter)}`);
      // Written for people who cannot hear the loudspeaker (which says the spoken form).
      setText(nodes.speech, call.caption);
    } else {
      setText(nodes.caption, text.call_caption);
      setText(nodes.label, text.idle);
      setText(nodes.counter, "");
      setText(nodes.speech, text.no_calls);
    }
    const key = callKey(call);
    const fresh = live.isFresh(null, now);
    toggle(nodes.hero, "is-fresh", fresh);
    toggle(nodes.hero, "is-recall", !!(call && call.recall && !call.earlier));
    toggle(nodes.hero, "is-earlier", !!(call && call.earlier));
    if (fresh && key !== shownCall) cue(nodes.hero);
    if (!fresh) nodes.hero.classList.remove("is-cue");
    shownCall = key;
    // A label or a counter name longer than usual shrinks instead of breaking the layout.
    nodes.label.style.setProperty("--chars", String(Math.max(4, nodes.label.textContent.length)));
  }

  function renderCounters(display, board, now) {
    const {live, text} = display;
    const names = new Map(board.services.map((s) => [s.code, s.name]));
    const rows = sizeList(nodes.rows, board.counters.length, counterRow);
    nodes.rows.style.setProperty("--rows", String(Math.max(5, board.counters.length)));
    board.counters.forEach((counter, index) => {
      const row = rows[index];
      const [num, fields, serving] = row.children;
      row.dataset.counter = String(counter.number);
      setText(num, counter.number);
      setText(fields.children[0], (counter.services || []).join(" · "));
      setText(fields.children[1], (counter.services || []).map((c) => names.get(c) || c).join(" · "));
      let shown = text.idle;
      if (counter.state === "closed") shown = text.closed;
      else if (counter.state === "paused") shown = text.paused;
      else if (counter.current) shown = counter.current.label;
      setText(serving, shown);
      toggle(row, "is-closed", counter.state === "closed");
      toggle(row, "is-paused", counter.state === "paused");
      toggle(row, "is-idle", counter.state === "open" && !counter.current);
      toggle(row, "is-fresh", counter.state === "open" && live.isFresh(counter.number, now));
    });
  }

  function renderRecent(display, board) {
    const calls = display.live.recent();
    nodes.recent.style.setProperty("--items", String(Math.max(4, display.live.recentLimit)));
    const items = sizeList(nodes.recent, calls.length, recentItem);
    calls.forEach((call, index) => {
      const [label, side] = items[index].children;
      setText(label, call.label);
      setText(side.children[0], counterName(board, call.counter));
      setText(side.children[1], call.recall ? display.text.recall_mark : "");
      toggle(items[index], "is-recall", !!call.recall);
    });
  }

  function renderWaiting(display) {
    const services = display.live.services();
    const items = sizeList(nodes.waiting, services.length, waitingItem);
    services.forEach((service, index) => {
      const [head, name] = items[index].children;
      items[index].dataset.service = service.code;
      setText(head.children[0], service.code);
      setText(head.children[1], service.waiting);
      setText(name, service.name);
      toggle(items[index], "is-empty", !service.waiting);
    });
  }

  function render(display) {
    words = display.text;
    const board = display.live.board;
    if (!board) return;
    const now = display.now();
    if (board.center && board.center.name) setText(nodes.centerName, board.center.name);
    renderHero(display, board, now);
    renderCounters(display, board, now);
    renderRecent(display, board);
    renderWaiting(display);
    // Once every part has its content (the layout is final): a long field name wraps and
    // shrinks into its box, never cut.
    fitAll(false);
    toggle(document.body, "is-center-closed", board.open === false);
    tick(display, display.clock());
  }

  function tick(display, clock) {
    const {text} = display;
    setText(nodes.clock, `${clock.hour}:${clock.minute}`);
    const board = display.live.board;
    let date = `${text.weekdays[clock.weekday] || ""}, ${clock.day}/${clock.month}/${clock.year}`;
    if (board && board.open === false) date += ` · ${text.center_closed}`;
    setText(nodes.date, date);
  }

  /* A notice longer than the screen is wide scrolls slowly instead of being cut. */
  function fitNotice() {
    if (nodes.notice.hidden) return;
    nodes.notice.classList.remove("is-scrolling");
    const style = getComputedStyle(nodes.notice);
    const room = nodes.notice.clientWidth - parseFloat(style.paddingLeft)
      - parseFloat(style.paddingRight);
    const wide = nodes.noticeText.getBoundingClientRect().width;
    if (wide <= room + 1) return;
    // About a tenth of the screen's width per second: slow enough to read.
    const seconds = (wide + nodes.notice.clientWidth) / Math.max(1, nodes.notice.clientWidth / 10);
    nodes.notice.style.setProperty("--scroll-seconds", `${seconds.toFixed(1)}s`);
    nodes.notice.classList.add("is-scrolling");
  }

  function fitAll(again = true) {
    document.querySelectorAll(".c-names, .w-name").forEach((node) => {
      if (again) delete node.dataset.fitted;
      fitText(node);
    });
  }

  window.XephangDisplay.start({render, tick, rooms: ["board"]});
  window.addEventListener("resize", () => { fitNotice(); fitAll(); });
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(() => { fitNotice(); fitAll(); });
  fitNotice();
})();
