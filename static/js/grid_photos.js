/* Photo inputs of the grid pages: after choosing, show how many photos were picked and small previews;
   warn (and block submitting) above the limit in data-max-files. The server checks again. */
(function () {
  "use strict";
  var labelsNode = document.getElementById("grid-photo-labels");
  var T = labelsNode ? JSON.parse(labelsNode.textContent) : {};
  Array.prototype.forEach.call(document.querySelectorAll("input[type=file][data-max-files]"), function (input) {
    var max = parseInt(input.dataset.maxFiles, 10) || 9;
    var count = document.querySelector("[data-photo-count-for='" + input.id + "']");
    var preview = document.querySelector("[data-photo-preview-for='" + input.id + "']");
    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files || []);
      var tooMany = files.length > max;
      if (count) {
        count.textContent = tooMany ? (T.tooMany || "").replace("{max}", max)
                                    : (T.chosen || "").replace("{n}", files.length);
        count.classList.toggle("too-many", tooMany);
      }
      input.setCustomValidity(tooMany ? (T.tooMany || "").replace("{max}", max) : "");
      if (preview) {
        preview.textContent = "";
        files.slice(0, max).forEach(function (file) {
          if (!/^image\//.test(file.type)) { return; }
          var img = document.createElement("img");
          img.alt = file.name;
          img.src = URL.createObjectURL(file);
          img.onload = function () { URL.revokeObjectURL(img.src); };
          preview.appendChild(img);
        });
      }
    });
  });
})();
