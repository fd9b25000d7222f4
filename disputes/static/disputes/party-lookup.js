/* "Enter once": typing a party's national ID fills the party in from the registry.

   Each party is a `.js-party` element carrying `data-lookup-url`, the registry's person look-up
   (GET <url>?national_id=<id>, answering {"found": true, "person": {id, name, phone, ...}} or
   {"found": false} when the registry has no such person in the user's jurisdiction). The party's hidden `.js-party-person` gets the
   person's id and the name and phone fields are filled where still empty. Without the look-up (or
   offline) the officer types name and phone; the server also resolves the national ID itself.
   Messages come translated from the page (#party-lookup-messages). */
(function () {
  "use strict";

  var messagesEl = document.getElementById("party-lookup-messages");
  var messages = messagesEl ? JSON.parse(messagesEl.textContent) : {};
  var ID_PATTERN = /^\d{17}[\dXx]$/;

  function say(box, text, kind) {
    if (!box) {
      return;
    }
    box.textContent = text || "";
    box.className = "small js-party-status " + (kind === "ok" ? "text-success" : "text-body-secondary");
  }

  function setup(party) {
    var url = party.getAttribute("data-lookup-url");
    var idInput = party.querySelector(".js-party-national-id");
    var person = party.querySelector(".js-party-person");
    var name = party.querySelector(".js-party-name");
    var phone = party.querySelector(".js-party-phone");
    var status = party.querySelector(".js-party-status");
    if (!idInput || !url) {
      return;
    }
    var lastAsked = "";

    function lookup() {
      var value = idInput.value.trim().toUpperCase();
      if (person && value !== lastAsked) {
        person.value = "";
      }
      if (!ID_PATTERN.test(value) || value === lastAsked) {
        return;
      }
      lastAsked = value;
      say(status, messages.looking, "");
      var target = url + (url.indexOf("?") === -1 ? "?" : "&") + "national_id=" + encodeURIComponent(value);
      fetch(target, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (response.status === 404) {
            say(status, messages.not_found, "");
            return null;
          }
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (data) {
          if (!data) {
            return;
          }
          if (data.found === false) {
            say(status, messages.not_found, "");
            return;
          }
          var found = data.person || data;
          if (person && found.id) {
            person.value = found.id;
          }
          if (name && !name.value && found.name) {
            name.value = found.name;
          }
          if (phone && !phone.value && found.phone && found.phone.indexOf("*") === -1) {
            phone.value = found.phone;
          }
          say(status, (messages.found || "") + " " + (found.name || ""), "ok");
        })
        .catch(function () {
          say(status, messages.unavailable, "");
        });
    }

    idInput.addEventListener("input", lookup);
    idInput.addEventListener("change", lookup);
  }

  document.querySelectorAll(".js-party").forEach(setup);
}());
