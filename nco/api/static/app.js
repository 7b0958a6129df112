"use strict";
// nco's planning page: plain SVG and this server's own API (GET /cities, GET /cities/{name},
// POST /cities/{name}/matrices, POST /solve); no libraries, nothing fetched from elsewhere.

// Vehicle colours: matplotlib's tab10 without its grey (grey is for roads), then tab20's light tones.
const COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22",
  "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5"];
// Road ranks 0 (major) .. 3 (service): stroke width in screen pixels and grey.
const ROAD_STYLE = [[1.8, "#a8a8a8"], [1.3, "#b8b8b8"], [0.9, "#c8c8c8"], [0.7, "#d8d8d8"]];
const SCALE = 1e5; // SVG units per degree of latitude (one unit is about a metre)
const SVG = "http://www.w3.org/2000/svg";
const SAME_PLACE = 1e-5; // degrees: a stop moved less than this by snapping gets no connector

const $ = (id) => document.getElementById(id);
const state = {
  health: null, cities: [],
  city: null,      // {name, split, points: [[lon, lat]], roads}
  origin: null,    // [lon0, lat0, cos(lat0)] of the projection
  view: null,      // SVG viewBox [x, y, w, h]
  depot: null,     // {location: [lon, lat], point: pool index or null}
  stops: [],       // {location, point, demand}
  fixed: null,     // an uploaded problem the page cannot edit: solved as given
  result: null, mode: "stops", roadsSvg: "",
};

// ---------- projection and view ----------

function project([lon, lat]) {
  const [lon0, lat0, c] = state.origin;
  return [(lon - lon0) * c * SCALE, -(lat - lat0) * SCALE];
}

function unproject([x, y]) {
  const [lon0, lat0, c] = state.origin;
  return [lon0 + x / (c * SCALE), lat0 - y / SCALE];
}

function setOrigin(points) {
  const lons = points.map((p) => p[0]), lats = points.map((p) => p[1]);
  const lat0 = (Math.min(...lats) + Math.max(...lats)) / 2;
  state.origin = [(Math.min(...lons) + Math.max(...lons)) / 2, lat0, Math.cos(lat0 * Math.PI / 180)];
}

function fit(points) {
  const xy = points.map(project);
  const xs = xy.map((p) => p[0]), ys = xy.map((p) => p[1]);
  const pad = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys), 200) * 0.06;
  state.view = [Math.min(...xs) - pad, Math.min(...ys) - pad,
    Math.max(...xs) - Math.min(...xs) + 2 * pad, Math.max(...ys) - Math.min(...ys) + 2 * pad];
}

function unitsPerPixel() {
  const box = $("map").getBoundingClientRect();
  return Math.max(state.view[2] / box.width, state.view[3] / box.height);
}

function svgPoint(event) {
  const point = $("map").createSVGPoint();
  point.x = event.clientX;
  point.y = event.clientY;
  const p = point.matrixTransform($("map").getScreenCTM().inverse());
  return [p.x, p.y];
}

// ---------- drawing ----------

function el(name, attrs, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (parent) parent.appendChild(node);
  return node;
}

function roadsSvg(roads) {
  // One path per rank; widths stay in screen pixels whatever the zoom.
  if (!roads) return "";
  const paths = ROAD_STYLE.map(() => []);
  let lon = 0, lat = 0, k = 0;
  for (let line = 0; line + 1 < roads.offsets.length; line++) {
    const parts = [];
    for (let i = roads.offsets[line]; i < roads.offsets[line + 1]; i++, k += 2) {
      lon += roads.steps[k];
      lat += roads.steps[k + 1];
      const [x, y] = project([lon * roads.resolution, lat * roads.resolution]);
      parts.push(`${x.toFixed(1)} ${y.toFixed(1)}`);
    }
    paths[roads.ranks[line]].push("M" + parts.join("L"));
  }
  return paths.map((d, rank) => d.length ? `<path d="${d.join("")}" fill="none" stroke="${ROAD_STYLE[rank][1]}" ` +
    `stroke-width="${ROAD_STYLE[rank][0]}" vector-effect="non-scaling-stroke" stroke-linejoin="round"/>` : "")
    .reverse().join("");  // minor roads first, major ones on top
}

