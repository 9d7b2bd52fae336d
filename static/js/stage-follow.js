// The juror's phone follows the stage through stage-feed.js, as the audience screen does: the
// live feed where the site has one, else the state endpoint about once a second. The state
// endpoint's answer carries this juror's part: who is on stage and whether the chair reminded
// them. When the performer changes, the page fetches the performer's part
// (their score sheet) and swaps it in without a reload; sheet-offline.js then keeps and sends
// that sheet, and the sheet left behind keeps going (window.contestSheets). The timer counts
// locally between answers. Screen readers hear the change of performer (a polite live region).
(() => {
  const page = document.querySelector("[data-stage-follow]");
  if (!page) return;
  const texts = page.dataset;
  const find = (name) => page.querySelector(`[data-stage-${name}]`);
  const JUROR_SECONDS = 30;
  let state = null;
  let receivedAt = 0;
  let shown = find("performer").dataset.registrationId;
  let fetching = null; // the performer whose part is on its way

  find("reload").hidden = true; // the page follows by itself

  const clock = (seconds) => {
    const rest = seconds % 60;
    return `${Math.floor(seconds / 60)}:${rest < 10 ? "0" : ""}${rest}`;
  };

  const drawTimer = () => {
    const timer = find("timer");
    if (!state) return; // until the first answer the server's own figure stands
    timer.hidden = !state.timer;
    if (!state.timer) return;
    let elapsed = state.timer.elapsed;
    if (state.timer.running) elapsed += Math.floor((Date.now() - receivedAt) / 1000);
    const { limit } = state.timer;
    find("clock").textContent = clock(elapsed) + (limit ? ` / ${clock(limit)}` : "")
      + (state.timer.running ? "" : ` · ${texts.textPaused}`);
    timer.classList.toggle("over", Boolean(limit) && elapsed > limit);
  };

  const drawReminder = () => {
    const reminder = find("reminder");
    const code = state.juror.reminded && state.now ? state.now.code : null;
    const text = code ? texts.textReminder.replace("{code}", code) : "";
    if (reminder.textContent !== text) reminder.textContent = text;
    reminder.className = code ? "alert alert-warning" : "";
  };

  const keepCopy = () => {
    // The service worker's copy of this page (for a reload without a connection) should show
    // the performer on stage now, not the one when the page was loaded.
    if ("serviceWorker" in navigator && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ keep: [window.location.href] });
    }
  };

  const swap = async (wanted) => {
    fetching = wanted;
    try {
      const response = await fetch(texts.performerUrl, { credentials: "same-origin", cache: "no-store" });
      if (!response.ok) return;
      const holder = document.createElement("template");
      holder.innerHTML = await response.text();
      const fresh = holder.content.querySelector("[data-stage-performer]");
      if (!fresh) return; // not the part (the sign-in page after the session ended)
      window.contestSheets?.leave();
      find("performer").replaceWith(fresh);
      shown = fresh.dataset.registrationId;
      window.contestSheets?.attach(fresh);
      const heading = fresh.querySelector("[data-announce]");
      find("announce").textContent = heading ? heading.textContent.trim() : "";
      keepCopy();
    } catch (error) {
      // offline: the next answer of the state asks again
    } finally {
      fetching = null;
    }
  };

  const follow = () => {
    if (!state || !state.juror || fetching !== null) return;
    const wanted = state.juror.registration_id === null ? "" : String(state.juror.registration_id);
    if (wanted !== shown) swap(wanted);
  };

  const received = (data) => {
    state = data;
    receivedAt = Date.now();
    if (state.juror) drawReminder();
    drawTimer();
  };

  let lastSeen = null; // the performer on stage and the reminders about them, as the feed last said
  const feed = window.stageFeed({
    stateUrl: texts.stateUrl,
    eventsUrl: texts.eventsUrl,
    // The feed's public state moves the timer at once; this juror's part (whom to score, the
    // chair's reminder) is asked for when the performer or the number of reminders changes, and
    // every JUROR_SECONDS in case it changed otherwise (the same juror's sheet sent elsewhere).
    onPublic: (data) => {
      received({ ...data, juror: state?.juror });
      const seen = `${data.now ? data.now.code : ""}:${data.reminders || 0}`;
      if (seen !== lastSeen) {
        lastSeen = seen;
        feed.ask();
      }
    },
    onState: received,
    onConnection: (ok, failures) => {
      find("connection").textContent = !ok && failures > 1 ? texts.textOffline : "";
      if (ok) follow(); // also after a 304: a part that failed to load is asked for again
    },
  });
  window.setInterval(() => feed.live() && feed.ask(), JUROR_SECONDS * 1000);
  window.setInterval(drawTimer, 500);
})();
