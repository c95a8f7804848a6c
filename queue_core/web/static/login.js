/* The login form of login_form.html: POST the name and password as JSON, then show the page
   again (now logged in); or log out a person who lacks the right. */
(function () {
  "use strict";
  var form = document.getElementById("login-form");
  var message = document.getElementById("login-message");
  var logout = document.getElementById("logout");
  if (logout) {
    logout.addEventListener("click", function () {
      fetch("/api/v1/auth/logout", {method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json"}, body: "{}"})
        .then(function (response) { return response.text(); })
        .then(function () { window.location.reload(); });
    });
  }
  if (!form) { return; }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    message.hidden = true;
    var body = {username: form.username.value.trim(), password: form.password.value};
    fetch(form.dataset.login, {
      method: "POST", credentials: "same-origin",
      // The page's language, whatever the browser's (the staff console's rule too).
      headers: {"Content-Type": "application/json",
                "Accept-Language": document.documentElement.lang || "vi"},
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) {
        // Read the answer before reloading, so the browser does not abort it midway.
        if (response.ok) { window.location.reload(); return; }
        message.textContent = (data && data.error && data.error.message) || "Đăng nhập không thành công.";
        message.hidden = false;
        form.password.value = "";
        form.password.focus();
      });
    }).catch(function () {
      message.textContent = "Không kết nối được với máy chủ. Vui lòng thử lại.";
      message.hidden = false;
    });
  });
}());
