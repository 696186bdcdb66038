// The lab's page. It only draws: every number comes from the server, where scratchgan's Trainer runs.
// The run of this tab is `run.id`; frames are fetched one newer than the last (the server waits for it),
// and each frame is drawn once, on the next animation frame.
"use strict";

const token = new URLSearchParams(location.search).get("token") || "";
const $ = (id) => document.getElementById(id);
const lab = { draws: 0, frames: 0, seq: 0, step: 0, status: "" };   // read by the browser test
window.lab = lab;

const run = { id: null, run: 0, meta: null, frame: null, history: null, state: null, slow: null, stage: 0,
              drawing: null, layers: { heat: true, real: true, fake: true, arrows: true, manifold: true },
              pending: {}, dirty: false };

// -- talking to the server ---------------------------------------------------------------------------------

async function api(method, path, body, raw) {
  const options = { method, headers: { "X-Lab-Token": token } };
  if (raw !== undefined) {
    options.body = raw;
    options.headers["Content-Type"] = "application/octet-stream";
  } else if (body !== undefined) {
    options.body = JSON.stringify(body);
    options.headers["Content-Type"] = "application/json";
  }
  const response = await fetch(path, options);
  const text = await response.text();
  let value;
  try { value = JSON.parse(text); } catch (e) { value = { error: text.trim() }; }
  if (!response.ok) throw new Error(value.error || `${response.status}`);
  return value;
}

function say(text, isError) {
  $("message").textContent = text || "";
  $("message").className = isError ? "error" : "";
}

async function act(name, body) {
  try {
    const state = await api("POST", `/api/session/${run.id}/${name}`, body || {});
    if (state.meta) newRun(state);
    showState(state);
    return state;
  } catch (e) {
    say(e.message, true);
    return null;
  }
}

// -- the run's state ---------------------------------------------------------------------------------------

function newRun(state) {
  run.run = state.run;
  run.meta = state.meta;
  run.history = null;
  run.slow = null;
  run.pending = {};
  $("slow").hidden = true;
  $("data").value = run.meta.dim && state.data in dataNames ? state.data : "__file";
  fillSettings(state.settings);
  drawLegend();
  $("eval-title").textContent = run.meta.n_modes ? `modes covered (of ${run.meta.n_modes})` : "MMD\u00b2 to the data";
  $("layers").hidden = run.meta.dim !== 2;
  $("field-title").textContent = run.meta.dim === 2 ? "D's verdict, the samples and G's pull" :
    "Figure 1 of Goodfellow et al. 2014: \u03c0, p_g, D and D*";
}

function showState(state) {
  run.state = state;
  lab.status = state.status;
  $("step").textContent = `step ${state.step} of ${state.steps}`;
  $("status").textContent = state.status;
  $("status").className = `status ${state.status}`;
  $("play").innerHTML = state.playing ? "&#10074;&#10074; pause" : "&#9654; play";
  $("speed").value = state.speed;
  if (state.message) say(state.message, state.status === "diverged");
  if (state.result && state.result.dir) say(`wrote ${state.result.dir}: ${state.result.commands.join("  ·  ")}`);
  if (state.result && state.result.file) say(`${state.result.file}: ${state.result.rows} rows for training`);
  if (!run.slow && state.code) showCode(state.code);
}

// -- frames and curves -------------------------------------------------------------------------------------

async function pollFrames() {
  for (;;) {
    if (!run.id) { await sleep(200); continue; }
    try {
      const answer = await api("GET", `/api/session/${run.id}/frame?after=${lab.seq}`);
      if (answer.seq > lab.seq && answer.frame) {
        lab.seq = answer.seq;
        lab.frames += 1;
        const frame = answer.frame;
        if (frame.run !== run.run) await refreshRun();
        run.frame = frame;
        lab.step = frame.step;
        $("step").textContent = `step ${frame.step} of ${run.state ? run.state.steps : "?"}`;
        if (run.state && frame.status !== run.state.status) refreshState();
        run.dirty = true;
      }
    } catch (e) {
      say(e.message, true);
      await sleep(1000);
    }
  }
}

