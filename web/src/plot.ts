// A forecast drawn as SVG: the band between its lowest and highest quantiles, the median
// as a line. Colours come from style.css through classes (the CSP allows no inline style).

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 720;
const HEIGHT = 300;
const MARGIN = { top: 12, right: 16, bottom: 40, left: 72 };

export interface Series {
  timestamps: string[];
  low?: number[];
  middle?: number[];
  high?: number[];
}

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

/** Where the value axis is labelled: its bottom, middle and top. */
function ticks(low: number, high: number): number[] {
  return [low, (low + high) / 2, high];
}

function format(value: number): string {
  return Math.abs(value) >= 1000 ? Math.round(value).toLocaleString("en") : value.toPrecision(3);
}

export function bandPlot(series: Series, label: string): SVGSVGElement {
  const count = series.timestamps.length;
  const values = [series.low, series.middle, series.high].flatMap((line) => line ?? []);
  let lowest = Math.min(...values);
  let highest = Math.max(...values);
  if (lowest === highest) {
    lowest -= 1;
    highest += 1;
  }
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (index: number) => MARGIN.left + (count > 1 ? (index / (count - 1)) * plotWidth : plotWidth / 2);
  const y = (value: number) => MARGIN.top + ((highest - value) / (highest - lowest)) * plotHeight;
  const points = (line: number[]) => line.map((value, index) => `${x(index).toFixed(1)},${y(value).toFixed(1)}`);

  const root = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: "plot", role: "img", "aria-label": label });
  root.append(svg("title", {}, label));
  for (const value of ticks(lowest, highest)) {
    root.append(
      svg("line", { class: "grid", x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(value), y2: y(value) }),
      svg("text", { class: "axis", x: MARGIN.left - 8, y: y(value) + 5, "text-anchor": "end" }, format(value)),
    );
  }
  const marks = count > 2 ? [0, Math.floor((count - 1) / 2), count - 1] : [...Array(count).keys()];
  for (const index of marks) {
    const anchor = index === 0 ? "start" : index === count - 1 ? "end" : "middle";
    // At phone width the labels grow (style.css) and only the two ends keep room.
    const where = anchor === "middle" ? "axis inner" : "axis";
    const moment = series.timestamps[index].replace("T", " ").replace(/:00$/, "");
    root.append(svg("text", { class: where, x: x(index), y: HEIGHT - 12, "text-anchor": anchor }, moment));
  }
  if (series.low && series.high) {
    const outline = [...points(series.high), ...points(series.low).reverse()].join(" ");
    root.append(svg("polygon", { class: "band", points: outline }));
  }
  if (series.middle) root.append(svg("polyline", { class: "median", points: points(series.middle).join(" ") }));
  return root;
}
