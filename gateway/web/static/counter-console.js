/* The counter console's queue, kept fresh: the fragment is fetched again every 5 s and when
   the tab comes back. It polls rather than holding a server-sent-event stream, because each
   open stream holds one of the gateway's threads, and those are kept for the boards.
   Without JavaScript the page still works; it is only refreshed on the next action. */
(function () {
  "use strict";
  var region = document.getElementById("queue-live");
  if (!region || !window.fetch) { return; }
  var source = region.getAttribute("data-src");
  var busy = false;

  function refresh() {
    if (busy || document.hidden) { return; }
    busy = true;
    fetch(source, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (response.redirected) { window.location.reload(); return null; } // signed out
        return response.ok ? response.text() : null;
      })
      .then(function (html) { if (html !== null && html !== undefined) { region.innerHTML = html; } })
      .catch(function () { /* try again on the next call or tick */ })
      .then(function () { busy = false; });
  }

  window.setInterval(refresh, 5000);
  document.addEventListener("visibilitychange", refresh);
})();