async function refreshRun() {
  const state = await api("GET", `/api/session/${run.id}/meta`);
  newRun(state);
  showState(state);
}

async function refreshState() {
  try { showState(await api("GET", `/api/session/${run.id}/state`)); } catch (e) { say(e.message, true); }
}

async function pollHistory() {
  for (;;) {
    await sleep(300);
    if (!run.id || !run.meta) continue;
    const have = run.history ? run.history.step.length : 0;
    if (run.history && run.frame && run.frame.step <= (run.history.step[have - 1] || 0) + 1 && have) continue;
    try {
      const h = await api("GET", `/api/session/${run.id}/history?since=${have}`);
      if (!run.history || h.since === 0) run.history = { step: [], loss_d: [], loss_g: [], d_real: [], d_fake: [] };
      for (const key of ["step", "loss_d", "loss_g", "d_real", "d_fake"]) run.history[key].push(...h[key]);
      for (const key of ["eval_step", "eval_modes", "eval_mmd"]) run.history[key] = h[key] || [];
      drawCurves();
    } catch (e) { /* the frame loop reports errors */ }
  }
}

function redraw() {
  if (run.dirty || run.drawing) {
    run.dirty = false;
    drawField();
    lab.draws += 1;
  }
  requestAnimationFrame(redraw);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// -- the main picture --------------------------------------------------------------------------------------

function fieldBox(canvas) {
  // world -> pixel, equal aspect, the data's box centred in the canvas
  const [[x0, x1], [y0, y1]] = run.meta.dim === 2 ? run.meta.bounds : [run.meta.bounds[0], [0, 1]];
  const w = canvas.width, h = canvas.height;
  const scale = Math.min(w / (x1 - x0), h / (y1 - y0));
  const ox = (w - scale * (x1 - x0)) / 2, oy = (h - scale * (y1 - y0)) / 2;
  return { x0, x1, y0, y1, scale, px: (x) => ox + (x - x0) * scale, py: (y) => h - oy - (y - y0) * scale,
           wx: (px) => x0 + (px - ox) / scale, wy: (py) => y0 + (h - oy - py) / scale };
}

function setupCanvas(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || canvas.width, h = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(w * ratio)) { canvas.width = Math.round(w * ratio); canvas.height = Math.round(h * ratio); }
  const g = canvas.getContext("2d");
  g.setTransform(1, 0, 0, 1, 0, 0);
  g.clearRect(0, 0, canvas.width, canvas.height);
  return g;
}

function drawField() {
  const canvas = $("field");
  const g = setupCanvas(canvas);
  if (run.drawing) return drawDrawing(g, canvas);
  if (!run.meta) return;
  const frame = run.slow ? run.slow.stages[run.stage].frame : run.frame;
  if (!frame) return;
  if (run.meta.dim === 1) return drawFigure1(g, canvas, frame);
  const box = fieldBox(canvas), r = window.devicePixelRatio || 1, c = run.meta.colours;
  if (run.layers.heat) drawHeat(g, box, frame);
  g.strokeStyle = "#bbb";
  g.strokeRect(box.px(box.x0), box.py(box.y1), box.scale * (box.x1 - box.x0), box.scale * (box.y1 - box.y0));
  if (run.layers.manifold && frame.manifold) drawManifold(g, box, frame.manifold, c.manifold);
  if (run.meta.centers) for (const [x, y] of run.meta.centers) circle(g, box.px(x), box.py(y), 9 * r, null, "#000");
  const real = frame.batch_real || run.meta.real;
  if (run.layers.real) for (const [x, y] of real) dot(g, box.px(x), box.py(y), 3.2 * r, c.real);
  if (frame.before && run.layers.fake) for (const [x, y] of frame.before) dot(g, box.px(x), box.py(y), 2.4 * r, "#c2a5cf");
  if (run.layers.fake) for (const [x, y] of frame.fake) dot(g, box.px(x), box.py(y), 2.6 * r, c.fake);
  if (run.layers.arrows && frame.grad) drawArrows(g, box, frame, r);
  g.fillStyle = "#333";
  g.font = `${11 * r}px system-ui, sans-serif`;
  const label = frame.heat_range && run.meta.critic ? `critic score ${frame.heat_range[0].toFixed(2)} .. ${frame.heat_range[1].toFixed(2)}` : "";
  g.fillText(`step ${frame.step !== undefined ? frame.step : run.slow.step}   ${label}`, 8 * r, 16 * r);
}

