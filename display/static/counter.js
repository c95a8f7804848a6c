/* A counter screen: this counter's number and the label it serves, very large. */
(function () {
  "use strict";
  const {setText, toggle, sizeList, element, callKey} = window.XephangDisplay;

  const $ = (id) => document.getElementById(id);
  const nodes = {
    name: $("cs-name"), clock: $("clock"), main: $("cs-main"), caption: $("cs-caption"),
    label: $("cs-label"), state: $("cs-state"), fields: $("cs-fields"), waiting: $("cs-waiting"),
  };
  let shownCall = null;

  function fieldItem() {
    return element("li", "cs-field", [element("b"), element("span")]);
  }

  function render(display) {
    const {live, text, options} = display;
    const counter = live.counter(options.counter);
    if (!counter) return;
    const now = display.now();
    setText(nodes.name, counter.name || `${text.counter} ${counter.number}`);
    let label = text.idle;
    let state = "";
    if (counter.state === "closed") { label = text.closed; state = ""; }
    else if (counter.state === "paused") { label = text.paused; state = ""; }
    else if (counter.current) label = counter.current.label;
    else state = text.idle_hint;
    setText(nodes.label, label);
    setText(nodes.state, state);
    toggle(nodes.caption, "is-hidden", counter.state !== "open" || !counter.current);
    toggle(document.body, "is-closed", counter.state === "closed");
    toggle(document.body, "is-paused", counter.state === "paused");
    toggle(document.body, "is-idle", counter.state === "open" && !counter.current);
    nodes.label.style.setProperty("--chars", String(Math.max(4, label.length)));

    const fresh = counter.state === "open" && live.isFresh(counter.number, now);
    const key = live.call && live.call.counter === counter.number ? callKey(live.call) : shownCall;
    toggle(nodes.main, "is-fresh", fresh);
    if (fresh && key !== shownCall) {
      nodes.main.classList.remove("is-cue");
      void nodes.main.offsetWidth;
      nodes.main.classList.add("is-cue");
    }
    if (!fresh) nodes.main.classList.remove("is-cue");
    shownCall = key;

    const services = new Map(live.services().map((s) => [s.code, s]));
    const codes = counter.services || [];
    const items = sizeList(nodes.fields, codes.length, fieldItem);
    let waiting = 0;
    codes.forEach((code, index) => {
      const service = services.get(code);
      setText(items[index].children[0], code);
      setText(items[index].children[1], service ? service.name : "");
      waiting += service && Number.isInteger(service.waiting) ? service.waiting : 0;
    });
    setText(nodes.waiting, waiting);
  }

  function tick(display, clock) {
    setText(nodes.clock, `${clock.hour}:${clock.minute}`);
  }

  window.XephangDisplay.start({render, tick, rooms: ["board"]});
})();
