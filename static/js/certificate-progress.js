// Live progress of a certificate generation: polls the JSON endpoint every second and moves
// the bar. Without JavaScript the page refreshes itself (a <noscript> meta refresh).
document.querySelectorAll("[data-progress-url]").forEach((box) => {
  const bar = box.querySelector("[data-progress-bar]");
  const message = box.querySelector("[data-progress-message]");
  const download = document.querySelector("[data-download-link]");
  const heading = document.querySelector("[data-progress-heading]");

  const show = (progress) => {
    bar.value = progress.percent;
    bar.textContent = `${progress.percent}%`;
    message.textContent = progress.message;
    if (heading && progress.heading && heading.textContent !== progress.heading) {
      document.title = document.title.replace(heading.textContent, progress.heading);
      heading.textContent = progress.heading;
    }
    if (progress.done && download) download.hidden = false;
  };

  const poll = async () => {
    try {
      const response = await fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const progress = await response.json();
        show(progress);
        if (progress.done) return;
        if (progress.stale || progress.status === "failed") {
          window.location.reload(); // brings up the "Resume" button
          return;
        }
      }
    } catch (error) {
      // a network hiccup: try again on the next tick
    }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 500);
});