function drawHeat(g, box, frame) {
  const n = frame.n_grid, bytes = atob(frame.heat), lut = run.meta.heatmap;
  const tile = document.createElement("canvas");
  tile.width = n; tile.height = n;
  const t = tile.getContext("2d"), image = t.createImageData(n, n);
  for (let i = 0; i < n; i++) {            // heat[i][j] is at y = ys[i] (rows going up), x = xs[j]
    for (let j = 0; j < n; j++) {
      const v = bytes.charCodeAt(i * n + j), [cr, cg, cb] = lut[v], k = 4 * ((n - 1 - i) * n + j);
      image.data[k] = 255 - 0.6 * (255 - cr); image.data[k + 1] = 255 - 0.6 * (255 - cg);
      image.data[k + 2] = 255 - 0.6 * (255 - cb); image.data[k + 3] = 255;
    }
  }
  t.putImageData(image, 0, 0);
  g.imageSmoothingEnabled = true;
  g.drawImage(tile, box.px(box.x0), box.py(box.y1), box.scale * (box.x1 - box.x0), box.scale * (box.y1 - box.y0));
}

function drawManifold(g, box, pieces, colour) {
  g.strokeStyle = colour; g.globalAlpha = 0.45; g.lineWidth = 1;
  for (const grid of pieces) {
    const k = grid.length, l = grid[0].length;
    for (let i = 0; i < k; i++) polyline(g, grid[i].map(([x, y]) => [box.px(x), box.py(y)]));
    for (let j = 0; j < l; j++) polyline(g, grid.map((row) => [box.px(row[j][0]), box.py(row[j][1])]));
  }
  g.globalAlpha = 1;
}

function drawArrows(g, box, frame, r) {
  // -dL_G/dx at each G(z), in units of its 90th percentile: that length is 8% of the box, capped at 1.5 times
  const unit = 0.08 * Math.max(box.x1 - box.x0, box.y1 - box.y0) * box.scale;
  g.strokeStyle = "rgba(0,0,0,0.75)"; g.fillStyle = "rgba(0,0,0,0.75)"; g.lineWidth = 1 * r;
  frame.grad.slice(0, 128).forEach(([u, v], i) => {
    const norm = Math.hypot(u, v);
    if (!norm) return;
    const len = unit * Math.min(norm, 1.5), dx = (u / norm) * len, dy = -(v / norm) * len;
    const x = box.px(frame.fake[i][0]), y = box.py(frame.fake[i][1]);
    g.beginPath(); g.moveTo(x, y); g.lineTo(x + dx, y + dy); g.stroke();
    const a = Math.atan2(dy, dx), h = 4 * r;
    g.beginPath(); g.moveTo(x + dx, y + dy);
    g.lineTo(x + dx - h * Math.cos(a - 0.45), y + dy - h * Math.sin(a - 0.45));
    g.lineTo(x + dx - h * Math.cos(a + 0.45), y + dy - h * Math.sin(a + 0.45)); g.fill();
  });
}

