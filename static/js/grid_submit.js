/* A form marked data-submit-once is sent once: on submit its button is disabled and the progress shown —
   the share of the photos uploaded (XMLHttpRequest), then "saving". The answer takes the page: the
   receipt after the redirect, the form with its errors otherwise. A lost connection re-enables the
   button; sending again is safe, the server files one copy of a form once (its one-time token).
   Without XMLHttpRequest the browser submits itself, the button still disabled. */
(function () {
  "use strict";
  var labelsNode = document.getElementById("grid-submit-labels");
  var T = labelsNode ? JSON.parse(labelsNode.textContent) : {};

  function text(key) {
    return T[key] || ""; // the page's words (#grid-submit-labels)
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-submit-once]"), function (form) {
    var button = form.querySelector("button[type=submit]");
    var box = form.querySelector("[data-submit-progress]");
    var bar = form.querySelector("[data-upload-progress]");
    var status = form.querySelector("[data-upload-status]");
    var label = button ? button.textContent : "";
    var busy = false;

    function show(message, share) {
      if (box) {
        box.hidden = false;
      }
      if (status) {
        status.textContent = message;
      }
      if (bar) {
        if (share === null) {
          bar.removeAttribute("value"); // indeterminate: the server is saving
        } else {
          bar.value = share;
        }
      }
    }

    function release(message) {
      busy = false;
      form.removeAttribute("data-submitting");
      if (button) {
        button.disabled = false;
        button.textContent = label;
      }
      show(message, 0);
      if (box) {
        box.classList.add("failed");
      }
    }

    form.addEventListener("submit", function (event) {
      if (busy) {
        event.preventDefault();
        return;
      }
      busy = true;
      form.setAttribute("data-submitting", "true");
      if (box) {
        box.classList.remove("failed");
      }
      if (button) {
        button.disabled = true;
        button.textContent = text("sending");
      }
      var hasPhotos = Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (input) {
        return input.files && input.files.length > 0;
      });
      show(hasPhotos ? text("uploading").replace("{p}", "0") : text("saving"), hasPhotos ? 0 : null);
      if (!window.FormData || !window.XMLHttpRequest) {
        return; // the browser's own submit, the button disabled
      }
      event.preventDefault();
      var target = form.action || window.location.href;
      var xhr = new XMLHttpRequest();
      xhr.open("POST", target);
      xhr.upload.addEventListener("progress", function (progress) {
        if (hasPhotos && progress.lengthComputable && progress.total > 0) {
          var share = Math.min(100, Math.round((progress.loaded * 100) / progress.total));
          show(text("uploading").replace("{p}", String(share)), share);
        }
      });
      xhr.upload.addEventListener("load", function () {
        show(text("saving"), null);
      });
      xhr.addEventListener("load", function () {
        var type = xhr.getResponseHeader("Content-Type") || "";
        if (xhr.status < 400 && xhr.responseURL && xhr.responseURL !== target) {
          window.location.assign(xhr.responseURL); // followed the redirect to the receipt
          return;
        }
        if (xhr.status < 500 && type.indexOf("text/html") === 0) {
          // The form again with its errors (or the server's refusal): it takes the page.
          document.open();
          document.write(xhr.responseText);
          document.close();
          return;
        }
        release(text("failed"));
      });
      xhr.addEventListener("error", function () {
        release(text("failed"));
      });
      xhr.send(new FormData(form));
    });
  });
})();
