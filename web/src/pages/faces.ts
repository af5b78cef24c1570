import {
  CompareFacesCommand,
  DetectFacesCommand,
  RekognitionClient,
} from "@aws-sdk/client-rekognition";
import { drawBox, drawPhoto, drawPoints, loadImage } from "../draw";
import { type Credentials, clientConfig } from "../session";
import { Status, dropZone, field, h, percent } from "../ui";
import { collectionsSection } from "./collections";

const BOX = "#ffd23f";
const MATCH = "#3ddc84";
const NO_MATCH = "#ff6b6b";

export function render(main: HTMLElement, credentials: Credentials): void {
  const client = new RekognitionClient(clientConfig(credentials));
  main.append(
    h("h1", {}, "Faces"),
    detectSection(client),
    compareSection(client),
    collectionsSection(client),
  );
}

function detectSection(client: RekognitionClient): HTMLElement {
  const status = new Status();
  const canvas = h("canvas", { class: "photo", hidden: true, role: "img", "aria-label": "No photo yet" });
  const list = h("ol", { class: "faces", "aria-label": "Faces found" });
  const summary = h("p", { class: "summary", "aria-live": "polite" });

  async function detect(file: File): Promise<void> {
    list.replaceChildren();
    summary.textContent = "";
    status.busy(`Detecting faces in ${file.name}…`);
    try {
      const image = await loadImage(file);
      const bytes = new Uint8Array(await file.arrayBuffer());
      const answer = await client.send(
        new DetectFacesCommand({ Image: { Bytes: bytes }, Attributes: ["DEFAULT"] }),
      );
      const faces = answer.FaceDetails ?? [];
      const context = drawPhoto(canvas, image);
      faces.forEach((face, index) => {
        drawBox(context, face.BoundingBox ?? {}, BOX, String(index + 1));
        drawPoints(context, face.Landmarks ?? [], MATCH);
        list.append(
          h(
            "li",
            { "data-face": String(index + 1) },
            `Face ${index + 1}: confidence ${percent(face.Confidence)}, ${face.Landmarks?.length ?? 0} landmarks`,
          ),
        );
      });
      const count = `${faces.length} ${faces.length === 1 ? "face" : "faces"}`;
      summary.textContent = `${count} found in ${file.name}.`;
      summary.dataset.count = String(faces.length);
      canvas.setAttribute("aria-label", `${file.name} with ${count} outlined`);
      status.clear();
    } catch (error) {
      status.error(error);
    }
  }

  return h(
    "section",
    { class: "card", "aria-labelledby": "detect-title" },
    h("h2", { id: "detect-title" }, "Detect faces"),
    h("p", {}, "Boxes and landmarks from DetectFaces, drawn on the photo."),
    dropZone("Photo", "image/jpeg,image/png", (file) => void detect(file)),
    status.element,
    summary,
    h("div", { class: "result" }, canvas, list),
  );
}

function compareSection(client: RekognitionClient): HTMLElement {
  const status = new Status();
  const canvas = h("canvas", { class: "photo", hidden: true, role: "img", "aria-label": "No comparison yet" });
  const list = h("ul", { class: "matches", "aria-label": "Comparison" });
  const files: { source?: File; target?: File } = {};
  const button = h("button", { type: "button", disabled: true }, "Compare");
  const threshold = h("input", { type: "number", min: "0", max: "100", step: "1", value: "80", name: "threshold" });

  function chosen(which: "source" | "target", file: File): void {
    files[which] = file;
    button.disabled = !(files.source && files.target);
  }

  button.addEventListener("click", async () => {
    const { source, target } = files;
    if (!source || !target) return;
    list.replaceChildren();
    status.busy("Comparing…");
    try {
      const answer = await client.send(
        new CompareFacesCommand({
          SourceImage: { Bytes: new Uint8Array(await source.arrayBuffer()) },
          TargetImage: { Bytes: new Uint8Array(await target.arrayBuffer()) },
          SimilarityThreshold: Number(threshold.value),
        }),
      );
      const context = drawPhoto(canvas, await loadImage(target));
      for (const match of answer.FaceMatches ?? []) {
        const similarity = percent(match.Similarity);
        drawBox(context, match.Face?.BoundingBox ?? {}, MATCH, similarity);
        list.append(h("li", { class: "match" }, `Match: similarity ${similarity}`));
      }
      for (const face of answer.UnmatchedFaces ?? []) {
        drawBox(context, face.BoundingBox ?? {}, NO_MATCH, "no match");
        list.append(h("li", { class: "unmatched" }, "A face that does not match"));
      }
      canvas.setAttribute(
        "aria-label",
        `${target.name}: ${answer.FaceMatches?.length ?? 0} matching and ${answer.UnmatchedFaces?.length ?? 0} other faces`,
      );
      status.clear();
    } catch (error) {
      status.error(error);
    }
  });

  return h(
    "section",
    { class: "card", "aria-labelledby": "compare-title" },
    h("h2", { id: "compare-title" }, "Compare faces"),
    h("p", {}, "The largest face of the source photo, looked for among the faces of the target (CompareFaces)."),
    h(
      "div",
      { class: "pair" },
      dropZone("Source photo", "image/jpeg,image/png", (file) => chosen("source", file)),
      dropZone("Target photo", "image/jpeg,image/png", (file) => chosen("target", file)),
    ),
    field("Similarity threshold (%)", threshold, "Faces less similar than this count as no match."),
    button,
    status.element,
    h("div", { class: "result" }, canvas, list),
  );
}