function draw() {
  const map = $("map");
  map.setAttribute("viewBox", state.view ? state.view.join(" ") : "0 0 1 1");
  map.innerHTML = `<rect x="-1e9" y="-1e9" width="2e9" height="2e9" fill="#ffffff"/><g id="roads">${state.roadsSvg}</g>`;
  if (!state.origin) return;
  const px = unitsPerPixel();
  const pool = el("g", { id: "pool" }, map);
  if (state.city && !state.fixed) {
    for (const p of state.city.points) {
      const [x, y] = project(p);
      el("circle", { cx: x, cy: y, r: 1.3 * px, fill: "#7aa6c8", "fill-opacity": 0.45 }, pool);
    }
  }
  const routes = el("g", { id: "routes" }, map);
  const marks = el("g", { id: "marks" }, map);
  const drawn = state.result ? drawRoutes(routes, marks, px) : new Set();
  const stops = state.fixed ? fixedStops() : state.stops;
  stops.forEach((stop, k) => {
    if (drawn.has(k) || !stop.location) return;
    const [x, y] = project(stop.location);
    el("circle", { cx: x, cy: y, r: 4.5 * px, fill: "#555", stroke: "#000", "stroke-width": 0.5 * px,
      class: "stop", "data-stop": k }, marks);
  });
  const depot = state.fixed ? fixedDepot() : state.depot;
  if (depot) {
    const [x, y] = project(depot.location);
    el("rect", { x: x - 6 * px, y: y - 6 * px, width: 12 * px, height: 12 * px, fill: "#000", class: "depot" }, marks);
  }
  title();
}

function snapped(result) {
  // Where the router moved each job / the depot (nco.matrix.snapping), when it says so.
  const snapping = (result.nco && result.nco.matrix && result.nco.matrix.snapping) || {};
  const jobs = new Map((snapping.jobs || []).map((job) => [job.id, job.location]));
  return { jobs, depot: snapping.depot && snapping.depot.location };
}

function drawRoutes(routes, marks, px) {
  // Each route through where its vehicle stops; a dotted connector to the requested place if apart.
  const moved = snapped(state.result);
  const drawn = new Set();
  state.result.routes.forEach((route, r) => {
    const colour = COLOURS[r % COLOURS.length];
    const points = [];
    for (const step of route.steps) {
      if (!step.location) continue;
      const at = (step.type === "job" ? moved.jobs.get(step.id) : moved.depot) || step.location;
      points.push(project(at));
      if (Math.abs(at[0] - step.location[0]) > SAME_PLACE || Math.abs(at[1] - step.location[1]) > SAME_PLACE) {
        const [x0, y0] = project(step.location), [x1, y1] = project(at);
        el("line", { x1: x0, y1: y0, x2: x1, y2: y1, stroke: "#555", "stroke-width": 1,
          "stroke-dasharray": "2 2", "vector-effect": "non-scaling-stroke", class: "connector" }, marks);
        el("circle", { cx: x0, cy: y0, r: 2.5 * px, fill: "none", stroke: "#555", "stroke-width": 0.8 * px }, marks);
      }
      if (step.type === "job") {
        const k = jobIndex(step.id);
        drawn.add(k);
        const [x, y] = points[points.length - 1];
        const dot = el("circle", { cx: x, cy: y, r: 4.5 * px, fill: colour, stroke: "#000", "stroke-width": 0.5 * px,
          class: "stop", "data-stop": k }, marks);
        el("title", {}, dot).textContent = `job ${step.id}, vehicle ${route.vehicle}, arrival ${clock(step.arrival)}`;
      }
    }
    el("polyline", { points: points.map((p) => p.join(",")).join(" "), fill: "none", stroke: colour,
      "stroke-width": 2.2, "stroke-opacity": 0.9, "stroke-linejoin": "round", "vector-effect": "non-scaling-stroke",
      class: "route", "data-vehicle": route.vehicle }, routes);
  });
  return drawn;
}

function title() {
  const parts = [];
  if (state.city) parts.push(`${state.city.name} (${state.city.split === "test" ? "held-out city" : "training city"})`);
  const stops = state.fixed ? state.fixed.jobs.length : state.stops.length;
  parts.push(`${stops} stops`);
  if (state.result) parts.push("routes as straight lines between stops" + (state.roadsSvg ? ", roads in grey" : ""));
  $("map-title").textContent = parts.join(" · ");
}

// ---------- the problem ----------

function jobIndex(id) {
  return state.fixed ? state.fixed.jobs.findIndex((job) => job.id === id) : id - 1;
}

function fixedStops() {
  return state.fixed.jobs.map((job) => ({ location: job.location, demand: (job.delivery || [0])[0] }));
}

function fixedDepot() {
  const start = state.fixed.vehicles[0].start;
  return start ? { location: start } : null;
}

