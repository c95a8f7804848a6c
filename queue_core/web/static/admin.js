/* The admin console: settings (GET/PATCH /api/v1/settings with their version), people, devices.
 *
 * Every input of a setting carries data-key="section.key"; a panel's "Lưu" sends only what
 * changed, as a JSON merge patch with the version read, so two admins saving at once never
 * overwrite each other silently (409 settings_conflict: reload). A refused value comes back
 * with its key (`field`) and the input is marked. Keys an XEPHANG_* variable sets are shown
 * read-only with the variable's name.
 */
(function () {
  "use strict";

  var options = JSON.parse(document.getElementById("a-options").textContent);
  var WORDS = JSON.parse(document.getElementById("vocabulary").textContent);
  function counterWord(number) { return WORDS.counter + " " + number; }
  var app = document.getElementById("admin");
  var state = { doc: null, version: null, csrf: null, user: null, pendingTimer: null };

  function $(id) { return document.getElementById(id); }
  function all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "class") node.className = attrs[k]; else node.setAttribute(k, attrs[k]);
    });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // --- talking to the box ----------------------------------------------------------------

  function api(method, path, body, extra) {
    var init = { method: method, credentials: "same-origin",
                 headers: { "Accept": "application/json", "Accept-Language": "vi" } };
    if (method !== "GET" && state.csrf) init.headers["X-CSRFToken"] = state.csrf;
    Object.keys(extra || {}).forEach(function (k) { init.headers[k] = extra[k]; });
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return { status: response.status, ok: response.ok, body: data,
                 error: (data && data.error) || { code: "http_" + response.status, message: "" } };
      });
    }, function () {
      return { status: 0, ok: false, body: null,
               error: { code: "unreachable", message: "Không kết nối được với máy chủ." } };
    });
  }

  function notice(kind, text) {
    ["a-saved", "a-error"].forEach(function (id) { $(id).hidden = true; });
    var box = $(kind === "saved" ? "a-saved" : "a-error");
    box.textContent = text;
    box.hidden = false;
    if (kind === "saved") setTimeout(function () { box.hidden = true; }, 6000);
  }

  // --- logging in ------------------------------------------------------------------------

  function boot() {
    api("GET", "/api/v1/auth/me").then(function (me) {
      if (me.ok && me.body.user.kind === "user" && me.body.user.role === "admin") {
        state.csrf = me.body.csrf_token;
        start(me.body.user);
      } else {
        showLogin(me.ok ? "Tài khoản đang đăng nhập không có quyền quản trị. Đăng nhập bằng tài khoản quản trị." : "");
      }
    });
  }

  function showLogin(text) {
    app.dataset.state = "login";
    $("a-login").hidden = false;
    $("a-body").hidden = true;
    $("a-login-message").hidden = !text;
    $("a-login-message").textContent = text || "";
  }

  $("a-login-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    api("POST", "/api/v1/auth/login", { username: form.username.value.trim(), password: form.password.value })
      .then(function (answer) {
        if (!answer.ok) { showLogin(answer.error.message || "Đăng nhập không thành công."); return; }
        form.password.value = "";
        boot();
      });
  });

  $("a-logout").addEventListener("click", function () {
    api("POST", "/api/v1/auth/logout").then(function () { window.location.reload(); });
  });

  function start(user) {
    state.user = user;
    app.dataset.state = "ready";
    $("a-login").hidden = true;
    $("a-body").hidden = false;
    $("a-who").hidden = false;
    $("a-user").textContent = user.username;
    loadSettings().then(function () {
      loadUsers();
      loadTokens();
      loadCatalog();
      route();
    });
  }

  // --- which panel -----------------------------------------------------------------------

  function route() {
    var id = (window.location.hash || "#trung-tam").slice(1);
    if (!$(id) || !$(id).classList.contains("panel")) id = "trung-tam";
    all(".panel").forEach(function (panel) { panel.hidden = panel.id !== id; });
    all("#a-nav a").forEach(function (a) { a.classList.toggle("current", a.getAttribute("href") === "#" + id); });
    clearInterval(state.pendingTimer);
    if (id === "thiet-bi") {
      loadPending();
      loadTokens();
      state.pendingTimer = setInterval(loadPending, 4000);
    }
    if (id === "ngay-nghi") loadClosedDays();
    if (id === "may-in") showSample();
  }
  window.addEventListener("hashchange", route);

  // --- settings --------------------------------------------------------------------------

  function valueAt(key) {
    var parts = key.split(".");
    var value = state.doc[parts[0]];
    return parts.length > 1 ? (value || {})[parts[1]] : value;
  }

  function loadSettings() {
    return api("GET", "/api/v1/settings").then(function (answer) {
      if (answer.status === 401 || answer.status === 403) { showLogin(""); return; }
      if (!answer.ok) { notice("error", answer.error.message); return; }
      state.doc = answer.body;
      state.version = answer.body.version;
      render();
    });
  }

  function render() {
    var doc = state.doc;
    $("a-center-name").textContent = doc.center.name;
    $("a-problem").hidden = !doc.problem;
    $("a-problem").textContent = doc.problem ? "Cài đặt đã lưu không còn hợp với tệp cấu hình: " + doc.problem : "";
    all("[data-key]").forEach(function (input) {
      var key = input.dataset.key;
      var kind = input.dataset.kind;
      input.classList.remove("invalid");
      if (kind === "days") renderDays(input, valueAt(key));
      else if (kind === "dates") renderDates(input, key, valueAt(key));
      else if (kind === "services") renderServices(input, doc.services);
      else if (kind === "counters") renderCounters(input, doc.counters, doc.services);
      else if (input.type === "checkbox") input.checked = !!valueAt(key);
      else input.value = valueAt(key) === undefined || valueAt(key) === null ? "" : String(valueAt(key)).replace("24:00", "23:59");
      var variable = doc.fixed[key];
      var locked = !!variable || doc.read_only.indexOf(key) >= 0;
      all("input, select, button", input.tagName === "INPUT" || input.tagName === "SELECT" ? input.parentNode : input)
        .forEach(function (control) { if (locked) control.disabled = true; });
      if (input.tagName === "INPUT" || input.tagName === "SELECT") input.disabled = locked;
      var label = input.closest("label") || input;
      var note = label.querySelector(".fixed-note");
      if (variable && !note) {
        note = el("small", { "class": "fixed-note" }, "đặt bởi biến môi trường " + variable);
        label.appendChild(note);
      }
    });
    fillOptions();
  }

  function renderDays(box, days) {
    box.innerHTML = "";
    options.weekdays.forEach(function (day) {
      var label = el("label", { "class": "check" });
      var input = el("input", { type: "checkbox", value: day.number });
      input.checked = (days || []).indexOf(day.number) >= 0;
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + day.name));
      box.appendChild(label);
    });
  }

  function renderDates(list, key, dates) {
    list.innerHTML = "";
    (dates || []).slice().sort().forEach(function (date) {
      var item = el("li", { "data-date": date }, formatDate(date) + " ");
      var remove = el("button", { type: "button", "class": "link" }, "Bỏ");
      remove.addEventListener("click", function () { item.remove(); });
      item.appendChild(remove);
      list.appendChild(item);
    });
  }

  function formatDate(iso) {
    var parts = iso.split("-");
    var day = new Date(Date.UTC(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2])));
    var names = options.weekdays.map(function (d) { return d.name; });
    return names[(day.getUTCDay() + 6) % 7] + " " + parts[2] + "/" + parts[1] + "/" + parts[0];
  }

  all("[data-add-date]").forEach(function (button) {
    button.addEventListener("click", function () {
      var key = button.dataset.addDate;
      var input = $("a-" + (key === "holidays" ? "holiday" : key) + "-new");
      if (!input.value) { input.focus(); return; }
      var list = document.querySelector("[data-key='" + key + "']");
      var dates = all("li[data-date]", list).map(function (li) { return li.dataset.date; });
      if (dates.indexOf(input.value) < 0) dates.push(input.value);
      renderDates(list, key, dates);
      input.value = "";
    });
  });

  function renderServices(table, services) {
    var body = table.querySelector("tbody");
    body.innerHTML = "";
    services.forEach(function (service) { body.appendChild(serviceRow(service)); });
  }

  function serviceRow(service) {
    var row = el("tr", { "data-row": "service" });
    row.appendChild(cell(el("input", { name: "code", value: service.code, maxlength: 1, size: 2, "class": "code" })));
    row.appendChild(cell(el("input", { name: "name", value: service.name, maxlength: 120 })));
    row.appendChild(cell(el("input", { name: "name_en", value: service.name_en || "", maxlength: 120 })));
    row.appendChild(cell(el("input", { name: "numeric_base", type: "number", value: service.numeric_base || 0, step: 1000, min: 0, max: 9000 })));
    var open = el("input", { name: "open", type: "checkbox" });
    open.checked = service.open !== false;
    row.appendChild(cell(open));
    var tools = el("td", { "class": "tools" });
    [["↑", "Lên"], ["↓", "Xuống"], ["✕", "Xoá"]].forEach(function (pair) {
      var button = el("button", { type: "button", "class": "small", title: pair[1], "aria-label": pair[1] }, pair[0]);
      button.addEventListener("click", function () {
        if (pair[0] === "↑" && row.previousElementSibling) row.parentNode.insertBefore(row, row.previousElementSibling);
        else if (pair[0] === "↓" && row.nextElementSibling) row.parentNode.insertBefore(row.nextElementSibling, row);
        else if (pair[0] === "✕") row.remove();
      });
      tools.appendChild(button);
    });
    row.appendChild(tools);
    return row;
  }

  function cell(child) { var td = el("td"); td.appendChild(child); return td; }

  $("a-add-service").addEventListener("click", function () {
    var used = all("[data-row=service] input[name=code]").map(function (i) { return i.value; });
    var code = "ABCDEFGHIJKLMNOPQRSTUVWXYZ".split("").filter(function (c) { return used.indexOf(c) < 0; })[0] || "";
    var bases = all("[data-row=service] input[name=numeric_base]").map(function (i) { return Number(i.value) || 0; });
    var base = 1000;
    while (bases.indexOf(base) >= 0 && base < 9000) base += 1000;
    var row = serviceRow({ code: code, name: "", name_en: "", numeric_base: base, open: true });
    document.querySelector("[data-key=services] tbody").appendChild(row);
    row.querySelector("input[name=name]").focus();
  });

  function renderCounters(table, counters, services) {
    var body = table.querySelector("tbody");
    body.innerHTML = "";
    counters.forEach(function (counter) { body.appendChild(counterRow(counter, services)); });
  }

  function counterRow(counter, services) {
    var row = el("tr", { "data-row": "counter" });
    row.appendChild(cell(el("input", { name: "number", type: "number", value: counter.number, min: 1, max: 99, "class": "code" })));
    row.appendChild(cell(el("input", { name: "name", value: counter.name || "", maxlength: 60, placeholder: counterWord(counter.number) })));
    var fields = el("td", { "class": "serves" });
    services.forEach(function (service) {
      var label = el("label", { "class": "check", title: service.name });
      var box = el("input", { type: "checkbox", name: "services", value: service.code });
      box.checked = (counter.services || []).indexOf(service.code) >= 0;
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + service.code));
      fields.appendChild(label);
    });
    row.appendChild(fields);
    var tools = el("td", { "class": "tools" });
    var remove = el("button", { type: "button", "class": "small", title: "Xoá", "aria-label": "Xoá" }, "✕");
    remove.addEventListener("click", function () { row.remove(); });
    tools.appendChild(remove);
    row.appendChild(tools);
    return row;
  }

  $("a-add-counter").addEventListener("click", function () {
    var numbers = all("[data-row=counter] input[name=number]").map(function (i) { return Number(i.value) || 0; });
    var next = numbers.length ? Math.max.apply(null, numbers) + 1 : 1;
    var body = document.querySelector("[data-key=counters] tbody");
    body.appendChild(counterRow({ number: next, name: "", services: [] }, state.doc.services));
  });

  /* Read one input back as the value its setting holds. */
  function readInput(input) {
    var key = input.dataset.key;
    var kind = input.dataset.kind;
    if (kind === "days") return all("input:checked", input).map(function (b) { return Number(b.value); });
    if (kind === "dates") return all("li[data-date]", input).map(function (li) { return li.dataset.date; }).sort();
    if (kind === "services") {
      return all("tr[data-row=service]", input).map(function (row) {
        var get = function (n) { return row.querySelector("[name=" + n + "]"); };
        return { code: get("code").value.trim().toUpperCase(), name: get("name").value.trim(),
                 name_en: get("name_en").value.trim(), numeric_base: Number(get("numeric_base").value) || 0,
                 open: get("open").checked };
      });
    }
    if (kind === "counters") {
      return all("tr[data-row=counter]", input).map(function (row) {
        var found = { number: Number(row.querySelector("[name=number]").value),
                      services: all("input[name=services]:checked", row).map(function (b) { return b.value; }),
                      name: row.querySelector("[name=name]").value.trim() };
        return found;
      });
    }
    if (input.type === "checkbox") return input.checked;
    var current = valueAt(key);
    if (input.type === "number" || input.dataset.number !== undefined || typeof current === "number") {
      return input.value === "" ? input.value : Number(input.value);
    }
    if (input.type === "time" && input.value === "23:59" && current === "24:00") return "24:00";
    return input.value;
  }

  function patchOf(panel) {
    var patch = {};
    all("[data-key]", panel).forEach(function (input) {
      if (input.disabled) return;
      var key = input.dataset.key;
      var value = readInput(input);
      if (JSON.stringify(value) === JSON.stringify(valueAt(key))) return;
      var parts = key.split(".");
      if (parts.length === 1) patch[key] = value;
      else (patch[parts[0]] = patch[parts[0]] || {})[parts[1]] = value;
    });
    return patch;
  }

  function markField(panel, field) {
    if (!field) return;
    var found = field.match(/^(services|counters)\[(\d+)\](?:\.(\w+))?/);
    var target = null;
    if (found) {
      var rows = all("tr[data-row]", document.querySelector("[data-key=" + found[1] + "]"));
      var row = rows[Number(found[2])];
      if (row) target = row.querySelector("[name=" + (found[3] || "name") + "]") || row;
    } else {
      target = document.querySelector("[data-key='" + field + "']") ||
               document.querySelector("[data-key='" + field.split("[")[0] + "']");
    }
    if (target) {
      target.classList.add("invalid");
      if (target.focus) target.focus();
    }
  }

  function save(panelId) {
    var panel = $(panelId);
    all(".invalid", panel).forEach(function (e) { e.classList.remove("invalid"); });
    var patch = patchOf(panel);
    if (!Object.keys(patch).length) { notice("saved", "Không có gì thay đổi."); return Promise.resolve(); }
    patch.version = state.version;
    var button = panel.querySelector("[data-save]");
    button.disabled = true;
    return api("PATCH", "/api/v1/settings", patch).then(function (answer) {
      button.disabled = false;
      if (answer.ok) {
        state.doc = answer.body;
        state.version = answer.body.version;
        render();
        notice("saved", "Đã lưu — các màn hình cập nhật ngay (phiên bản " + state.version + ").");
        if (panelId === "ngay-nghi") loadClosedDays();
        return;
      }
      if (answer.error.code === "settings_conflict") {
        notice("error", answer.error.message + " Trang sẽ tải lại cài đặt mới nhất.");
        loadSettings();
        return;
      }
      markField(panel, answer.error.field);
      notice("error", answer.error.message || "Chưa lưu được.");
    });
  }

  all("[data-save]").forEach(function (button) {
    button.addEventListener("click", function () { save(button.dataset.save); });
  });

  // --- the loudspeaker and the printer -----------------------------------------------------

  $("a-listen").addEventListener("click", function () {
    var speech = {};
    ["template", "dialect"].forEach(function (key) {
      speech[key] = document.querySelector("[data-key='speech." + key + "']").value;
    });
    api("POST", "/api/v1/settings/speech-test", { label: "A023", counter: 3, speech: speech }).then(function (answer) {
      var said = $("a-speech-said");
      said.hidden = false;
      if (!answer.ok) { said.textContent = answer.error.message; said.classList.add("error"); return; }
      said.classList.remove("error");
      said.textContent = "«" + answer.body.text + "» — " + (answer.body.announcers
        ? "đang phát qua loa (" + answer.body.announcers + " loa kết nối)."
        : "chưa có loa nào kết nối nên không phát ra tiếng.");
    });
  });

  function showSample() {
    var width = document.querySelector("[data-key='hardware.printer_paper_width']").value || 576;
    $("a-sample").src = "/api/v1/kiosk/sample-ticket.png?width=" + width + "&t=" + Date.now();
  }

  $("a-test-print").addEventListener("click", function () {
    var said = $("a-print-said");
    said.hidden = false;
    said.textContent = "Đang in…";
    api("POST", "/api/v1/kiosk/test-print").then(function (answer) {
      said.textContent = answer.ok ? (answer.body.state === "printed" ? "Đã in vé thử. " : "Chưa in được. ") + (answer.body.message || "")
                                   : answer.error.message;
      showSample();
    });
  });

  // --- closed days -------------------------------------------------------------------------

  function loadClosedDays() {
    var year = new Date().getFullYear();
    $("a-year").textContent = year;
    api("GET", "/api/v1/closed-days?year=" + year).then(function (answer) {
      var body = $("a-closed-days");
      body.innerHTML = "";
      (answer.body || []).forEach(function (day) {
        var row = el("tr", day.open ? { "class": "struck" } : {});
        row.appendChild(el("td", {}, formatDate(day.date)));
        row.appendChild(el("td", {}, day.name + (day.open ? " (làm việc bù)" : "")));
        body.appendChild(row);
      });
    });
  }

  // --- people ------------------------------------------------------------------------------

  function fillOptions() {
    all("select[data-options]").forEach(function (select) {
      var kind = select.dataset.options;
      var keep = select.value;
      select.innerHTML = "";
      if (kind === "counters") {
        select.appendChild(el("option", { value: "" }, "— không —"));
        state.doc.counters.forEach(function (c) { select.appendChild(el("option", { value: c.number }, c.name || counterWord(c.number))); });
      } else if (kind === "user_roles") {
        Object.keys(options.user_roles).forEach(function (r) { select.appendChild(el("option", { value: r }, options.user_roles[r])); });
      } else if (kind === "devices") {
        options.devices.forEach(function (d) { select.appendChild(el("option", { value: d.code, "data-role": d.role }, d.name)); });
      }
      if (keep) select.value = keep;
    });
  }

  function counterName(number) {
    if (number === null || number === undefined) return "—";
    var found = state.doc.counters.filter(function (c) { return c.number === number; })[0];
    return found ? (found.name || counterWord(number)) : counterWord(number);
  }

  function loadUsers() {
    api("GET", "/api/v1/users").then(function (answer) {
      var body = $("a-users");
      body.innerHTML = "";
      (answer.body || []).forEach(function (user) {
        var row = el("tr", { "data-user": user.username, "class": user.disabled ? "disabled" : "" });
        row.appendChild(el("td", {}, user.username));
        row.appendChild(el("td", {}, options.user_roles[user.role] || user.role));
        row.appendChild(el("td", {}, counterName(user.counter)));
        row.appendChild(el("td", {}, user.disabled ? "Đã khoá" : "Đang hoạt động"));
        var tools = el("td", { "class": "tools" });
        var toggle = el("button", { type: "button", "class": "small", "data-action": "toggle" }, user.disabled ? "Mở khoá" : "Khoá");
        toggle.addEventListener("click", function () { changeUser(user.username, { disabled: !user.disabled }); });
        var reset = el("button", { type: "button", "class": "small", "data-action": "password" }, "Đặt lại mật khẩu");
        reset.addEventListener("click", function () {
          var password = window.prompt("Mật khẩu mới cho " + user.username + " (ít nhất 8 ký tự):");
          if (password) changeUser(user.username, { password: password });
        });
        tools.appendChild(toggle);
        tools.appendChild(reset);
        row.appendChild(tools);
        body.appendChild(row);
      });
    });
  }

  function changeUser(username, changes) {
    api("PATCH", "/api/v1/users/" + encodeURIComponent(username), changes).then(function (answer) {
      if (answer.ok) notice("saved", "Đã cập nhật tài khoản " + username + ".");
      else notice("error", answer.error.message);
      loadUsers();
    });
  }

  $("a-user-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    var body = { username: form.username.value.trim(), password: form.password.value, role: form.role.value,
                 counter: form.counter.value ? Number(form.counter.value) : null };
    api("POST", "/api/v1/users", body).then(function (answer) {
      if (!answer.ok) { notice("error", answer.error.message); return; }
      notice("saved", "Đã thêm cán bộ " + answer.body.username + ".");
      form.reset();
      loadUsers();
    });
  });

  // --- devices -----------------------------------------------------------------------------

  // In the center's time zone, whatever the browser's (an installer's laptop may be set to
  // another): the same hour the screens, tickets and exports show.
  function when(text) {
    if (!text) return "—";
    var at = new Date(text);
    if (isNaN(at.getTime())) return text;
    var zone = state.doc && state.doc.center ? state.doc.center.timezone : undefined;
    try {
      return at.toLocaleString("vi-VN", { hour12: false, timeZone: zone });
    } catch (err) {
      return at.toLocaleString("vi-VN", { hour12: false });
    }
  }

  function loadTokens() {
    api("GET", "/api/v1/tokens").then(function (answer) {
      var body = $("a-tokens");
      body.innerHTML = "";
      (answer.body || []).forEach(function (token) {
        var row = el("tr", { "data-token": token.id });
        row.appendChild(el("td", { "class": "name" }, token.name));
        row.appendChild(el("td", {}, options.token_roles[token.role] || token.role));
        row.appendChild(el("td", {}, counterName(token.counter)));
        row.appendChild(el("td", {}, when(token.created_at)));
        row.appendChild(el("td", {}, when(token.last_used_at)));
        var tools = el("td", { "class": "tools" });
        var rename = el("button", { type: "button", "class": "small", "data-action": "rename" }, "Đổi tên");
        rename.addEventListener("click", function () {
          var name = window.prompt("Tên mới của thiết bị:", token.name);
          if (!name) return;
          api("PATCH", "/api/v1/tokens/" + token.id, { name: name }).then(function (a) {
            if (!a.ok) notice("error", a.error.message);
            loadTokens();
          });
        });
        var revoke = el("button", { type: "button", "class": "small danger", "data-action": "revoke" }, "Thu hồi");
        revoke.addEventListener("click", function () {
          if (!window.confirm("Thu hồi " + token.name + "? Thiết bị ngừng hoạt động ngay và phải ghép nối lại.")) return;
          api("DELETE", "/api/v1/tokens/" + token.id).then(function (a) {
            if (a.ok) notice("saved", "Đã thu hồi " + token.name + ".");
            else notice("error", a.error.message);
            loadTokens();
          });
        });
        tools.appendChild(rename);
        tools.appendChild(revoke);
        row.appendChild(tools);
        body.appendChild(row);
      });
    });
  }

  function loadPending() {
    api("GET", "/api/v1/pairing").then(function (answer) {
      if (!answer.ok) return;
      var list = $("a-pending");
      list.innerHTML = "";
      if (!answer.body.length) { list.appendChild(el("li", { "class": "empty" }, "Chưa có thiết bị nào đang hiện mã.")); return; }
      answer.body.forEach(function (p) {
        var kind = options.devices.filter(function (d) { return d.code === p.device; })[0];
        var item = el("li", {}, (kind ? kind.name : p.device) + (p.name ? " «" + p.name + "»" : "") + " · từ " + (p.address || "?") + " · hết hạn " + when(p.expires_at));
        list.appendChild(item);
      });
    });
  }

  var pairForm = $("a-pair-form");
  pairForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var device = pairForm.device.selectedOptions[0];
    var body = { code: pairForm.code.value.replace(/\s+/g, ""), role: device.dataset.role,
                 counter: pairForm.counter.value ? Number(pairForm.counter.value) : null,
                 name: pairForm.name.value.trim() || null };
    api("POST", "/api/v1/pairing/approve", body).then(function (answer) {
      if (!answer.ok) {
        pairForm.code.classList.add("invalid");
        notice("error", answer.error.message);
        return;
      }
      pairForm.code.classList.remove("invalid");
      notice("saved", "Đã ghép nối " + answer.body.name + ". Thiết bị sẽ hoạt động trong vài giây.");
      pairForm.reset();
      fillOptions();
      loadPending();
      setTimeout(loadTokens, 3000);
    });
  });

  // --- the catalog -------------------------------------------------------------------------

  function loadCatalog() {
    api("GET", "/api/v1/catalog").then(function (answer) {
      if (!answer.ok) return;
      var facts = answer.body;
      $("a-catalog").textContent = facts.procedures + " thủ tục" + (facts.sample ? " (danh mục mẫu)" : "") +
        (facts.imported_at ? ", nhập lúc " + when(facts.imported_at) : "");
    });
  }

  $("a-catalog-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var said = $("a-catalog-said");
    said.hidden = false;
    said.textContent = "Đang nhập…";
    api("POST", "/api/v1/catalog", new FormData(event.target)).then(function (answer) {
      said.textContent = answer.ok ? "Đã nhập " + answer.body.procedures + " thủ tục." : answer.error.message;
      loadCatalog();
    });
  });

  boot();
})();
