// Warns before the session's idle limit and lets the person stay signed in (no inline script:
// the limits come from data attributes on <body>). Without JavaScript the footer says the limit.
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body.getAttribute("data-session-idle") || "0", 10);
  var warn = parseInt(body.getAttribute("data-session-warning") || "0", 10);
  var box = document.getElementById("session-warning");
  if (!idle || !box) { return; }
  var warnTimer, endTimer;
  function schedule() {
    clearTimeout(warnTimer); clearTimeout(endTimer);
    box.hidden = true;
    warnTimer = setTimeout(function () {
      box.querySelector("[data-session-text]").textContent =
        "You will be signed out in " + Math.round(warn / 60) + " minute(s) without activity.";
      box.hidden = false;
      box.querySelector("button").focus();
    }, Math.max(idle - warn, 0) * 1000);
    endTimer = setTimeout(function () {
      box.querySelector("[data-session-text]").textContent =
        "Your session has expired. If you send a form now, you will sign in again and what you typed will be kept.";
      box.querySelector("button").hidden = true;
    }, idle * 1000);
  }
  box.querySelector("button").addEventListener("click", function () {
    fetch(box.getAttribute("data-keepalive"), {
      method: "POST", credentials: "same-origin",
      headers: {"X-CSRFToken": box.getAttribute("data-csrf")}
    }).then(function (response) { if (response.ok) { schedule(); } });
  });
  schedule();
})();
