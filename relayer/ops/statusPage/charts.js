// Inline SVG charts for the status page, drawn by the page itself (no chart library, nothing fetched).

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 360;
const HEIGHT = 140;
const PAD = { left: 46, right: 10, top: 10, bottom: 22 };

function svgEl(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A rounded-up axis maximum (1, 2 or 5 × a power of ten) so the top label reads well. */
function niceMax(value) {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

const clock = (t) => new Date(t).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });

function axes(svg, yMax, tMin, tMax, unit) {
  const x0 = PAD.left;
  const y0 = HEIGHT - PAD.bottom;
  svg.append(
    svgEl("line", { class: "axis", x1: x0, y1: PAD.top, x2: x0, y2: y0 }),
    svgEl("line", { class: "axis", x1: x0, y1: y0, x2: WIDTH - PAD.right, y2: y0 }),
    svgEl("text", { class: "label", x: x0 - 4, y: PAD.top + 8, "text-anchor": "end" }, `${yMax}${unit}`),
    svgEl("text", { class: "label", x: x0 - 4, y: y0, "text-anchor": "end" }, `0${unit}`),
    svgEl("text", { class: "label", x: x0, y: HEIGHT - 6 }, clock(tMin)),
    svgEl("text", { class: "label", x: WIDTH - PAD.right, y: HEIGHT - 6, "text-anchor": "end" }, clock(tMax)),
  );
}

/**
 * Draws `points` ({ t, v }, oldest first) into `svg`: a line with one circle per point (class
 * `point`, the value in `data-v` and a tooltip), or a bar per point with `bars`. Empty: a note.
 */
export function drawChart(svg, points, { unit = "", bars = false } = {}) {
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
  svg.dataset.points = String(points.length);
  if (points.length === 0) {
    svg.append(svgEl("text", { class: "empty", x: WIDTH / 2, y: HEIGHT / 2, "text-anchor": "middle" }, "no data yet"));
    return;
  }
  const yMax = niceMax(Math.max(...points.map((p) => p.v)));
  const tMin = points[0].t;
  const tMax = Math.max(points[points.length - 1].t, tMin + 1);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (t) => PAD.left + ((t - tMin) / (tMax - tMin)) * plotW;
  const y = (v) => HEIGHT - PAD.bottom - (v / yMax) * plotH;
  axes(svg, yMax, tMin, tMax, unit);
  if (bars) {
    const w = Math.max(2, plotW / points.length - 2);
    for (const p of points) {
      const bar = svgEl("rect", { class: "bar point", x: x(p.t) - w / 2, y: y(p.v), width: w, height: y(0) - y(p.v) });
      bar.dataset.v = String(p.v);
      bar.append(svgEl("title", {}, `${clock(p.t)}: ${p.v}${unit}`));
      svg.append(bar);
    }
    return;
  }
  svg.append(svgEl("polyline", { class: "line", points: points.map((p) => `${x(p.t)},${y(p.v)}`).join(" ") }));
  for (const p of points) {
    const dot = svgEl("circle", { class: "point", cx: x(p.t), cy: y(p.v), r: 3 });
    dot.dataset.v = String(p.v);
    dot.append(svgEl("title", {}, `${clock(p.t)}: ${p.v}${unit}`));
    svg.append(dot);
  }
}
