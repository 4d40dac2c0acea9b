/* The item card's actions on the command map. A marker's popup holds a slot that loads the card
   (/command/map/items/<id>/card/: the actions the engine offers this user now, as the grid's forms) each
   time it opens; a form posts to the grid's event action API (the one door, with the version the card
   was drawn at, so a concurrent change answers 409), errors are shown beside their fields, and after
   success the card is reloaded and the map told to refresh. The dispatcher never leaves the map. Its
   words come with the map's (options.labels, translated on the server). */
(function () {
  "use strict";
  var esc = window.ZhiliLayers.esc;

  function showError(form, field, message) {
    var name = field ? form.dataset.cardForm + "-" + field.replace(/^inputs\./, "") : "";
    var input = name ? form.querySelector('[name="' + name + '"]') : null;
    var box = input ? input.closest(".field") : null;
    if (box) {
      box.classList.add("has-error");
      box.insertAdjacentHTML("beforeend", '<p class="field-error" role="alert" data-field-error="' + esc(name) + '">' + esc(message) + "</p>");
    } else {
      var top = form.querySelector("[data-form-error]");
      top.hidden = false;
      top.textContent = (top.textContent ? top.textContent + " " : "") + message;
    }
  }

  function clearErrors(form) {
    form.querySelectorAll("[data-field-error]").forEach(function (p) { p.remove(); });
    form.querySelectorAll(".has-error").forEach(function (b) { b.classList.remove("has-error"); });
    var top = form.querySelector("[data-form-error]");
    top.hidden = true;
    top.textContent = "";
  }

  /* The form's fields as the action API takes them: reason and version apart, the rest as inputs. */
  function body(form) {
    var action = form.dataset.cardForm, prefix = action + "-", data = new FormData(), inputs = {};
    data.append("action", action);
    Array.prototype.forEach.call(form.elements, function (f) {
      // "confirmed": the mark static/js/ui.js adds once a destructive action's dialog was accepted.
      if (!f.name || f.name === "csrfmiddlewaretoken" || f.name === "confirmed" || f.disabled) { return; }
      var name = f.name.indexOf(prefix) === 0 ? f.name.slice(prefix.length) : f.name;
      if (f.type === "file") { Array.prototype.forEach.call(f.files, function (file) { data.append("photos", file); }); return; }
      if ((f.type === "radio" || f.type === "checkbox") && !f.checked) { return; }
      if (name === "version" || name === "reason") { if (f.value) { data.append(name, f.value); } return; }
      if (f.value) { inputs[name] = f.value; }
    });
    data.append("inputs", JSON.stringify(inputs));
    return data;
  }

  function key() {
    return window.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2);
  }

  function attach(map, options) {
    var T = options.labels || {};
    /* The card grows once loaded, after Leaflet's own autopan: pan again so its top stays in view. */
    function fit(popup) {
      if (!popup) { return; }
      var dy = popup.getBoundingClientRect().top - map.getContainer().getBoundingClientRect().top - 10;
      if (dy < 0) { map.panBy([0, dy], { animate: false }); }
    }
    function load(slot, note, failed) {
      slot.dataset.cardReady = "loading";
      return fetch(slot.dataset.url, { credentials: "same-origin", headers: { Accept: "text/html" } }).then(function (r) {
        return r.text();
      }).then(function (html) {
        slot.innerHTML = html;
        var status = slot.querySelector("[data-card-status]");
        if (status && note) { status.textContent = note; status.classList.toggle("errors", !!failed); }
        slot.querySelectorAll("[data-card-form]").forEach(function (form) {
          form.addEventListener("submit", function (e) { e.preventDefault(); submit(slot, form); });
        });
        slot.dataset.cardReady = "true";
        fit(slot.closest(".leaflet-popup"));
      }).catch(function () {
        slot.textContent = T.failed || "";
        slot.dataset.cardReady = "error";
      });
    }

    function submit(slot, form) {
      var button = form.querySelector("button[type=submit]"), data = body(form), idem = key();
      clearErrors(form);
      button.disabled = true;
      function send(retry) {
        return fetch(form.action, {
          method: "POST",
          credentials: "same-origin",
          body: data,
          headers: { Accept: "application/json", "X-CSRFToken": form.elements.csrfmiddlewaretoken.value, "Idempotency-Key": idem }
        }).catch(function (error) {
          if (retry) { return send(false); }  // the same key: a retry cannot act twice
          throw error;
        });
      }
      send(true).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (json) { return { status: r.status, json: json }; });
      }).then(function (res) {
        if (res.status === 200) {
          var done = (T.done || "").replace("%(number)s", res.json.receipt_number || "").replace("%(action)s", form.dataset.title);
          options.onDone(done);
          return load(slot, done, false);
        }
        var errors = (res.json && res.json.errors) || [{ message: (T.notDone || "").replace("%(status)s", res.status) }];
        if (res.status === 409) {
          // Someone acted first: redraw the card at the new version and say why.
          return load(slot, errors.map(function (e) { return e.message; }).join(" ") + (T.refreshed || ""), true);
        }
        errors.forEach(function (e) { showError(form, e.field, e.message); });
        button.disabled = false;
      }).catch(function () {
        showError(form, "", T.network || "");
        button.disabled = false;
      });
    }

    map.on("popupopen", function (e) {
      var slot = e.popup.getElement().querySelector("[data-card-slot]");
      if (slot) { load(slot); }
    });
  }

  window.ZhiliMapCard = { attach: attach };
})();
