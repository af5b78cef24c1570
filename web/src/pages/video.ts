import {
  GetFaceDetectionCommand,
  GetFaceSearchCommand,
  ListCollectionsCommand,
  RekognitionClient,
  StartFaceDetectionCommand,
  StartFaceSearchCommand,
  type VideoMetadata,
} from "@aws-sdk/client-rekognition";
import { type Credentials, clientConfig } from "../session";
import { type Sighting, timeline } from "../timeline";
import { Status, dropZone, field, h } from "../ui";
import { uploadFile } from "../upload";

const POLL_MS = 1000;
const DETECT_ONLY = "";

interface Finding {
  sightings: Sighting[];
  metadata?: VideoMetadata;
}

export function render(main: HTMLElement, credentials: Credentials): void {
  const client = new RekognitionClient(clientConfig(credentials));
  const status = new Status();
  const collection = h("select", { name: "collection" }, h("option", { value: DETECT_ONLY }, "None: detect faces"));
  const video = h("video", { controls: true, hidden: true, class: "clip", muted: true, playsinline: true });
  const summary = h("p", { class: "summary", "aria-live": "polite" });
  const chart = h("div", { class: "chart" });

  async function loadCollections(): Promise<void> {
    try {
      const answer = await client.send(new ListCollectionsCommand({ MaxResults: 100 }));
      collection.append(...(answer.CollectionIds ?? []).map((id) => h("option", { value: id }, id)));
    } catch (error) {
      status.error(error);
    }
  }

  async function analyse(file: File): Promise<void> {
    chart.replaceChildren();
    summary.textContent = "";
    if (video.src) URL.revokeObjectURL(video.src);
    video.src = URL.createObjectURL(file);
    video.hidden = false;
    try {
      status.busy(`Uploading ${file.name}…`);
      const media = await uploadFile(credentials, "video", file);
      const source = { S3Object: { Bucket: media.bucket, Name: media.key } };
      const searched = collection.value;
      status.busy(`Looking for faces in ${file.name}…`);
      const found = searched
        ? await faceSearch(client, source, searched)
        : await faceDetection(client, source);
      const people = new Set(found.sightings.map((sighting) => sighting.row)).size;
      const rows = searched ? `${people} ${people === 1 ? "person" : "people"}` : "faces";
      const label = `${found.sightings.length} sightings of ${rows} in ${file.name}`;
      chart.replaceChildren(
        timeline(found.sightings, found.metadata?.DurationMillis ?? 0, label, (milliseconds) => {
          video.currentTime = milliseconds / 1000;
        }),
      );
      summary.textContent = `${label}.`;
      summary.dataset.count = String(found.sightings.length);
      status.ok(found.sightings.length ? "Choose a point to see that moment." : "No faces found.");
    } catch (error) {
      status.error(error);
    }
  }

  main.append(
    h("h1", {}, "Video"),
    h(
      "section",
      { class: "card", "aria-labelledby": "video-title" },
      h("h2", { id: "video-title" }, "Faces in a video"),
      h(
        "p",
        {},
        "The video goes into this key's console bucket (PutObject); StartFaceDetection finds its faces, " +
          "or StartFaceSearch the people of a collection, and each sighting is a point on its time line.",
      ),
      field("Collection", collection, "Search its faces, or detect every face."),
      dropZone("Video", "video/mp4,video/quicktime,.mp4,.mov", (file) => void analyse(file)),
      status.element,
      summary,
      video,
      chart,
    ),
  );
  void loadCollections();
}

type Source = { S3Object: { Bucket: string; Name: string } };

async function pause(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, POLL_MS));
}

async function faceDetection(client: RekognitionClient, source: Source): Promise<Finding> {
  const { JobId } = await client.send(new StartFaceDetectionCommand({ Video: source }));
  const sightings: Sighting[] = [];
  let token: string | undefined;
  for (;;) {
    const answer = await client.send(new GetFaceDetectionCommand({ JobId, NextToken: token }));
    if (answer.JobStatus === "IN_PROGRESS") {
      await pause();
      continue;
    }
    if (answer.JobStatus !== "SUCCEEDED") throw new Error(`Face detection failed: ${answer.StatusMessage}`);
    for (const face of answer.Faces ?? []) {
      sightings.push({ row: "Faces", milliseconds: face.Timestamp ?? 0, label: "A face" });
    }
    token = answer.NextToken;
    if (!token) return { sightings, metadata: answer.VideoMetadata };
  }
}

async function faceSearch(client: RekognitionClient, source: Source, collection: string): Promise<Finding> {
  const { JobId } = await client.send(new StartFaceSearchCommand({ Video: source, CollectionId: collection }));
  const sightings: Sighting[] = [];
  let token: string | undefined;
  for (;;) {
    const answer = await client.send(new GetFaceSearchCommand({ JobId, NextToken: token }));
    if (answer.JobStatus === "IN_PROGRESS") {
      await pause();
      continue;
    }
    if (answer.JobStatus !== "SUCCEEDED") throw new Error(`Face search failed: ${answer.StatusMessage}`);
    for (const person of answer.Persons ?? []) {
      const match = person.FaceMatches?.[0]?.Face;
      const name = match?.ExternalImageId || match?.FaceId;
      const row = `Person ${person.Person?.Index ?? 0}`;
      sightings.push({
        row,
        milliseconds: person.Timestamp ?? 0,
        label: name ? `${row} (${name})` : row,
      });
    }
    token = answer.NextToken;
    if (!token) return { sightings, metadata: answer.VideoMetadata };
  }
}
