// The WhatsApp simulator of the Wani Bares demo. Plain JavaScript, no framework: sends what
// the person types to /simulator/api/* (which posts a signed webhook to the real server)
// and polls the fake Graph API's record of what the bot sent.
(function () {
  "use strict";
  var chat, persona, custom, textBox, officialsFeed;
  var state = { afterOut: 0, afterIn: 0, afterOfficials: 0, phone: "", name: "" };

  function current() {
    if (persona.value === "custom") {
      var n = (custom.value || "").replace(/[^0-9+]/g, "");
      return { phone: n, name: "Warga" };
    }
    var parts = persona.value.split("|");
    return { phone: parts[0], name: parts[1] };
  }

  function fmtTime(ms) {
    var d = new Date(ms);
    return d.toLocaleTimeString("id-ID", { hour: "2-digit", minute: "2-digit" });
  }

  function bubble(dir, at, build) {
    var li = document.createElement("li");
    li.className = "msg " + dir;
    build(li);
    var t = document.createElement("time");
    t.textContent = fmtTime(at);
    li.appendChild(t);
    chat.appendChild(li);
    chat.scrollTop = chat.scrollHeight;
  }

  function textNode(el, text) {
    var p = document.createElement("div");
    // WhatsApp's *bold*: shown as is; the text is never parsed as HTML.
    p.textContent = text;
    el.appendChild(p);
  }

  function renderOutbound(m) {
    var b = m.body || {};
    bubble("out", m.at, function (li) {
      if (b.type === "text") {
        textNode(li, (b.text && b.text.body) || "");
      } else if (b.type === "interactive") {
        var it = b.interactive || {};
        textNode(li, (it.body && it.body.text) || "");
        var box = document.createElement("div");
        box.className = "buttons";
        if (it.type === "button") {
          (it.action.buttons || []).forEach(function (btn) {
            var r = btn.reply || {};
            box.appendChild(tapButton(r.id, r.title, false));
          });
        } else if (it.type === "list") {
          (it.action.sections || []).forEach(function (sec) {
            (sec.rows || []).forEach(function (row) {
              box.appendChild(tapButton(row.id, row.title, true, row.description));
            });
          });
        }
        li.appendChild(box);
      } else if (b.type === "template") {
        var tag = document.createElement("div");
        tag.className = "tag";
        tag.textContent = "Template: " + ((b.template && b.template.name) || "");
        li.appendChild(tag);
        var params = (((b.template || {}).components || [])[0] || {}).parameters || [];
        textNode(li, params.map(function (p) { return p.text; }).join("\n"));
      } else {
        textNode(li, "(" + b.type + ")");
      }
    });
  }

  function tapButton(id, title, list, description) {
    var btn = document.createElement("button");
    btn.type = "button";
    btn.textContent = title + (description ? " — " + description : "");
    btn.addEventListener("click", function () {
      post("/simulator/api/tap", { from: state.phone, name: state.name, id: id, title: title, list: list });
    });
    return btn;
  }

  function renderInbound(m) {
    bubble("in", m.at, function (li) {
      if (m.type === "image") {
        var img = document.createElement("img");
        img.src = "/simulator/assets/contoh-ktp.jpg";
        img.alt = "Foto contoh KTP";
        li.appendChild(img);
        if (m.text) { textNode(li, m.text); }
      } else {
        textNode(li, m.text || "");
      }
      if (m.webhook_status !== 200) {
        var e = document.createElement("div");
        e.className = "error";
        e.textContent = "Webhook menjawab " + m.webhook_status;
        li.appendChild(e);
      }
    });
  }

  function post(url, body) {
    return fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) { throw new Error((j.error && j.error.message) || r.status); } return j; }); })
      .then(function () { poll(); })
      .catch(function (e) { alert("Gagal: " + e.message); });
  }

  function switchPersona() {
    var c = current();
    state.phone = c.phone; state.name = c.name; state.afterOut = 0; state.afterIn = 0;
    chat.innerHTML = "";
    custom.hidden = persona.value !== "custom";
    poll();
  }

  var polling = false;
  function poll() {
    if (!state.phone || polling) { return; }
    polling = true;
    fetch("/simulator/api/messages?phone=" + encodeURIComponent(state.phone) + "&after_out=" + state.afterOut + "&after_in=" + state.afterIn)
      .then(function (r) { return r.ok ? r.json() : { outbound: [], inbound: [] }; })
      .then(function (j) {
        var all = [];
        (j.inbound || []).forEach(function (m) { all.push({ at: m.at, dir: "in", m: m }); state.afterIn = Math.max(state.afterIn, m.seq); });
        (j.outbound || []).forEach(function (m) { all.push({ at: m.at, dir: "out", m: m }); state.afterOut = Math.max(state.afterOut, m.seq); });
        all.sort(function (a, b) { return a.at - b.at; });
        all.forEach(function (x) { if (x.dir === "in") { renderInbound(x.m); } else { renderOutbound(x.m); } });
      })
      .catch(function () {})
      .then(function () { polling = false; });
    fetch("/simulator/api/officials?after=" + state.afterOfficials)
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (list) {
        list.forEach(function (m) {
          state.afterOfficials = Math.max(state.afterOfficials, m.seq);
          var li = document.createElement("li");
          var who = document.createElement("strong");
          who.textContent = m.to + " · " + fmtTime(m.at);
          li.appendChild(who);
          var b = m.body || {};
          var text = b.type === "text" ? b.text.body : ((((b.template || {}).components || [])[0] || {}).parameters || []).map(function (p) { return p.text; }).join(" · ");
          li.appendChild(document.createTextNode(text || ""));
          officialsFeed.insertBefore(li, officialsFeed.firstChild);
        });
      })
      .catch(function () {});
  }

  document.addEventListener("DOMContentLoaded", function () {
    chat = document.getElementById("chat");
    persona = document.getElementById("persona");
    custom = document.getElementById("custom-number");
    textBox = document.getElementById("text");
    officialsFeed = document.getElementById("officials");
    persona.addEventListener("change", switchPersona);
    custom.addEventListener("change", switchPersona);
    document.getElementById("composer").addEventListener("submit", function (e) {
      e.preventDefault();
      var text = textBox.value;
      if (!text.trim()) { return; }
      textBox.value = "";
      post("/simulator/api/send", { from: state.phone, name: state.name, text: text });
    });
    textBox.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); document.getElementById("send").click(); }
    });
    document.getElementById("photo").addEventListener("click", function () {
      post("/simulator/api/photo", { from: state.phone, name: state.name });
    });
    Array.prototype.forEach.call(document.querySelectorAll(".quick button"), function (b) {
      b.addEventListener("click", function () { textBox.value = b.getAttribute("data-text"); textBox.focus(); });
    });
    switchPersona();
    setInterval(poll, 1000);
  });
})();
