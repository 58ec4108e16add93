// skyshield web app: the theatre map, the playback of one replication, the comparison.
// Everything is fetched from this server; MapLibre is used without tiles or glyphs (labels are
// HTML markers), the moving threats are drawn on a canvas over the map.
"use strict";

const state = {
  scenario: null, features: null, threatType: null,
  pb: null, pbOption: null, t: 0, playing: false, speed: 600, lastTs: null,
  markers: {}, visible: {}, result: null,
  perf: { frameMs: [], rafMs: [] },
};
window.__skyshield = state;  // for tests and the curious

const token = new URLSearchParams(location.search).get("token");

async function getJSON(url, init) {
  const headers = Object.assign({}, (init || {}).headers || {});
  if (token) headers["X-Skyshield-Token"] = token;
  const r = await fetch(url, Object.assign({}, init || {}, { headers }));
  if (!r.ok) {
    let msg = r.statusText;
    try { msg = (await r.json()).detail || msg; } catch (e) { /* not JSON */ }
    throw new Error(`${r.status}: ${typeof msg === "string" ? msg : JSON.stringify(msg)}`);
  }
  return r.json();
}

const $ = id => document.getElementById(id);

// ---------------------------------------------------------------------------------------------
// Colours and layers

const ZONE_COLOURS = {
  defended: "#2f6db5", allied: "#3e8e5a", host: "#6f9e3e", adversary: "#a83a3a", occupied: "#7a4a8c",
  neutral: "#8c8c5a", disputed: "#8c6a4a", sea: "#0e3550", other: "#3a4650",
};
const OUTCOME_COLOURS = { kill: "#5ccf7a", suppress: "#b07be6", leak: "#f2a93b", hit: "#ff3b3b", "in-flight": "#cfd8df" };
const STATE_COLOURS = { undetected: "#9aa7b3", detected: "#ffe066", engaged: "#ff9f43" };

const LAYERS = [
  { id: "zones", label: "Zones", swatch: "#2f6db5", on: true },
  { id: "assets", label: "Cities and assets", swatch: "#ffffff", on: true },
  { id: "launch", label: "Launch areas", swatch: "#ff6b6b", on: true },
  { id: "sensors", label: "Sensor coverage", swatch: "#ffe066", on: true },
  { id: "shooters", label: "Shooter envelopes", swatch: "#4ecdc4", on: false },
  { id: "bases", label: "Air bases", swatch: "#7fc8ff", on: true },
  { id: "cap", label: "CAP stations", swatch: "#9dffb0", on: true },
  { id: "units", label: "Unit names", swatch: "#d8d8ff", on: false },
  { id: "playback", label: "Playback", swatch: "#ff9f43", on: true },
];
const MAP_LAYERS = {
  zones: ["zones-fill", "zones-line"], assets: ["assets-area", "assets-dot"], launch: ["launch-fill", "launch-line"],
  sensors: ["sensors-fill", "sensors-line"], shooters: ["shooters-line"], bases: ["bases-dot"], cap: ["cap-dot"],
  units: ["units-dot"],
};

function circle(lon, lat, radius_m, n) {
  // Geodesic circle on the sphere (destination-point formula), closed ring.
  const R = 6371008.8, d = radius_m / R, la = lat * Math.PI / 180, lo = lon * Math.PI / 180, ring = [];
  n = n || 48;
  for (let i = 0; i <= n; i++) {
    const b = 2 * Math.PI * i / n;
    const la2 = Math.asin(Math.sin(la) * Math.cos(d) + Math.cos(la) * Math.sin(d) * Math.cos(b));
    const lo2 = lo + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(la), Math.cos(d) - Math.sin(la) * Math.sin(la2));
    ring.push([lo2 * 180 / Math.PI, la2 * 180 / Math.PI]);
  }
  return ring;
}

const fc = features => ({ type: "FeatureCollection", features });
const pt = (lonlat, props) => ({ type: "Feature", properties: props || {}, geometry: { type: "Point", coordinates: lonlat } });
const poly = (ring, props) => ({ type: "Feature", properties: props || {}, geometry: { type: "Polygon", coordinates: [ring] } });

// ---------------------------------------------------------------------------------------------
// The map

const map = new maplibregl.Map({
  container: "map",
  style: { version: 8, sources: {}, layers: [{ id: "bg", type: "background", paint: { "background-color": "#0b1d2e" } }] },
  center: [30, 49], zoom: 4.2, attributionControl: false, fadeDuration: 0,
});
map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
map.addControl(new maplibregl.AttributionControl({ compact: true,
  customAttribution: "Borders: Natural Earth (public domain) | MapLibre GL JS (BSD-3-Clause)" }));

