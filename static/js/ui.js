// Small behaviours the templates used to write inline (onchange/onclick), which the
// Content-Security-Policy refuses: a select that submits its form, a button that prints.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
      target.form.submit();
    }
  });
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (target) {
      window.print();
    }
  });
  // A destructive action (作废, 不予受理, 退回: `destructive: true` in the process YAML) asks first; its
  // reason is required by the form itself. Confirmed here, the post carries confirmed=1, so the server
  // takes it at once; without scripts the server asks in a second step (workflow/confirm.py).
  document.addEventListener(
    "submit",
    function (event) {
      var button = event.submitter;
      if (!button || !button.hasAttribute("data-confirm") || !event.target.elements) {
        return;
      }
      if (event.target.elements.namedItem("confirmed")) {
        return; // the server's second step: the page already asked
      }
      if (!window.confirm(button.getAttribute("data-confirm"))) {
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      var confirmed = document.createElement("input");
      confirmed.type = "hidden";
      confirmed.name = "confirmed";
      confirmed.value = "1";
      event.target.appendChild(confirmed);
    },
    true
  );
  // A long <select data-search> gets a filter box before it: typing a part of a name (or of an
  // option's data-keys: codes, pinyin initials) hides the options that do not contain it (the
  // selected option stays), so a dispatcher never types a code and a clerk finds 居住证 by "jzz".
  function addSearch(select) {
    if (select.hasAttribute("data-search-ready")) {
      return;
    }
    select.setAttribute("data-search-ready", "1");
    var box = document.createElement("input");
    box.type = "search";
    box.className = "select-search";
    box.placeholder = select.getAttribute("data-search-placeholder") || select.getAttribute("aria-label") || "";
    box.setAttribute("aria-label", box.placeholder);
    box.addEventListener("input", function () {
      var needle = box.value.trim().toLowerCase();
      var first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        // data-keys: what else the option answers to (codes, pinyin initials), lower case.
        var keys = option.getAttribute("data-keys") || "";
        var hit =
          !needle ||
          option.text.toLowerCase().indexOf(needle) >= 0 ||
          keys.indexOf(needle) >= 0 ||
          option.value === "";
        option.hidden = !hit && !option.selected;
        if (hit && option.value && first === null) {
          first = option;
        }
      });
      if (needle && first !== null) {
        select.value = first.value;
      }
    });
    select.parentNode.insertBefore(box, select);
  }
  function initSearch(root) {
    Array.prototype.forEach.call(root.querySelectorAll("select[data-search]"), addSearch);
  }
  document.addEventListener("DOMContentLoaded", function () {
    initSearch(document);
  });
  document.addEventListener("htmx:load", function (event) {
    if (event.target instanceof Element) {
      initSearch(event.target);
    }
  });
})();
