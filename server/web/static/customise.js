// The client's customisation on a published style's link: each change of a slider, option, colour, size or
// measurement is sent as a proposal; its progress is followed until its frames replace the turntable's
// (viewer.js listens for "g3d:show"). The server decides what is allowed: a refusal is shown as it says it.
(function () {
  "use strict";
  var all = JSON.parse(document.getElementById("viewer-data").textContent);
  var data = all.customise;
  if (!data) return;
  var w = data.words;
  var state = data.state;  // the values shown: {parameters, fabric, colorway, size}
  var controls = document.getElementById("customise-controls");
  var bar = document.getElementById("custom-progress");
  var status = document.getElementById("custom-status");
  var error = document.getElementById("custom-error");
  var comments = document.getElementById("custom-comments");
  var busy = false;
  // each change's times in ms since the page loaded: asked, answered, ready, first new frame shown
  window.g3dCustomise = { changes: [] };

  function q(url) { return url + (url.indexOf("?") < 0 ? "?" : "&") + "lang=" + data.lang; }

  function sync() {
    Array.prototype.forEach.call(controls.querySelectorAll("input[data-param]"), function (input) {
      input.value = String(state.parameters[input.dataset.param]);
    });
    Array.prototype.forEach.call(controls.querySelectorAll(".choice"), function (group) {
      Array.prototype.forEach.call(group.querySelectorAll("button"), function (b) {
        b.setAttribute("aria-pressed", String(Number(b.dataset.value) === state.parameters[group.dataset.param]));
      });
    });
    Array.prototype.forEach.call(controls.querySelectorAll(".swatch"), function (b) {
      var on = b.dataset.fabric === state.fabric && (b.dataset.colorway || null) === state.colorway;
      b.setAttribute("aria-pressed", String(on));
    });
    Array.prototype.forEach.call(controls.querySelectorAll("button[data-size]"), function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.size === state.size));
    });
  }

  function stageText(p) {
    if (p.status === "queued") return w.queued;
    if (p.kind === "look") return w.recolouring;
    var key = "stage_" + (p.stage || "pattern");
    var pct = Math.round(Math.min(Math.max(p.progress, 0), 1) * 100);  // the whole job, as the bar shows it
    return (w[key] || w.queued).replace("{pct}", String(pct));
  }

  function showComments(p) {
    while (comments.firstChild) comments.removeChild(comments.firstChild);
    p.comments.forEach(function (c) {
      var li = document.createElement("li"); li.textContent = w.designer_said + ": " + c.text; comments.appendChild(li);
    });
  }

  function done(p, wanted, record) {
    record.ready = performance.now();
    state = wanted;
    sync();
    bar.hidden = true;
    status.textContent = w.ready;
    status.className = "ok";
    showComments(p);
    history.replaceState(null, "", p.page);
    document.dispatchEvent(new CustomEvent("g3d:show", { detail: {
      frames: p.frames, stills: p.stills, model: p.model, feedback: p.feedback, meta: p.meta,
      onFirstFrame: function () { record.firstFrame = performance.now(); }
    } }));
    busy = false; controls.disabled = false;
  }

  function failed(message) {
    error.textContent = message;
    bar.hidden = true; status.textContent = ""; status.className = "";
    busy = false; controls.disabled = false;
    sync();
  }

  function follow(p, wanted, record) {
    bar.hidden = false; bar.value = p.progress;
    status.textContent = stageText(p); status.className = "working";
    if (p.status === "done") return done(p, wanted, record);
    if (p.status === "failed" || p.status === "cancelled") {
      return failed(w.failed.replace("{error}", p.error || p.status));
    }
    setTimeout(function () {
      fetch(q(data.proposals + "/" + p.id), { cache: "no-store" })
        .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
        .then(function (next) { follow(next, wanted, record); })
        .catch(function () { failed(w.error); });
    }, 400);
  }

  // the server's reason, with the control's own label instead of the field's name (body.parameters.length)
  function explain(problem) {
    var detail = problem.detail || w.error, field = problem.field || "";
    if (field && detail.indexOf(field + ": ") === 0) detail = detail.slice(field.length + 2);
    var param = /^body\.parameters\.(\w+)$/.exec(field);
    var label = param && (document.querySelector('label[for="param-' + param[1] + '"]') ||
                          document.getElementById("param-" + param[1] + "-label"));
    return (label ? label.textContent + ": " : "") + detail;
  }

  function send(change) {
    if (busy) return;
    var wanted = {
      parameters: Object.assign({}, state.parameters, change.parameters || {}),
      fabric: change.fabric !== undefined ? change.fabric : state.fabric,
      colorway: change.fabric !== undefined ? (change.colorway || null) : state.colorway,
      size: change.measurements ? "custom" : (change.size || state.size)
    };
    var body = { parameters: wanted.parameters, fabric: wanted.fabric, colorway: wanted.colorway };
    if (change.measurements) body.measurements = change.measurements;
    else body.size = wanted.size;
    var record = { kind: null, asked: performance.now() };
    window.g3dCustomise.changes.push(record);
    busy = true; controls.disabled = true; error.textContent = "";
    fetch(q(data.proposals), { method: "POST", headers: { "Content-Type": "application/json" },
                               body: JSON.stringify(body) })
      .then(function (r) {
        return r.json().then(function (answer) { return { ok: r.ok, status: r.status, answer: answer }; });
      })
      .then(function (result) {
        record.answered = performance.now();
        if (!result.ok) {
          record.refused = result.answer.detail;
          if (result.status === 429) return failed(result.answer.detail || w.error);  // the link's rate limit
          return failed(w.refused.replace("{detail}", explain(result.answer)));
        }
        record.kind = result.answer.kind; record.id = result.answer.id;
        follow(result.answer, wanted, record);
      })
      .catch(function () { failed(w.error); });
  }

  // sliders: the number follows while dragging; the change is sent on release
  Array.prototype.forEach.call(controls.querySelectorAll("input[type=range][data-param]"), function (slider) {
    var number = document.getElementById(slider.id + "-value");
    slider.addEventListener("input", function () { number.value = slider.value; });
    slider.addEventListener("change", function () {
      var p = {}; p[slider.dataset.param] = Number(slider.value); send({ parameters: p });
    });
  });
  // typed values go to the server as typed: out of range is refused there, with its reason
  Array.prototype.forEach.call(controls.querySelectorAll("input.value[data-param]"), function (number) {
    number.addEventListener("change", function () {
      var value = Number(number.value.replace(",", "."));
      if (number.value === "" || !isFinite(value)) { sync(); return; }
      var slider = document.getElementById("param-" + number.dataset.param);
      if (slider) slider.value = String(value);  // the slider follows (the browser clamps it to its range)
      var p = {}; p[number.dataset.param] = value; send({ parameters: p });
    });
  });
  Array.prototype.forEach.call(controls.querySelectorAll(".choice"), function (group) {
    Array.prototype.forEach.call(group.querySelectorAll("button"), function (b) {
      b.addEventListener("click", function () {
        var p = {}; p[group.dataset.param] = Number(b.dataset.value); send({ parameters: p });
      });
    });
  });
  Array.prototype.forEach.call(controls.querySelectorAll(".swatch"), function (b) {
    b.addEventListener("click", function () { send({ fabric: b.dataset.fabric, colorway: b.dataset.colorway }); });
  });
  Array.prototype.forEach.call(controls.querySelectorAll("button[data-size]"), function (b) {
    b.addEventListener("click", function () { send({ size: b.dataset.size }); });
  });
  var use = document.getElementById("use-measurements");
  if (use) {
    use.addEventListener("click", function () {
      var m = {};
      Array.prototype.forEach.call(controls.querySelectorAll(".measurements input"), function (input) {
        if (input.value !== "") m[input.name] = Number(input.value);
      });
      send({ measurements: m });
    });
  }
  sync();
})();