function nearestPoint(location, exclude) {
  // The pool point closest to location (flat metres are fine across a city), not already used.
  const [lon0, lat0] = location, c = state.origin[2];
  let best = -1, bestDistance = Infinity;
  state.city.points.forEach(([lon, lat], i) => {
    if (exclude.has(i)) return;
    const d = ((lon - lon0) * c) ** 2 + (lat - lat0) ** 2;
    if (d < bestDistance) { best = i; bestDistance = d; }
  });
  return best;
}

function usedPoints(except) {
  const used = new Set(state.stops.filter((s) => s !== except).map((s) => s.point));
  if (state.depot && state.depot !== except) used.add(state.depot.point);
  return used;
}

function place(location, target) {
  // Snap to the city's road points unless the server routes with OSRM (which snaps itself).
  if (state.health.osrm_url || !state.city) return { location, point: null };
  const point = nearestPoint(location, usedPoints(target));
  return { location: state.city.points[point], point };
}

function changed() {
  state.result = null;
  $("download-json").disabled = $("download-png").disabled = true;
  $("routes").innerHTML = "";
  $("curve").innerHTML = "";
  $("curve-note").textContent = "";
  stopsTable();
  draw();
}

function addStop(location) {
  if (state.fixed) return status("an uploaded problem is solved as given; pick a city to edit stops");
  if (state.mode === "depot") {
    state.depot = place(location, state.depot);
  } else {
    state.stops.push({ ...place(location, null), demand: Number($("demand").value) });
  }
  changed();
}

function stopsTable() {
  const stops = state.fixed ? fixedStops() : state.stops;
  const total = stops.reduce((sum, s) => sum + s.demand, 0);
  $("stops-summary").textContent = `${stops.length} stops, total demand ${total}` +
    (state.fixed ? " (uploaded problem, solved as given)" : "") + (state.depot || state.fixed ? "" : "; no depot yet");
  const table = $("stops");
  table.innerHTML = "<tr><th>stop</th><th>demand</th><th></th></tr>";
  if (state.fixed) return;
  state.stops.forEach((stop, k) => {
    const row = document.createElement("tr");
    row.innerHTML = `<td>${k + 1}</td><td><input type="number" min="0" value="${stop.demand}"></td>` +
      `<td><button title="remove">×</button></td>`;
    row.querySelector("input").addEventListener("change", (e) => { stop.demand = Number(e.target.value); changed(); });
    row.querySelector("button").addEventListener("click", () => { state.stops.splice(k, 1); changed(); });
    table.appendChild(row);
  });
}

async function buildProblem() {
  const nodes = [state.depot, ...state.stops];
  const service = Number($("service").value);
  const capacity = Number($("capacity").value);
  const onPool = nodes.every((node) => node.point !== null);
  let matrices = null;
  if (onPool) {
    matrices = await api(`/cities/${state.city.name}/matrices`, { points: nodes.map((node) => node.point) });
  }
  const jobs = state.stops.map((stop, k) => ({
    id: k + 1, location: stop.location, delivery: [stop.demand], service,
    ...(matrices ? { location_index: k + 1 } : {}),
  }));
  const vehicles = Array.from({ length: Number($("vehicles").value) }, (_, v) => ({
    id: v + 1, start: state.depot.location, end: state.depot.location, capacity: [capacity],
    ...(matrices ? { start_index: 0, end_index: 0 } : {}),
  }));
  return { jobs, vehicles, ...(matrices ? { matrices: { car: matrices } } : {}) };
}

// ---------- the API ----------

