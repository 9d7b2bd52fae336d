// The chair's timer keeps counting between page loads; the server's time stays the record.
(function () {
  "use strict";
  var clock = document.querySelector(".stage-clock");
  if (!clock || clock.dataset.running !== "true") {
    return;
  }
  var started = Date.now() - Number(clock.dataset.elapsed) * 1000;
  var limit = Number(clock.dataset.limit) || 0;
  function show() {
    var seconds = Math.max(0, Math.floor((Date.now() - started) / 1000));
    var rest = seconds % 60;
    clock.textContent = Math.floor(seconds / 60) + ":" + (rest < 10 ? "0" : "") + rest;
    clock.classList.toggle("stage-over", limit > 0 && seconds > limit);
  }
  window.setInterval(show, 1000);
})();