function drawFigure1(g, canvas, frame) {
  // top: pi (green, dashed), p_g (purple), D (blue, dashed), D* (red, dotted); bottom: z -> x = G(z)
  const m = run.meta, c = m.colours, r = window.devicePixelRatio || 1, w = canvas.width, h = canvas.height;
  const left = 36 * r, right = w - 36 * r, top = 24 * r, bottom = h * 0.68, x = m.x_grid;
  const [x0, x1] = m.bounds[0], px = (v) => left + (v - x0) / (x1 - x0) * (right - left);
  const peak = Math.max(1.15 * Math.max(...frame.p_g), m.pi ? 1.6 * Math.max(...m.pi) : 0, 1e-9);
  const py = (v) => bottom - v / peak * (bottom - top), pd = (v) => bottom - v / 1.1 * (bottom - top);
  g.lineWidth = 2 * r;
  g.fillStyle = "rgba(118,42,131,0.15)";
  g.beginPath(); g.moveTo(px(x[0]), bottom);
  x.forEach((v, i) => g.lineTo(px(v), py(frame.p_g[i]))); g.lineTo(px(x[x.length - 1]), bottom); g.fill();
  line(g, x.map((v, i) => [px(v), py(frame.p_g[i])]), c.fake, []);
  if (m.pi) line(g, x.map((v, i) => [px(v), py(m.pi[i])]), c.real, [6 * r, 4 * r]);
  if (!m.critic) {
    line(g, x.map((v, i) => [px(v), pd(frame.d[i])]), c.d, [6 * r, 3 * r]);
    if (frame.d_star) dottedSegments(g, x, frame.d_star, px, pd, c.dstar, r);
  } else {
    const lo = Math.min(...frame.d), hi = Math.max(...frame.d);
    line(g, x.map((v, i) => [px(v), bottom - (frame.d[i] - lo) / (hi - lo || 1) * (bottom - top)]), c.d, [6 * r, 3 * r]);
  }
  g.strokeStyle = "#999"; g.lineWidth = 1 * r; g.setLineDash([]);
  g.strokeRect(left, top, right - left, bottom - top);
  g.fillStyle = "#444"; g.font = `${11 * r}px system-ui, sans-serif`;
  g.fillText(m.critic ? "critic score (scaled)" : "D: 0 .. 1 (right)", right - 110 * r, top - 6 * r);
  g.fillText(`step ${frame.step !== undefined ? frame.step : run.slow.step}`, left, top - 6 * r);
  for (const t of ticks(x0, x1)) g.fillText(t.toFixed(1), px(t) - 8 * r, bottom + 13 * r);
  // the mapping x = G(z): evenly spaced z on the lower line, G(z) on the upper
  const zl = h * 0.94, xl = h * 0.78, z = m.z_line, zlo = z[0], zhi = z[z.length - 1];
  frame.mapped.forEach((gx, i) => {
    const zx = left + (z[i] - zlo) / (zhi - zlo || 1) * (right - left);
    g.strokeStyle = "#555"; g.lineWidth = 0.8 * r;
    g.beginPath(); g.moveTo(zx, zl); g.lineTo(px(gx), xl); g.stroke();
    dot(g, zx, zl, 2.5 * r, "#000"); dot(g, px(gx), xl, 2.5 * r, c.fake);
  });
  g.fillStyle = "#444";
  g.fillText("z", 8 * r, zl + 4 * r); g.fillText("x = G(z)", 2 * r, xl - 8 * r);
  if (run.slow && frame.batch_real) {        // the stage's batch as rug marks
    for (const [v] of frame.batch_real) { g.fillStyle = c.real; g.fillRect(px(v), bottom - 8 * r, 1.2 * r, 8 * r); }
    for (const [v] of frame.batch_fake) { g.fillStyle = c.fake; g.fillRect(px(v), bottom - 16 * r, 1.2 * r, 8 * r); }
  }
}

function dottedSegments(g, x, values, px, pd, colour, r) {
  let piece = [];
  const flush = () => { if (piece.length > 1) line(g, piece, colour, [2 * r, 3 * r]); piece = []; };
  values.forEach((v, i) => { if (v === null) flush(); else piece.push([px(x[i]), pd(v)]); });
  flush();
}