function addSources() {
  const empty = fc([]);
  for (const s of ["zones", "assets", "assets-area", "launch", "sensors", "shooters", "bases", "cap", "units"]) {
    map.addSource(s, { type: "geojson", data: empty });
  }
  const zoneColour = ["match", ["get", "zone"]];
  for (const [z, c] of Object.entries(ZONE_COLOURS)) zoneColour.push(z, c);
  zoneColour.push("#333");
  map.addLayer({ id: "zones-fill", type: "fill", source: "zones", paint: { "fill-color": zoneColour, "fill-opacity": 0.55 } });
  map.addLayer({ id: "zones-line", type: "line", source: "zones", paint: { "line-color": "#d0dde8", "line-width": 0.6, "line-opacity": 0.6 } });
  map.addLayer({ id: "sensors-fill", type: "fill", source: "sensors", paint: { "fill-color": ["case", ["==", ["get", "side"], "allied"], "#ffe066", "#66d9ff"], "fill-opacity": 0.05 } });
  map.addLayer({ id: "sensors-line", type: "line", source: "sensors", paint: { "line-color": ["case", ["==", ["get", "side"], "allied"], "#ffe066", "#66d9ff"], "line-width": 0.7, "line-opacity": 0.6 } });
  map.addLayer({ id: "shooters-line", type: "line", source: "shooters", paint: { "line-color": ["case", ["==", ["get", "side"], "allied"], "#4ecdc4", "#c0a0ff"], "line-width": 0.8, "line-dasharray": [3, 2] } });
  map.addLayer({ id: "launch-fill", type: "fill", source: "launch", paint: { "fill-color": "#ff6b6b", "fill-opacity": 0.35 } });
  map.addLayer({ id: "launch-line", type: "line", source: "launch", paint: { "line-color": "#ff6b6b", "line-width": 1.2 } });
  map.addLayer({ id: "assets-area", type: "fill", source: "assets-area", paint: {
    "fill-color": ["interpolate", ["linear"], ["coalesce", ["get", "hits"], -1], -1, "#ffffff", 0, "#5ccf7a", 0.5, "#f2a93b", 2, "#ff3b3b"],
    "fill-opacity": 0.45 } });
  map.addLayer({ id: "assets-dot", type: "circle", source: "assets", paint: { "circle-radius": 3.5, "circle-color": "#ffffff", "circle-stroke-color": "#000", "circle-stroke-width": 1 } });
  map.addLayer({ id: "units-dot", type: "circle", source: "units", paint: { "circle-radius": 2, "circle-color": "#d8d8ff" } });
  map.addLayer({ id: "bases-dot", type: "circle", source: "bases", paint: { "circle-radius": 5, "circle-color": "#7fc8ff", "circle-stroke-color": "#000", "circle-stroke-width": 1 } });
  map.addLayer({ id: "cap-dot", type: "circle", source: "cap", paint: { "circle-radius": 5, "circle-color": "#0b1d2e", "circle-stroke-color": "#9dffb0", "circle-stroke-width": 2 } });
}

function label(group, lonlat, text, cls) {
  const div = document.createElement("div");
  div.className = "lbl " + cls;
  div.textContent = text;
  const m = new maplibregl.Marker({ element: div, anchor: "left", offset: [7, 0] }).setLngLat(lonlat);
  (state.markers[group] = state.markers[group] || []).push(m);
  if (state.visible[group]) m.addTo(map);
  return m;
}

function clearLabels(group) {
  for (const m of state.markers[group] || []) m.remove();
  state.markers[group] = [];
}

function setVisible(id, on) {
  state.visible[id] = on;
  for (const l of MAP_LAYERS[id] || []) if (map.getLayer(l)) map.setLayoutProperty(l, "visibility", on ? "visible" : "none");
  for (const m of state.markers[id] || []) { if (on) m.addTo(map); else m.remove(); }
  if (id === "playback") { canvas.style.display = on ? "" : "none"; drawOverlay(); }
}

function buildLayerSwitches() {
  const box = $("layers");
  for (const L of LAYERS) {
    const lab = document.createElement("label");
    const cb = document.createElement("input");
    cb.type = "checkbox"; cb.checked = L.on; cb.id = "layer-" + L.id;
    cb.addEventListener("change", () => setVisible(L.id, cb.checked));
    const sw = document.createElement("span");
    sw.className = "swatch"; sw.style.background = L.swatch;
    lab.append(cb, sw, document.createTextNode(L.label));
    box.appendChild(lab);
    state.visible[L.id] = L.on;
  }
}

