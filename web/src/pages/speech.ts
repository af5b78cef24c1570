import {
  DescribeVoicesCommand,
  type Engine,
  PollyClient,
  SynthesizeSpeechCommand,
  type Voice,
  type VoiceId,
} from "@aws-sdk/client-polly";
import { type Credentials, clientConfig } from "../session";
import { Status, field, h } from "../ui";
import { transcribeSection } from "./transcribe";

interface WordMark {
  time: number;
  start: number;
  end: number;
  value: string;
}

export function render(main: HTMLElement, credentials: Credentials): void {
  const client = new PollyClient(clientConfig(credentials));
  const status = new Status();
  const text = h("textarea", { rows: "4", name: "text" });
  text.value = "Sensorium speaks on your own machine. Every word lights up as it is spoken.";
  const voice = h("select", { name: "voice" });
  const engine = h("select", { name: "engine" });
  const submit = h("button", { type: "submit", disabled: true }, "Speak");
  const audio = h("audio", { controls: true, hidden: true, class: "player" });
  const words = h("p", { class: "words", "aria-label": "Spoken words" });
  let voices: Voice[] = [];
  let marks: { mark: WordMark; span: HTMLElement }[] = [];

  function chooseEngines(): void {
    const chosen = voices.find((candidate) => candidate.Id === voice.value);
    const engines = chosen?.SupportedEngines ?? [];
    engine.replaceChildren(...engines.map((name) => h("option", { value: name }, name)));
  }
  voice.addEventListener("change", chooseEngines);

  async function loadVoices(): Promise<void> {
    status.busy("Loading voices…");
    try {
      const answer = await client.send(new DescribeVoicesCommand({}));
      voices = (answer.Voices ?? []).sort((a, b) =>
        `${a.LanguageName}${a.Name}`.localeCompare(`${b.LanguageName}${b.Name}`),
      );
      voice.replaceChildren(
        ...voices.map((entry) =>
          h("option", { value: entry.Id ?? "" }, `${entry.Name} (${entry.LanguageName}, ${entry.Gender})`),
        ),
      );
      // English text is the usual first try: an American English voice is chosen first.
      const english = voices.find((entry) => entry.LanguageCode === "en-US");
      if (english?.Id) voice.value = english.Id;
      chooseEngines();
      submit.disabled = voices.length === 0;
      status.ok(`${voices.length} voices.`);
    } catch (error) {
      status.error(error);
    }
  }

  const form = h(
    "form",
    { class: "card", "aria-labelledby": "speech-title" },
    h("h2", { id: "speech-title" }, "Text to speech"),
    h("p", {}, "SynthesizeSpeech with the voice you pick; the words light up from its speech marks."),
    field("Text", text),
    h("div", { class: "pair" }, field("Voice", voice), field("Engine", engine)),
    submit,
    status.element,
    audio,
    words,
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    status.busy("Synthesising…");
    try {
      const request = {
        Text: text.value,
        VoiceId: voice.value as VoiceId,
        Engine: (engine.value || undefined) as Engine | undefined,
      };
      const [sound, spoken] = await Promise.all([
        client.send(new SynthesizeSpeechCommand({ ...request, OutputFormat: "mp3" })),
        client.send(new SynthesizeSpeechCommand({ ...request, OutputFormat: "json", SpeechMarkTypes: ["word"] })),
      ]);
      const bytes = await sound.AudioStream?.transformToByteArray();
      const lines = (await spoken.AudioStream?.transformToString()) ?? "";
      if (audio.src) URL.revokeObjectURL(audio.src);
      audio.src = URL.createObjectURL(new Blob([bytes ?? new Uint8Array()], { type: sound.ContentType ?? "audio/mpeg" }));
      audio.hidden = false;
      marks = showWords(words, text.value, parseMarks(lines));
      status.ok(`${bytes?.length ?? 0} bytes of audio, ${marks.length} word marks.`);
      audio.play().catch(() => undefined); // a browser may forbid autoplay: the controls remain
    } catch (error) {
      status.error(error);
    } finally {
      submit.disabled = false;
    }
  });

  let frame = 0;
  const follow = (): void => {
    highlight(marks, audio.currentTime * 1000);
    if (!audio.paused) frame = requestAnimationFrame(follow);
  };
  audio.addEventListener("play", () => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(follow);
  });
  audio.addEventListener("seeked", follow);
  audio.addEventListener("ended", () => highlight(marks, -1));

  main.append(h("h1", {}, "Speech"), form, transcribeSection(credentials));
  void loadVoices();
}

function parseMarks(lines: string): WordMark[] {
  return lines
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as WordMark & { type: string })
    .filter((mark) => mark.type === "word");
}

/** The text with one span per marked word. Marks count UTF-8 bytes, as Polly's do. */
function showWords(target: HTMLElement, text: string, marks: WordMark[]): { mark: WordMark; span: HTMLElement }[] {
  const bytes = new TextEncoder().encode(text);
  const decoder = new TextDecoder();
  const shown: { mark: WordMark; span: HTMLElement }[] = [];
  const parts: Node[] = [];
  let at = 0;
  for (const mark of marks) {
    if (mark.start < at || mark.end > bytes.length) continue;
    parts.push(document.createTextNode(decoder.decode(bytes.slice(at, mark.start))));
    const span = h("span", { class: "word" }, decoder.decode(bytes.slice(mark.start, mark.end)));
    parts.push(span);
    shown.push({ mark, span });
    at = mark.end;
  }
  parts.push(document.createTextNode(decoder.decode(bytes.slice(at))));
  target.replaceChildren(...parts);
  return shown;
}

function highlight(marks: { mark: WordMark; span: HTMLElement }[], milliseconds: number): void {
  let spoken = -1;
  marks.forEach(({ mark }, index) => {
    if (milliseconds >= 0 && mark.time <= milliseconds) spoken = index;
  });
  marks.forEach(({ span }, index) => span.classList.toggle("spoken", index === spoken));
}
