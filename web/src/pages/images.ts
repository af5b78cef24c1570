import {
  DetectLabelsCommand,
  type DetectLabelsCommandOutput,
  DetectTextCommand,
  type DetectTextCommandOutput,
  RekognitionClient,
} from "@aws-sdk/client-rekognition";
import { drawBox, drawPhoto, drawPolygon, loadImage } from "../draw";
import { type Credentials, clientConfig } from "../session";
import { Status, describe, dropZone, h, percent, table } from "../ui";

// Distinct, light enough for the tags' black text.
const PALETTE = ["#ffd23f", "#3ddc84", "#7cc4ff", "#ff9f68", "#e0a3ff", "#ff8fab"];
const LINE = "#3ddc84";

export function render(main: HTMLElement, credentials: Credentials): void {
  const client = new RekognitionClient(clientConfig(credentials));
  const status = new Status();
  const labels = panel("labels", "Labels", "Labels with their confidence, located instances outlined (DetectLabels).");
  const text = panel("text", "Text", "Each line of text found, outlined and numbered (DetectText).");

  async function analyse(file: File): Promise<void> {
    status.busy(`Analysing ${file.name}…`);
    labels.reset();
    text.reset();
    let image: HTMLImageElement;
    try {
      image = await loadImage(file);
    } catch {
      status.error(new Error(`${file.name} is not an image this browser can show`));
      return;
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const work = [
      client
        .send(new DetectLabelsCommand({ Image: { Bytes: bytes } }))
        .then((answer) => showLabels(labels, image, file.name, answer), (error: unknown) => labels.fail(error)),
      client
        .send(new DetectTextCommand({ Image: { Bytes: bytes } }))
        .then((answer) => showText(text, image, file.name, answer), (error: unknown) => text.fail(error)),
    ];
    await Promise.all(work);
    status.ok(`Done: ${file.name}.`);
  }

  main.append(
    h("h1", {}, "Images"),
    h(
      "section",
      { class: "card", "aria-labelledby": "images-title" },
      h("h2", { id: "images-title" }, "Analyse a photo"),
      h("p", {}, "What Rekognition sees in a photo: labels and their instances, and the text in it."),
      dropZone("Photo", "image/jpeg,image/png", (file) => void analyse(file)),
      status.element,
    ),
    labels.element,
    text.element,
  );
}

interface Panel {
  element: HTMLElement;
  canvas: HTMLCanvasElement;
  summary: HTMLElement;
  details: HTMLElement;
  reset: () => void;
  fail: (error: unknown) => void;
}

function panel(id: string, title: string, about: string): Panel {
  const canvas = h("canvas", { class: "photo", hidden: true, role: "img", "aria-label": "No photo yet" });
  const summary = h("p", { class: "summary", "aria-live": "polite" });
  const details = h("div", { class: "details" });
  const element = h(
    "section",
    { class: `card ${id}`, "aria-labelledby": `${id}-title` },
    h("h2", { id: `${id}-title` }, title),
    h("p", {}, about),
    summary,
    h("div", { class: "result" }, canvas, details),
  );
  return {
    element,
    canvas,
    summary,
    details,
    reset() {
      canvas.hidden = true;
      canvas.setAttribute("aria-label", "No photo yet");
      summary.textContent = "";
      summary.className = "summary";
      delete summary.dataset.count;
      details.replaceChildren();
    },
    fail(error: unknown) {
      summary.textContent = describe(error);
      summary.className = "summary status error";
    },
  };
}

function showLabels(panel: Panel, image: HTMLImageElement, name: string, answer: DetectLabelsCommandOutput): void {
  const labels = answer.Labels ?? [];
  const context = drawPhoto(panel.canvas, image);
  let outlined = 0;
  const rows = labels.map((label, index) => {
    const colour = PALETTE[index % PALETTE.length];
    const instances = label.Instances ?? [];
    for (const instance of instances) {
      drawBox(context, instance.BoundingBox ?? {}, colour, `${label.Name} ${percent(instance.Confidence)}`);
    }
    outlined += instances.length;
    const cell = h("span", { "data-label": label.Name ?? "", "data-instances": String(instances.length) }, label.Name ?? "?");
    return [cell, percent(label.Confidence), instances.length ? String(instances.length) : "–", parents(label.Parents)];
  });
  panel.details.append(table(`Labels in ${name}`, ["Label", "Confidence", "Instances", "Parents"], rows));
  if (!labels.length) panel.details.append(h("p", { class: "hint" }, "No label reaches the default 55% confidence."));
  panel.summary.textContent = `${labels.length} ${labels.length === 1 ? "label" : "labels"}, ${outlined} located.`;
  panel.summary.dataset.count = String(labels.length);
  panel.canvas.setAttribute("aria-label", `${name} with ${outlined} label instances outlined`);
}

function parents(list: { Name?: string }[] | undefined): string {
  return (list ?? []).map((parent) => parent.Name ?? "").join(", ");
}

function showText(panel: Panel, image: HTMLImageElement, name: string, answer: DetectTextCommandOutput): void {
  const lines = (answer.TextDetections ?? []).filter((detection) => detection.Type === "LINE");
  const context = drawPhoto(panel.canvas, image);
  const list = h("ol", { class: "lines", "aria-label": "Lines of text" });
  lines.forEach((line, index) => {
    const number = String(index + 1);
    const geometry = line.Geometry ?? {};
    if (geometry.Polygon?.length) drawPolygon(context, geometry.Polygon, LINE, number);
    else drawBox(context, geometry.BoundingBox ?? {}, LINE, number);
    list.append(
      h(
        "li",
        { class: "line", "data-line": number },
        h("span", { class: "said" }, line.DetectedText ?? ""),
        h("small", {}, ` ${percent(line.Confidence)}`),
      ),
    );
  });
  panel.details.append(lines.length ? list : h("p", { class: "hint" }, "No text found."));
  const count = `${lines.length} ${lines.length === 1 ? "line" : "lines"} of text`;
  panel.summary.textContent = `${count} found.`;
  panel.summary.dataset.count = String(lines.length);
  panel.canvas.setAttribute("aria-label", `${name} with ${count} outlined`);
}
