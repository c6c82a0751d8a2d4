/* The counter console's queue, kept fresh: the fragment is fetched again whenever a ticket
   of the counter's services is called (the display feed) and every 10 s, for new tickets
   and in case the feed is down.
   Without JavaScript the page still works; it is only refreshed on the next action. */
(function () {
  "use strict";
  var region = document.getElementById("queue-live");
  if (!region || !window.fetch) { return; }
  var source = region.getAttribute("data-src");
  var services = (region.getAttribute("data-services") || "").split(" ");
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

  if (window.EventSource) {
    try {
      var feed = new EventSource(region.getAttribute("data-stream"));
      feed.addEventListener("call", function (event) {
        try {  // a call of another service changes nothing here
          if (services.indexOf(JSON.parse(event.data).service_code) === -1) { return; }
        } catch (e) { /* refresh anyway */ }
        refresh();
      });
      window.addEventListener("pagehide", function () { feed.close(); });
    } catch (e) { /* the poll below is enough */ }
  }
  window.setInterval(refresh, 10000);
  document.addEventListener("visibilitychange", refresh);
})();
