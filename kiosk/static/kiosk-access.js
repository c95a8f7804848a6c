/* The accessible kiosk: a large, high-contrast mode one tap away, and every button within
 * reach of a physical keypad for people who cannot use a touch screen.
 *
 * Large mode: the "Chữ lớn, dễ nhìn" button at the foot of every screen (or the * key). It
 * stays on while the citizen uses the kiosk and goes back to normal when the kiosk returns
 * to the start by itself (kiosk.js sends "kiosk-idle") or after IDLE_MS with no input.
 *
 * Keys (a USB/Bluetooth keypad or keyboard):
 *   Tab / Shift+Tab, or the arrow keys   move between the buttons of the screen
 *   Enter or Space                       press the button in focus
 *   1–9                                  the n-th field (or priority category) on screen
 *   0                                    the priority path ("Ưu tiên")
 *   Backspace, Escape or -               "Quay lại" / "Xong" (back to the start)
 *   * or .                               large, high-contrast mode on / off
 * The digits work on the number row and on the numeric keypad (NumLock on or off).
 * Once a key was used, each button shows its digit and each new screen puts the focus on
 * its first button (the priority path on the start screen).
 */
(function () {
  "use strict";

  var IDLE_MS = 60000;
  var app = document.getElementById("kiosk");
  var toggle = document.getElementById("k-access-toggle");
  var lastInput = Date.now();
  var keyboardUsed = false;

  // --- large, high-contrast mode -------------------------------------------------------

  function setLarge(on) {
    app.classList.toggle("k-access", on);
    document.body.classList.toggle("k-access-body", on);
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
  }
  function large() { return app.classList.contains("k-access"); }

  toggle.addEventListener("click", function () { setLarge(!large()); });
  app.addEventListener("kiosk-idle", function () { setLarge(false); });
  setInterval(function () {
    if (large() && Date.now() - lastInput > IDLE_MS) setLarge(false);
  }, 5000);
  ["pointerdown", "keydown"].forEach(function (name) {
    document.addEventListener(name, function () { lastInput = Date.now(); }, true);
  });

  // --- keys ----------------------------------------------------------------------------

  function visible(element) {
    return !!element && !element.disabled && element.offsetParent !== null &&
      !element.closest("[hidden]");
  }
  function screenEl() {
    return app.querySelector('.k-screen[data-name="' + app.dataset.screen + '"]');
  }
  function buttons() {
    var screen = screenEl();
    var inScreen = screen ? Array.prototype.slice.call(screen.querySelectorAll("button")) : [];
    return inScreen.concat([toggle]).filter(visible);
  }
  function choices() {
    var screen = screenEl();
    if (!screen) return [];
    var name = app.dataset.screen;
    var selector = name === "fields" ? ".k-field" : name === "priority" ? ".k-priority" : null;
    return selector ? Array.prototype.slice.call(screen.querySelectorAll(selector)).filter(visible) : [];
  }
  function press(element) {
    if (visible(element)) { element.focus(); element.click(); }
  }

  // Each choice shows the digit that presses it (CSS shows them once a key was used).
  function label() {
    choices().forEach(function (button, index) {
      if (index < 9) button.dataset.key = String(index + 1);
    });
    var priority = document.getElementById("k-priority-button");
    if (priority) priority.dataset.key = "0";
  }

  function digitOf(event) {
    if (/^[0-9]$/.test(event.key)) return Number(event.key);
    var match = /^(?:Digit|Numpad)([0-9])$/.exec(event.code || "");
    return match ? Number(match[1]) : null;
  }
  // NumLock off turns the keypad's digits into arrows and Home/End: their codes still say.
  var NUMPAD_MOVES = { Numpad8: -1, Numpad4: -1, Numpad2: 1, Numpad6: 1 };

  function move(step) {
    var list = buttons();
    if (!list.length) return;
    var at = list.indexOf(document.activeElement);
    var next = at < 0 ? (step > 0 ? 0 : list.length - 1) : (at + step + list.length) % list.length;
    list[next].focus();
  }

  function back() {
    var screen = screenEl();
    if (!screen) return;
    var candidates = screen.querySelectorAll('.k-back, [data-action="home"]');
    for (var i = 0; i < candidates.length; i += 1) {
      if (visible(candidates[i])) { press(candidates[i]); return; }
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (!keyboardUsed) { keyboardUsed = true; app.classList.add("k-keys"); label(); }
    var key = event.key;
    var numpadMove = NUMPAD_MOVES[event.code];
    if (key === "ArrowDown" || key === "ArrowRight") { event.preventDefault(); move(1); return; }
    if (key === "ArrowUp" || key === "ArrowLeft") { event.preventDefault(); move(-1); return; }
    if (numpadMove && !/^[0-9]$/.test(key)) { event.preventDefault(); move(numpadMove); return; }
    if (key === "*" || key === "." || key === "Decimal" || event.code === "NumpadMultiply" ||
        event.code === "NumpadDecimal") {
      event.preventDefault();
      setLarge(!large());
      return;
    }
    if (key === "Backspace" || key === "Escape" || key === "-" || event.code === "NumpadSubtract") {
      event.preventDefault();
      back();
      return;
    }
    var digit = digitOf(event);
    if (digit === null) return;
    event.preventDefault();
    if (digit === 0) {
      if (app.dataset.screen === "fields") press(document.getElementById("k-priority-button"));
      return;
    }
    var list = choices();
    if (digit <= list.length) press(list[digit - 1]);
  });

  // A new screen: its first button takes the focus, for whoever steers with keys.
  new MutationObserver(function () {
    label();
    if (!keyboardUsed) return;
    var list = buttons();
    if (list.length && list.indexOf(document.activeElement) < 0) list[0].focus();
  }).observe(app, { attributes: true, attributeFilter: ["data-screen"] });

  window.KioskAccess = { setLarge: setLarge, large: large };
})();
