// OneWindow's own small script: the phone menu, confirmations and the back button.
// No inline scripts anywhere (the Content-Security-Policy forbids them).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector(".nav-toggle");
    var nav = document.getElementById("nav");
    if (toggle && nav) {
      toggle.addEventListener("click", function () {
        var open = nav.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        var msg = form.getAttribute("data-confirm");
        if (msg && !window.confirm(msg)) { e.preventDefault(); }
      });
    });
    document.querySelectorAll("[data-action=back]").forEach(function (b) {
      b.addEventListener("click", function () { window.history.back(); });
    });
    document.querySelectorAll("[data-action=print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
    // Suggestions while typing: names from the catalog fill the search box's list.
    document.querySelectorAll("input[data-suggest]").forEach(function (input) {
      var list = document.getElementById(input.getAttribute("list"));
      var timer = null;
      var last = "";
      input.addEventListener("input", function () {
        var q = input.value.trim();
        if (!list || q === last || q.length === 0 || q.length > 50) { return; }
        last = q;
        clearTimeout(timer);
        timer = setTimeout(function () {
          fetch(input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
            .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
            .then(function (data) {
              list.textContent = "";
              (data.suggestions || []).forEach(function (s) {
                var o = document.createElement("option");
                o.value = s;
                list.appendChild(o);
              });
            })
            .catch(function () {});
        }, 150);
      });
    });
  });
})();
