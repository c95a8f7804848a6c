/* The hub's login form: POST /api/v1/auth/login (JSON), then show the page again. */
(function () {
  "use strict";
  const form = document.getElementById("login-form");
  const message = document.getElementById("login-message");
  const logout = document.getElementById("logout");
  if (logout) {
    logout.addEventListener("click", () => {
      fetch("/api/v1/auth/logout", {method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json"}, body: "{}"})
        .then((response) => response.text())
        .finally(() => window.location.reload());
    });
  }
  if (!form) { return; }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    message.hidden = true;
    const body = {username: form.username.value.trim(), password: form.password.value};
    fetch("/api/v1/auth/login", {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept-Language": "vi"},
      body: JSON.stringify(body)
    }).then((response) => response.json().then((data) => {
      if (response.ok) { window.location.reload(); return; }
      message.textContent = (data && data.error && data.error.message) || "Đăng nhập không thành công.";
      message.hidden = false;
      form.password.value = "";
      form.password.focus();
    })).catch(() => {
      message.textContent = "Không kết nối được với máy chủ. Vui lòng thử lại.";
      message.hidden = false;
    });
  });
}());
