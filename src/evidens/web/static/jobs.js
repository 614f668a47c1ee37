// The progress bar of a background job: polls its JSON endpoint until it is done or failed,
// then reloads the page so the finished files are listed.
(function () {
  "use strict";
  const box = document.getElementById("build");
  if (!box || !box.dataset.job) return;
  const state = box.dataset.state;
  if (state === "done" || state === "failed") return;
  const url = "/r/" + encodeURIComponent(box.dataset.slug) + "/jobs/" + encodeURIComponent(box.dataset.job) + ".json";
  const bar = box.querySelector("progress");
  const step = box.querySelector(".job-step");
  function poll() {
    fetch(url, { headers: { accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        if (bar) { bar.value = job.percent; bar.textContent = job.percent + "%"; }
        if (step) { step.textContent = job.step + (job.error ? ": " + job.error : ""); }
        if (job.state === "done" || job.state === "failed") { window.location.reload(); return; }
        window.setTimeout(poll, 500);
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  poll();
})();
