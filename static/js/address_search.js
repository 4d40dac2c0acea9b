/* Standard-address search on a report form: form[data-address-search="<url of the public address API>"].
   Typing in its [name='address'] field lists matching standard addresses (debounced); choosing one puts
   its text in the field and, when the address has a point, fills lon/lat/crs (WGS-84) and moves the map
   marker (event "grid:point", as the phone's position does). The grid the address lies in is shown.
   Its words come from the page (#address-search-labels, translated on the server).
   Test hooks: ul[data-address-results] holds li[data-address-id]; data-address-picked on the form. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-address-search]");
  if (!form) { return; }
  var input = form.querySelector("[name='address']");
  if (!input) { return; }
  var url = form.dataset.addressSearch;
  var labelsNode = document.getElementById("address-search-labels");
  var T = labelsNode ? JSON.parse(labelsNode.textContent) : {};
  function say(key, values) {
    return (T[key] || "").replace(/\{(\w+)\}/g, function (all, name) { return values[name] == null ? all : values[name]; });
  }
  var list = document.createElement("ul");
  list.className = "address-results";
  list.setAttribute("role", "listbox");
  list.setAttribute("data-address-results", "");
  list.hidden = true;
  input.setAttribute("autocomplete", "off");
  input.setAttribute("aria-controls", "address-results");
  list.id = "address-results";
  input.insertAdjacentElement("afterend", list);
  var note = document.createElement("p");
  note.className = "help";
  note.setAttribute("role", "status");
  note.setAttribute("data-address-note", "");
  list.insertAdjacentElement("afterend", note);
  var timer = null;
  var asked = 0;

  function clear() { list.innerHTML = ""; list.hidden = true; }

  function choose(row) {
    input.value = row.address;
    clear();
    form.dataset.addressPicked = row.address_id === null ? "place:" + row.grid : String(row.address_id);
    var where = [row.town_name, row.village_name, row.grid_name].filter(Boolean).join(" ");
    if (row.lon === null || row.lat === null) {
      note.textContent = say("noPoint", { where: where });
      return;
    }
    ["lon", "lat"].forEach(function (name) {
      var field = form.querySelector("[name='" + name + "']");
      if (field) { field.value = row[name].toFixed(7); }
    });
    var crs = form.querySelector("[name='crs']");
    if (crs) { crs.value = "wgs84"; }
    note.textContent = say(row.located_by === "place" ? "nearPlace" : "located", { where: where });
    document.dispatchEvent(new CustomEvent("grid:point", { detail: { lon: row.lon, lat: row.lat, crs: "wgs84" } }));
  }

  function show(rows) {
    clear();
    rows.forEach(function (row) {
      var item = document.createElement("li");
      item.setAttribute("role", "option");
      item.dataset.addressId = row.address_id === null ? "place:" + row.grid : String(row.address_id);
      item.textContent = say("option", { address: row.address, where: [row.town_name, row.village_name].filter(Boolean).join(" ") });
      item.addEventListener("mousedown", function (event) { event.preventDefault(); choose(row); });
      list.appendChild(item);
    });
    list.hidden = rows.length === 0;
  }

  function search() {
    var query = input.value.trim();
    if (query.length < 2) { clear(); return; }
    var ticket = ++asked;
    fetch(url + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" }, credentials: "omit" })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (rows) { if (ticket === asked) { show(rows); } })
      .catch(function () { clear(); });
  }

  input.addEventListener("input", function () {
    delete form.dataset.addressPicked;
    clearTimeout(timer);
    timer = setTimeout(search, 300);
  });
  input.addEventListener("blur", function () { setTimeout(clear, 150); });
})();