function buildLegend() {
  const lg = $("legend");
  lg.replaceChildren();
  const h = t => { const e = document.createElement("h3"); e.textContent = t; lg.appendChild(e); };
  const row = (c, t, round) => {
    const d = document.createElement("div"), s = document.createElement("span");
    s.className = "swatch"; s.style.background = c; if (round) s.style.borderRadius = "50%";
    d.append(s, document.createTextNode(t)); lg.appendChild(d);
  };
  h("Zones");
  for (const [z, c] of Object.entries(ZONE_COLOURS)) if (state.zonesPresent && state.zonesPresent.has(z)) row(c, z);
  h("Map");
  row("#ffffff", "city / asset (aim area)", true); row("#ff6b6b", "launch area");
  row("#66d9ff", "defended-side sensor coverage"); row("#ffe066", "allied sensor coverage");
  row("#4ecdc4", "allied shooter envelope"); row("#c0a0ff", "defended shooter envelope");
  row("#7fc8ff", "air base", true); row("#9dffb0", "CAP station", true);
  h("Playback");
  for (const [k, c] of Object.entries(STATE_COLOURS)) row(c, "threat " + k, true);
  row(OUTCOME_COLOURS.kill, "intercept point (x), debris (.)", true);
  row(OUTCOME_COLOURS.suppress, "lost to EW", true);
  row(OUTCOME_COLOURS.leak, "leaker reached aim area", true);
  row(OUTCOME_COLOURS.hit, "damaging hit", true);
  row("#ff9f43", "engagement (shooter to threat)");
  if (state.assetResults) { h("Per-asset hits (" + state.assetResults + ")"); row("#5ccf7a", "0"); row("#f2a93b", "0.5"); row("#ff3b3b", "\u2265 2 a night"); }
}

async function loadTheatre(sid) {
  const g = await getJSON(`/api/theatre?scenario=${encodeURIComponent(sid)}`);
  map.getSource("zones").setData(g);
  state.zonesPresent = new Set(g.features.map(f => f.properties.zone));
  if (g.bbox) map.fitBounds([[g.bbox[0], g.bbox[1]], [g.bbox[2], g.bbox[3]]], { padding: 10, duration: 0 });
}

