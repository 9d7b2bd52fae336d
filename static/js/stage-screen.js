// The audience screen follows the stage. With a live feed (data-events-url: server-sent events)
// it holds one connection and the server sends the state each time it changes; the browser
// reconnects by itself after a drop. Without one, or if the feed cannot be opened, it asks the
// state endpoint about once a second with the last ETag (an unchanged stage answers 304 with
// nothing to send). Either way it redraws what changed and counts the timer locally between
// answers; a network drop or a server restart only shows a notice, and it carries on once
// answers return. Under the timer: how many jurors have sent their sheet for the performer on
// stage ("scores in: 2 / 3"), so the hall sees the jury at work.
(function () {
  "use strict";
  var body = document.body;
  var url = body.dataset.stateUrl;
  var text = body.dataset;
  var etag = null;
  var state = null;
  var receivedAt = 0;
  var failures = 0;

  function slot(name) {
    return document.querySelector('[data-slot="' + name + '"]');
  }

  function clock(seconds) {
    var rest = seconds % 60;
    return Math.floor(seconds / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function label(performer) {
    return performer.name ? performer.name : performer.code;
  }

  function cell(row, value, numeric) {
    var item = document.createElement("td");
    item.textContent = value;
    if (numeric) {
      item.className = "num";
    }
    row.appendChild(item);
  }

  function table(category) {
    var wrap = document.createElement("div");
    var heading = document.createElement("h3");
    heading.className = "screen-category";
    heading.textContent = category.category;
    wrap.appendChild(heading);
    var grid = document.createElement("table");
    grid.className = "screen-table";
    var head = grid.createTHead().insertRow();
    [text.textPlace, text.textName, text.textAward, text.textScore].forEach(function (title) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = title;
      head.appendChild(th);
    });
    var rows = grid.createTBody();
    category.rows.forEach(function (entry) {
      var row = rows.insertRow();
      cell(row, String(entry.place), true);
      cell(row, entry.name, false);
      cell(row, entry.award, false);
      cell(row, entry.score, true);
    });
    wrap.appendChild(grid);
    return wrap;
  }

  function drawTimer() {
    var timer = slot("timer");
    if (!state || !state.timer) {
      timer.textContent = "";
      return;
    }
    var elapsed = state.timer.elapsed;
    if (state.timer.running) {
      elapsed += Math.floor((Date.now() - receivedAt) / 1000);
    }
    var limit = state.timer.limit;
    timer.textContent = clock(elapsed) + (limit ? " / " + clock(limit) : "") +
      (state.timer.running ? "" : " · " + text.textPaused);
    timer.classList.toggle("over", Boolean(limit) && elapsed > limit);
  }

  function draw() {
    var now = state.now;
    var done = state.progress.done;
    var total = state.progress.total;
    slot("now-name").textContent = now ? label(now) : (total && done >= total ? text.textFinished : text.textNobody);
    slot("now-detail").textContent = now ? now.category : "";
    slot("next-name").textContent = state.next ? label(state.next) : "—";
    slot("next-detail").textContent = state.next ? state.next.category : "";
    var scores = slot("scores");  // how many of the jury have sent their sheet: no names
    scores.textContent = state.scores ? text.textScores + ": " + state.scores.submitted + " / " + state.scores.total : "";
    scores.hidden = !state.scores;
    slot("progress").textContent = done + " / " + total;
    slot("progress-bar").firstElementChild.style.width = (total ? Math.round(100 * done / total) : 0) + "%";
    var results = slot("results");
    var categories = slot("categories");
    categories.replaceChildren.apply(categories, state.revealed.map(table));
    results.hidden = state.revealed.length === 0;
    document.querySelector(".screen").classList.toggle("revealed", state.revealed.length > 0);
    drawTimer();
  }

  function schedule() {
    // 1 s while answers come; after failures up to 10 s, so a server coming back is not flooded.
    window.setTimeout(poll, Math.min(10000, 1000 * Math.pow(2, failures)));
  }

  function poll() {
    var headers = etag ? { "If-None-Match": etag } : {};
    fetch(url, { headers: headers, cache: "no-store", credentials: "omit" })
      .then(function (response) {
        if (response.status === 304) {
          return null;
        }
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (data) {
        answered();
        if (data) {
          received(data);
        }
      })
      .catch(failed)
      .then(schedule);
  }

  function answered() {
    failures = 0;
    slot("status").textContent = "";
  }

  function received(data) {
    state = data;
    receivedAt = Date.now();
    draw();
  }

  function failed() {
    failures += 1;
    if (failures > 1) {
      slot("status").textContent = text.textOffline;
    }
  }

  function follow() {
    var source = new EventSource(body.dataset.eventsUrl);
    source.onopen = answered;
    source.onmessage = function (event) {
      answered();
      received(JSON.parse(event.data));
    };
    source.onerror = function () {
      // CONNECTING: the browser opens it again by itself (a stream also ends every few minutes).
      // CLOSED: the feed is not there (an old proxy, no Redis): ask once a second instead.
      if (source.readyState === EventSource.CLOSED) {
        poll();
      } else {
        failed();
      }
    };
  }

  window.setInterval(drawTimer, 500);
  if (body.dataset.eventsUrl && window.EventSource) {
    follow();
  } else {
    poll();
  }
})();
