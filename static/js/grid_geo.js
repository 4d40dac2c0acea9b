/* Grid pages: the phone's position. Browsers report WGS-84 (navigator.geolocation), so positions taken
   here are sent with crs=wgs84; a point tapped on a map carries the map's own crs (grid_map.js).
   - form[data-geo-form]: on submit, take the position (if the browser has one and allows it), fill the
     hidden lon/lat/crs fields, then send (htmx "geo-ready" trigger, or a plain submit without htmx).
     The submitting button's data-normal ("1"/"0") goes into the hidden "normal" field.
   - button[data-geo-button]: fill the enclosing form's lon/lat/crs and tell the map (event "grid:point"). */
(function () {
  "use strict";
  var labelsNode = document.getElementById("grid-geo-labels");
  var T = labelsNode ? JSON.parse(labelsNode.textContent) : {};
  function t(key) { return T[key] || ""; }  // the page's words (#grid-geo-labels)

  function status(text) {
    var node = document.getElementById("geo-status");
    if (node) { node.textContent = text; }
  }

  function locate(done) {
    if (!("geolocation" in navigator)) { status(t("unsupported")); done(null); return; }
    status(t("locating"));
    navigator.geolocation.getCurrentPosition(function (pos) {
      status(t("located") + " " + pos.coords.longitude.toFixed(5) + ", " + pos.coords.latitude.toFixed(5) +
        (pos.coords.accuracy ? t("accuracy").replace("{m}", Math.round(pos.coords.accuracy)) : ""));
      done({ lon: pos.coords.longitude, lat: pos.coords.latitude, crs: "wgs84" });
    }, function () {
      status(t("denied"));
      done(null);
    }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
  }

  function fill(form, point) {
    ["lon", "lat", "crs"].forEach(function (name) {
      var input = form.querySelector("[name='" + name + "']");
      if (input) { input.value = point ? String(point[name]) : (name === "crs" ? "wgs84" : ""); }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-geo-form]")) { return; }
    event.preventDefault();
    var submitter = event.submitter;
    var normal = form.querySelector("[name='normal']");
    if (normal && submitter && submitter.dataset.normal) { normal.value = submitter.dataset.normal; }
    Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = true; });
    locate(function (point) {
      fill(form, point);
      if (window.htmx && form.getAttribute("hx-trigger") === "geo-ready") {
        window.htmx.trigger(form, "geo-ready");
      } else {
        HTMLFormElement.prototype.submit.call(form);
      }
    });
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-geo-button]") : null;
    if (!button) { return; }
    event.preventDefault();
    var form = button.form || button.closest("form");
    locate(function (point) {
      if (!point) { return; }
      fill(form, point);
      document.dispatchEvent(new CustomEvent("grid:point", { detail: point }));
    });
  });
})();
