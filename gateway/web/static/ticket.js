// The ticket page follows its ticket: position and wait every few seconds, and a fresh page
// when its status changes (called to a counter, finished).
(function () {
  const card = document.getElementById("ticket");
  if (!card) return;
  const id = card.dataset.ticket, status = card.dataset.status;
  if (!["waiting", "called", "serving"].includes(status)) return;
  async function follow() {
    try {
      const answer = await fetch(`/api/v1/tickets/${encodeURIComponent(id)}`, {credentials: "same-origin"});
      if (answer.ok) {
        const place = await answer.json();
        const noCounter = place.no_counter_open ? "yes" : "no";
        if (place.ticket.status !== status || noCounter !== card.dataset.noCounter) {
          window.location.reload(); return;  // called, finished, or a counter opened/closed
        }
        const position = document.getElementById("position"), wait = document.getElementById("wait");
        if (position && place.position != null) position.textContent = place.position;
        if (wait && place.estimated_wait_minutes != null) wait.textContent = Math.round(place.estimated_wait_minutes);
      }
    } catch (e) { /* offline for a moment: try again */ }
    setTimeout(follow, 4000);
  }
  setTimeout(follow, 4000);
})();
