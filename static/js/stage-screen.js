// The audience screen follows the stage through stage-feed.js: the live feed where the site has
// one (the state is sent each time it changes), else the state endpoint about once a second.
// Either way it redraws what changed and counts the timer locally between answers; a network
// drop or a server restart only shows a notice, and it carries on once answers return. Under the timer: how many jurors have sent their sheet for the performer on
// stage ("scores in: 2 / 3"), so the hall sees the jury at work.
(function () {
  "use strict";
  var body = document.body;
  var url = body.dataset.stateUrl;
  var text = body.dataset;
  var state = null;
  var receivedAt = 0;

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

  function received(data) {
    state = data;
    receivedAt = Date.now();
    draw();
  }

  window.setInterval(drawTimer, 500);
  window.stageFeed({
    stateUrl: url, eventsUrl: body.dataset.eventsUrl, credentials: "omit",
    onPublic: received, onState: received,
    onConnection: function (ok, failures) {
      slot("status").textContent = !ok && failures > 1 ? text.textOffline : "";
    }
  });
})();
