/* The register import's progress page, with JavaScript: poll the job's JSON
   progress and move the bar in place; once the job has finished, reload to show
   its preview or result. Without JavaScript the page refreshes itself instead
   (<noscript><meta http-equiv="refresh">). No inline script: the page works
   under a Content-Security-Policy without 'unsafe-inline'. */
(function () {
  "use strict";
  var root = document.querySelector("[data-progress-url]");
  if (!root || !window.fetch) {
    return;
  }
  var url = root.getAttribute("data-progress-url");
  var bar = root.querySelector("progress");
  var text = root.querySelector("[data-progress-text]");
  var failures = 0;

  function show(data) {
    bar.value = data.progress;
    bar.textContent = data.progress + "%";
    text.textContent = data.text;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        show(data);
        if (!data.running) {
          window.location.reload();
          return;
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        failures += 1;
        // A hiccup of the network or the server: slow down, then fall back to
        // reloading the page, which shows whatever state the job is in.
        if (failures >= 5) {
          window.location.reload();
          return;
        }
        window.setTimeout(poll, 3000);
      });
  }

  window.setTimeout(poll, 500);
})();
