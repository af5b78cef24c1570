// Photos on a canvas with Rekognition's boxes and landmarks (ratios of the image's size).

export interface Box {
  Width?: number;
  Height?: number;
  Left?: number;
  Top?: number;
}

export interface Point {
  X?: number;
  Y?: number;
}

export async function loadImage(file: Blob): Promise<HTMLImageElement> {
  const image = new Image();
  image.src = URL.createObjectURL(file);
  await image.decode();
  return image;
}

/** Draws ``image`` into ``canvas`` at its natural size (CSS scales it to the page). */
export function drawPhoto(canvas: HTMLCanvasElement, image: HTMLImageElement): CanvasRenderingContext2D {
  canvas.hidden = false;
  canvas.width = image.naturalWidth;
  canvas.height = image.naturalHeight;
  const context = canvas.getContext("2d") as CanvasRenderingContext2D;
  context.drawImage(image, 0, 0);
  return context;
}

export function drawBox(context: CanvasRenderingContext2D, box: Box, colour: string, label: string): void {
  const { width, height } = context.canvas;
  const x = (box.Left ?? 0) * width;
  const y = (box.Top ?? 0) * height;
  const w = (box.Width ?? 0) * width;
  const h = (box.Height ?? 0) * height;
  const line = strokeWidth(context);
  context.lineWidth = line;
  context.strokeStyle = colour;
  context.strokeRect(x, y, w, h);
  drawTag(context, x, y, h, colour, label);
}

/** A closed outline through ``points`` (a rotated text line, say), tagged inside its top left
 * corner: lines of text sit too close together for a tag above each. */
export function drawPolygon(context: CanvasRenderingContext2D, points: Point[], colour: string, label: string): void {
  if (!points.length) return;
  const { width, height } = context.canvas;
  const xs = points.map((point) => (point.X ?? 0) * width);
  const ys = points.map((point) => (point.Y ?? 0) * height);
  context.lineWidth = strokeWidth(context);
  context.strokeStyle = colour;
  context.beginPath();
  xs.forEach((x, index) => (index ? context.lineTo(x, ys[index]) : context.moveTo(x, ys[index])));
  context.closePath();
  context.stroke();
  const top = Math.min(...ys);
  const size = Math.min(tagSize(context), Math.max(10, Math.round((Math.max(...ys) - top) * 0.8)));
  paintTag(context, Math.min(...xs), top, size, colour, label);
}

function strokeWidth(context: CanvasRenderingContext2D): number {
  return Math.max(2, Math.round(context.canvas.width / 300));
}

function tagSize(context: CanvasRenderingContext2D): number {
  return Math.max(12, Math.round(context.canvas.width / 45));
}

/** ``label`` on a filled tag above the shape at (x, y) of height h, or below it near the top edge. */
function drawTag(context: CanvasRenderingContext2D, x: number, y: number, h: number, colour: string, label: string): void {
  const size = tagSize(context);
  const line = strokeWidth(context);
  const above = y - size - line > 0;
  paintTag(context, x, above ? y - size - line : y + h, size, colour, label);
}

function paintTag(context: CanvasRenderingContext2D, x: number, top: number, size: number, colour: string, label: string): void {
  const line = strokeWidth(context);
  context.font = `bold ${size}px system-ui, sans-serif`;
  const textWidth = context.measureText(label).width + size / 2;
  context.fillStyle = colour;
  context.fillRect(x - line / 2, top, textWidth, size + line);
  context.fillStyle = "#000";
  context.fillText(label, x + size / 4, top + size * 0.85);
}

export function drawPoints(context: CanvasRenderingContext2D, points: Point[], colour: string): void {
  const { width, height } = context.canvas;
  const radius = Math.max(2, Math.round(width / 250));
  context.fillStyle = colour;
  for (const point of points) {
    context.beginPath();
    context.arc((point.X ?? 0) * width, (point.Y ?? 0) * height, radius, 0, Math.PI * 2);
    context.fill();
  }
}