async function loadFeatures(sid, option) {
  const f = await getJSON(`/api/map?scenario=${encodeURIComponent(sid)}&option=${encodeURIComponent(option)}`);
  state.features = f;
  const tsel = $("threat-type");
  const keep = tsel.value;
  tsel.replaceChildren(...f.threat_types.map(t => new Option(t, t)));
  if (f.threat_types.includes(keep)) tsel.value = keep;
  state.threatType = tsel.value;
  for (const g of ["assets", "launch", "bases", "cap", "units"]) clearLabels(g);
  map.getSource("assets").setData(fc(f.assets.map(a => pt(a.lonlat, { id: a.id }))));
  drawAssetAreas();
  map.getSource("launch").setData(fc(f.launch_areas.map(a => poly(circle(a.lonlat[0], a.lonlat[1], Math.max(a.radius_m, 3000)), { id: a.id }))));
  map.getSource("bases").setData(fc(f.air_bases.map(b => pt(b.lonlat, { id: b.id }))));
  map.getSource("cap").setData(fc(f.cap_stations.map(c => pt(c.lonlat, { id: c.id }))));
  // units: one label per site (a force of several identical units shares its site)
  const sites = new Map();
  for (const u of [...f.shooters, ...f.sensors]) {
    const k = u.lonlat[0].toFixed(3) + "," + u.lonlat[1].toFixed(3);
    if (!sites.has(k)) sites.set(k, { lonlat: u.lonlat, ids: [] });
    const base = u.id.replace(/[#/.]\d+$/, "");
    if (!sites.get(k).ids.includes(base)) sites.get(k).ids.push(base);
  }
  map.getSource("units").setData(fc([...sites.values()].map(s => pt(s.lonlat, {}))));
  for (const a of f.assets) label("assets", a.lonlat, a.id, "asset");
  for (const a of f.launch_areas) label("launch", a.lonlat, a.id, "launch");
  for (const b of f.air_bases) label("bases", b.lonlat, b.id, "base");
  for (const c of f.cap_stations) label("cap", c.lonlat, "CAP " + c.id, "cap");
  for (const s of sites.values()) label("units", s.lonlat, s.ids.slice(0, 2).join(", ") + (s.ids.length > 2 ? ` +${s.ids.length - 2}` : ""), "unit");
  drawCoverage();
  drawEnvelopes();
  buildLegend();
}

function drawAssetAreas() {
  const f = state.features; if (!f) return;
  const res = state.assetResults && state.result ? state.result.options[state.assetResults] : null;
  map.getSource("assets-area").setData(fc(f.assets.map(a => {
    const r = res && res.assets && res.assets[a.id];
    const hits = r && r.hits ? r.hits.mean : null;
    return poly(circle(a.lonlat[0], a.lonlat[1], a.radius_m, 32), { id: a.id, hits: hits === null ? -1 : hits });
  })));
}

function drawCoverage() {
  const f = state.features, tt = $("threat-type").value;
  state.threatType = tt;
  // one circle per distinct (site, range): co-located units of one force draw one ring
  const seen = new Set(), feats = [];
  for (const s of f.sensors) {
    const r = s.range_m[tt];
    if (!(r > 0)) continue;
    const k = `${s.lonlat[0].toFixed(2)},${s.lonlat[1].toFixed(2)},${Math.round(r / 1000)}`;
    if (seen.has(k)) continue;
    seen.add(k);
    feats.push(poly(circle(s.lonlat[0], s.lonlat[1], r), { id: s.id, side: s.side }));
  }
  map.getSource("sensors").setData(fc(feats));
}

function drawEnvelopes() {
  const f = state.features, cls = f.threat_type_classes[$("threat-type").value];
  const seen = new Set(), feats = [];
  for (const s of f.shooters) {
    const vals = Object.entries(s.envelope_m);
    if (!vals.length) continue;
    const r = cls && s.envelope_m[cls] ? s.envelope_m[cls] : Math.max(...vals.map(v => v[1]));
    const k = `${s.lonlat[0].toFixed(2)},${s.lonlat[1].toFixed(2)},${Math.round(r / 1000)}`;
    if (seen.has(k)) continue;
    seen.add(k);
    feats.push(poly(circle(s.lonlat[0], s.lonlat[1], r, 40), { id: s.id, side: s.side }));
  }
  map.getSource("shooters").setData(fc(feats));
}

// ---------------------------------------------------------------------------------------------
// Playback: threats along their tracks on a canvas over the map

const canvas = $("overlay");
const ctx2d = canvas.getContext("2d");

function resizeCanvas() {
  const r = canvas.parentElement.getBoundingClientRect(), dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(r.width * dpr); canvas.height = Math.round(r.height * dpr);
  canvas.style.width = r.width + "px"; canvas.style.height = r.height + "px";
  ctx2d.setTransform(dpr, 0, 0, dpr, 0, 0);
}

function preparePlayback(pb) {
  const th = pb.threats, n = th.n;
  pb.off = Int32Array.from(th.offsets);
  pb.kt = Float64Array.from(th.t_s); pb.klon = Float64Array.from(th.lon); pb.klat = Float64Array.from(th.lat);
  pb.launch = Float64Array.from(th.launch_s);
  for (const [o, v] of Object.entries(pb.options)) {
    const e = v.events, m = e.t_s.length;
    v.end = Float64Array.from(v.end_s);
    v.detect = new Float64Array(n).fill(Infinity); v.engage = new Float64Array(n).fill(Infinity);
    v.marks = { kill: [], debris: [], suppress: [], leak: [], hit: [] };
    v.shots = [];
    for (let i = 0; i < m; i++) {
      const k = e.kind[i], j = e.threat[i], t = e.t_s[i];
      if (k === "detect" && j >= 0) v.detect[j] = Math.min(v.detect[j], t);
      else if (k === "engage" && j >= 0) { v.engage[j] = Math.min(v.engage[j], t); v.shots.push([t, j, e.shooter[i]]); }
      else if (k === "kill" && e.lon[i] !== null) {
        v.marks.kill.push([t, e.lon[i], e.lat[i]]);
        if (e.debris_lon[i] !== null) v.marks.debris.push([t, e.debris_lon[i], e.debris_lat[i]]);
      } else if ((k === "leak" || k === "hit") && e.lon[i] !== null) v.marks[k].push([t, e.lon[i], e.lat[i]]);
    }
    v.shots.sort((a, b) => a[0] - b[0]);
    for (const key of Object.keys(v.marks)) v.marks[key].sort((a, b) => a[0] - b[0]);
  }
  // suppression has no point of its own: it is where the threat was when it was lost
  for (const v of Object.values(pb.options)) {
    for (let j = 0; j < n; j++) if (v.outcome[j] === "suppress") {
      const p = positionAt(pb, j, v.end[j]); if (p) v.marks.suppress.push([v.end[j], p[0], p[1]]);
    }
    v.marks.suppress.sort((a, b) => a[0] - b[0]);
  }
  return pb;
}

function positionAt(pb, j, t) {
  const a = pb.off[j], b = pb.off[j + 1];
  if (b <= a) return null;
  const kt = pb.kt;
  if (t <= kt[a]) return [pb.klon[a], pb.klat[a]];
  if (t >= kt[b - 1]) return [pb.klon[b - 1], pb.klat[b - 1]];
  let lo = a, hi = b - 1;  // kt[lo] <= t < kt[hi]
  while (hi - lo > 1) { const mid = (lo + hi) >> 1; if (kt[mid] <= t) lo = mid; else hi = mid; }
  const f = (t - kt[lo]) / (kt[hi] - kt[lo] || 1);
  return [pb.klon[lo] + f * (pb.klon[hi] - pb.klon[lo]), pb.klat[lo] + f * (pb.klat[hi] - pb.klat[lo])];
}

function upper(list, t) {  // first index with time > t
  let lo = 0, hi = list.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (list[mid][0] <= t) lo = mid + 1; else hi = mid; }
  return lo;
}

function drawOverlay() {
  const t0 = performance.now();
  const w = canvas.width, h = canvas.height;
  ctx2d.save(); ctx2d.setTransform(1, 0, 0, 1, 0, 0); ctx2d.clearRect(0, 0, w, h); ctx2d.restore();
  const pb = state.pb;
  if (!pb || !state.visible.playback) return 0;
  const v = pb.options[state.pbOption], t = state.t, n = pb.threats.n;
  const paths = { undetected: new Path2D(), detected: new Path2D(), engaged: new Path2D() };
  let flying = 0;
  for (let j = 0; j < n; j++) {
    if (pb.launch[j] > t || v.end[j] <= t) continue;
    const p = positionAt(pb, j, t);
    if (!p) continue;
    const q = map.project(p);
    const s = v.engage[j] <= t ? "engaged" : v.detect[j] <= t ? "detected" : "undetected";
    paths[s].rect(q.x - 2, q.y - 2, 4, 4);
    flying++;
  }
  for (const [s, path] of Object.entries(paths)) { ctx2d.fillStyle = STATE_COLOURS[s]; ctx2d.fill(path); }
  // engagements of the last 2 minutes: a line from the shooter to the threat
  const shots = v.shots, k1 = upper(shots, t);
  ctx2d.strokeStyle = "#ff9f43aa"; ctx2d.lineWidth = 1;
  ctx2d.beginPath();
  for (let i = k1 - 1; i >= 0 && shots[i][0] > t - 120; i--) {
    const [, j, sid] = shots[i], from = pb.shooters[sid];
    if (!from || v.end[j] < t) continue;
    const p = positionAt(pb, j, t);
    if (!p) continue;
    const a = map.project(from), b = map.project(p);
    ctx2d.moveTo(a.x, a.y); ctx2d.lineTo(b.x, b.y);
  }
  ctx2d.stroke();
  const dots = (list, colour, r) => {
    const path = new Path2D(), k = upper(list, t);
    for (let i = 0; i < k; i++) { const q = map.project([list[i][1], list[i][2]]); path.rect(q.x - r, q.y - r, 2 * r, 2 * r); }
    ctx2d.fillStyle = colour; ctx2d.fill(path);
  };
  const crosses = (list, colour) => {
    const k = upper(list, t);
    ctx2d.strokeStyle = colour; ctx2d.lineWidth = 1.4; ctx2d.beginPath();
    for (let i = 0; i < k; i++) {
      const q = map.project([list[i][1], list[i][2]]);
      ctx2d.moveTo(q.x - 3, q.y - 3); ctx2d.lineTo(q.x + 3, q.y + 3); ctx2d.moveTo(q.x + 3, q.y - 3); ctx2d.lineTo(q.x - 3, q.y + 3);
    }
    ctx2d.stroke();
  };
  dots(v.marks.debris, "#a0785a", 1);
  crosses(v.marks.kill, OUTCOME_COLOURS.kill);
  dots(v.marks.suppress, OUTCOME_COLOURS.suppress, 2);
  dots(v.marks.leak, OUTCOME_COLOURS.leak, 3);
  dots(v.marks.hit, OUTCOME_COLOURS.hit, 4);
  const dt = performance.now() - t0;
  state.flying = flying;
  return dt;
}

function clock(t) {
  const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60);
  return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
}

