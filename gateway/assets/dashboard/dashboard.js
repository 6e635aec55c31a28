// The Albatross live dashboard: listens to /api/events (server-sent events) and redraws
// the links' health, the line controllers' status and one panel per instrument (latest
// values, last 24 h plotted, QC 3 and 4 points marked). No library, no reload.
"use strict";

const DAY_MS = 86400000;
const COLORS = { line: "#1f77b4", 3: "#ff8c00", 4: "#d62728" };
const panels = new Map(); // id -> panel JSON
const previous = new Map(); // link name -> {frames, at}
let updates = 0;
let offsetMs = 0; // server clock - browser clock

const $ = (sel, root = document) => root.querySelector(sel);
function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
const iso = (ms) => new Date(ms).toISOString().replace(".000Z", "Z").replace("T", " ");
function ago(ms) {
  if (ms === null || ms === undefined) return "never";
  const s = Math.max(0, (Date.now() + offsetMs - ms) / 1000);
  if (s < 120) return `${s.toFixed(0)} s ago`;
  if (s < 7200) return `${(s / 60).toFixed(0)} min ago`;
  return `${(s / 3600).toFixed(1)} h ago`;
}
function fmt(v) {
  if (v === null || v === undefined) return "–";
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e5 || a < 1e-3) ? v.toExponential(3) : String(+v.toFixed(4));
}

function renderLinks(links) {
  const body = $("#links tbody");
  $("#nolinks").hidden = links.length > 0;
  $("#links").hidden = links.length === 0;
  body.replaceChildren();
  const now = Date.now();
  for (const l of links) {
    const t = l.totals || {};
    const e = l.errors || {};
    const prev = previous.get(l.name);
    let rate = "–";
    if (prev && t.frames !== undefined && now > prev.at) {
      rate = ((t.frames - prev.frames) * 1000 / (now - prev.at)).toFixed(2);
    }
    if (!prev || now - prev.at >= 5000) previous.set(l.name, { frames: t.frames || 0, at: now });
    const tr = el("tr", { "data-link": l.name });
    const cells = [l.name, ago(l.last_received_ms), l.bytes, rate, t.frames, e.bad_frame,
      e.duplicate, t.repair_requests, e.frame_lost, e.garbage_bytes, t.records];
    for (const c of cells) tr.append(el("td", {}, c === undefined ? "–" : String(c)));
    body.append(tr);
  }
}

function renderMqtt(m) {
  $("#mqtt").textContent = m
    ? `MQTT: ${m.connected ? "connected" : "DISCONNECTED"}, ${m.published} published, ` +
      `${m.spool_depth} waiting in the spool (oldest ${m.oldest_wait_s.toFixed(1)} s)`
    : "";
}

function latestTable(p) {
  const list = el("dl", { class: "latest" });
  for (const [name, label, units, value, flag] of p.latest) {
    const row = el("div", { "data-var": name });
    row.append(el("dt", {}, label));
    const unit = units === "1" ? "" : ` ${units}`;
    row.append(el("dd", { class: `qc${flag}`, "data-flag": String(flag) }, `${fmt(value)}${unit}`));
    list.append(row);
  }
  return list;
}

function ageLine(p) {
  const line = el("p", { class: "age" });
  line.dataset.received = p.received_ms ?? "";
  const last = p.last_ms === null || p.last_ms === undefined ? "no sample yet" : `last sample ${iso(p.last_ms)}`;
  line.dataset.text = `${last} · ${p.records} records since start · received `;
  line.textContent = line.dataset.text + ago(p.received_ms);
  return line;
}