function drawLegend() {
  const c = run.meta.colours;
  const items = run.meta.dim === 2 ?
    [[c.real, "real x ~ \u03c0"], [c.fake, "generated G(z)"], ["#000", "\u2192 \u2212\u2202L_G/\u2202x, G's pull"],
     [c.manifold, "G(grid of z): the manifold"], ["#a6dba0", "D(x) near 1: real"], ["#c2a5cf", "D(x) near 0: fake"]] :
    [[c.real, "\u03c0 (data)"], [c.fake, "p_g (KDE of G(z))"], [c.d, "D(x)"], [c.dstar, "D* = \u03c0 / (\u03c0 + p_g)"]];
  $("legend").innerHTML = items.map(([colour, text]) => `<span><i style="background:${colour}"></i>${text}</span>`).join("");
}

// -- small drawing helpers ---------------------------------------------------------------------------------

function dot(g, x, y, radius, colour) {
  g.beginPath(); g.arc(x, y, radius, 0, 2 * Math.PI); g.fillStyle = colour; g.fill();
  g.lineWidth = 0.6; g.strokeStyle = "#fff"; g.stroke();
}
function circle(g, x, y, radius, fill, stroke) {
  g.beginPath(); g.arc(x, y, radius, 0, 2 * Math.PI); g.lineWidth = 1; g.strokeStyle = stroke; g.stroke();
}
function polyline(g, points) {
  g.beginPath(); points.forEach(([x, y], i) => (i ? g.lineTo(x, y) : g.moveTo(x, y))); g.stroke();
}
function line(g, points, colour, dash) {
  g.strokeStyle = colour; g.setLineDash(dash); polyline(g, points); g.setLineDash([]);
}
function ticks(lo, hi) {
  const step = Math.pow(10, Math.floor(Math.log10((hi - lo) / 4))), k = (hi - lo) / step > 20 ? 5 : (hi - lo) / step > 8 ? 2 : 1;
  const out = [];
  for (let t = Math.ceil(lo / (step * k)) * step * k; t <= hi; t += step * k) out.push(t);
  return out;
}

// -- the curves --------------------------------------------------------------------------------------------

function plot(canvas, series, options) {
  const g = setupCanvas(canvas), r = window.devicePixelRatio || 1, w = canvas.width, h = canvas.height;
  const left = 40 * r, right = w - 6 * r, top = 8 * r, bottom = h - 18 * r;
  const xs = series.flatMap((s) => s.x), ys = series.flatMap((s) => s.y).filter(Number.isFinite);
  g.strokeStyle = "#ccc"; g.lineWidth = 1; g.strokeRect(left, top, right - left, bottom - top);
  g.fillStyle = "#555"; g.font = `${10 * r}px system-ui, sans-serif`;
  if (!xs.length) { g.fillText(options.empty || "no data yet", left + 8 * r, top + 16 * r); return; }
  let ylo = options.ylo !== undefined ? options.ylo : Math.min(...ys), yhi = options.yhi !== undefined ? options.yhi : Math.max(...ys);
  if (yhi - ylo < 1e-9) { ylo -= 0.5; yhi += 0.5; }
  const xlo = Math.min(...xs), xhi = Math.max(xlo + 1, Math.max(...xs));
  const px = (v) => left + (v - xlo) / (xhi - xlo) * (right - left), py = (v) => bottom - (v - ylo) / (yhi - ylo) * (bottom - top);
  for (const t of [ylo, (ylo + yhi) / 2, yhi]) g.fillText(t.toPrecision(3), 2 * r, py(t) + 3 * r);
  g.fillText(`${Math.round(xlo)}`, left, h - 4 * r);
  g.fillText(`step ${Math.round(xhi)}`, right - 50 * r, h - 4 * r);
  let lx = left + 6 * r;
  for (const s of series) {
    const every = Math.max(1, Math.floor(s.x.length / 600));        // at most ~600 points a line
    const points = [];
    for (let i = 0; i < s.x.length; i += every) if (Number.isFinite(s.y[i])) points.push([px(s.x[i]), py(s.y[i])]);
    g.lineWidth = 1.3 * r; line(g, points, s.colour, s.dash || []);
    if (s.marks) for (const [x, y] of points) dot(g, x, y, 2.2 * r, s.colour);
    g.fillStyle = s.colour; g.fillText(s.label, lx, top + 11 * r); lx += g.measureText(s.label).width + 12 * r;
  }
}