async function api(path, body, retried = false) {
  // A server started with a token (NCO_TOKEN) answers 401 until the page sends it; the token is
  // asked for once and kept for this tab only.
  const token = sessionStorage.getItem("nco-token");
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  const response = await fetch(path, body === undefined ? { headers } : {
    method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  if (response.status === 401 && !retried) {
    const given = window.prompt("This nco server needs its token (NCO_TOKEN):");
    if (given) {
      sessionStorage.setItem("nco-token", given);
      return api(path, body, true);
    }
  }
  const data = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

function status(text, error = false) {
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
}

async function loadCity(name) {
  status(`loading ${name}…`);
  const city = await api(`/cities/${encodeURIComponent(name)}`);
  city.split = state.cities.find((c) => c.name === name).split;
  state.city = city;
  setOrigin(city.points);
  fit(city.points);
  state.roadsSvg = roadsSvg(city.roads);
  $("city").value = name;
  status(`${name}: ${city.points.length} road points`);
}

async function pickCity(name) {
  state.fixed = null;
  state.depot = null;
  state.stops = [];
  await loadCity(name);
  // A central depot to start from: the pool point nearest the middle of the city.
  const middle = unproject([state.view[0] + state.view[2] / 2, state.view[1] + state.view[3] / 2]);
  state.depot = place(middle, null);
  changed();
}

function cityOf(points) {
  return state.cities.find(({ bbox: [w, s, e, n] }) => {
    const pad = 0.02;
    return points.every(([lon, lat]) => lon >= w - pad && lon <= e + pad && lat >= s - pad && lat <= n + pad);
  });
}

async function upload(file) {
  let problem;
  try {
    problem = JSON.parse(await file.text());
  } catch (e) {
    return status(`${file.name}: not JSON (${e.message})`, true);
  }
  if (!problem || !Array.isArray(problem.jobs) || !Array.isArray(problem.vehicles) || !problem.vehicles.length) {
    return status(`${file.name}: not a VROOM problem (needs jobs and vehicles)`, true);
  }
  const locations = [problem.vehicles[0].start, ...problem.jobs.map((job) => job.location)];
  const drawable = locations.every((p) => Array.isArray(p));
  const city = drawable ? cityOf(locations) : undefined;
  state.depot = null;
  state.stops = [];
  state.fixed = problem;
  state.city = null;
  state.roadsSvg = "";
  if (city) await loadCity(city.name);
  else if (drawable) setOrigin(locations);
  if (!drawable) state.origin = null;
  // Stops on the city's road points and without time windows can be edited like clicked ones.
  const index = city ? new Map(state.city.points.map((p, i) => [p.join(","), i])) : new Map();
  const points = locations.map((p) => (drawable ? index.get(p.join(",")) : undefined));
  const plain = problem.jobs.every((job) => !(job.time_windows || []).length && !(job.skills || []).length) &&
    !problem.vehicles[0].time_window;
  if (city && plain && points.every((p) => p !== undefined)) {
    state.fixed = null;
    state.depot = { location: locations[0], point: points[0] };
    state.stops = problem.jobs.map((job, k) => ({
      location: locations[k + 1], point: points[k + 1], demand: (job.delivery || [0])[0],
    }));
    $("vehicles").value = problem.vehicles.length;
    $("capacity").value = (problem.vehicles[0].capacity || [1e9])[0];
    $("service").value = problem.jobs[0].service || 0;
  }
  if (drawable) fit(locations);
  changed();
  status(`${file.name}: ${problem.jobs.length} stops, ${problem.vehicles.length} vehicles` +
    (state.fixed ? " (solved as given)" : "") + (drawable ? "" : "; no coordinates to draw"));
}

async function solve() {
  if (!state.fixed && (!state.depot || !state.stops.length)) return status("place a depot and at least one stop", true);
  const limit = Number($("time-limit").value);
  const options = { method: $("method").value, time_limit: limit, seed: Number($("seed").value) };
  $("solve").disabled = true;
  const started = performance.now();
  const ticker = setInterval(() => {
    const seconds = (performance.now() - started) / 1000;
    status(`solving with ${options.method}… ${seconds.toFixed(1)} / ${limit} s`);
    $("progress-bar").style.width = `${Math.min(100, 100 * seconds / limit)}%`;
  }, 100);
  try {
    const problem = state.fixed ? { ...state.fixed } : await buildProblem();
    delete problem.options;
    const result = await api("/solve", { ...problem, options });
    state.result = result;
    status(`${result.summary.routes} routes, ${(result.summary.distance / 1000).toFixed(2)} km ` +
      `(${result.nco.solver}, ${result.nco.runtime.toFixed(2)} s)` + (result.nco.fallback ? `: ${result.nco.fallback}` : ""));
    routesTable(result);
    curve(result);
    $("download-json").disabled = $("download-png").disabled = false;
    draw();
  } catch (e) {
    status(e.message, true);
  } finally {
    clearInterval(ticker);
    $("progress-bar").style.width = "0";
    $("solve").disabled = false;
  }
}

// ---------- results ----------

function clock(seconds) {
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, "0")}`;
}

function routesTable(result) {
  const capacity = result.nco.capacity;
  const rows = result.routes.map((route, r) => {
    const stops = route.steps.filter((s) => s.type === "job").length;
    const load = (route.delivery || [0])[0];
    const time = route.duration + route.service + route.waiting_time;
    return `<tr class="route-row"><td><span class="swatch" style="background:${COLOURS[r % COLOURS.length]}"></span>` +
      `${route.vehicle}</td><td>${stops}</td><td>${load}${capacity ? "/" + capacity : ""}</td>` +
      `<td>${(route.distance / 1000).toFixed(2)}</td><td>${clock(route.duration)}</td><td>${clock(time)}</td></tr>`;
  });
  const s = result.summary;
  const stops = result.routes.reduce((n, route) => n + route.steps.filter((step) => step.type === "job").length, 0);
  const total = s.duration + s.service + s.waiting_time;
  $("routes").innerHTML = "<tr><th>vehicle</th><th>stops</th><th>load</th><th>km</th><th>drive</th><th>time</th></tr>" +
    rows.join("") + `<tr class="total" data-distance="${s.distance}" data-duration="${s.duration}" data-stops="${stops}">` +
    `<td>total</td><td>${stops}</td><td>${(s.delivery || [0])[0]}</td><td>${(s.distance / 1000).toFixed(2)}</td>` +
    `<td>${clock(s.duration)}</td><td>${clock(total)}</td></tr>`;
}

function curve(result) {
  // The search's best cost over time. /solve answers once, at the end: without a curve in the
  // answer (nco.curve), only the points it reports are shown, and the note says so.
  const svg = $("curve");
  svg.innerHTML = "";
  let points = result.nco.curve;
  let note = "the search's best cost over time (nco.curve)";
  if (!Array.isArray(points) || !points.length) {
    points = [];
    const inference = ((result.summary.computing_times || {}).inference || 0) / 1000;
    if (result.nco.policy_cost != null) points.push([inference, result.nco.policy_cost]);
    points.push([result.nco.runtime, result.summary.cost]);
    note = "The API answers once, at the end: shown are the policy's cost after inference (when it ran) " +
      "and the final cost, joined as a step.";
  }
  const [W, H, L, B] = [330, 170, 52, 26];
  const tMax = Math.max(result.nco.time_limit || 0, ...points.map((p) => p[0])) || 1;
  const costs = points.map((p) => p[1] / 1000);
  const cMin = Math.min(...costs) * 0.98, cMax = Math.max(...costs) * 1.02;
  const x = (t) => L + (W - L - 8) * t / tMax;
  const y = (c) => 8 + (H - B - 8) * (1 - (c - cMin) / ((cMax - cMin) || 1));
  let d = "";
  points.forEach(([t, cost], k) => {
    d += k ? `H${x(t)}V${y(cost / 1000)}` : `M${x(t)} ${y(cost / 1000)}`;
  });
  d += `H${x(tMax)}`;
  el("path", { d: `M${L} 8V${H - B}H${W - 8}`, stroke: "#999", fill: "none" }, svg);
  el("path", { d, stroke: "#1f6fb4", "stroke-width": 2, fill: "none", class: "curve" }, svg);
  points.forEach(([t, cost]) => el("circle", { cx: x(t), cy: y(cost / 1000), r: 3, fill: "#1f6fb4" }, svg));
  const label = (text, attrs) => { el("text", { "font-size": 10, fill: "#555", ...attrs }, svg).textContent = text; };
  label(`${cMax.toFixed(1)} km`, { x: 2, y: 14 });
  label(`${cMin.toFixed(1)} km`, { x: 2, y: H - B });
  label("0 s", { x: L, y: H - 8 });
  label(`${tMax.toFixed(1)} s`, { x: W - 40, y: H - 8 });
  $("curve-note").textContent = note;
}

function save(blob, name) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

function downloadPng() {
  // The SVG drawn onto a canvas: every style is an attribute, so the picture is self-contained.
  const map = $("map");
  const { width, height } = map.getBoundingClientRect();
  const copy = map.cloneNode(true);
  copy.setAttribute("width", width);
  copy.setAttribute("height", height);
  const image = new Image();
  image.onload = () => {
    const canvas = document.createElement("canvas");
    canvas.width = 2 * width;
    canvas.height = 2 * height;
    const context = canvas.getContext("2d");
    context.scale(2, 2);
    context.drawImage(image, 0, 0, width, height);
    context.fillStyle = "#444";
    context.font = "12px sans-serif";
    context.fillText($("map-title").textContent, 10, 18);
    context.font = "10px sans-serif";
    context.fillText("Map data © OpenStreetMap contributors, ODbL", width - 230, height - 6);
    canvas.toBlob((blob) => save(blob, "routes.png"), "image/png");
  };
  image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(new XMLSerializer().serializeToString(copy));
}

// ---------- mouse ----------

function wire() {
  const map = $("map");
  let press = null;  // {x, y, view, stop}
  map.addEventListener("pointerdown", (e) => {
    if (e.button !== 0 || !state.origin) return;
    const k = e.target.dataset ? e.target.dataset.stop : undefined;
    const stop = !state.fixed && k !== undefined ? Number(k) : null;
    press = { x: e.clientX, y: e.clientY, view: [...state.view], stop, marker: e.target, moved: false };
    map.setPointerCapture(e.pointerId);
  });
  map.addEventListener("pointermove", (e) => {
    if (!press) return;
    const dx = e.clientX - press.x, dy = e.clientY - press.y;
    if (!press.moved && Math.hypot(dx, dy) < 4) return;
    press.moved = true;
    if (press.stop !== null) {  // events go to the map while it holds the pointer: move the marker kept
      const [x, y] = svgPoint(e);
      press.marker.setAttribute("cx", x);
      press.marker.setAttribute("cy", y);
      return;
    }
    const px = unitsPerPixel();
    state.view = [press.view[0] - dx * px, press.view[1] - dy * px, press.view[2], press.view[3]];
    map.setAttribute("viewBox", state.view.join(" "));
  });
  map.addEventListener("pointerup", (e) => {
    if (!press) return;
    const { stop, moved } = press;
    press = null;
    const location = unproject(svgPoint(e));
    if (stop !== null && moved) {
      const target = state.stops[stop];
      Object.assign(target, place(location, target));
      changed();
    } else if (!moved) {
      addStop(location);
    } else {
      draw();  // marker sizes follow the view
    }
  });
  map.addEventListener("contextmenu", (e) => {
    const k = e.target.dataset ? e.target.dataset.stop : undefined;
    if (k === undefined || state.fixed) return;
    e.preventDefault();
    state.stops.splice(Number(k), 1);
    changed();
  });
  map.addEventListener("wheel", (e) => {
    if (!state.view) return;
    e.preventDefault();
    const [cx, cy] = svgPoint(e);
    const f = Math.exp(e.deltaY * 0.0015);
    const [x, y, w, h] = state.view;
    state.view = [cx - (cx - x) * f, cy - (cy - y) * f, w * f, h * f];
    draw();
  }, { passive: false });

  $("city").addEventListener("change", (e) => pickCity(e.target.value).catch((err) => status(err.message, true)));
  $("upload").addEventListener("change", (e) => e.target.files[0] && upload(e.target.files[0]));
  for (const mode of ["stops", "depot"]) {
    $(`mode-${mode}`).addEventListener("click", () => {
      state.mode = mode;
      document.querySelectorAll(".mode").forEach((b) => b.classList.toggle("active", b.id === `mode-${mode}`));
    });
  }
  $("random").addEventListener("click", () => {
    if (!state.city || state.fixed) return;
    const used = usedPoints(null);
    const free = state.city.points.map((_, i) => i).filter((i) => !used.has(i));
    for (let n = 0; n < 20 && free.length; n++) {
      const [i] = free.splice(Math.floor(Math.random() * free.length), 1);
      state.stops.push({ location: state.city.points[i], point: i, demand: 1 + Math.floor(Math.random() * 9) });
    }
    changed();
  });
  $("clear").addEventListener("click", () => { state.stops = []; state.fixed = null; changed(); });
  $("solve").addEventListener("click", solve);
  $("download-json").addEventListener("click", () =>
    save(new Blob([JSON.stringify(state.result, null, 1)], { type: "application/json" }), "routes.json"));
  $("download-png").addEventListener("click", downloadPng);
  window.addEventListener("resize", draw);
}

async function start() {
  wire();
  try {
    [state.health, state.cities] = await Promise.all([api("/health"), api("/cities")]);
  } catch (e) {
    return status(`cannot reach the nco server: ${e.message}`, true);
  }
  $("method").innerHTML = state.health.methods.map((m) => `<option>${m}</option>`).join("");
  $("city").innerHTML = state.cities.map((c) =>
    `<option value="${c.name}">${c.name}${c.split === "test" ? " (held out)" : ""}</option>`).join("");
  if (state.health.osrm_url) {
    $("snap-hint").textContent = "Stops go where you click; the server's OSRM snaps them to roads (dotted lines " +
      "show how far). Drag a stop to move it, right-click it to remove it.";
  }
  await pickCity(state.cities[0].name);
  document.body.dataset.ready = "1";
}

start();
