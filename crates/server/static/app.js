/* Wani Bares dashboard behaviour, loaded with `defer` on every staff page.
 * - Live updates: one EventSource on /live. The server sends only refresh hints
 *   ({"c": complaintId|null}); elements that show live data declare
 *   hx-trigger="wb-live from:body" (any change) or "wb-live-c<ID> from:body" (one
 *   complaint) and htmx re-fetches them through the normal, access-checked routes.
 * - Canned replies: <select data-canned-for="textarea-id"> inserts the chosen text.
 * - List filter: <input data-filter-list="list-id"> hides non-matching [data-filter-text].
 * - Confirmation: <form data-confirm="question">.
 * No inline scripts anywhere: the Content-Security-Policy forbids them. */
(function () {
  "use strict";
  var body = document.body;

  if (body && body.getAttribute("data-live") === "on" && window.EventSource && window.htmx) {
    var pending = {};
    var timer = null;
    var flush = function () {
      timer = null;
      var ids = Object.keys(pending);
      pending = {};
      window.htmx.trigger(body, "wb-live");
      ids.forEach(function (id) {
        if (id !== "null") {
          window.htmx.trigger(body, "wb-live-c" + id);
        }
      });
    };
    var source = new EventSource("/live");
    source.addEventListener("refresh", function (ev) {
      var c = null;
      try {
        c = JSON.parse(ev.data).c;
      } catch (e) {
        c = null;
      }
      pending[String(c)] = true;
      if (!timer) {
        timer = window.setTimeout(flush, 300);
      }
    });
    window.addEventListener("pagehide", function () {
      source.close();
    });
  }

  document.addEventListener("change", function (e) {
    var t = e.target;
    if (!t || !t.matches || !t.matches("select[data-canned-for]")) {
      return;
    }
    var opt = t.options[t.selectedIndex];
    var area = document.getElementById(t.getAttribute("data-canned-for"));
    var text = opt ? opt.getAttribute("data-body") : null;
    if (area && text) {
      var current = area.value.replace(/\s+$/, "");
      area.value = current ? current + "\n\n" + text : text;
      area.focus();
    }
    t.selectedIndex = 0;
  });

  document.addEventListener("input", function (e) {
    var t = e.target;
    if (!t || !t.matches || !t.matches("[data-filter-list]")) {
      return;
    }
    var q = t.value.toLowerCase().trim();
    var list = document.getElementById(t.getAttribute("data-filter-list"));
    if (!list) {
      return;
    }
    list.querySelectorAll("[data-filter-text]").forEach(function (item) {
      var hay = item.getAttribute("data-filter-text").toLowerCase();
      item.hidden = q !== "" && hay.indexOf(q) === -1;
    });
    // A group whose items are all hidden hides its title too.
    list.querySelectorAll("ul").forEach(function (ul) {
      var empty = !ul.querySelector("[data-filter-text]:not([hidden])");
      ul.hidden = empty;
      var title = ul.previousElementSibling;
      if (title && title.classList.contains("group-title")) {
        title.hidden = empty;
      }
    });
  });

  document.addEventListener(
    "submit",
    function (e) {
      var form = e.target;
      var question = form.getAttribute && form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) {
        e.preventDefault();
        e.stopImmediatePropagation();
        return;
      }
      // One click, one submission (plain forms; htmx manages its own requests).
      if (!form.hasAttribute("hx-post")) {
        window.setTimeout(function () {
          form.querySelectorAll("button[type=submit]").forEach(function (b) {
            b.disabled = true;
            b.classList.add("is-busy");
          });
        }, 0);
      }
    },
    true
  );

  window.addEventListener("pageshow", function (ev) {
    if (ev.persisted) {
      document.querySelectorAll("button.is-busy").forEach(function (b) {
        b.disabled = false;
        b.classList.remove("is-busy");
      });
    }
  });
})();
