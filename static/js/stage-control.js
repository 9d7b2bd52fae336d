// The chair's control page. The timer keeps counting between page loads (the server's time stays
// the record), and the jury's sheets for the performer on stage follow the stage (stage-feed.js:
// asked for when the live feed says something changed, else about once a second with the last
// ETag); the count and each juror's line are redrawn as sheets come in. Without JavaScript the page shows them as loaded (Refresh).
(function () {
  "use strict";

  function clockText(seconds) {
    var rest = seconds % 60;
    return Math.floor(seconds / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function runTimer() {
    var clock = document.querySelector(".stage-clock");
    if (!clock || clock.dataset.running !== "true") {
      return;
    }
    var started = Date.now() - Number(clock.dataset.elapsed) * 1000;
    var limit = Number(clock.dataset.limit) || 0;
    window.setInterval(function () {
      var seconds = Math.max(0, Math.floor((Date.now() - started) / 1000));
      clock.textContent = clockText(seconds);
      clock.classList.toggle("stage-over", limit > 0 && seconds > limit);
    }, 1000);
  }

  var SIGNS = { missing: "○", draft: "✎", submitted: "✓" };

  function followJury() {
    var box = document.querySelector(".stage-jury");
    if (!box) {
      return;
    }
    var text = box.dataset;

    function part(root, name) {
      return root.querySelector('[data-slot="' + name + '"]');
    }

    function drawJuror(line, juror) {
      var sign = part(line, "sign");
      sign.className = "cell-sign cell-" + juror.state;
      sign.textContent = SIGNS[juror.state] || "";
      part(line, "state").textContent = text["text" + juror.state.charAt(0).toUpperCase() + juror.state.slice(1)];
      part(line, "reminded").textContent = juror.reminded ? " · " + text.textReminded : "";
      var remind = part(line, "remind");
      remind.hidden = juror.state === "submitted";
      remind.querySelector("button").disabled = juror.reminded;
    }

    // True when the page still shows the stage the server describes (same performer, same jury).
    function draw(chair) {
      var lines = box.querySelectorAll("[data-member-id]");
      if (String(chair.registration_id) !== text.registrationId || lines.length !== chair.jurors.length) {
        return false;
      }
      for (var index = 0; index < chair.jurors.length; index += 1) {
        if (lines[index].dataset.memberId !== String(chair.jurors[index].member_id)) {
          return false;
        }
        drawJuror(lines[index], chair.jurors[index]);
      }
      part(box, "sheets-done").textContent = chair.submitted;
      part(box, "sheets-total").textContent = chair.total;
      return true;
    }

    // With the live feed each change (a juror's sheet, a reminder) is told at once and the
    // chair's part asked for then; a tablet put aside asks nothing and catches up when shown.
    var feed = window.stageFeed({
      stateUrl: text.stateUrl, eventsUrl: text.eventsUrl,
      onPublic: function () {
        if (!document.hidden) {
          feed.ask();
        }
      },
      onState: function (data) {
        if (data.chair) {
          part(box, "stage-changed").hidden = draw(data.chair);
        }
      },
      paused: function () {
        return document.hidden;
      }
    });
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) {
        feed.ask();
      }
    });
  }

  runTimer();
  followJury();
})();
