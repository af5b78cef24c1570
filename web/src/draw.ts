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
  const line = Math.max(2, Math.round(width / 300));
  context.lineWidth = line;
  context.strokeStyle = colour;
  context.strokeRect(x, y, w, h);
  const size = Math.max(12, Math.round(width / 45));
  context.font = `bold ${size}px system-ui, sans-serif`;
  const textWidth = context.measureText(label).width + size / 2;
  const above = y - size - line > 0;
  const top = above ? y - size - line : y + h;
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
