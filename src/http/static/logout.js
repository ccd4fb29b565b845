// The logout page: asks the broker whether every hidden frame has answered, and goes on when they have or the wait is over.
/* global fetch, setTimeout */
(function () {
  var box = document.getElementById("logout");
  if (!box) return;
  var statusUrl = box.getAttribute("data-status");
  var continueUrl = box.getAttribute("data-continue");
  var deadline = Date.now() + Number(box.getAttribute("data-wait")) * 1000;
  function go() {
    window.location.replace(continueUrl);
  }
  function poll() {
    if (Date.now() >= deadline) return go();
    fetch(statusUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (s) { if (s.done) go(); else setTimeout(poll, 300); })
      .catch(function () { setTimeout(poll, 500); });
  }
  setTimeout(poll, 200);
})();
