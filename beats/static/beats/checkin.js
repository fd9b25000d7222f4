/* The phone check-in page: takes the browser's geolocation, posts it to the check-in API
   (POST /api/v1/check-ins/ with the session cookie and the X-CSRFToken header) and shows whether
   the point is inside the beat and any flags. Texts come from the page (#checkin-data); no inline
   script (CSP). */
(function () {
  "use strict";

  var form = document.getElementById("checkin-form");
  var dataEl = document.getElementById("checkin-data");
  if (!form || !dataEl) {
    return;
  }
  var page = JSON.parse(dataEl.textContent);
  var labels = page.labels;
  var button = document.getElementById("checkin-button");
  var statusEl = document.getElementById("checkin-status");
  var resultEl = document.getElementById("checkin-result");

  function show(message, kind) {
    statusEl.textContent = message;
    statusEl.className = "alert alert-" + (kind || "info");
  }

  function hideStatus() {
    statusEl.className = "alert d-none";
  }

  function csrfToken() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function render(checkIn) {
    var verdict = document.getElementById("checkin-verdict");
    verdict.textContent = checkIn.inside_beat ? labels.inside : labels.outside;
    verdict.className = "fs-4 fw-semibold " + (checkIn.inside_beat ? "text-success" : "text-danger");
    resultEl.dataset.inside = checkIn.inside_beat ? "true" : "false";
    resultEl.dataset.flags = checkIn.flags.join(" ");
    document.getElementById("checkin-accuracy").textContent =
      labels.accuracy.replace("{m}", String(Math.round(checkIn.accuracy)));
    var list = document.getElementById("checkin-flags");
    list.textContent = "";
    checkIn.flags.forEach(function (flag) {
      var li = document.createElement("li");
      li.textContent = labels.flags[flag] || flag;
      li.className = "text-warning-emphasis";
      list.appendChild(li);
    });
    document.getElementById("checkin-counts").textContent = checkIn.counts ? labels.counts : labels.not_counted;
    resultEl.className = "card mb-3 " + (checkIn.inside_beat && checkIn.counts ? "border-success" : "border-warning");
  }

  function send(position) {
    show(labels.sending);
    var body = {
      lat: position.coords.latitude,
      lon: position.coords.longitude,
      accuracy: position.coords.accuracy,
      device_time: new Date(position.timestamp || Date.now()).toISOString()
    };
    fetch(page.api_url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrfToken()
      },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (json) { return { ok: response.ok, json: json }; });
    }).then(function (answer) {
      button.disabled = false;
      if (!answer.ok) {
        var detail = answer.json && (answer.json.detail || (answer.json.non_field_errors || [])[0]);
        show(detail || labels.failed, "danger");
        return;
      }
      hideStatus();
      render(answer.json);
    }).catch(function () {
      button.disabled = false;
      show(labels.failed, "danger");
    });
  }

  function failed(error) {
    button.disabled = false;
    var message = labels.unavailable;
    if (error && error.code === 1) { message = labels.denied; }
    if (error && error.code === 3) { message = labels.timeout; }
    show(message, "warning");
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!navigator.geolocation) {
      show(labels.unsupported, "warning");
      return;
    }
    button.disabled = true;
    resultEl.className = "card mb-3 d-none";
    show(labels.locating);
    navigator.geolocation.getCurrentPosition(send, failed, { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 });
  });
}());