function showCounts() {
  const v = state.pb.options[state.pbOption], t = state.t, n = state.pb.threats.n;
  const c = { launched: 0, flying: 0, kill: 0, suppress: 0, leak: 0, hit: 0 };
  for (let j = 0; j < n; j++) {
    if (state.pb.launch[j] > t) continue;
    c.launched++;
    if (v.end[j] > t) c.flying++;
    else if (v.outcome[j] in c) c[v.outcome[j]]++;
  }
  $("pb-counts").textContent = `t = ${clock(t)}: launched ${c.launched}, flying ${c.flying}, destroyed ${c.kill}, ` +
    `lost to EW ${c.suppress}, leaked ${c.leak + c.hit} (damaging hits ${c.hit})`;
  $("pb-clock").textContent = clock(t);
}

function setTime(t) {
  state.t = Math.max(0, Math.min(t, state.pb ? state.pb.duration_s : 0));
  $("pb-time").value = state.t;
  const dt = drawOverlay();
  if (state.pb) showCounts();
  return dt;
}

function frame(ts) {
  if (!state.playing) { state.lastTs = null; return; }
  if (state.lastTs !== null) {
    const gap = ts - state.lastTs;
    state.perf.rafMs.push(gap);
    state.t += gap / 1000 * state.speed;
    if (state.t >= state.pb.duration_s) { state.t = state.pb.duration_s; togglePlay(false); }
  }
  state.lastTs = ts;
  const t0 = performance.now();
  setTime(state.t);
  state.perf.frameMs.push(performance.now() - t0);
  if (state.perf.frameMs.length > 5000) { state.perf.frameMs.splice(0, 2500); state.perf.rafMs.splice(0, 2500); }
  if (state.playing) requestAnimationFrame(frame);
}