function plot(canvas, times, s, lastMs) {
  const ratio = window.devicePixelRatio || 1;
  const W = 450, H = 120, L = 62, R = 18, T = 16, B = 18;
  canvas.width = W * ratio;
  canvas.height = H * ratio;
  const g = canvas.getContext("2d");
  g.scale(ratio, ratio);
  g.fillStyle = "#fff";
  g.fillRect(0, 0, W, H);
  g.font = "11px DejaVu Sans, sans-serif";
  g.fillStyle = "#333";
  g.fillText(s.label, L, 11);
  const pts = [];
  for (let i = 0; i < times.length; i++) if (s.v[i] !== null) pts.push([times[i], s.v[i], s.f[i]]);
  g.strokeStyle = "#999";
  g.strokeRect(L, T, W - L - R, H - T - B);
  const x0 = lastMs - DAY_MS;
  const x = (t) => L + ((t - x0) / DAY_MS) * (W - L - R);
  g.textAlign = "center";
  for (let h = 0; h <= 24; h += 6) {
    const t = x0 + h * 3600000;
    g.fillText(new Date(t).toISOString().slice(11, 16), x(t), H - 4);
  }
  if (pts.length === 0) {
    g.fillText("no values", (L + W) / 2, H / 2);
    return;
  }
  let lo = Math.min(...pts.map((p) => p[1]));
  let hi = Math.max(...pts.map((p) => p[1]));
  const pad = hi > lo ? (hi - lo) * 0.08 : Math.max(Math.abs(lo), 1) * 0.01;
  lo -= pad;
  hi += pad;
  if (s.name === "Direction") [lo, hi] = [0, 360]; // degrees from north, the whole circle
  const y = (v) => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
  g.textAlign = "right";
  for (const v of [lo, (lo + hi) / 2, hi]) g.fillText(fmt(v), L - 4, y(v) + 4);
  g.strokeStyle = COLORS.line;
  g.lineWidth = 1.2;
  g.beginPath();
  pts.forEach((p, i) => (i ? g.lineTo(x(p[0]), y(p[1])) : g.moveTo(x(p[0]), y(p[1]))));
  g.stroke();
  g.fillStyle = COLORS.line;
  for (const p of pts) g.fillRect(x(p[0]) - 1.5, y(p[1]) - 1.5, 3, 3);
  for (const p of pts) {
    if (p[2] !== 3 && p[2] !== 4) continue;
    g.fillStyle = COLORS[p[2]];
    g.beginPath();
    g.arc(x(p[0]), y(p[1]), 4, 0, 2 * Math.PI);
    g.fill();
  }
}

function renderPanel(p) {
  const status = p.sensor === "LINESTATUS";
  const root = status ? $("#status") : $("#panels");
  let card = root.querySelector(`[data-id="${CSS.escape(p.id)}"]`);
  if (!card) {
    card = el("article", { class: status ? "status-card" : "panel", "data-id": p.id });
    root.append(card);
  }
  card.dataset.records = String(p.records);
  card.dataset.last = p.last_ms ?? "";
  const flagged = p.series.reduce((n, s) => n + s.f.filter((f) => f === 3 || f === 4).length, 0);
  card.dataset.flagged = String(flagged);
  const parts = [el("h3", {}, status ? `Line controller of ${p.platform}` : p.title), ageLine(p), latestTable(p)];
  for (const s of p.series) {
    const c = el("canvas", { "data-var": s.name, "data-points": String(s.v.filter((v) => v !== null).length) });
    plot(c, p.t, s, p.last_ms ?? Date.now());
    parts.push(c);
  }
  card.replaceChildren(...parts);
}

function onUpdate(u) {
  updates += 1;
  offsetMs = u.now_ms - Date.now();
  $("#updates").textContent = String(updates);
  $("#now").textContent = iso(u.now_ms);
  $("#station").textContent = u.station;
  $("#source").textContent = u.source === "writer" ? "shore writer (records from the broker)" : "gateway";
  renderLinks(u.links);
  renderMqtt(u.mqtt);
  for (const p of u.panels) {
    panels.set(p.id, p);
    renderPanel(p);
  }
  for (const line of document.querySelectorAll(".age")) {
    const r = line.dataset.received;
    line.textContent = line.dataset.text + ago(r === "" ? null : Number(r));
    const stale = r === "" || Date.now() + offsetMs - Number(r) > 3 * 3600000;
    line.classList.toggle("stale", stale);
  }
}

function connect() {
  const source = new EventSource("/api/events");
  source.addEventListener("open", () => {
    $("#conn").dataset.state = "live";
    $("#conn").textContent = "live";
  });
  source.addEventListener("error", () => {
    $("#conn").dataset.state = "lost";
    $("#conn").textContent = "connection lost, retrying…";
  });
  source.addEventListener("update", (ev) => onUpdate(JSON.parse(ev.data)));
}

connect();
