/* Small helpers of the dispute forms (no inline script: CSP).
   - Next-step form: shows "this step needs a note" when the chosen step requires one; the list of
     such steps comes from the page (#notes-required, json_script).
   - Follow-up visit form: ticks "reopen" when the outcome says it flared up again. */
(function () {
  "use strict";

  var notesEl = document.getElementById("notes-required");
  var required = notesEl ? JSON.parse(notesEl.textContent) : [];
  document.querySelectorAll(".js-transition-form").forEach(function (form) {
    var select = form.querySelector("select[name='to']");
    var note = form.querySelector("textarea[name='note']");
    var hint = form.querySelector(".js-note-hint");
    if (!select || !hint) {
      return;
    }
    function update() {
      var needs = required.indexOf(select.value) !== -1;
      hint.classList.toggle("d-none", !needs);
      if (note) {
        note.required = needs;
      }
    }
    select.addEventListener("change", update);
    update();
  });

  document.querySelectorAll(".js-followup-outcome").forEach(function (outcome) {
    var form = outcome.form;
    var reopen = form ? form.querySelector(".js-followup-reopen") : null;
    if (!reopen) {
      return;
    }
    outcome.addEventListener("change", function () {
      reopen.checked = outcome.value === "flared_up";
    });
  });
}());
