// Registry forms: pick a suggested standard address, and "enter once" look-ups.
// No inline scripts (the content security policy forbids them): everything is wired by data attributes.
(function () {
  "use strict";

  // Tolerant address matching: a click on a suggestion (htmx fills the list) sets the hidden address id.
  document.addEventListener("click", function (event) {
    var pick = event.target.closest("[data-address-pick]");
    if (!pick) {
      return;
    }
    var text = document.getElementById("registry-address-text");
    var hidden = document.getElementById(text ? text.dataset.addressInput : "id_address");
    if (hidden) {
      hidden.value = pick.dataset.addressPick;
    }
    if (text) {
      text.value = pick.dataset.addressText;
    }
    var list = document.getElementById("registry-address-suggestions");
    if (list) {
      list.replaceChildren();
    }
  });

  // Typing over the address text unlinks the address until a suggestion is picked again.
  document.addEventListener("input", function (event) {
    var text = event.target;
    if (text.id !== "registry-address-text") {
      return;
    }
    var hidden = document.getElementById(text.dataset.addressInput);
    if (hidden) {
      hidden.value = "";
    }
  });

  function hint(input, message) {
    var el = document.getElementById(input.id + "-hint");
    if (el) {
      el.textContent = message || "";
    }
  }

  // Enter once: a complete national ID (or USCC) typed into a field with data-lookup-url fills the
  // fields named in data-fill from the registry, or warns (data-lookup-warn="exists").
  function lookup(input) {
    var value = input.value.trim();
    if (value.length !== 18) {
      hint(input, "");
      return;
    }
    var url = new URL(input.dataset.lookupUrl, window.location.origin);
    url.searchParams.set(input.dataset.lookupParam, value);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { found: false }; })
      .then(function (body) {
        var record = body.person || body.unit;
        if (!body.found || !record) {
          hint(input, input.dataset.notFound || "");
          return;
        }
        if (input.dataset.lookupWarn === "exists") {
          hint(input, "⚠ " + record.name);
          return;
        }
        var fill = JSON.parse(input.dataset.fill || "{}");
        Object.keys(fill).forEach(function (key) {
          var target = document.getElementById(fill[key]);
          var value = record[key];
          // A masked value is never written into a form: the server fills it from the registry.
          if (target && !target.value && value && String(value).indexOf("*") === -1) {
            target.value = value;
          }
        });
        hint(input, "✓ " + record.name + (record.address_text ? " · " + record.address_text : ""));
      })
      .catch(function () { hint(input, ""); });
  }

  document.addEventListener("change", function (event) {
    if (event.target.dataset && event.target.dataset.lookupUrl) {
      lookup(event.target);
    }
  });
  document.addEventListener("keyup", function (event) {
    var input = event.target;
    if (input.dataset && input.dataset.lookupUrl && input.value.trim().length === 18) {
      lookup(input);
    }
  });
})();
