// The chair's control page. The timer keeps counting between page loads (the server's time stays
// the record), and the jury's sheets for the performer on stage follow the state endpoint: about
// once a second with the last ETag (304 while nothing changed), the count and each juror's line
// are redrawn as sheets come in. Without JavaScript the page shows them as loaded (Refresh).
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
    var etag = null;
    var failures = 0;

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

    function poll() {
      if (document.hidden) {  // a tablet put aside asks nothing; it catches up when shown again
        window.setTimeout(poll, 1000);
        return;
      }
      fetch(text.stateUrl, { headers: etag ? { "If-None-Match": etag } : {}, cache: "no-store",
                             credentials: "same-origin" })
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
          failures = 0;
          if (data && data.chair) {
            part(box, "stage-changed").hidden = draw(data.chair);
          }
        })
        .catch(function () {
          failures += 1;
        })
        .then(function () {
          window.setTimeout(poll, Math.min(10000, 1000 * Math.pow(2, failures)));
        });
    }

    poll();
  }

  runTimer();
  followJury();
})();
