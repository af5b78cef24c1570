// Face sightings on a video's time axis, drawn as SVG: one row per person (or one row for
// every face), each sighting a point that seeks the video when chosen.

import { svg } from "./plot";

const WIDTH = 720;
const ROW = 48;
const MARGIN = { top: 8, right: 16, bottom: 40, left: 150 };

export interface Sighting {
  row: string;
  milliseconds: number;
  label: string;
}

export function timeline(
  sightings: Sighting[],
  durationMs: number,
  label: string,
  seek: (milliseconds: number) => void,
): SVGSVGElement {
  const rows = [...new Set(sightings.map((sighting) => sighting.row))];
  const height = MARGIN.top + Math.max(rows.length, 1) * ROW + MARGIN.bottom;
  const span = Math.max(durationMs, ...sightings.map((sighting) => sighting.milliseconds), 1);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const x = (milliseconds: number) => MARGIN.left + (milliseconds / span) * plotWidth;
  const y = (row: string) => MARGIN.top + rows.indexOf(row) * ROW + ROW / 2;

  const root = svg("svg", { viewBox: `0 0 ${WIDTH} ${height}`, class: "plot timeline", role: "group", "aria-label": label });
  root.append(svg("title", {}, label));
  for (const row of rows) {
    root.append(
      svg("line", { class: "grid", x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(row), y2: y(row) }),
      svg("text", { class: "axis", x: MARGIN.left - 8, y: y(row) + 5, "text-anchor": "end" }, row),
    );
  }
  const axisY = height - 10;
  for (const [milliseconds, anchor] of [[0, "start"], [span, "end"]] as const) {
    root.append(svg("text", { class: "axis", x: x(milliseconds), y: axisY, "text-anchor": anchor }, seconds(milliseconds)));
  }
  for (const sighting of sightings) {
    // A point is a control: focusable, named, and chosen by click, Enter or Space.
    const point = svg("circle", {
      class: "sighting",
      cx: x(sighting.milliseconds).toFixed(1),
      cy: y(sighting.row),
      r: 9,
      role: "button",
      tabindex: 0,
      "aria-label": `${sighting.label} at ${seconds(sighting.milliseconds)}`,
      "data-ms": sighting.milliseconds,
    });
    point.append(svg("title", {}, `${sighting.label} at ${seconds(sighting.milliseconds)}`));
    point.addEventListener("click", () => seek(sighting.milliseconds));
    point.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault();
      seek(sighting.milliseconds);
    });
    root.append(point);
  }
  return root;
}

function seconds(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(2)} s`;
}
