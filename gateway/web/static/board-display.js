/* The display board, live: each call on the display feed (server-sent events) goes on top
   without a reload, is read out by screen readers (aria-live) and, once the sound is
   switched on, chimes and is spoken. EventSource reconnects by itself; after a gap the
   board asks for the latest calls again so that it misses none. Everything optional
   (sound, voice, storage) fails silently. */
(function () {
  "use strict";
  var dataNode = document.getElementById("board-data");
  if (!dataNode) { return; }
  var data = JSON.parse(dataNode.textContent);
  var text = data.text;
  var calls = data.calls.slice(0, data.shown);
  var latest = document.getElementById("board-latest");
  var previous = document.getElementById("board-previous");
  var announcer = document.getElementById("board-announcer");
  var connection = document.getElementById("board-connection");
  var soundButton = document.getElementById("board-sound");
  var locale = data.lang === "en" ? "en-GB" : "id-ID";
  var sound = false;

  function wanted(call) {
    return !data.only || data.only.indexOf(call.service_code) !== -1;
  }

  function timeText(value) {
    try {
      return new Intl.DateTimeFormat(locale, {
        timeZone: "Asia/Jakarta", hour: "2-digit", minute: "2-digit", hour12: false
      }).format(value ? new Date(value) : new Date());
    } catch (e) { return ""; }
  }

  function span(className, content) {
    var node = document.createElement("span");
    node.className = className;
    node.textContent = content;
    return node;
  }

  function item(call, newest) {
    var node = document.createElement("div");
    node.className = "call" + (newest ? " newest" : "") + (call.recall ? " recall" : "");
    node.setAttribute("data-ticket", call.ticket_id);
    node.appendChild(span("call-label", call.label));
    var arrow = span("call-arrow", "→");
    arrow.setAttribute("aria-hidden", "true");
    node.appendChild(arrow);
    node.appendChild(span("visually-hidden", text.to));
    node.appendChild(span("call-counter", text.counter + " " + call.counter_number));
    var meta = (data.names[call.service_code] || call.service_code) + " · " + timeText(call.called_at);
    if (call.recall) { meta += " · " + text.recall; }
    node.appendChild(span("call-meta", meta));
    return node;
  }

  function render(fresh) {
    latest.textContent = "";
    previous.textContent = "";
    if (!calls.length) {
      var empty = document.createElement("p");
      empty.className = "board-empty";
      empty.textContent = text.empty;
      latest.appendChild(empty);
      return;
    }
    var top = item(calls[0], true);
    if (fresh) { top.className += " fresh"; }
    latest.appendChild(top);
    for (var i = 1; i < calls.length; i++) {
      var li = document.createElement("li");
      li.appendChild(item(calls[i], false));
      previous.appendChild(li);
    }
  }

  function spoken(call) {
    var label = String(call.label).replace(/-/g, "").split("").join(" ");
    return text.announce.replace("{label}", label).replace("{counter}", call.counter_number);
  }

  function announce(call) {
    var words = text.announce.replace("{label}", call.label).replace("{counter}", call.counter_number);
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = words; }, 50);
    if (!sound) { return; }
    chime();
    window.setTimeout(function () {
      try {
        var utterance = new window.SpeechSynthesisUtterance(spoken(call));
        utterance.lang = locale;
        utterance.rate = 0.9;
        window.speechSynthesis.speak(utterance);
      } catch (e) { /* no voice on this screen */ }
    }, 900);
  }

  var audio = null;
  function chime() {
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      audio = audio || new Context();
      [660, 880].forEach(function (pitch, n) {
        var start = audio.currentTime + n * 0.35;
        var tone = audio.createOscillator();
        var gain = audio.createGain();
        tone.frequency.value = pitch;
        gain.gain.setValueAtTime(0.0001, start);
        gain.gain.exponentialRampToValueAtTime(0.3, start + 0.03);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.6);
        tone.connect(gain).connect(audio.destination);
        tone.start(start);
        tone.stop(start + 0.65);
      });
    } catch (e) { /* no sound on this screen */ }
  }

  function receive(call) {
    if (!call || !call.label || !wanted(call)) { return; }
    calls = calls.filter(function (c) { return c.ticket_id !== call.ticket_id; });
    call.called_at = call.called_at || new Date().toISOString();
    calls.unshift(call);
    calls = calls.slice(0, data.shown);
    render(true);
    announce(call);
  }

  function resync() {
    if (!window.fetch) { return; }
    fetch(data.recent, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body || !body.items) { return; }
        calls = body.items.filter(wanted).slice(0, data.shown);
        render(false);
      })
      .catch(function () { /* the next reconnect tries again */ });
  }

  function setConnection(state, words) {
    connection.setAttribute("data-state", state);
    connection.textContent = words;
  }

  function listen() {
    if (!window.EventSource) { return; }
    var feed = new EventSource(data.stream);
    var lost = false;
    feed.addEventListener("open", function () {
      setConnection("live", text.live);
      if (lost) { resync(); }
      lost = false;
    });
    feed.addEventListener("error", function () {
      lost = true;
      setConnection("lost", text.reconnecting);
      if (feed.readyState === window.EventSource.CLOSED) {  // e.g. a 504: start again later
        window.setTimeout(listen, 5000);
      }
    });
    feed.addEventListener("call", function (event) {
      try { receive(JSON.parse(event.data)); } catch (e) { /* a frame we cannot read */ }
    });
  }

  function tick() {
    var clock = document.getElementById("board-clock");
    var day = document.getElementById("board-date");
    try {
      clock.textContent = timeText();
      day.textContent = new Intl.DateTimeFormat(locale, {
        timeZone: "Asia/Jakarta", weekday: "long", day: "numeric", month: "long", year: "numeric"
      }).format(new Date());
    } catch (e) { /* keep the server's time */ }
  }

  function setSound(on) {
    sound = on;
    soundButton.setAttribute("aria-pressed", on ? "true" : "false");
    soundButton.textContent = on ? text.soundOn : text.soundOff;
    try { window.localStorage.setItem("board-sound", on ? "on" : "off"); } catch (e) { /* private mode */ }
  }

  if (soundButton) {
    soundButton.hidden = false;
    soundButton.addEventListener("click", function () {
      setSound(!sound);
      if (sound) { chime(); }
    });
    try { if (window.localStorage.getItem("board-sound") === "on") { setSound(true); } } catch (e) { /* ignore */ }
  }

  // a new service day (midnight in the mall, UTC+7 all year) starts with a fresh board
  var day = 86400000;
  var wib = 7 * 3600000;
  var untilMidnight = (Math.floor((Date.now() + wib) / day) + 1) * day - wib - Date.now();
  window.setTimeout(function () { window.location.reload(); }, untilMidnight + 5000 + Math.random() * 60000);

  tick();
  window.setInterval(tick, 1000);
  listen();
  window.__boardReady = true;
})();
