/* XephangRating: the citizen's satisfaction choice, reusable on any page.
 *
 * Faces, words and reasons come from the center's configuration
 * (GET /api/v1/ratings/options). The counter's rating device (/rate/N) uses the pieces
 * (`choices`, `reasons`); a citizen's ticket page mounts the whole widget:
 *
 *   <div id="rating"></div>
 *   <script src="/static/core/rating.js"></script>
 *   <script>
 *     XephangRating.mount(document.getElementById("rating"), {ticketId: "…", key: "…"});
 *   </script>
 *
 * `mount` shows the choices, then the reasons when unsatisfied, sends the one rating
 * (POST /api/v1/tickets/ID/citizen-rating with `key`, the holder key from the ticket's QR
 * code) and says thank you; a second rating of the
 * same ticket is refused by the core and the widget says so. Options: `options` (skip
 * the fetch), `submit(level, comment)` returning a Promise of the fetch Response (to send
 * elsewhere), `onDone(outcome)` with outcome "rated", "already_rated" or "refused",
 * `title` (the question).
 */
(function () {
  "use strict";

  const FACES = {
    very_satisfied: { color: "#1d7a3a", mouth: "M28 60 Q50 86 72 60 Z", filled: true },
    satisfied: { color: "#4d8a1c", mouth: "M31 63 Q50 76 69 63", filled: false },
    neutral: { color: "#a57800", mouth: "M32 67 L68 67", filled: false },
    unsatisfied: { color: "#b3121f", mouth: "M31 72 Q50 56 69 72", filled: false },
  };

  const STYLE = `
.xr { --xr-size: 1rem; font-size: var(--xr-size); }
.xr-question { font-weight: 700; font-size: 1.3em; margin: 0 0 .75em; text-align: center; }
.xr-choices { display: grid; grid-template-columns: repeat(auto-fit, minmax(7em, 1fr)); gap: .75em; }
.xr-choice { display: flex; flex-direction: column; align-items: center; gap: .4em; padding: .8em .5em;
  border-radius: .8em; border: 3px solid var(--xr-color); background: #fff; color: var(--xr-color);
  font: inherit; font-weight: 700; font-size: 1.15em; cursor: pointer; touch-action: manipulation; }
.xr-choice:active, .xr-choice.xr-picked { background: var(--xr-color); color: #fff; }
.xr-choice svg { width: 4.5em; height: 4.5em; }
.xr-choice:disabled { opacity: .45; cursor: default; }
.xr-reasons { display: grid; grid-template-columns: repeat(auto-fit, minmax(12em, 1fr)); gap: .6em; }
.xr-reason { font: inherit; font-size: 1.05em; padding: .9em .8em; border-radius: .6em;
  border: 2px solid #b3121f; background: #fff; color: #10213a; cursor: pointer; text-align: left; }
.xr-reason:active { background: #fbdada; }
.xr-skip { border-color: #8a96a6; color: #4a5a70; }
.xr-message { text-align: center; font-size: 1.2em; font-weight: 700; margin: .5em 0; }
.xr-skip { grid-column: 1 / -1; text-align: center; }
.xr-thanks { color: #1d7a3a; }
.xr-refused { color: #7a0d0d; }
`;

  function injectStyle() {
    if (document.getElementById("xephang-rating-style")) return;
    const style = document.createElement("style");
    style.id = "xephang-rating-style";
    style.textContent = STYLE;
    document.head.appendChild(style);
  }

  function colorOf(level) {
    return (FACES[level] || FACES.neutral).color;
  }

  /* Return an SVG face for a level, drawn in its colour (no emoji font needed). */
  function face(level) {
    const f = FACES[level] || FACES.neutral;
    const mouth = f.filled ?
      `<path d="${f.mouth}" fill="currentColor"/>` :
      `<path d="${f.mouth}" fill="none" stroke="currentColor" stroke-width="6" stroke-linecap="round"/>`;
    return `<svg viewBox="0 0 100 100" aria-hidden="true" focusable="false">` +
      `<circle cx="50" cy="50" r="45" fill="none" stroke="currentColor" stroke-width="6"/>` +
      `<circle cx="35" cy="42" r="6" fill="currentColor"/><circle cx="65" cy="42" r="6" fill="currentColor"/>` +
      mouth + `</svg>`;
  }

  /* Render one big button per level into `container`; `onPick(level, label)` on a touch. */
  function choices(container, levels, onPick) {
    injectStyle();
    const box = document.createElement("div");
    box.className = "xr-choices";
    for (const item of levels) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "xr-choice xr-" + item.level;
      button.dataset.level = item.level;
      button.style.setProperty("--xr-color", colorOf(item.level));
      button.innerHTML = face(item.level) + "<span></span>";
      button.querySelector("span").textContent = item.label;
      button.addEventListener("click", () => {
        button.classList.add("xr-picked");
        for (const other of box.querySelectorAll("button")) other.disabled = true;
        onPick(item.level, item.label);
      });
      box.appendChild(button);
    }
    container.appendChild(box);
    return box;
  }

  /* Render the reasons and a "skip" button; `onPick(reason or null)`. */
  function reasons(container, list, onPick, skipText) {
    injectStyle();
    const box = document.createElement("div");
    box.className = "xr-reasons";
    const add = (text, value, extra) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "xr-reason" + (extra ? " " + extra : "");
      button.textContent = text;
      button.addEventListener("click", () => {
        for (const other of box.querySelectorAll("button")) other.disabled = true;
        onPick(value);
      });
      box.appendChild(button);
    };
    for (const reason of list) add(reason, reason);
    add(skipText || "Bỏ qua, gửi đánh giá", null, "xr-skip");
    container.appendChild(box);
    return box;
  }

  /* Return a check mark in a circle: "received, thank you". */
  function thanks() {
    return `<svg viewBox="0 0 100 100" aria-hidden="true" focusable="false">` +
      `<circle cx="50" cy="50" r="45" fill="none" stroke="currentColor" stroke-width="6"/>` +
      `<path d="M29 52 L44 67 L72 37" fill="none" stroke="currentColor" stroke-width="8" ` +
      `stroke-linecap="round" stroke-linejoin="round"/></svg>`;
  }

  async function loadOptions() {
    const response = await fetch("/api/v1/ratings/options", { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error("rating options: " + response.status);
    return response.json();
  }

  /* Tell what a rating answer means: "rated", "already_rated", "expired" or "refused". */
  async function outcomeOf(response) {
    if (response.ok) return { outcome: "rated", message: "" };
    const data = await response.json().catch(() => ({}));
    const error = data.error || {};
    const kinds = { already_rated: "already_rated", rating_expired: "expired" };
    return { outcome: kinds[error.code] || "refused", message: error.message || "" };
  }

  function say(container, text, kind) {
    const p = document.createElement("p");
    p.className = "xr-message xr-" + kind;
    p.textContent = text;
    container.textContent = "";
    container.appendChild(p);
  }

  /* Mount the whole widget for one ticket (the citizen's own ticket page). */
  async function mount(container, settings) {
    injectStyle();
    const opts = settings || {};
    container.classList.add("xr");
    let options = opts.options;
    if (!options) {
      try { options = await loadOptions(); } catch (err) { return; }
    }
    const submit = opts.submit || ((level, comment) => fetch(
      "/api/v1/tickets/" + encodeURIComponent(opts.ticketId) + "/citizen-rating", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(Object.assign({ level, key: opts.key }, comment ? { comment } : {})),
      }));
    const done = opts.onDone || (() => {});
    const send = async (level, comment) => {
      say(container, "Đang gửi…", "work");
      let result;
      try {
        result = await outcomeOf(await submit(level, comment));
      } catch (err) {
        say(container, "Chưa gửi được. Vui lòng thử lại.", "refused");
        setTimeout(ask, 3000);
        return;
      }
      if (result.outcome === "rated") say(container, "Cảm ơn quý công dân đã đánh giá!", "thanks");
      else if (result.outcome === "already_rated") say(container, "Số này đã được đánh giá. Cảm ơn quý công dân!", "thanks");
      else say(container, result.message || "Không gửi được đánh giá.", "refused");
      done(result.outcome);
    };
    const ask = () => {
      container.textContent = "";
      const question = document.createElement("p");
      question.className = "xr-question";
      question.textContent = opts.title || "Quý công dân có hài lòng với sự phục vụ?";
      container.appendChild(question);
      choices(container, options.levels, (level) => {
        if ((options.reasons_for || []).includes(level) && options.reasons.length) {
          container.textContent = "";
          const why = document.createElement("p");
          why.className = "xr-question";
          why.textContent = "Xin cho biết điều chưa hài lòng:";
          container.appendChild(why);
          reasons(container, options.reasons, (reason) => send(level, reason));
        } else {
          send(level, null);
        }
      });
    };
    ask();
  }

  window.XephangRating = { face, thanks, choices, reasons, mount, loadOptions, outcomeOf, colorOf };
})();
