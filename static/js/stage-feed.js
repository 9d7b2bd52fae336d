// How the stage's pages follow it (stage-screen.js, stage-follow.js, stage-control.js).
// With a live feed (server-sent events; the site has one where it runs Redis) a page holds one
// connection and is sent the public state each time the stage changes; a page that also needs
// its viewer's own part (a juror's sheet, the chair's table of the jury) asks the state endpoint
// when the feed tells it something changed, instead of every second. Without a feed, or when it
// cannot be opened, the page asks the state endpoint about once a second with the last ETag (an
// unchanged stage answers 304 with nothing to send), backing off to every 10 s after failures so
// a server coming back is not flooded.
//
//   const feed = window.stageFeed({ stateUrl, eventsUrl, credentials, onPublic, onState,
//                                   onConnection, paused });
//   feed.ask()   asks the state endpoint now (one request at a time; a call meanwhile asks again after)
//   feed.live()  true while the page follows the live feed
window.stageFeed = ({ stateUrl, eventsUrl, credentials = "same-origin", onPublic, onState,
  onConnection = () => {}, paused = () => false }) => {
  let etag = null;
  let failures = 0;
  let polling = false;
  let asking = null;
  let askAgain = false;

  const answered = (ok) => {
    failures = ok ? 0 : failures + 1;
    onConnection(ok, failures);
  };

  const request = async () => {
    try {
      const response = await fetch(stateUrl, {
        headers: etag ? { "If-None-Match": etag } : {}, cache: "no-store", credentials,
      });
      if (response.status !== 304) {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const data = await response.json();
        etag = response.headers.get("ETag");
        onState(data);
      }
      answered(true);
    } catch (error) {
      answered(false);
    }
  };

  const ask = async () => {
    if (asking) {
      askAgain = true; // a change came while asking: ask once more when this answer is in
      return;
    }
    do {
      askAgain = false;
      asking = request();
      await asking;
      asking = null;
    } while (askAgain);
  };

  const poll = async () => {
    polling = true;
    if (!paused()) await ask();
    window.setTimeout(poll, Math.min(10000, 1000 * 2 ** failures));
  };

  const follow = () => {
    const source = new EventSource(eventsUrl);
    source.onopen = () => answered(true);
    source.onmessage = (event) => {
      answered(true);
      onPublic(JSON.parse(event.data));
    };
    source.onerror = () => {
      // CONNECTING: the browser opens it again by itself (a stream also ends every few minutes).
      // CLOSED: the feed is not there (an old proxy, no Redis): ask once a second instead.
      if (source.readyState === EventSource.CLOSED) {
        if (!polling) poll();
      } else {
        answered(false);
      }
    };
  };

  if (eventsUrl && window.EventSource) follow();
  else poll();
  return { ask, live: () => !polling };
};