function drawCurves() {
  const h = run.history, c = run.meta.colours;
  plot($("losses"), [{ x: h.step, y: h.loss_d, colour: c.d, label: "L_D" }, { x: h.step, y: h.loss_g, colour: c.fake, label: "L_G" }], {});
  plot($("douts"), [{ x: h.step, y: h.d_real, colour: c.real, label: "mean D(x)" },
                    { x: h.step, y: h.d_fake, colour: c.fake, label: "mean D(G(z))" }],
       run.meta.critic ? {} : { ylo: 0, yhi: 1 });
  const evals = run.meta.n_modes ? { y: h.eval_modes, label: "modes", ylo: 0, yhi: run.meta.n_modes } :
    { y: h.eval_mmd, label: "MMD\u00b2 (unbiased)" };
  plot($("evals"), [{ x: h.eval_step, y: evals.y, colour: "#444", label: evals.label, marks: true }],
       { ylo: evals.ylo, yhi: evals.yhi, empty: "measured every few hundred steps" });
}

// -- slow motion and the code pane -------------------------------------------------------------------------

function showSlow(result) {
  run.slow = result;
  run.stage = 0;
  $("slow").hidden = false;
  $("slow-step").textContent = `iteration ${result.step}`;
  $("stage-buttons").innerHTML = result.stages.map((s, i) => `<button data-stage="${i}" title="${s.title}">${i + 1}</button>`).join("");
  showStage(0);
}

function showStage(i) {
  run.stage = Math.max(0, Math.min(run.slow.stages.length - 1, i));
  const stage = run.slow.stages[run.stage];
  $("stage-text").textContent = stage.text;
  for (const b of $("stage-buttons").children) b.className = Number(b.dataset.stage) === run.stage ? "on" : "";
  showCode(stage.code, stage.title);
  run.dirty = true;
}

function showCode(code, title) {
  const names = { iteration: "one iteration of Algorithm 1 (Trainer.train_step)", d_step: "a D-step alone",
                  g_step: "a G-step alone", stages: "one iteration, stage by stage" };
  $("code-what").textContent = title || names[code.what] || code.what;
  const box = $("code-snippets");
  box.innerHTML = "";
  for (const s of code.snippets) {
    const div = document.createElement("div");
    div.className = "snippet";
    const link = `/pages/${s.page}`;
    div.innerHTML = `<div class="where"><a href="${link}" target="_blank" title="the reading path's page of this file">${s.file}</a>, line ${s.first}: <b>${s.name}</b></div>`;
    const pre = document.createElement("pre");
    s.lines.forEach((text, k) => {
      const span = document.createElement("span");
      span.className = s.marked.includes(s.first + k) ? "l on" : "l";
      span.dataset.n = s.first + k;
      span.textContent = text || " ";
      pre.appendChild(span);
    });
    div.appendChild(pre);
    box.appendChild(div);
    const on = pre.querySelector(".on");
    if (on) pre.scrollTop = Math.max(0, on.offsetTop - pre.offsetTop - 40);
  }
}

// -- settings ----------------------------------------------------------------------------------------------

let info = null, dataNames = {};

