// OneWindow's own small script: the phone menu, confirmations, the back button, search
// suggestions, the hall's live screens and the workbench's urges.
// No inline scripts anywhere (the Content-Security-Policy forbids them).
(function () {
  "use strict";

  // The hall's live screens follow /hall/{id}/events: `board` (the whole board), `call` (with
  // the line the voice reads) and `finish` (the pad asks for a rating). Text only, never HTML.
  function el(tag, text) {
    var e = document.createElement(tag);
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function row(cells) {
    var tr = el("tr");
    cells.forEach(function (c) { tr.appendChild(el("td", c)); });
    return tr;
  }
  function speak(text) {
    if (!window.speechSynthesis || !window.SpeechSynthesisUtterance) { return; }
    var u = new window.SpeechSynthesisUtterance(text);
    u.lang = "zh-CN";
    window.speechSynthesis.speak(u);
  }
  function words(name, fallback) {
    var w = document.querySelector("[data-" + name + "]");
    return w ? w.getAttribute("data-" + name) : fallback;
  }
  function onBoard(b) {
    var windows = document.getElementById("board-windows");
    if (windows) {
      windows.textContent = "";
      b.windows.forEach(function (w) {
        if (!w.current && !w.paused) { return; }
        var tr = row([String(w.number), w.paused ? words("paused", "暂停服务") : w.current.number]);
        tr.setAttribute("data-window", w.window_id);
        windows.appendChild(tr);
      });
    }
    var queues = document.getElementById("board-queues");
    if (queues) {
      queues.textContent = "";
      b.queues.forEach(function (q) {
        var wait = q.waiting === 0 ? words("no-wait", "无需等候") : q.wait_minutes === null ? "—" : q.wait_minutes + " " + words("minutes", "分钟");
        var tr = row([q.prefix + " " + q.name, String(q.waiting), wait]);
        tr.setAttribute("data-category", q.category_id);
        queues.appendChild(tr);
      });
    }
    var recent = document.getElementById("board-recent");
    if (recent) {
      recent.textContent = "";
      b.recent.forEach(function (c) { recent.appendChild(el("li", c.announcement)); });
    }
    b.queues.forEach(function (q) {
      document.querySelectorAll("[data-queue='" + q.category_id + "'] .waiting").forEach(function (n) {
        n.textContent = String(q.waiting);
      });
      var c = document.getElementById("console-waiting-" + q.prefix);
      if (c) { c.textContent = String(q.waiting); }
    });
    b.windows.forEach(function (w) {
      var tile = document.querySelector("[data-wall-window='" + w.window_id + "']");
      if (!tile) { return; }
      tile.classList.toggle("paused", !!w.paused);
      tile.querySelector(".wall-clerk-name").textContent = w.clerk_name || words("vacant", "无人值守");
      tile.querySelector(".wall-current b").textContent = w.paused ? words("paused", "暂停服务") : (w.current ? w.current.number : "—");
      tile.querySelector(".wall-served b").textContent = String(w.served_today);
    });
    var screen = document.getElementById("window-screen") || document.getElementById("pad");
    if (screen) {
      var id = Number(screen.getAttribute("data-window"));
      b.windows.forEach(function (w) {
        if (w.window_id !== id) { return; }
        var clerk = document.querySelector("#ws-clerk span") || document.getElementById("pad-clerk");
        if (clerk) { clerk.textContent = w.clerk_name || clerk.getAttribute("data-none") || "—"; }
        var photo = document.getElementById("ws-photo");
        if (photo) {
          var src = w.clerk_photo ? "/hall/staff/" + w.clerk_id + "/photo" : "";
          if (photo.getAttribute("src") !== src) {
            if (src) { photo.setAttribute("src", src); } else { photo.removeAttribute("src"); }
          }
          photo.hidden = !src;
        }
        // The same four states as the server's `screen_state`: what the screen and the pad say.
        var state = w.paused ? "paused" : (!w.clerk_id ? "vacant" : (w.current ? "serving" : "idle"));
        // Out of hours (as the page was made) only someone still being served is shown.
        if (screen.hasAttribute("data-closed") && state !== "serving") { state = "closed"; }
        screen.setAttribute("data-state", state);
        var num = document.getElementById("ws-number");
        if (num) {
          num.textContent = state === "serving" ? w.current.number
            : num.getAttribute("data-" + (state === "vacant" ? "paused" : state));
        }
        var status = document.getElementById("ws-status");
        if (status) { status.textContent = status.getAttribute("data-" + state); }
      });
    }
  }
  function refreshTicket(t) {
    var url = "/api/v1/hall/tickets/" + t.getAttribute("data-ticket") + "?key=" + encodeURIComponent(t.getAttribute("data-key"));
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (v) {
        if (!v) { return; }
        document.getElementById("ticket-ahead").textContent = String(v.ahead);
        var call = document.getElementById("ticket-call");
        var was = call.textContent;
        call.textContent = v.announcement || "";
        if (v.announcement && v.announcement !== was && navigator.vibrate) { navigator.vibrate(500); }
        var wait = document.getElementById("ticket-wait");
        if (v.wait_minutes === null) {
          wait.textContent = "—";
        } else {
          wait.textContent = wait.getAttribute("data-about") + " " + v.wait_minutes + " " + wait.getAttribute("data-minutes");
        }
        document.getElementById("ticket-state").setAttribute("data-state", v.ticket.state);
      })
      .catch(function () {});
  }
  function pad(root) {
    var form = document.getElementById("pad-rate");
    var idle = document.getElementById("pad-idle");
    var done = document.getElementById("pad-done");
    var error = document.getElementById("pad-error");
    var reasons = document.getElementById("pad-reasons");
    var level = 0;
    var timer = null;
    function reset() {
      form.hidden = true; reasons.hidden = true; done.hidden = true; error.hidden = true; idle.hidden = false;
      level = 0;
    }
    function send(reason) {
      var w = root.getAttribute("data-window");
      fetch("/api/v1/hall/windows/" + w + "/ratings", {
        method: "POST",
        // The pad is a public device: it rates as nobody, whoever signed in on this browser.
        credentials: "omit",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ ticket_id: Number(document.getElementById("pad-ticket").value), level: level, reason: reason || null })
      }).then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      }).then(function (res) {
        if (res.ok) {
          form.hidden = true; done.hidden = false;
          clearTimeout(timer);
          timer = setTimeout(reset, 5000);
        } else {
          error.textContent = res.body.message || "";
          error.hidden = false;
        }
      }).catch(function () {});
    }
    document.querySelectorAll(".pad-level").forEach(function (b) {
      b.addEventListener("click", function () {
        level = Number(b.getAttribute("data-level"));
        if (level >= 3) { send(null); } else { reasons.hidden = false; }
      });
    });
    document.querySelectorAll(".pad-reason").forEach(function (b) {
      b.addEventListener("click", function () { send(b.getAttribute("data-reason")); });
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      send(document.getElementById("pad-reason-text").value);
    });
    return function (f) {
      if (String(f.window_id) !== root.getAttribute("data-window")) { return; }
      reset();
      document.getElementById("pad-ticket").value = String(f.ticket_id);
      document.getElementById("pad-number").textContent = f.number;
      if (f.clerk_name) { document.getElementById("pad-clerk").textContent = f.clerk_name; }
      idle.hidden = true; form.hidden = false;
      clearTimeout(timer);
      timer = setTimeout(reset, 10 * 60 * 1000);
    };
  }
  function hallLive() {
    var root = document.querySelector("[data-live-hall]");
    if (!root || !window.EventSource) { return; }
    var ticket = document.getElementById("ticket");
    var padRoot = document.getElementById("pad");
    var onFinish = padRoot ? pad(padRoot) : null;
    var es = new window.EventSource("/hall/" + root.getAttribute("data-live-hall") + "/events");
    es.addEventListener("board", function (e) {
      onBoard(JSON.parse(e.data));
      if (ticket) { refreshTicket(ticket); }
      document.body.setAttribute("data-live", "on");
    });
    es.addEventListener("call", function (e) {
      var c = JSON.parse(e.data);
      var line = document.getElementById("board-call");
      if (line) {
        line.textContent = c.announcement;
        speak(c.announcement);
      }
      if (ticket) { refreshTicket(ticket); }
    });
    es.addEventListener("finish", function (e) {
      if (onFinish) { onFinish(JSON.parse(e.data)); }
    });
  }
  // The workbench hears of urges (督办) addressed to its reader from /urges/events: a new or
  // raised one is shown at the top until answered; an answered one leaves the list.
  function urgeLive() {
    var root = document.querySelector("[data-live-urges]");
    if (!root || !window.EventSource) { return; }
    var list = document.getElementById("urge-list");
    var none = document.getElementById("urge-none");
    var count = document.getElementById("urge-count");
    var alert = document.getElementById("urge-alert");
    var es = new window.EventSource("/urges/events");
    es.addEventListener("open", function () { document.body.setAttribute("data-urges-live", "on"); });
    es.addEventListener("urge", function (e) {
      var u = JSON.parse(e.data);
      // one line per case: a new or raised urge replaces the case's line
      var old = root.querySelector('[data-urge="' + u.id + '"]') ||
        (u.open ? root.querySelector('[data-case="' + u.case_id + '"]') : null);
      if (old) { old.parentNode.removeChild(old); }
      if (u.open) {
        var li = el("li");
        li.className = "urge " + u.level;
        li.setAttribute("data-urge", String(u.id));
        li.setAttribute("data-case", String(u.case_id));
        var level = el("span", u.level_name);
        level.className = "urge-level " + u.level;
        li.appendChild(level);
        li.appendChild(document.createTextNode(" " + u.number + " " + u.message + (u.respond_by ? " · " + u.respond_by : "") + " · "));
        var a = el("a", root.getAttribute("data-open-label") || "→");
        a.href = "/urges/" + u.id;
        li.appendChild(a);
        list.insertBefore(li, list.firstChild);
        alert.textContent = u.level_name + "：" + u.number + " " + u.message;
        alert.hidden = false;
      }
      count.textContent = String(list.children.length);
      none.hidden = list.children.length > 0;
    });
  }
  // Grids: a click on the report form's map picks the place (the inverse of the page's
  // projection, carried on the SVG's data attributes); "use my location" asks the device. Either
  // fills the form's hidden lon/lat fields.
  function setPlace(form, lon, lat) {
    var lonIn = form.querySelector("[data-lon]");
    var latIn = form.querySelector("[data-lat]");
    if (!lonIn || !latIn) { return; }
    lonIn.value = lon.toFixed(6);
    latIn.value = lat.toFixed(6);
    var shown = form.querySelector("[data-place]");
    var svg = form.querySelector("svg.grid-map[data-pick]");
    var marker = svg && svg.querySelector("#pick-marker");
    if (svg && marker) {
      var at = project(svg, lon, lat);
      marker.setAttribute("cx", at.x.toFixed(1));
      marker.setAttribute("cy", at.y.toFixed(1));
    }
    var numbers = "（" + lonIn.value + ", " + latIn.value + "）";
    if (shown) { shown.textContent = numbers; }
    // The place as people name it (its grid, the nearest landmark) comes from the platform,
    // which names every place the same way; it becomes the address until one is typed.
    var asked = lonIn.value + "," + latIn.value;
    form.setAttribute("data-asked", asked);
    // In the page's language, which may not be the browser's.
    fetch("/api/v1/grids/place?lon=" + lonIn.value + "&lat=" + latIn.value,
      { credentials: "same-origin", headers: { "Accept-Language": document.documentElement.lang || "zh-CN" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) {
        if (!p || !p.place || form.getAttribute("data-asked") !== asked) { return; }
        if (shown) { shown.textContent = p.place + "　" + numbers; }
        var address = form.querySelector("input[name=address]");
        if (address && (!address.value || address.getAttribute("data-auto") === address.value)) {
          address.value = p.place;
          address.setAttribute("data-auto", address.value);
        }
      })
      .catch(function () { /* the numbers stay; the address is typed */ });
  }
  // The map is Web Mercator, as tile servers draw: x is degrees of longitude from the west
  // edge, y the Mercator ordinate (in degrees) down from the north edge, both times data-s.
  function mercY(lat) { return Math.log(Math.tan(Math.PI / 4 + lat * Math.PI / 360)) * 180 / Math.PI; }
  function project(svg, lon, lat) {
    var s = parseFloat(svg.dataset.s);
    return { x: (lon - parseFloat(svg.dataset.west)) * s, y: (parseFloat(svg.dataset.north) - mercY(lat)) * s };
  }
  function unproject(svg, x, y) {
    var s = parseFloat(svg.dataset.s);
    var m = parseFloat(svg.dataset.north) - y / s;
    return { lon: parseFloat(svg.dataset.west) + x / s, lat: Math.atan(Math.sinh(m * Math.PI / 180)) * 180 / Math.PI };
  }
  // The base layer: the tiles of the zoom level whose pixels are the screen's, over the part of
  // the map in view, from each configured server in order (base, then annotation). A tile of
  // level z spans 360/2^z degrees of longitude and as much of the Mercator ordinate.
  function drawTiles(svg, view) {
    var layer = svg.querySelector("g.tiles");
    var templates = (svg.dataset.tiles || "").split(" ").filter(Boolean);
    var ctm = svg.getScreenCTM();
    if (!layer || !templates.length || !ctm || !ctm.a) { return; }
    var s = parseFloat(svg.dataset.s), west = parseFloat(svg.dataset.west), north = parseFloat(svg.dataset.north);
    var maxZoom = parseInt(svg.dataset.maxZoom || "18", 10);
    var subs = svg.dataset.subdomains || "";
    var z = Math.max(1, Math.min(maxZoom, Math.round(Math.log2(360 * s * ctm.a / 256))));
    var n = Math.pow(2, z), span = 360 / n;
    var col = function (x) { return Math.floor((x / s + west + 180) / span); };
    var row = function (y) { return Math.floor((180 - (north - y / s)) / span); };
    var x0 = Math.max(0, col(view.x)), x1 = Math.min(n - 1, col(view.x + view.w));
    var y0 = Math.max(0, row(view.y)), y1 = Math.min(n - 1, row(view.y + view.h));
    if ((x1 - x0 + 1) * (y1 - y0 + 1) > 400) { return; }
    var want = {};
    templates.forEach(function (t, li) {
      for (var tx = x0; tx <= x1; tx++) {
        for (var ty = y0; ty <= y1; ty++) {
          var key = li + "/" + z + "/" + tx + "/" + ty;
          want[key] = true;
          if (layer.querySelector('[data-tile="' + key + '"]')) { continue; }
          var url = t.replace("{z}", z).replace("{x}", tx).replace("{y}", ty)
            .replace("{s}", subs ? subs.charAt((tx + ty) % subs.length) : "");
          var img = document.createElementNS("http://www.w3.org/2000/svg", "image");
          img.setAttribute("data-tile", key);
          img.setAttribute("href", url);
          img.setAttribute("x", ((tx * span - 180 - west) * s).toFixed(3));
          img.setAttribute("y", ((north - (180 - ty * span)) * s).toFixed(3));
          img.setAttribute("width", (span * s).toFixed(3));
          img.setAttribute("height", (span * s).toFixed(3));
          img.setAttribute("preserveAspectRatio", "none");
          layer.appendChild(img);
        }
      }
    });
    layer.querySelectorAll("image[data-tile]").forEach(function (img) {
      if (!want[img.getAttribute("data-tile")]) { layer.removeChild(img); }
    });
    svg.setAttribute("data-tile-zoom", String(z));
  }
  // A map that pans and zooms: the wheel or two fingers zoom about the pointer, a drag moves it,
  // the buttons zoom about the middle or show the whole map. Lines keep their width and dots
  // their size; the names of smaller grids appear as there is room for them. A drag is not a
  // click: it neither picks a place nor opens a problem.
  function mapView(figure) {
    var svg = figure.querySelector("svg.grid-map");
    if (!svg || !svg.viewBox || !svg.getScreenCTM) { return; }
    var b = svg.viewBox.baseVal;
    var base = { x: b.x, y: b.y, w: b.width, h: b.height };
    var view = { x: base.x, y: base.y, w: base.w, h: base.h };
    var labels = svg.querySelector(".labels");
    function apply() {
      svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" "));
      var z = base.w / view.w;
      svg.setAttribute("data-zoom", z >= 12 ? "4" : z >= 6 ? "3" : z >= 2.2 ? "2" : "1");
      // Sizes in screen pixels, whatever the zoom and the screen: a unit is this many pixels.
      var ctm = svg.getScreenCTM();
      var px = ctm && ctm.a ? 1 / ctm.a : view.w / base.w;
      if (labels) { labels.setAttribute("font-size", (13 * px).toFixed(3)); }
      svg.querySelectorAll(".dot circle").forEach(function (c) { c.setAttribute("r", (6 * px).toFixed(3)); });
      svg.querySelectorAll(".landmarks .lm").forEach(function (c) { c.setAttribute("r", (4 * px).toFixed(3)); });
      var m = svg.querySelector("#pick-marker");
      if (m) { m.setAttribute("r", (8 * px).toFixed(3)); }
      drawTiles(svg, view);
    }
    window.addEventListener("resize", apply);
    function clamp() {
      view.w = Math.min(base.w, Math.max(base.w / 40, view.w));
      view.h = view.w * base.h / base.w;
      view.x = Math.min(base.x + base.w - view.w, Math.max(base.x, view.x));
      view.y = Math.min(base.y + base.h - view.h, Math.max(base.y, view.y));
    }
    function toSvg(cx, cy) {
      var pt = svg.createSVGPoint();
      pt.x = cx; pt.y = cy;
      return pt.matrixTransform(svg.getScreenCTM().inverse());
    }
    function zoomAt(f, x, y) {
      var w = view.w / f;
      var k = Math.min(base.w, Math.max(base.w / 40, w)) / view.w;
      view.x = x - (x - view.x) * k;
      view.y = y - (y - view.y) * k;
      view.w *= k;
      clamp();
      apply();
    }
    svg.addEventListener("wheel", function (e) {
      e.preventDefault();
      var p = toSvg(e.clientX, e.clientY);
      zoomAt(e.deltaY < 0 ? 1.25 : 0.8, p.x, p.y);
    }, { passive: false });
    var pointers = {};
    var moved = 0;
    var pinch = 0;
    svg.addEventListener("pointerdown", function (e) {
      pointers[e.pointerId] = { x: e.clientX, y: e.clientY };
      moved = 0;
      pinch = 0;
    });
    svg.addEventListener("pointermove", function (e) {
      var last = pointers[e.pointerId];
      if (!last) { return; }
      var ids = Object.keys(pointers);
      var scale = view.w / (svg.getBoundingClientRect().width || 1);
      if (ids.length === 1) {
        var dx = e.clientX - last.x, dy = e.clientY - last.y;
        moved += Math.abs(dx) + Math.abs(dy);
        if (moved > 4) {
          if (svg.setPointerCapture) { try { svg.setPointerCapture(e.pointerId); } catch (err) { /* not captured: panning still works */ } }
          view.x -= dx * scale;
          view.y -= dy * scale;
          clamp();
          apply();
        }
      } else if (ids.length === 2) {
        var other = pointers[ids[0] === String(e.pointerId) ? ids[1] : ids[0]];
        var d = Math.hypot(e.clientX - other.x, e.clientY - other.y);
        if (pinch) {
          var mid = toSvg((e.clientX + other.x) / 2, (e.clientY + other.y) / 2);
          zoomAt(d / pinch, mid.x, mid.y);
        }
        pinch = d;
        moved += 10;
      }
      pointers[e.pointerId] = { x: e.clientX, y: e.clientY };
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (t) {
      svg.addEventListener(t, function (e) { delete pointers[e.pointerId]; pinch = 0; });
    });
    // After a drag, the click that ends it is the map's, not the page's.
    svg.addEventListener("click", function (e) {
      if (moved > 4) { e.stopImmediatePropagation(); e.preventDefault(); }
    }, true);
    figure.querySelectorAll("[data-map-zoom]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var what = btn.getAttribute("data-map-zoom");
        if (what === "reset") {
          view = { x: base.x, y: base.y, w: base.w, h: base.h };
          apply();
        } else {
          zoomAt(what === "in" ? 1.6 : 1 / 1.6, view.x + view.w / 2, view.y + view.h / 2);
        }
      });
    });
    apply();
  }
  function gridMaps() {
    document.querySelectorAll("[data-map]").forEach(mapView);
    document.querySelectorAll("svg.grid-map[data-pick]").forEach(function (svg) {
      svg.addEventListener("click", function (e) {
        var form = svg.closest("form");
        var pt = svg.createSVGPoint();
        pt.x = e.clientX;
        pt.y = e.clientY;
        var m = svg.getScreenCTM();
        if (!form || !m) { return; }
        var p = pt.matrixTransform(m.inverse());
        e.preventDefault();
        var at = unproject(svg, p.x, p.y);
        setPlace(form, at.lon, at.lat);
      });
    });
    document.querySelectorAll("[data-action=locate]").forEach(function (b) {
      b.addEventListener("click", function () {
        var form = b.closest("form");
        if (!form || !navigator.geolocation) { return; }
        navigator.geolocation.getCurrentPosition(function (pos) {
          setPlace(form, pos.coords.longitude, pos.coords.latitude);
        }, function () {}, { enableHighAccuracy: true, timeout: 10000 });
      });
    });
    // Only the chosen category's questions are shown.
    var cat = document.getElementById("grid-category");
    if (cat) {
      var show = function () {
        document.querySelectorAll("label.attribute").forEach(function (l) {
          l.hidden = l.getAttribute("data-category") !== cat.value;
        });
      };
      cat.addEventListener("change", show);
      show();
    }
  }
  // Forms that keep what was typed: sent in the background; a refusal is shown beside the
  // field it names, under the field's own label, and the page stays as the person left it.
  // Without JavaScript the form posts as usual and a refusal is a page with the way back.
  function fieldOf(form, path) {
    if (!path) { return null; }
    var esc = function (v) { return v.replace(/"/g, ""); };
    var last = path.split(".").pop();
    return form.querySelector('[data-field="' + esc(path) + '"]') ||
      form.querySelector('[name="' + esc(path) + '"]') ||
      form.querySelector('[name="' + esc(last) + '"]:not([data-field])');
  }
  function labelOf(el) {
    var box = el.closest("label") || el.closest("fieldset");
    var head = box && box.querySelector("span, legend");
    return head ? head.textContent.replace(/[*＊]\s*$/, "").trim() : "";
  }
  function clearErrors(form) {
    form.querySelectorAll(".field-error, .form-error").forEach(function (n) { n.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (n) { n.removeAttribute("aria-invalid"); });
  }
  function showError(form, body) {
    var el = fieldOf(form, body.field);
    var reason = body.reason || body.message || form.getAttribute("data-failed") || "提交未成功，请稍后再试";
    var label = el ? labelOf(el) : "";
    var top = document.createElement("p");
    top.className = "error form-error";
    top.setAttribute("role", "alert");
    // The reason in words: the API's message names the field by its key, which the reader
    // never saw.
    top.textContent = label ? label + "：" + reason : reason;
    form.insertBefore(top, form.firstElementChild ? form.firstElementChild.nextSibling : null);
    if (el) {
      var note = document.createElement("small");
      note.className = "field-error";
      note.textContent = reason;
      var box = el.closest("label") || el.closest("fieldset") || el;
      box.appendChild(note);
      if (el.matches("input, select, textarea")) {
        el.setAttribute("aria-invalid", "true");
        el.focus();
      }
      box.scrollIntoView({ block: "center" });
    } else {
      top.scrollIntoView({ block: "center" });
    }
  }
  function inlineErrors(form) {
    form.addEventListener("submit", function (e) {
      if (e.defaultPrevented) { return; }
      e.preventDefault();
      var button = e.submitter || form.querySelector("button");
      var data = new FormData(form);
      if (e.submitter && e.submitter.name) { data.append(e.submitter.name, e.submitter.value); }
      var body = form.enctype === "multipart/form-data" ? data : new URLSearchParams(data);
      if (button) { button.disabled = true; }
      clearErrors(form);
      // An earlier 已保存 is not this one's.
      var saved = document.getElementById("flash");
      if (saved) { saved.remove(); }
      // The attribute, not form.action: a field named "action" (the case's forms) shadows it.
      fetch(form.getAttribute("action") || location.href, { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json", "Accept-Language": document.documentElement.lang || "zh-CN" } })
        .then(function (r) {
          if (r.ok && r.redirected) { window.location.assign(r.url); return null; }
          if (r.ok) {
            return r.text().then(function (html) { document.open(); document.write(html); document.close(); });
          }
          if (r.status === 401) { window.location.assign("/login?next=" + encodeURIComponent(location.pathname)); return null; }
          return r.json().then(function (b) { showError(form, b); }, function () { showError(form, {}); });
        })
        .catch(function () { showError(form, {}); })
        .then(function () { if (button) { button.disabled = false; } });
    });
  }
  // A kiosk page goes back to its start after a pause, so the next person does not find what
  // the last one typed: 30 s on the slip, 90 s on a form.
  function idleReturn() {
    var to = document.body.getAttribute("data-idle-return");
    if (!to) { return; }
    var secs = location.pathname.indexOf("/tickets/") >= 0 ? 30 : 90;
    var timer;
    function arm() {
      clearTimeout(timer);
      timer = setTimeout(function () { location.href = to; }, secs * 1000);
    }
    ["pointerdown", "keydown", "input"].forEach(function (e) { document.addEventListener(e, arm, true); });
    arm();
  }
  // The board's clock runs on the hall's time (the server's, which may be moved for a
  // demonstration), ticking in the browser from the instant the page was made.
  function boardClock() {
    var clock = document.getElementById("board-clock");
    if (!clock) { return; }
    var offset = Number(clock.getAttribute("data-now")) - Date.now();
    function tick() {
      var t = new Date(Date.now() + offset);
      clock.textContent = t.toLocaleTimeString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
    }
    tick();
    setInterval(tick, 1000);
  }
  document.addEventListener("DOMContentLoaded", function () {
    idleReturn();
    boardClock();
    gridMaps();
    hallLive();
    urgeLive();
    var toggle = document.querySelector(".nav-toggle");
    var nav = document.getElementById("nav");
    if (toggle && nav) {
      toggle.addEventListener("click", function () {
        var open = nav.classList.toggle("open");
        toggle.closest("header").classList.toggle("open", open);
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        var msg = form.getAttribute("data-confirm");
        if (msg && !window.confirm(msg)) { e.preventDefault(); }
      });
    });
    // After the confirmations, so that a form not confirmed is not sent.
    document.querySelectorAll("form[data-inline-errors]").forEach(inlineErrors);
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
