// skyshield charts: small SVG charts drawn by hand (no chart library), for the comparison panel.
"use strict";

const Charts = (() => {
  const NS = "http://www.w3.org/2000/svg";
  const PALETTE = ["#4e9de6", "#f2a93b", "#5ccf7a", "#e05d5d", "#b07be6", "#47c9c9", "#e6e04e",
                   "#f27fb8", "#9aa7b3", "#c98a4b", "#7fd1ff", "#a3e635"];

  function el(name, attrs, parent) {
    const e = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (parent) parent.appendChild(e);
    return e;
  }

  function text(parent, x, y, s, attrs) {
    const t = el("text", Object.assign({ x, y }, attrs || {}), parent);
    t.textContent = s;
    return t;
  }

  function niceTicks(lo, hi, n) {
    if (!(hi > lo)) { hi = lo + 1; }
    const step0 = (hi - lo) / n, mag = Math.pow(10, Math.floor(Math.log10(step0)));
    const step = [1, 2, 2.5, 5, 10].map(m => m * mag).find(s => s >= step0) || step0;
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) out.push(v);
    return out;
  }

  function fmt(v) {
    if (v === null || v === undefined || !isFinite(v)) return "-";
    const a = Math.abs(v);
    if (a >= 1e9) return (v / 1e9).toFixed(a >= 1e10 ? 0 : 1) + "G";
    if (a >= 1e6) return (v / 1e6).toFixed(a >= 1e7 ? 0 : 1) + "M";
    if (a >= 1e4) return (v / 1e3).toFixed(0) + "k";
    if (a >= 100) return v.toFixed(0);
    if (a >= 1) return v.toFixed(1);
    return v.toPrecision(2);
  }

  // Pareto chart: x = cost, y = leakers, marker size = mean highest rung; error bars are the
  // 95 % CIs; options on the front are filled and joined. A legend names every option by colour
  // (no labels on the points, so nothing overprints).
  function pareto(points, opts) {
    const W = 580, H = 330, m = { l: 62, r: 210, t: 24, b: 44 };
    const svg = el("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "img",
                            "aria-label": "Pareto chart of cost against leakers" });
    const xs = [], ys = [];
    for (const p of points) {
      const x = p.interceptor_cost_usd, y = p.leaked;
      if (!x || !y) continue;
      xs.push(x.ci95[0] ?? x.mean, x.ci95[1] ?? x.mean);
      ys.push(y.ci95[0] ?? y.mean, y.ci95[1] ?? y.mean);
    }
    if (!xs.length) { text(svg, 10, 20, "no cost and leaker figures to plot"); return svg; }
    let x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
    const px = (x1 - x0) * 0.08 || Math.abs(x1) * 0.1 || 1, py = (y1 - y0) * 0.08 || Math.abs(y1) * 0.1 || 1;
    x0 = Math.max(0, x0 - px); x1 += px; y0 = Math.max(0, y0 - py); y1 += py;
    const X = v => m.l + (v - x0) / (x1 - x0) * (W - m.l - m.r);
    const Y = v => H - m.b - (v - y0) / (y1 - y0) * (H - m.t - m.b);
    const g = el("g", {}, svg);
    for (const t of niceTicks(x0, x1, 5)) {
      el("line", { x1: X(t), x2: X(t), y1: m.t, y2: H - m.b, stroke: "#2a4a66" }, g);
      text(g, X(t), H - m.b + 14, fmt(t), { "text-anchor": "middle" });
    }
    for (const t of niceTicks(y0, y1, 5)) {
      el("line", { x1: m.l, x2: W - m.r, y1: Y(t), y2: Y(t), stroke: "#2a4a66" }, g);
      text(g, m.l - 6, Y(t) + 4, fmt(t), { "text-anchor": "end" });
    }
    text(g, (m.l + W - m.r) / 2, H - 8, "interceptor cost per night (USD)", { "text-anchor": "middle" });
    text(g, 14, (m.t + H - m.b) / 2, "leakers per night", { transform: `rotate(-90 14 ${(m.t + H - m.b) / 2})`, "text-anchor": "middle" });
    const front = points.filter(p => p.front && p.interceptor_cost_usd && p.leaked)
      .sort((a, b) => a.interceptor_cost_usd.mean - b.interceptor_cost_usd.mean);
    if (front.length > 1) {
      el("polyline", { points: front.map(p => `${X(p.interceptor_cost_usd.mean)},${Y(p.leaked.mean)}`).join(" "),
                       fill: "none", stroke: "#ffffff88", "stroke-dasharray": "4 3" }, g);
    }
    const lg = el("g", { transform: `translate(${W - m.r + 12},${m.t})` }, svg);
    let row = 0;
    points.forEach((p, i) => {
      const c = PALETTE[i % PALETTE.length];
      const x = p.interceptor_cost_usd, y = p.leaked;
      const rung = p.max_rung ? p.max_rung.mean || 0 : 0;
      if (x && y) {
        const cx = X(x.mean), cy = Y(y.mean), r = 4 + 1.2 * rung;
        el("line", { x1: X(x.ci95[0] ?? x.mean), x2: X(x.ci95[1] ?? x.mean), y1: cy, y2: cy, stroke: c }, g);
        el("line", { x1: cx, x2: cx, y1: Y(y.ci95[0] ?? y.mean), y2: Y(y.ci95[1] ?? y.mean), stroke: c }, g);
        const dot = el("circle", { cx, cy, r, fill: p.front ? c : "#0b1d2e", stroke: c, "stroke-width": 2,
                                   "data-option": p.option }, g);
        el("title", {}, dot).textContent = `${p.option}: cost ${fmt(x.mean)} USD, leakers ${fmt(y.mean)}, highest rung ${fmt(rung)}`;
      }
      el("circle", { cx: 6, cy: row * 16 + 6, r: 5, fill: p.front ? c : "#0b1d2e", stroke: c, "stroke-width": 2 }, lg);
      text(lg, 16, row * 16 + 10, p.option + (p.front ? "" : " (dominated)"));
      row++;
    });
    text(lg, 0, row * 16 + 14, "filled: on the Pareto front", { "font-size": 10 });
    text(lg, 0, row * 16 + 28, "marker size: mean highest rung", { "font-size": 10 });
    text(lg, 0, row * 16 + 42, "bars: 95 % CIs", { "font-size": 10 });
    return svg;
  }

  // P(highest rung >= k), one line per option.
  function rungs(byOption) {
    const W = 440, H = 236, m = { l: 44, r: 150, t: 30, b: 36 };
    const svg = el("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "img",
                            "aria-label": "escalation distribution" });
    const K = 9;
    const X = k => m.l + (k - 1) / (K - 1) * (W - m.l - m.r);
    const Y = p => H - m.b - p * (H - m.t - m.b);
    for (const t of [0, 0.25, 0.5, 0.75, 1]) {
      el("line", { x1: m.l, x2: W - m.r, y1: Y(t), y2: Y(t), stroke: "#2a4a66" }, svg);
      text(svg, m.l - 6, Y(t) + 4, t.toFixed(2), { "text-anchor": "end" });
    }
    for (let k = 1; k <= K; k++) text(svg, X(k), H - m.b + 14, String(k), { "text-anchor": "middle" });
    text(svg, (m.l + W - m.r) / 2, H - 6, "rung k", { "text-anchor": "middle" });
    text(svg, m.l, 14, "P(highest rung of the night \u2265 k)", {});
    Object.entries(byOption).forEach(([o, ge], i) => {
      const c = PALETTE[i % PALETTE.length];
      const pts = [];
      for (let k = 1; k <= K; k++) pts.push(`${X(k)},${Y((ge[String(k)] || {}).mean || 0)}`);
      el("polyline", { points: pts.join(" "), fill: "none", stroke: c, "stroke-width": 2 }, svg);
      el("line", { x1: W - m.r + 10, x2: W - m.r + 26, y1: m.t + 6 + i * 16, y2: m.t + 6 + i * 16, stroke: c, "stroke-width": 3 }, svg);
      text(svg, W - m.r + 30, m.t + 10 + i * 16, o);
    });
    return svg;
  }

  return { pareto, rungs, fmt, PALETTE };
})();