function buildSettings() {
  const box = $("settings");
  const groups = {};
  for (const s of info.settings) {
    if (!groups[s.group]) {
      const fs = document.createElement("fieldset");
      fs.innerHTML = `<legend>${s.group}</legend>`;
      box.appendChild(fs);
      groups[s.group] = fs;
    }
    const div = document.createElement("div");
    div.className = "setting";
    let input;
    if (s.kind === "choice") input = `<select name="${s.name}">${s.choices.map((c) => `<option>${c}</option>`).join("")}</select>`;
    else if (s.kind === "bool") input = `<input type="checkbox" name="${s.name}">`;
    else input = `<input type="text" name="${s.name}" spellcheck="false">`;
    const badge = s.live ? `<span class="live" title="changes the running run at once">live</span>` :
      `<span class="fixed" title="built into the run: changing it needs a reset">reset</span>`;
    div.innerHTML = `<div class="row"><span class="name">${s.name}</span>${badge}${input}</div>` +
      `<div class="formula">${s.formula}</div><div class="pending" hidden></div>`;
    groups[s.group].appendChild(div);
    div.querySelector("[name]").addEventListener("change", (e) => changeSetting(s, e.target, div));
  }
}

function fillSettings(values) {
  for (const s of info.settings) {
    const el = document.querySelector(`#settings [name="${s.name}"]`);
    if (s.kind === "bool") el.checked = !!values[s.name]; else el.value = values[s.name];
    const pending = el.closest(".setting").querySelector(".pending");
    pending.hidden = true;
  }
}

async function changeSetting(s, el, div) {
  const value = s.kind === "bool" ? el.checked : el.value;
  const state = await act("settings", { settings: { [s.name]: value } });
  if (!state) { fillSettings(run.state.settings); return; }
  const pending = div.querySelector(".pending");
  if (state.result.needs_reset.length) {
    run.pending[s.name] = value;
    pending.hidden = false;
    pending.innerHTML = `${s.name} cannot change mid-run: it is built into the run. <button>reset with it</button>`;
    pending.querySelector("button").onclick = () => resetWith();
  } else {
    pending.hidden = true;
    say(`${s.name} = ${value}: applied to the running run`);
  }
}

async function resetWith() {
  const settings = run.pending;
  run.pending = {};
  const state = await act("reset", { settings });
  if (state) say(`a fresh run with ${Object.keys(settings).map((k) => `${k} = ${settings[k]}`).join(", ") || "the same settings"}`);
}

// -- data: toys, a drawing, a file -------------------------------------------------------------------------

function startDrawing() {
  run.drawing = { points: [], down: false };
  $("draw-tools").hidden = false;
  $("field").classList.add("drawing");
  say("drag on the picture to draw points (at least 20); then train on them");
}

function stopDrawing() {
  run.drawing = null;
  $("draw-tools").hidden = true;
  $("field").classList.remove("drawing");
  run.dirty = true;
}

const DRAW_BOX = { dim: 2, bounds: [[-3, 3], [-3, 3]] };

function drawDrawing(g, canvas) {
  const saved = run.meta;
  run.meta = DRAW_BOX;
  const box = fieldBox(canvas), r = window.devicePixelRatio || 1;
  run.meta = saved;
  g.strokeStyle = "#eee";
  for (let t = -3; t <= 3; t++) {
    polyline(g, [[box.px(t), box.py(-3)], [box.px(t), box.py(3)]]);
    polyline(g, [[box.px(-3), box.py(t)], [box.px(3), box.py(t)]]);
  }
  for (const [x, y] of run.drawing.points) dot(g, box.px(x), box.py(y), 3 * r, "#1b7837");
  $("draw-count").textContent = `${run.drawing.points.length} points`;
}

function drawAt(event) {
  const canvas = $("field"), rect = canvas.getBoundingClientRect(), r = canvas.width / rect.width;
  const saved = run.meta;
  run.meta = DRAW_BOX;
  const box = fieldBox(canvas);
  run.meta = saved;
  const x = box.wx((event.clientX - rect.left) * r), y = box.wy((event.clientY - rect.top) * r);
  for (let i = 0; i < 3; i++) run.drawing.points.push([x + 0.06 * gauss(), y + 0.06 * gauss()]);
}

const gauss = () => Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());

