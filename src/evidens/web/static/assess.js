// Risk of bias form: as answers change, ask the server's engine for its proposal and show
// only the questions that apply. The server decides everything; this only redraws.
"use strict";
(function () {
  const form = document.getElementById("rob-form");
  if (!form) return;
  const message = document.getElementById("rob-message");
  let pending = null;

  function redraw(found) {
    for (const fieldset of form.querySelectorAll("fieldset.domain")) {
      const domain = fieldset.dataset.domain;
      const asked = (found.asked && found.asked[domain]) || [];
      for (const q of fieldset.querySelectorAll(".question")) {
        q.hidden = !asked.includes(q.dataset.question);
      }
      const out = fieldset.querySelector("output.proposed");
      const judged = found.domains && found.domains[domain];
      if (out) out.textContent = judged && judged.proposed ? judged.proposed.label : "incomplete";
    }
    const overall = form.querySelector('output.proposed[data-for="overall"]');
    if (overall) {
      overall.textContent = found.overall.proposed ? found.overall.proposed.label : "incomplete";
    }
    const shown = Array.from(form.querySelectorAll("fieldset.domain"), (f) => f.dataset.domain);
    const wanted = Object.keys(found.asked || {});
    const redrawn = wanted.length === shown.length && wanted.every((d) => shown.includes(d));
    const note = redrawn ? "" : "These settings change the domains: save to show them.";
    if (message) message.textContent = found.error || note;
  }

  async function propose() {
    const body = new URLSearchParams(new FormData(form));
    const response = await fetch(form.dataset.propose, {
      method: "POST",
      body: body,
      headers: { accept: "application/json" },
      credentials: "same-origin",
    });
    const found = await response.json();
    if (response.ok) redraw(found);
    else if (message) message.textContent = (found.error && found.error.message) || "not saved";
  }

  form.addEventListener("change", function () {
    if (pending) clearTimeout(pending);
    pending = setTimeout(propose, 120);
  });
})();