function togglePlay(on) {
  state.playing = on === undefined ? !state.playing : on;
  $("pb-play").textContent = state.playing ? "Pause" : "Play";
  if (state.playing) { if (state.t >= state.pb.duration_s) state.t = 0; requestAnimationFrame(frame); }
}

function setPlaybackOption(o) {
  state.pbOption = o;
  for (const r of document.querySelectorAll("#pb-switch input")) r.checked = r.value === o;
  setTime(state.t);
}

async function loadPlayback() {
  const opts = $("pb-options").value, rep = $("pb-rep").value || 0, seed = $("pb-seed").value || 0;
  $("pb-status").textContent = "computing the replication...";
  togglePlay(false);
  try {
    const t0 = performance.now();
    const pb = await getJSON(`/api/playback?scenario=${encodeURIComponent(state.scenario)}&options=${encodeURIComponent(opts)}` +
                             `&replication=${rep}&seed=${seed}`);
    state.pb = preparePlayback(pb);
    const names = Object.keys(pb.options);
    const sw = $("pb-switch");
    sw.replaceChildren();
    for (const o of names) {
      const lab = document.createElement("label"), r = document.createElement("input");
      r.type = "radio"; r.name = "pb-option"; r.value = o; r.id = "pb-option-" + o;
      r.addEventListener("change", () => setPlaybackOption(o));
      lab.append(r, document.createTextNode(" " + o)); sw.appendChild(lab);
    }
    const slider = $("pb-time");
    slider.max = pb.duration_s; slider.disabled = false; $("pb-play").disabled = false;
    setPlaybackOption(names.includes(state.pbOption) ? state.pbOption : names[0]);
    $("pb-status").textContent = `replication ${pb.replication}, seed ${pb.seed}: ${pb.threats.n} threats, the same raid ` +
      `under ${names.join(" and ")} (${Math.round(performance.now() - t0)} ms)`;
    state.pbReady = true;
  } catch (e) {
    $("pb-status").textContent = "error: " + e.message;
  }
}

// ---------------------------------------------------------------------------------------------
// Compare

const MENU = ["launched", "destroyed", "suppressed_ew", "leaked", "assets_hit", "population_exposed", "interceptors_fired",
              "interceptor_cost_usd", "cost_exchange_ratio", "max_rung", "p_direct_engagement", "debris_on_allied_territory"];

function cell(v, sign) {
  if (!v || v.mean === null || v.mean === undefined) return "-";
  const f = Charts.fmt, s = sign && v.mean > 0 ? "+" : "";
  return `${s}${f(v.mean)} [${f(v.ci95[0])}, ${f(v.ci95[1])}]`;
}

function table(head, rows) {
  const t = document.createElement("table"), tr = document.createElement("tr");
  for (const h of head) { const th = document.createElement("th"); th.textContent = h; tr.appendChild(th); }
  t.appendChild(tr);
  for (const r of rows) {
    const row = document.createElement("tr");
    for (const c of r) { const td = document.createElement("td"); if (c instanceof Node) td.appendChild(c); else td.textContent = c; row.appendChild(td); }
    t.appendChild(row);
  }
  return t;
}

function heading(parent, text) { const h = document.createElement("h3"); h.textContent = text; parent.appendChild(h); }