async function uploadFile(file) {
  if (file.size > info.max_upload) {
    say(`${file.name}: ${file.size} bytes, over the lab's limit of ${info.max_upload} bytes`, true);
    return;
  }
  say(`reading ${file.name} ...`);
  try {
    const state = await api("POST", `/api/session/${run.id}/upload?name=${encodeURIComponent(file.name)}`, undefined,
                            await file.arrayBuffer());
    newRun(state);
    showState(state);
  } catch (e) {
    say(e.message, true);
    $("data").value = run.meta && run.state.data in dataNames ? run.state.data : "__file";
  }
}

// -- wiring ------------------------------------------------------------------------------------------------

function wire() {
  $("play").onclick = () => act(run.state && run.state.playing ? "pause" : "play").then(() => { run.slow = null; $("slow").hidden = true; });
  $("iteration").onclick = () => { run.slow = null; $("slow").hidden = true; act("iteration"); };
  $("dstep").onclick = () => { run.slow = null; $("slow").hidden = true; act("d_step"); };
  $("gstep").onclick = () => { run.slow = null; $("slow").hidden = true; act("g_step"); };
  $("stages").onclick = async () => { const s = await act("stages"); if (s && s.result) showSlow(s.result); };
  $("reset").onclick = () => resetWith();
  $("export").onclick = () => act("export");
  $("speed").onchange = (e) => act("speed", { speed: e.target.value });
  $("stage-prev").onclick = () => showStage(run.stage - 1);
  $("stage-next").onclick = () => showStage(run.stage + 1);
  $("stage-buttons").onclick = (e) => { if (e.target.dataset.stage) showStage(Number(e.target.dataset.stage)); };
  $("slow-close").onclick = () => { run.slow = null; $("slow").hidden = true; run.dirty = true; refreshState(); };
  for (const box of document.querySelectorAll("#layers input")) {
    box.onchange = () => { run.layers[box.dataset.layer] = box.checked; run.dirty = true; };
  }
  $("data").onchange = (e) => {
    const v = e.target.value;
    if (v === "__draw") { startDrawing(); return; }
    if (v === "__file") { $("file").value = ""; $("file").click(); return; }
    stopDrawing();
    act("data", { data: v });
  };
  $("file").onchange = (e) => { if (e.target.files[0]) uploadFile(e.target.files[0]); };
  $("draw-train").onclick = async () => {
    const state = await act("draw", { points: run.drawing.points });
    if (state) { stopDrawing(); say(`training on your ${state.meta.real.length ? "drawing" : "points"}`); }
  };
  $("draw-clear").onclick = () => { run.drawing.points = []; };
  $("draw-cancel").onclick = () => { stopDrawing(); $("data").value = run.state.data in dataNames ? run.state.data : "__file"; };
  const field = $("field");
  field.onmousedown = (e) => { if (run.drawing) { run.drawing.down = true; drawAt(e); } };
  field.onmousemove = (e) => { if (run.drawing && run.drawing.down) drawAt(e); };
  window.addEventListener("mouseup", () => { if (run.drawing) run.drawing.down = false; });
  document.addEventListener("keydown", (e) => {
    if (e.code === "Space" && !["INPUT", "SELECT", "TEXTAREA", "BUTTON"].includes(e.target.tagName)) {
      e.preventDefault(); $("play").click();
    }
  });
}

async function main() {
  try {
    info = await api("GET", "/api/info");
  } catch (e) {
    say(`${e.message}`, true);
    return;
  }
  for (const name of info.datasets) dataNames[name] = true;
  $("data").innerHTML = info.datasets.map((d) => `<option value="${d}">${d}</option>`).join("") +
    `<option value="__draw">draw your own\u2026</option><option value="__file">a file of your own\u2026</option>`;
  $("speed").innerHTML = info.speeds.map((s) => `<option value="${s}">${s === "full" ? "full speed" : `${s} / s`}</option>`).join("");
  buildSettings();
  wire();
  try {
    const state = await api("POST", "/api/session", { data: "ring8" });
    run.id = state.id;
    newRun(state);
    showState(state);
  } catch (e) {
    say(e.message, true);
  }
  requestAnimationFrame(redraw);
  pollFrames();
  pollHistory();
}

main();
