// evidens: keyboard-first screening. Own code, no libraries.
(function () {
  "use strict";
  function typing(target) {
    return target && (target.tagName === "TEXTAREA" || target.tagName === "INPUT" ||
      target.tagName === "SELECT");
  }
  function press(key) {
    return document.querySelector('[data-key="' + key + '"]');
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (typing(event.target)) {
      if (event.key === "Escape") { event.target.blur(); }
      return;
    }
    var help = document.getElementById("help");
    if (help && help.open) { return; }
    var key = event.key;
    var button = press(key);
    if (!button) { return; }
    event.preventDefault();
    button.click();
  });
  var decide = document.getElementById("decide");
  if (decide) {
    decide.addEventListener("submit", function (event) {
      var reason = document.getElementById("reason");
      var chosen = event.submitter ? event.submitter.value : "";
      var message = document.getElementById("message");
      if (reason && chosen === "exclude" && !reason.value) {
        event.preventDefault();
        message.textContent = "Choose a reason for excluding this full text, then press e again.";
        reason.focus();
        return;
      }
      var buttons = decide.querySelectorAll("button");
      window.setTimeout(function () {
        buttons.forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  }
  var noteButton = document.getElementById("note-button");
  if (noteButton) {
    noteButton.addEventListener("click", function () {
      var label = document.querySelector("label.note");
      label.hidden = false;
      document.getElementById("note").focus();
    });
  }
  var helpButton = document.getElementById("help-button");
  if (helpButton) {
    helpButton.addEventListener("click", function () {
      document.getElementById("help").showModal();
    });
  }
})();