function renderResult(doc, title) {
  const body = $("results-body");
  body.replaceChildren();
  const opts = Object.keys(doc.options), base = opts[0];
  heading(body, title);
  const metrics = MENU.filter(k => opts.some(o => doc.options[o].metrics && doc.options[o].metrics[k]));
  const units = doc.metric_units || {};
  heading(body, "Option menu (mean [95 % CI] per night)");
  body.appendChild(table(["metric", "unit", ...opts], metrics.map(k => [k, units[k] || "", ...opts.map(o => cell(doc.options[o].metrics[k]))])));
  const grid = document.createElement("div"); grid.className = "grid2"; body.appendChild(grid);
  const left = document.createElement("div"), right = document.createElement("div"); grid.append(left, right);
  if (doc.pareto) { heading(left, "Pareto: cost, leakers, escalation"); left.appendChild(Charts.pareto(doc.pareto)); }
  const withEsc = opts.filter(o => doc.options[o].escalation);
  if (withEsc.length) {
    heading(right, "Escalation distribution");
    const ge = {}; for (const o of withEsc) ge[o] = doc.options[o].escalation.p_rung_ge;
    right.appendChild(Charts.rungs(ge));
  }
  if (opts.length > 1 && doc.options[opts[1]]["difference_vs_" + base]) {
    heading(body, `Paired differences against ${base} (same raids; mean [95 % CI])`);
    const others = opts.slice(1);
    body.appendChild(table(["metric", ...others.map(o => o + " - " + base)],
      metrics.map(k => [k, ...others.map(o => cell((doc.options[o]["difference_vs_" + base] || {})[k], true))])));
  }
  if (doc.options[base].leakers_by_cause) {
    heading(body, "Why threats leaked: leakers per night by cause");
    const causes = Object.keys(doc.options[base].leakers_by_cause);
    const maxv = Math.max(1e-9, ...opts.flatMap(o => causes.map(c => ((doc.options[o].leakers_by_cause || {})[c] || {}).mean || 0)));
    const bar = (v, c) => { const s = document.createElement("span"); const w = document.createElement("span");
      w.className = "bar"; w.style.width = Math.round(80 * (v || 0) / maxv) + "px"; w.style.background = c;
      s.append(w, document.createTextNode(" " + Charts.fmt(v || 0))); return s; };
    body.appendChild(table(["cause", ...opts], causes.map(c => [c, ...opts.map((o, i) =>
      bar(((doc.options[o].leakers_by_cause || {})[c] || {}).mean, Charts.PALETTE[i % Charts.PALETTE.length]))])));
    if (opts.length > 1) {
      heading(body, `Change of each cause against ${base} (paired)`);
      body.appendChild(table(["cause", ...opts.slice(1)], causes.map(c => [c, ...opts.slice(1).map(o =>
        cell((doc.options[o]["leakers_by_cause_difference_vs_" + base] || {})[c], true))])));
    }
  }
  if (doc.options[base].assets) {
    heading(body, "Per asset: damaging hits per night (mean [95 % CI]); coloured on the map");
    const ids = Object.keys(doc.options[base].assets);
    body.appendChild(table(["asset", ...opts], ids.map(a => [a, ...opts.map(o => cell(((doc.options[o].assets || {})[a] || {}).hits))])));
  }
  $("results").hidden = false;
  const sel = $("cmp-asset-option");
  sel.replaceChildren(new Option("(none)", ""), ...opts.filter(o => doc.options[o].assets).map(o => new Option(o, o)));
}

