/* The online application's material inputs: after choosing, say how many files were picked; warn (and
   block submitting) when a file is over the size limit (data-max-bytes) or all inputs together hold more
   than the form's data-max-files; while the files upload, the submit button is disabled so the form is
   not sent twice. The server checks every file again (type by content, size, count). */
(function () {
  "use strict";
  var form = document.querySelector("form[data-apply-form]");
  if (!form) { return; }
  var labelsNode = document.getElementById("approvals-upload-labels");
  var T = labelsNode ? JSON.parse(labelsNode.textContent) : {};
  var maxFiles = parseInt(form.dataset.maxFiles, 10) || 10;
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[type=file][data-max-bytes]"));

  function check() {
    var total = 0;
    inputs.forEach(function (input) { total += (input.files || []).length; });
    inputs.forEach(function (input) {
      var max = parseInt(input.dataset.maxBytes, 10) || 0;
      var files = Array.prototype.slice.call(input.files || []);
      var problem = "";
      files.forEach(function (file) {
        if (!problem && max && file.size > max) {
          problem = (T.tooLarge || "").replace("{name}", file.name).replace("{mb}", Math.round(max / 1048576));
        }
      });
      if (!problem && files.length && total > maxFiles) {
        problem = (T.tooMany || "").replace("{n}", maxFiles);
      }
      input.setCustomValidity(problem);
      var hint = form.querySelector("[data-upload-hint-for='" + input.id + "']");
      if (hint) {
        var names = files.map(function (file) { return file.name; }).join("、");
        hint.textContent = problem ||
          (files.length ? (T.chosen || "").replace("{n}", files.length).replace("{names}", names) : "");
        hint.classList.toggle("ap-error", Boolean(problem));
      }
    });
  }

  inputs.forEach(function (input) { input.addEventListener("change", check); });
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || button.value !== "submit") { return; }
    check();
    var bad = inputs.filter(function (input) { return input.validationMessage; })[0];
    if (bad) {
      event.preventDefault();
      bad.focus();
      return;
    }
    // The button's step must still be posted: disable it only after the browser has read the form.
    window.setTimeout(function () {
      button.disabled = true;
      button.textContent = T.uploading || button.textContent;
    }, 0);
  });
})();
