// The juror's score sheet keeps working when the venue's Wi-Fi drops. Without this script the
// form posts as it always did. With it:
// - what the juror types is kept in localStorage (one record per juror, round and entry) until
//   the server confirms it;
// - a save is posted with fetch: the form's own fields, `Accept: application/json`, the CSRF
//   token in X-CSRFToken and an Idempotency-Key made for this save and kept with it. When the
//   network fails the save waits ("waiting to send") and goes again on the `online` event and
//   on a timer that backs off; a save sent twice is applied once (the server knows the key);
// - "sent" shows only when the server's answer names the version it saved; a refusal (the
//   sheet changed elsewhere, locked, invalid scores...) shows the server's message;
// - a service worker (static/js/sheet-sw.js, served as /jury/sw.js) keeps the jury pages and
//   static files, so that reloading the sheet without a connection still shows it.
// Nothing here knows the sheet's fields: any inputs of the form are kept and sent.
// The live stage page (static/js/stage-follow.js) swaps the sheet for the next performer's:
// it calls window.contestSheets.leave() before and attach(part) after; saves of the sheets
// left behind keep going, and what becomes of them is said in the page's own region.
(() => {
  const config = document.querySelector("[data-offline-jury]");
  if (!config) return;
  const texts = config.dataset;
  const prefix = `contest-sheet:${config.dataset.offlineJury}:`;
  // The sheet on the page now (attach): its form, where its sending news go, its storage key.
  let form = null;
  let region = config;
  let ownKey = null;
  let postUrl = null;
  const RETRY_MS = [2000, 4000, 8000, 15000, 30000, 60000];
  const CSRF_FIELD = "csrf_token";
  const inFlight = new Set();
  let attempt = 0;
  let retryTimer = null;

  // Storage ---------------------------------------------------------------------------------
  // A record: {url, fields: [[name, value]...], state: "draft" | "pending", key, refusal}.
  // "draft" is typed but not saved (restored only onto the same version of the sheet);
  // "pending" was saved on this phone and waits for the server's answer; `refusal` is the
  // server's message about a save sent from another page, shown when this sheet opens.

  const read = (key) => {
    try {
      return JSON.parse(window.localStorage.getItem(key) || "null");
    } catch (error) {
      return null;
    }
  };
  const write = (key, record) => {
    try {
      window.localStorage.setItem(key, JSON.stringify(record));
      return true;
    } catch (error) {
      return false; // storage full or forbidden: the form posts itself, as without this script
    }
  };
  const forget = (key) => {
    try {
      window.localStorage.removeItem(key);
    } catch (error) {
      // forbidden: nothing was kept either
    }
  };
  const pendingKeys = () => {
    try {
      return Object.keys(window.localStorage)
        .filter((key) => key.startsWith(prefix) && (read(key) || {}).state === "pending");
    } catch (error) {
      return [];
    }
  };

  // The form --------------------------------------------------------------------------------

  const fieldsOf = (submitter) => {
    const fields = [];
    new FormData(form).forEach((value, name) => {
      if (name !== CSRF_FIELD && typeof value === "string") fields.push([name, value]);
    });
    if (submitter && submitter.name) fields.push([submitter.name, submitter.value]);
    return fields;
  };
  const valueOf = (fields, name) => (fields.find(([field]) => field === name) || [])[1];

  const fill = (fields) => {
    Array.from(form.elements).forEach((element) => {
      if (!element.name || element.name === CSRF_FIELD || element.type === "submit") return;
      const values = fields.filter(([name]) => name === element.name).map(([, value]) => value);
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = values.includes(element.value);
      } else if (values.length) {
        [element.value] = values;
      }
    });
  };

  const setLocked = (locked) => {
    Array.from(form.elements).forEach((element) => {
      if (element.type === "hidden") return;
      if ("readOnly" in element && element.tagName !== "SELECT" && element.type !== "submit"
          && element.type !== "checkbox" && element.type !== "radio") {
        element.readOnly = locked;
      } else {
        element.disabled = locked;
      }
    });
    form.setAttribute("aria-busy", locked ? "true" : "false");
  };

  // Each refused value beside its field, as the server's page shows it (static markup of
  // templates/_forms.html: an .invalid-feedback named by aria-describedby).
  const markInvalid = (errors) => {
    form.querySelectorAll("[data-sent-error]").forEach((note) => note.remove());
    form.querySelectorAll(".is-invalid").forEach((element) => {
      element.classList.remove("is-invalid");
      element.setAttribute("aria-invalid", "false");
      const ids = (element.getAttribute("aria-describedby") || "").split(" ")
        .filter((id) => id && id !== `${element.id}-error`);
      if (ids.length) element.setAttribute("aria-describedby", ids.join(" "));
      else element.removeAttribute("aria-describedby");
    });
    const byField = new Map();
    errors.forEach(({ field, message }) => {
      if (field) byField.set(field, [...(byField.get(field) || []), message]);
    });
    byField.forEach((messages, field) => {
      const element = form.elements.namedItem(field);
      if (!element || !element.id || !element.classList) return;
      const id = `${element.id}-error`;
      let note = document.getElementById(id);
      if (!note) {
        note = document.createElement("div");
        note.id = id;
        note.className = "invalid-feedback";
        note.dataset.sentError = "";
        element.parentElement.append(note);
      }
      note.textContent = messages.join(" ");
      element.classList.add("is-invalid");
      element.setAttribute("aria-invalid", "true");
      const ids = (element.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (!ids.includes(id)) element.setAttribute("aria-describedby", [...ids, id].join(" "));
    });
  };

  // What the page says ----------------------------------------------------------------------

  const say = (kind, message, errors = [], nextUrl = null) => {
    region.replaceChildren();
    region.dataset.state = kind;
    if (!message) return;
    const alert = document.createElement("div");
    const tone = { waiting: "warning", sending: "secondary", sent: "success", refused: "danger" }[kind];
    alert.className = `alert alert-${tone} mb-2`;
    const text = document.createElement("p");
    text.className = "mb-0";
    text.textContent = message;
    alert.append(text);
    if (errors.length) {
      const list = document.createElement("ul");
      list.className = "mb-0 mt-1";
      errors.forEach(({ field, message: line }) => {
        const item = document.createElement("li");
        const element = field && form && form.elements.namedItem(field);
        const label = element && element.id && form.querySelector(`label[for="${element.id}"]`);
        item.textContent = label ? `${label.textContent.trim()}: ${line}` : line;
        list.append(item);
      });
      alert.append(list);
    }
    if (nextUrl && nextUrl !== window.location.pathname) {
      const link = document.createElement("a");
      link.href = nextUrl;
      link.className = "alert-link d-inline-block mt-1";
      link.textContent = texts.textNext;
      alert.append(link);
    }
    region.append(alert);
  };

  const sayOthers = () => {
    const others = pendingKeys().filter((key) => key !== ownKey).length;
    const note = config.querySelector("[data-others]") || document.createElement("p");
    note.dataset.others = "";
    note.className = "small text-body-secondary mb-2";
    note.textContent = others ? texts.textOthers.replace("{count}", String(others)) : "";
    if (others && !note.isConnected) config.append(note);
    if (!others) note.remove();
  };

  // On the stage page (its region has the texts): one line per sheet left behind, saying what
  // became of it (sent, refused, typed and never sent) with a link to the sheet's own page.
  const sayAbout = (key, kind, record, message = "") => {
    if (!texts.textSentOther || !record) return;
    const id = `sheet-note-${key.slice(prefix.length).replace(/[^0-9a-z]/gi, "-")}`;
    const line = document.getElementById(id) || document.createElement("div");
    line.id = id;
    line.className = `alert alert-${kind === "sent" ? "success" : "warning"} mb-2`;
    const label = record.label || "";
    const words = { sent: texts.textSentOther, refused: texts.textRefusedOther, unsent: texts.textUnsent }[kind];
    const text = document.createElement("p");
    text.className = "mb-0";
    text.textContent = `${words.replace("{code}", label)} ${message}`.trim();
    line.replaceChildren(text);
    if (kind !== "sent") {
      const link = document.createElement("a");
      link.href = record.url;
      link.className = "alert-link";
      link.textContent = texts.textOpen;
      line.append(link);
    }
    if (!line.isConnected) config.prepend(line);
  };

  // Sending ---------------------------------------------------------------------------------

  const newKey = () => {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    const bytes = window.crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  };
  const csrfToken = () => {
    const input = document.querySelector(`input[name="${CSRF_FIELD}"]`);
    return input ? input.value : "";
  };

  // The outcome of one attempt: "sent", "refused", "waiting" (try again) or "signin".
  const post = async (record) => {
    let response;
    try {
      response = await fetch(record.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken(), "Idempotency-Key": record.key },
        body: new URLSearchParams(record.fields),
      });
    } catch (error) {
      return { outcome: "waiting" };
    }
    // The server or a proxy in trouble (5xx), or too many attempts (429): try again later.
    if (response.status >= 500 || response.status === 429) return { outcome: "waiting" };
    // A page instead of an answer is the sign-in page (the session ended): the scores wait
    // until the juror signs in again and opens a sheet.
    if (!(response.headers.get("Content-Type") || "").startsWith("application/json")) return { outcome: "signin" };
    let answer;
    try {
      answer = await response.json();
    } catch (error) {
      return { outcome: "waiting" }; // cut off half-way
    }
    if (answer.status === "saved" || answer.reason === "duplicate") return { outcome: "sent", answer };
    if (answer.reason === "csrf") return { outcome: "signin", answer };
    return { outcome: "refused", answer };
  };

  const keepCopy = () => {
    if (!("serviceWorker" in navigator) || !navigator.serviceWorker.controller) return;
    navigator.serviceWorker.controller.postMessage({ keep: [window.location.href] });
  };

  const settleOwn = (result, record, immediate) => {
    const { outcome, answer } = result;
    if (outcome === "sent") {
      const stay = form.dataset.offlineStay !== undefined; // the stage page follows the stage itself
      if (immediate && answer.next_url && !stay) {
        window.location.assign(answer.next_url); // as the form would: the next page says what was saved
        return;
      }
      if (answer.version !== undefined && form.elements.namedItem("version")) {
        form.elements.namedItem("version").value = String(answer.version);
      }
      markInvalid([]);
      setLocked(Boolean(answer.submitted) || valueOf(record.fields, "action") === "submit");
      say("sent", answer.message, [], stay ? null : answer.next_url);
      keepCopy(); // the kept page now shows the saved scores and version
    } else if (outcome === "refused") {
      setLocked(false);
      markInvalid(answer.errors || []);
      say("refused", answer.message, answer.errors || []);
    } else if (outcome === "signin") {
      say("refused", (answer && answer.message) || texts.textSignin);
    } else {
      say("waiting", texts.textWaiting);
    }
  };

  const sendOne = async (key, immediate = false) => {
    const record = read(key);
    if (!record || record.state !== "pending" || inFlight.has(key)) return "idle";
    inFlight.add(key);
    if (key === ownKey) say("sending", texts.textSending);
    let result;
    try {
      result = await post(record);
    } finally {
      inFlight.delete(key);
    }
    if (result.outcome === "sent") {
      forget(key);
    } else if (result.outcome === "refused") {
      // Not saved, and sending it again would not help: the values stay (a draft) for the
      // juror to check, and nothing waits any more.
      write(key, { ...record, state: "draft", key: null, refusal: key === ownKey ? null : result.answer.message });
    }
    if (key === ownKey) settleOwn(result, record, immediate);
    else if (result.outcome === "sent" || result.outcome === "refused") {
      sayAbout(key, result.outcome, record, result.outcome === "refused" ? result.answer.message : "");
    }
    return result.outcome;
  };

  const sendAll = async () => {
    window.clearTimeout(retryTimer);
    const outcomes = await Promise.all(pendingKeys().map((key) => sendOne(key)));
    sayOthers();
    if (outcomes.includes("waiting")) {
      retryTimer = window.setTimeout(sendAll, RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]);
      attempt += 1;
    } else {
      attempt = 0;
    }
  };

  // Wiring ----------------------------------------------------------------------------------

  // The sheet in `root` becomes the page's: restore what this phone kept of it, listen to it.
  const attach = (root) => {
    form = root.querySelector("form[data-offline-sheet]");
    region = root.querySelector("[data-offline-status]") || config;
    ownKey = form ? prefix + form.dataset.offlineSheet : null;
    // Not form.action: the buttons are named "action", and a form's named controls shadow it.
    postUrl = form ? form.getAttribute("action") : null;
    sayOthers();
    if (!form) return;
    const label = form.dataset.sheetLabel;
    const saved = read(ownKey);
    const version = form.elements.namedItem("version");
    if (saved && saved.state === "pending") {
      fill(saved.fields);
      setLocked(true);
      say("waiting", texts.textWaiting);
    } else if (saved && version && valueOf(saved.fields, "version") === version.value) {
      fill(saved.fields); // typed on this phone, never saved: still there after a reload
      if (saved.refusal) {
        say("refused", saved.refusal); // sent from another page, and refused
        write(ownKey, { ...saved, refusal: null });
      }
    } else if (saved) {
      forget(ownKey); // the sheet was saved since: what the server holds wins
    }

    form.addEventListener("input", () => {
      if ((read(ownKey) || {}).state === "pending") return;
      write(ownKey, { url: postUrl, label, fields: fieldsOf(null), state: "draft", key: null });
    });

    form.addEventListener("submit", (event) => {
      const fields = fieldsOf(event.submitter);
      // Without fetch or a place to keep the save, the form posts itself.
      if (!window.fetch || !write(ownKey, { url: postUrl, label, fields, state: "pending", key: newKey() })) return;
      event.preventDefault();
      setLocked(true);
      window.clearTimeout(retryTimer);
      sendOne(ownKey, true).then((outcome) => {
        if (outcome === "waiting") sendAll();
      });
    });
  };

  // The sheet leaves the page (the next performer is on stage): a save of it still goes, and
  // scores typed but never saved stay on the phone, with a line saying so.
  const leave = () => {
    const record = ownKey ? read(ownKey) : null;
    if (record && record.state === "draft") sayAbout(ownKey, "unsent", record);
    form = null;
    region = config;
    ownKey = null;
    postUrl = null;
    sayOthers();
  };
  window.contestSheets = { attach, leave };
  attach(document);

  window.addEventListener("online", () => {
    attempt = 0;
    sendAll();
  });
  window.addEventListener("offline", () => {
    if (ownKey && (read(ownKey) || {}).state === "pending") say("waiting", texts.textWaiting);
  });
  sendAll();

  if ("serviceWorker" in navigator) {
    // A page the worker served is kept already; one loaded before the worker ran (the first
    // visit) asks for itself and the files it loaded to be kept.
    const servedByWorker = Boolean(navigator.serviceWorker.controller);
    navigator.serviceWorker.register(region.dataset.serviceWorker, { scope: region.dataset.scope })
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => {
        if (servedByWorker) return;
        const own = performance.getEntriesByType("resource").map((entry) => entry.name);
        registration.active.postMessage({ keep: [window.location.href, ...own] });
      })
      .catch(() => undefined); // no worker (an old browser, a private window): saving still waits and retries
  }
})();