async function runCompare() {
  const opts = [...document.querySelectorAll("#cmp-options input:checked")].map(c => c.value);
  if (!opts.length) { $("cmp-status").textContent = "choose at least one option"; return; }
  const body = { scenario: state.scenario, options: opts, replications: +$("cmp-reps").value || 10, seed: +$("cmp-seed").value || 0 };
  $("cmp-status").textContent = "starting...";
  try {
    const job = await getJSON("/api/compare", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    $("cmp-progress").max = job.total; $("cmp-progress").value = 0;
    const q = token ? `?token=${encodeURIComponent(token)}` : "";
    await new Promise((resolve, reject) => {
      const es = new EventSource(`/api/jobs/${job.id}/events${q}`);
      es.onmessage = ev => {
        const s = JSON.parse(ev.data);
        $("cmp-progress").value = s.done;
        $("cmp-status").textContent = `${s.status}: ${s.done}/${s.total} replications`;
        if (s.status !== "running") { es.close(); s.status === "finished" ? resolve() : reject(new Error(s.error || s.status)); }
      };
      es.onerror = () => { es.close(); reject(new Error("progress stream lost")); };
    });
    const doc = await getJSON(`/api/jobs/${job.id}/result`);
    state.result = doc;
    $("cmp-status").textContent = `finished: ${opts.length} options x ${body.replications} replications, seed ${body.seed}`;
    renderResult(doc, `${doc.provenance.scenario || state.scenario}: ${opts.join(", ")}; ${body.replications} replications, seed ${body.seed}`);
    state.compareDone = true;
  } catch (e) {
    $("cmp-status").textContent = "error: " + e.message;
  }
}

async function loadStores() {
  try {
    const s = await getJSON("/api/stores");
    const box = $("stores");
    box.replaceChildren();
    if (!s.results_dir) { box.textContent = "no results folder (skyshield serve --results DIR)"; return; }
    if (!s.stores.length) { box.textContent = "no results store in the results folder"; return; }
    for (const st of s.stores) {
      const b = document.createElement("button");
      b.textContent = `${st.name} (${st.scenario})`;
      b.addEventListener("click", async () => {
        const sum = await getJSON(`/api/stores/${encodeURIComponent(st.name)}`);
        const doc = { options: {}, pareto: sum.pareto, metric_units: {} };
        for (const [o, m] of Object.entries(sum.options)) doc.options[o] = { metrics: m };
        const p = sum.provenance;
        renderResult(doc, `store ${st.name}: ${p.experiment} on ${p.scenario}, ${p.done}/${p.total} replications (over all design points)`);
      });
      box.appendChild(b);
    }
  } catch (e) { $("stores").textContent = "error: " + e.message; }
}

// ---------------------------------------------------------------------------------------------
// Start

function fillOptions(names) {
  const osel = $("map-option"), keep = osel.value;
  osel.replaceChildren(...names.map(o => new Option(o, o)));
  osel.value = names.includes(keep) ? keep : names.includes("umbrella") ? "umbrella" : names[0];
  const box = $("cmp-options");
  const ticked = new Set([...box.querySelectorAll("input:checked")].map(c => c.value));
  if (!ticked.size) ["none", "air-policing", "umbrella"].forEach(o => ticked.add(o));
  box.replaceChildren();
  for (const o of names) {
    const lab = document.createElement("label"), cb = document.createElement("input");
    cb.type = "checkbox"; cb.value = o; cb.checked = ticked.has(o);
    lab.append(cb, document.createTextNode(" " + o)); box.appendChild(lab);
  }
}

async function selectScenario(sid) {
  state.scenario = sid;
  $("scenario").title = state.titles[sid] || "";
  const o = await getJSON(`/api/options?scenario=${encodeURIComponent(sid)}`);
  fillOptions(o.options);
  await loadTheatre(sid);
  await loadFeatures(sid, $("map-option").value || "none");
}

async function start() {
  buildLayerSwitches();
  resizeCanvas();
  window.addEventListener("resize", () => { resizeCanvas(); drawOverlay(); });
  map.on("move", () => { if (!state.playing) drawOverlay(); });
  await new Promise(r => map.loaded() ? r() : map.on("load", r));
  addSources();
  for (const L of LAYERS) setVisible(L.id, L.on);
  const meta = await getJSON("/api/scenarios");
  const ssel = $("scenario");
  ssel.replaceChildren(...Object.entries(meta.scenarios).map(([id, t]) => new Option(id, id, false, id === "eastern-flank-night-raid-v1")));
  state.titles = meta.scenarios;
  const osel = $("map-option");
  ssel.addEventListener("change", () => selectScenario(ssel.value));
  osel.addEventListener("change", () => loadFeatures(state.scenario, osel.value));
  $("threat-type").addEventListener("change", () => { drawCoverage(); drawEnvelopes(); });
  $("pb-load").addEventListener("click", loadPlayback);
  $("pb-play").addEventListener("click", () => togglePlay());
  $("pb-speed").addEventListener("change", e => { state.speed = +e.target.value; });
  $("pb-time").addEventListener("input", e => setTime(+e.target.value));
  $("cmp-run").addEventListener("click", runCompare);
  $("results-close").addEventListener("click", () => { $("results").hidden = true; });
  $("cmp-asset-option").addEventListener("change", e => { state.assetResults = e.target.value || null; drawAssetAreas(); buildLegend(); });
  await selectScenario(ssel.value);
  state.mapReady = true;
  loadStores();
  if (new URLSearchParams(location.search).get("playback") !== "0") await loadPlayback();
  state.ready = true;
  document.body.dataset.ready = "1";
}

start().catch(e => { console.error(e); $("pb-status").textContent = "error: " + e.message; });
