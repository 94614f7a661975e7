// The share-link viewer: a turntable of images turned by drag, swipe or keys, preloaded progressively,
// a 3D view where the browser has WebGL and <model-viewer> is installed, and the client's feedback.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("viewer-data").textContent);
  var frames = data.frames;
  var box = document.getElementById("turntable");
  var img = document.getElementById("frame");
  var bar = document.getElementById("loading");
  var cache = new Array(frames.length);
  var loaded = 0;
  var current = 0;

  function degrees(i) { return Math.round(360 * i / Math.max(frames.length, 1)); }

  function show(i) {
    if (!frames.length) return;
    i = ((i % frames.length) + frames.length) % frames.length;
    current = i;
    // show the frame if it is loaded, else the nearest loaded one (the drag never waits on the network)
    var shown = i;
    for (var d = 0; d < frames.length && !(cache[shown] && cache[shown].complete); d++) {
      shown = (i + (d % 2 ? -(d + 1) / 2 : d / 2) + frames.length) % frames.length;
    }
    img.src = cache[shown] && cache[shown].complete ? cache[shown].src : frames[i];
    img.dataset.frame = String(i);
    var deg = degrees(i);
    box.setAttribute("aria-valuenow", String(i));
    box.setAttribute("aria-valuetext", data.words.angle.replace("{deg}", deg));
    img.alt = data.words.frame_alt.replace("{deg}", deg);
  }

  // progressive preloading: the front first, then ever finer steps around the turn
  function order(n) {
    var seen = {}, out = [];
    for (var step = n; step >= 1; step = Math.floor(step / 2)) {
      for (var k = 0; k < n; k += step) if (!seen[k]) { seen[k] = 1; out.push(k); }
      if (step === 1) break;
    }
    return out;
  }
  var queue = order(frames.length);
  var generation = 0;  // a new set of frames (a customisation) stops the old set's preloading
  function next() {
    var k = queue.shift();
    if (k === undefined) { bar.hidden = true; return; }
    var im = new Image(), mine = generation;
    im.onload = im.onerror = function () { if (mine !== generation) return; loaded++; bar.value = loaded; next(); };
    im.src = frames[k];
    cache[k] = im;
  }
  function preload() { for (var p = 0; p < 3; p++) next(); }
  preload();

  // drag / swipe: one full turn across the width of the picture
  var dragging = false, startX = 0, startFrame = 0;
  box.addEventListener("pointerdown", function (e) {
    dragging = true; startX = e.clientX; startFrame = current;
    box.setPointerCapture(e.pointerId); box.classList.add("dragging"); e.preventDefault();
  });
  box.addEventListener("pointermove", function (e) {
    if (!dragging) return;
    var perFrame = box.clientWidth / Math.max(frames.length, 1);
    show(startFrame - Math.round((e.clientX - startX) / perFrame));
  });
  function end() { dragging = false; box.classList.remove("dragging"); }
  box.addEventListener("pointerup", end);
  box.addEventListener("pointercancel", end);

  box.addEventListener("keydown", function (e) {
    var moves = { ArrowLeft: -1, ArrowDown: -1, ArrowRight: 1, ArrowUp: 1, PageUp: 3, PageDown: -3 };
    if (e.key in moves) { show(current + moves[e.key]); e.preventDefault(); }
    else if (e.key === "Home") { show(0); e.preventDefault(); }
    else if (e.key === "End") { show(frames.length - 1); e.preventDefault(); }
  });

  // 3D: only with WebGL and the vendored <model-viewer>
  function hasWebGL() {
    try { var c = document.createElement("canvas"); return !!(c.getContext("webgl2") || c.getContext("webgl")); }
    catch (e) { return false; }
  }
  var tabSpin = document.getElementById("tab-spin"), tab3d = document.getElementById("tab-3d");
  var holder = document.getElementById("model3d");
  function mode(three) {
    tabSpin.setAttribute("aria-selected", String(!three)); tab3d.setAttribute("aria-selected", String(three));
    box.hidden = three; holder.hidden = !three;
    document.querySelector(".hint").hidden = three;  // model-viewer has its own controls
    if (three && !holder.firstChild) {
      var mv = document.createElement("model-viewer");
      mv.setAttribute("src", data.model); mv.setAttribute("camera-controls", "");
      mv.setAttribute("alt", img.alt); mv.setAttribute("shadow-intensity", "0.6");
      holder.appendChild(mv);
    }
  }
  if (data.model && hasWebGL() && window.customElements) {
    customElements.whenDefined("model-viewer").then(function () { tab3d.hidden = false; });
  } else if (!hasWebGL()) {
    document.getElementById("nowebgl").hidden = false;
  }
  tabSpin.addEventListener("click", function () { mode(false); });
  tab3d.addEventListener("click", function () { mode(true); });

  // feedback
  var form = document.getElementById("feedback-form"), status = document.getElementById("feedback-status");
  Array.prototype.forEach.call(form.querySelectorAll("button[data-kind]"), function (button) {
    button.addEventListener("click", function () {
      var body = { kind: button.dataset.kind, author: form.author.value, text: form.text.value };
      fetch(data.feedback, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
        .then(function (r) {
          if (!r.ok) throw new Error(String(r.status));
          status.textContent = body.kind === "approve" ? data.words.approved : data.words.sent;
          status.className = "ok";
          if (body.kind !== "approve") form.text.value = "";
        })
        .catch(function () { status.textContent = data.words.error; status.className = "error"; });
    });
  });
  // a customisation is ready (customise.js): its frames, stills, 3D model and feedback target replace these
  document.addEventListener("g3d:show", function (e) {
    var d = e.detail;
    generation++;
    frames = d.frames; cache = new Array(frames.length); loaded = 0; queue = order(frames.length);
    bar.max = frames.length; bar.value = 0; bar.hidden = false;
    box.setAttribute("aria-valuemax", String(Math.max(frames.length - 1, 0)));
    data.model = d.model; data.feedback = d.feedback;
    var three = holder.firstChild && !holder.hidden;
    while (holder.firstChild) holder.removeChild(holder.firstChild);
    if (three) mode(true);
    var strip = document.querySelector(".stills .strip");
    if (strip && d.stills) {
      while (strip.firstChild) strip.removeChild(strip.firstChild);
      d.stills.forEach(function (url, n) {
        var im = document.createElement("img"); im.src = url; im.alt = img.alt + " " + (n + 1); im.loading = "lazy";
        strip.appendChild(im);
      });
    }
    var meta = document.querySelector("header .meta");
    if (meta && d.meta) meta.textContent = d.meta;
    if (d.onFirstFrame) {
      img.addEventListener("load", function first() { img.removeEventListener("load", first); d.onFirstFrame(); });
    }
    show(current);
    preload();
  });
  show(0);
})();
