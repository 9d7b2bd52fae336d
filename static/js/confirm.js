// Asks before a form with a question in data-confirm (on the form or on the pressed button)
// is sent. The question is written by the server, already translated; the dialog lives in
// base.html. Without this script the form simply submits.
(function () {
  "use strict";
  var dialog = document.getElementById("confirm-dialog");
  if (!dialog || typeof dialog.showModal !== "function") { return; }
  var question = dialog.querySelector(".confirm-dialog-question");
  var okButton = dialog.querySelector("[data-confirm-ok]");
  var cancelButton = dialog.querySelector("[data-confirm-cancel]");
  var defaultOkText = okButton.textContent;
  var pending = null;  // {form, submitter} while the dialog is open

  function questionFor(form, submitter) {
    var asker = submitter && submitter.hasAttribute("data-confirm") ? submitter : form;
    // data-confirm-when-filled="id": ask only when that field holds a value (a publication time).
    var condition = asker.getAttribute("data-confirm-when-filled");
    var field = condition && document.getElementById(condition);
    if (condition && !(field && field.value.trim())) { return null; }
    return asker.getAttribute("data-confirm");
  }

  function labelOf(submitter) {
    var text = submitter ? submitter.textContent.replace(/\s+/g, " ").trim() : "";
    return text || defaultOkText;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter || null;
    var text = questionFor(form, submitter);
    if (!text || form.hasAttribute("data-confirmed")) { return; }
    event.preventDefault();
    pending = {form: form, submitter: submitter, opener: submitter || document.activeElement};
    question.textContent = text;
    okButton.textContent = labelOf(submitter);
    okButton.className = "btn " + (submitter && /\bbtn-(outline-)?danger\b/.test(submitter.className) ? "btn-danger" : "btn-primary");
    dialog.showModal();
    cancelButton.focus();  // the safe choice first: Enter alone never confirms
  }, true);

  okButton.addEventListener("click", function () {
    var chosen = pending;
    dialog.close("confirm");
    if (!chosen) { return; }
    chosen.form.setAttribute("data-confirmed", "");
    if (chosen.form.requestSubmit) {
      chosen.form.requestSubmit(chosen.submitter);
    } else {
      chosen.form.submit();
    }
    chosen.form.removeAttribute("data-confirmed");
  });

  cancelButton.addEventListener("click", function () { dialog.close("cancel"); });

  // Escape fires "cancel" and closes the dialog; every way out returns focus to the button.
  dialog.addEventListener("close", function () {
    var opener = pending && pending.opener;
    pending = null;
    if (opener && typeof opener.focus === "function") { opener.focus(); }
  });

  // Keep Tab inside the dialog (the page behind is inert, but the browser's own bar is not).
  dialog.addEventListener("keydown", function (event) {
    if (event.key !== "Tab") { return; }
    var first = cancelButton, last = okButton;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault(); last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault(); first.focus();
    }
  });
}());
