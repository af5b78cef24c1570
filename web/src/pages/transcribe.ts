import {
  GetTranscriptionJobCommand,
  type LanguageCode,
  type MediaFormat,
  StartTranscriptionJobCommand,
  type TranscriptionJob,
  TranscribeClient,
} from "@aws-sdk/client-transcribe";
import { type Credentials, clientConfig } from "../session";
import { Status, dropZone, field, h } from "../ui";
import { uploadFile } from "../upload";

const POLL_MS = 1000;
const FORMATS = new Set<string>(["amr", "flac", "m4a", "mp3", "mp4", "ogg", "wav", "webm"]);

/** One spoken word of a transcript, as Transcribe's results.items give it. */
interface TranscriptItem {
  type: "pronunciation" | "punctuation";
  start_time?: string;
  end_time?: string;
  alternatives: { content: string; confidence?: string }[];
}

interface TranscriptDocument {
  jobName: string;
  results: { transcripts: { transcript: string }[]; items: TranscriptItem[] };
}

/** The Speech page's "Speech to text" card: upload, StartTranscriptionJob, poll, read. */
export function transcribeSection(credentials: Credentials): HTMLElement {
  const client = new TranscribeClient(clientConfig(credentials));
  const status = new Status();
  const language = h("input", { name: "language", value: "en-US", autocomplete: "off", spellcheck: "false" });
  const audio = h("audio", { controls: true, hidden: true, class: "player" });
  const words = h("p", { class: "words transcript", "aria-label": "Transcript" });
  const hint = h("p", { class: "hint", hidden: true }, "Choose a word to hear the audio from there.");
  let spans: { start: number; end: number; button: HTMLElement }[] = [];

  async function transcribe(file: File): Promise<void> {
    words.replaceChildren();
    hint.hidden = true;
    spans = [];
    if (audio.src) URL.revokeObjectURL(audio.src);
    audio.src = URL.createObjectURL(file);
    audio.hidden = false;
    try {
      status.busy(`Uploading ${file.name}…`);
      const media = await uploadFile(credentials, "transcribe", file);
      const name = `console-${crypto.randomUUID()}`;
      const extension = file.name.split(".").pop()?.toLowerCase() ?? "";
      await client.send(
        new StartTranscriptionJobCommand({
          TranscriptionJobName: name,
          LanguageCode: language.value.trim() as LanguageCode,
          Media: { MediaFileUri: media.uri },
          MediaFormat: FORMATS.has(extension) ? (extension as MediaFormat) : undefined,
        }),
      );
      status.busy(`Transcribing ${file.name} (job ${name})…`);
      const job = await settled(client, name);
      if (job.TranscriptionJobStatus !== "COMPLETED") {
        status.error(new Error(`Transcription failed: ${job.FailureReason ?? "no reason given"}`));
        return;
      }
      const document = await readTranscript(job.Transcript?.TranscriptFileUri ?? "");
      spans = showTranscript(words, document.results.items, (seconds) => {
        audio.currentTime = seconds;
        audio.play().catch(() => undefined); // a browser may forbid playing: the seek stays
      });
      words.dataset.count = String(spans.length);
      hint.hidden = spans.length === 0;
      status.ok(`${spans.length} words from ${file.name}.`);
    } catch (error) {
      status.error(error);
    }
  }

  const follow = (): void => {
    const seconds = audio.currentTime;
    for (const { start, end, button } of spans) {
      button.classList.toggle("spoken", seconds >= start && seconds < end);
    }
  };
  audio.addEventListener("timeupdate", follow);
  audio.addEventListener("seeked", follow);

  return h(
    "section",
    { class: "card", "aria-labelledby": "transcribe-title" },
    h("h2", { id: "transcribe-title" }, "Speech to text"),
    h(
      "p",
      {},
      "The audio goes into this key's console bucket (PutObject), a transcription job reads it " +
        "(StartTranscriptionJob), and its transcript shows each word with its time.",
    ),
    field("Language code", language, "The language spoken, as Transcribe names it (en-US, en-GB, fr-FR…)."),
    dropZone("Audio", "audio/*,.wav,.flac,.mp3,.ogg,.webm,.m4a,.amr,.mp4", (file) => void transcribe(file)),
    status.element,
    audio,
    words,
    hint,
  );
}

async function settled(client: TranscribeClient, name: string): Promise<TranscriptionJob> {
  for (;;) {
    const answer = await client.send(new GetTranscriptionJobCommand({ TranscriptionJobName: name }));
    const job = answer.TranscriptionJob ?? {};
    if (job.TranscriptionJobStatus === "COMPLETED" || job.TranscriptionJobStatus === "FAILED") return job;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The service bucket's transcript URL is presigned on this server: a plain GET reads it. */
async function readTranscript(url: string): Promise<TranscriptDocument> {
  if (!url.startsWith(`${window.location.origin}/`)) {
    throw new Error(`The transcript is at ${url || "no address"}, which this page cannot read.`);
  }
  const response = await fetch(url, { credentials: "omit" });
  if (!response.ok) throw new Error(`Reading the transcript: HTTP ${response.status}`);
  return (await response.json()) as TranscriptDocument;
}

/** One button per word, its time in its name; punctuation stays plain text. */
function showTranscript(
  target: HTMLElement,
  items: TranscriptItem[],
  seek: (seconds: number) => void,
): { start: number; end: number; button: HTMLElement }[] {
  const shown: { start: number; end: number; button: HTMLElement }[] = [];
  const parts: Node[] = [];
  for (const item of items) {
    const content = item.alternatives[0]?.content ?? "";
    if (item.type === "punctuation" || item.start_time === undefined) {
      parts.push(document.createTextNode(content));
      continue;
    }
    const start = Number(item.start_time);
    const end = Number(item.end_time ?? item.start_time);
    if (parts.length) parts.push(document.createTextNode(" "));
    const button = h(
      "button",
      {
        type: "button",
        class: "word timed",
        title: `${start.toFixed(2)}–${end.toFixed(2)} s`,
        "data-start": start.toFixed(2),
      },
      content,
      h("small", {}, ` ${start.toFixed(2)} s`),
    );
    button.addEventListener("click", () => seek(start));
    parts.push(button);
    shown.push({ start, end, button });
  }
  target.replaceChildren(...parts);
  return shown;
}
