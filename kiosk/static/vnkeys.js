/* An on-screen Vietnamese keyboard for a touch kiosk that has no physical keyboard.
 *
 * Letters compose the Telex way as they are typed: aa → â, aw → ă, ee → ê, oo → ô,
 * ow → ơ, uw → ư, uow → ươ, dd → đ, and the tone keys s (sắc) f (huyền) r (hỏi) x (ngã)
 * j (nặng), z (none) put the tone on the right vowel of the word ("chuwngs" → "chứng").
 * Typing a key twice undoes it ("ass" → "as"). For those who do not know Telex, a row
 * of marks (the diacritic picker) changes the word being typed: ´ ` ̉ ˜ . and â ă ê ô ơ ư đ.
 * Text typed without any mark is left as it is: search finds it all the same.
 *
 *   var keyboard = VNKeys.mount(element, { layout: "text", onChange: function (text) {} });
 *   keyboard.set(""); keyboard.text();
 *
 * `VNKeys.telex(text, key)`, `VNKeys.tone(word, tone)` and `VNKeys.mark(word, letter)` are
 * the rules alone (pure functions).
 */
(function () {
  "use strict";

  var TONES = { s: "\u0301", f: "\u0300", r: "\u0309", x: "\u0303", j: "\u0323" };
  var TONE_SET = ["\u0301", "\u0300", "\u0309", "\u0303", "\u0323"];
  var CIRCUMFLEX = "\u0302", BREVE = "\u0306", HORN = "\u031B";
  var VOWELS = "aeiouy";

  // --- one letter as (base, vowel mark, tone) --------------------------------------------

  function parts(ch) {
    var lower = ch.toLowerCase();
    if (lower === "đ") return { base: ch === "Đ" ? "D" : "d", stroke: true, mark: "", tone: "" };
    var d = ch.normalize("NFD");
    var p = { base: d.charAt(0), stroke: false, mark: "", tone: "" };
    for (var i = 1; i < d.length; i++) {
      var c = d.charAt(i);
      if (TONE_SET.indexOf(c) >= 0) p.tone = c;
      else if (c === CIRCUMFLEX || c === BREVE || c === HORN) p.mark = c;
      else p.base += c;
    }
    return p;
  }

  function letter(p) {
    if (p.stroke) return p.base === "D" ? "Đ" : "đ";
    return (p.base + p.mark + p.tone).normalize("NFC");
  }

  function split(word) { return Array.from(word).map(parts); }
  function joined(list) { return list.map(letter).join(""); }
  function isVowel(p) { return !p.stroke && VOWELS.indexOf(p.base.toLowerCase()) >= 0; }

  /* Return the indexes of the word's vowels, without the u of "qu" and the i of "gi". */
  function vowels(list) {
    var found = [];
    for (var i = 0; i < list.length; i++) {
      if (!isVowel(list[i])) continue;
      var base = list[i].base.toLowerCase();
      var before = i > 0 ? list[i - 1].base.toLowerCase() : "";
      var nextIsVowel = i + 1 < list.length && isVowel(list[i + 1]);
      if ((base === "u" && before === "q") || (base === "i" && before === "g" && i === 1 && nextIsVowel)) continue;
      found.push(i);
    }
    return found;
  }

  /* Return where the tone goes (the traditional placement: hòa, thủy, mùa, hoàn, người). */
  function toneIndex(list) {
    var cluster = vowels(list);
    if (!cluster.length) return -1;
    var marked = cluster.filter(function (i) { return list[i].mark; });
    if (marked.length) return marked[marked.length - 1];
    if (cluster.length >= 3) return cluster[1];
    if (cluster.length === 2) {
      var last = cluster[1] === list.length - 1;
      return last ? cluster[0] : cluster[1];
    }
    return cluster[0];
  }

  function withTone(list, tone) {
    list.forEach(function (p) { p.tone = ""; });
    var at = toneIndex(list);
    if (at >= 0 && tone) list[at].tone = tone;
    return list;
  }

  function currentTone(list) {
    for (var i = 0; i < list.length; i++) if (list[i].tone) return list[i].tone;
    return "";
  }

  // --- the rules ---------------------------------------------------------------------------

  /* Put `tone` (a key s f r x j, or z for none) on the word; null when it has no vowel. */
  function tone(word, key) {
    var list = split(word);
    if (!vowels(list).length) return null;
    var had = currentTone(list);
    var wanted = key === "z" ? "" : TONES[key];
    if (wanted === undefined) return null;
    if (key === "z" && !had) return null;
    if (had && had === wanted) return joined(withTone(list, "")) + key;  // twice: undo
    return joined(withTone(list, wanted));
  }

  /* Change the word by a mark letter: â ă ê ô ơ ư đ (the picker) or a Telex key a e o w d. */
  function mark(word, key) {
    var list = split(word);
    var had = currentTone(list);
    var lower = key.toLowerCase();
    var map = { "â": ["a", CIRCUMFLEX], "ê": ["e", CIRCUMFLEX], "ô": ["o", CIRCUMFLEX],
                "ă": ["a", BREVE], "ơ": ["o", HORN], "ư": ["u", HORN],
                a: ["a", CIRCUMFLEX], e: ["e", CIRCUMFLEX], o: ["o", CIRCUMFLEX] };
    var i;
    if (lower === "đ" || lower === "d") {
      for (i = 0; i < list.length; i++) {
        if (list[i].base.toLowerCase() === "d") {
          if (list[i].stroke) {
            list[i].stroke = false;
            return joined(list) + (lower === "d" ? key : "");  // "đ" + d, or đ picked again: undo
          }
          list[i].stroke = true;
          return joined(list);
        }
        if (isVowel(list[i])) break;  // đ only begins a syllable
      }
      return null;
    }
    if (lower === "w") {
      var cluster = vowels(list);
      for (i = 0; i + 1 < cluster.length; i++) {
        var u = list[cluster[i]], o = list[cluster[i + 1]];
        if (u.base.toLowerCase() === "u" && o.base.toLowerCase() === "o" && !(u.mark && o.mark)) {
          u.mark = HORN; o.mark = HORN;
          return joined(withTone(list, had));
        }
      }
      for (i = cluster.length - 1; i >= 0; i--) {
        var p = list[cluster[i]];
        var base = p.base.toLowerCase();
        if (base === "a" || base === "o" || base === "u") {
          var wanted = base === "a" ? BREVE : HORN;
          if (p.mark === wanted) { p.mark = ""; return joined(withTone(list, had)) + key; }
          p.mark = wanted;
          return joined(withTone(list, had));
        }
      }
      return cluster.length ? null : word + (key === "W" ? "Ư" : "ư");
    }
    var rule = map[lower];
    if (!rule) return null;
    for (i = list.length - 1; i >= 0; i--) {
      var q = list[i];
      if (!isVowel(q) || q.base.toLowerCase() !== rule[0]) continue;
      if (q.mark === rule[1]) {
        // "â" + a (Telex), or â picked again: undo.
        q.mark = "";
        return joined(withTone(list, had)) + ("aeo".indexOf(lower) >= 0 ? key : "");
      }
      q.mark = rule[1];
      return joined(withTone(list, had));
    }
    return null;
  }

  /* Type `key` at the end of `text` the Telex way; return the new text. */
  function telex(text, key) {
    var start = Math.max(text.lastIndexOf(" "), text.lastIndexOf("\n")) + 1;
    var word = text.slice(start);
    var lower = key.toLowerCase();
    var changed = null;
    if (word) {
      if (TONES[lower] !== undefined || lower === "z") changed = tone(word, lower);
      else if ("aeo".indexOf(lower) >= 0) {
        // Only a vowel typed right after the same vowel doubles it (aa → â), as Telex does.
        var tail = Array.from(word);
        var last = parts(tail[tail.length - 1]);
        if (last.base.toLowerCase() === lower && (last.mark === "" || last.mark === CIRCUMFLEX)) {
          changed = mark(word, key);
        }
      } else if (lower === "w" || lower === "d") {
        if (lower === "d") {
          var first = split(word);
          if (first.length === 1 && first[0].base.toLowerCase() === "d") changed = mark(word, key);
          else if (first.length === 1 && first[0].stroke) changed = mark(word, key);
        } else {
          changed = mark(word, key);
        }
      }
    } else if (lower === "w") {
      changed = key === "W" ? "Ư" : "ư";
    }
    return text.slice(0, start) + (changed === null ? word + key : changed);
  }

  /* Apply a picker key (a tone name or a marked letter) to the last word of `text`. */
  function pick(text, key) {
    var start = Math.max(text.lastIndexOf(" "), text.lastIndexOf("\n")) + 1;
    var word = text.slice(start);
    var changed = null;
    if (TONES[key] !== undefined || key === "z") changed = word ? tone(word, key) : null;
    else changed = word ? mark(word, key) : null;
    if (changed === null && TONES[key] === undefined && key !== "z") changed = word + key;
    if (changed !== null && TONES[key] !== undefined && changed.slice(-1) === key) {
      changed = changed.slice(0, -1);  // the picker takes a tone away, never types its key
    }
    return text.slice(0, start) + (changed === null ? word : changed);
  }

  // --- the keyboard ------------------------------------------------------------------------

  var LAYOUTS = {
    text: [
      ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"],
      ["q", "w", "e", "r", "t", "y", "u", "i", "o", "p"],
      ["a", "s", "d", "f", "g", "h", "j", "k", "l", "-"],
      ["z", "x", "c", "v", "b", "n", "m", ".", "backspace"],
      ["pick:s", "pick:f", "pick:r", "pick:x", "pick:j", "pick:â", "pick:ă", "pick:ê", "pick:ô", "pick:ơ", "pick:ư", "pick:đ"],
      ["telex", "space", "clear"],
    ],
    code: [
      ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"],
      ["Q", "W", "E", "R", "T", "Y", "U", "I", "O", "P"],
      ["A", "S", "D", "F", "G", "H", "J", "K", "L", "-"],
      ["Z", "X", "C", "V", "B", "N", "M", ".", "backspace"],
      ["clear"],
    ],
  };
  var PICK_LABELS = { s: "´", f: "`", r: "̉", x: "˜", j: "." };
  var PICK_NAMES = { s: "dấu sắc", f: "dấu huyền", r: "dấu hỏi", x: "dấu ngã", j: "dấu nặng" };
  var WORDS = { backspace: "⌫", space: "Khoảng trắng", clear: "Xóa hết",
                telexOn: "Gõ Telex: Bật", telexOff: "Gõ Telex: Tắt" };
  var NAMES = { backspace: "Xóa một ký tự", space: "Khoảng trắng", clear: "Xóa hết" };

  function mount(container, settings) {
    var opts = settings || {};
    var layout = LAYOUTS[opts.layout || "text"];
    var state = { text: "", telex: opts.telex !== false, max: opts.maxLength || 120 };
    container.classList.add("vk", "vk-" + (opts.layout || "text"));
    container.textContent = "";
    layout.forEach(function (row) {
      var line = document.createElement("div");
      line.className = "vk-row";
      row.forEach(function (key) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "vk-key";
        button.dataset.key = key;
        if (key.indexOf("pick:") === 0) {
          var what = key.slice(5);
          button.classList.add("vk-pick");
          button.textContent = PICK_LABELS[what] ? "a" + PICK_LABELS[what] : what;
          if (PICK_LABELS[what]) button.textContent = ("a" + TONES[what]).normalize("NFC");
          button.setAttribute("aria-label", PICK_NAMES[what] || ("chữ " + what));
        } else if (key === "telex") {
          button.classList.add("vk-wide", "vk-telex");
        } else if (WORDS[key]) {
          button.classList.add("vk-" + key);
          button.textContent = WORDS[key];
          if (NAMES[key]) button.setAttribute("aria-label", NAMES[key]);
        } else {
          button.textContent = key;
        }
        line.appendChild(button);
      });
      container.appendChild(line);
    });
    var telexButton = container.querySelector(".vk-telex");

    function paint() {
      if (telexButton) {
        telexButton.textContent = state.telex ? WORDS.telexOn : WORDS.telexOff;
        telexButton.setAttribute("aria-pressed", state.telex ? "true" : "false");
      }
    }

    function change(text) {
      state.text = text.slice(0, state.max);
      if (opts.onChange) opts.onChange(state.text);
    }

    function press(key) {
      if (key === "backspace") { change(Array.from(state.text).slice(0, -1).join("")); return; }
      if (key === "clear") { change(""); return; }
      if (key === "space") { if (state.text && !/ $/.test(state.text)) change(state.text + " "); return; }
      if (key === "telex") { state.telex = !state.telex; paint(); return; }
      if (key.indexOf("pick:") === 0) { change(pick(state.text, key.slice(5))); return; }
      if (state.telex && /^[a-z]$/i.test(key)) { change(telex(state.text, key)); return; }
      change(state.text + key);
    }

    container.addEventListener("click", function (event) {
      var button = event.target.closest(".vk-key");
      if (!button || button.disabled) return;
      press(button.dataset.key);
    });
    paint();
    return {
      text: function () { return state.text; },
      set: function (text) { change(text || ""); },
      press: press,
    };
  }

  window.VNKeys = { mount: mount, telex: telex, tone: tone, mark: mark, pick: pick };
})();
