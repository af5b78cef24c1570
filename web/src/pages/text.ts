import {
  ComprehendClient,
  DetectDominantLanguageCommand,
  DetectEntitiesCommand,
  DetectSentimentCommand,
  DetectSyntaxCommand,
  type LanguageCode,
  type SyntaxLanguageCode,
} from "@aws-sdk/client-comprehend";
import { type Credentials, clientConfig } from "../session";
import { Status, describe, field, h, percent, table } from "../ui";

interface Span {
  begin: number;
  end: number;
  label: string;
  kind: string;
}

const LANGUAGES = ["en", "es", "fr", "de", "it", "pt"];

export function render(main: HTMLElement, credentials: Credentials): void {
  const client = new ComprehendClient(clientConfig(credentials));
  const status = new Status();
  const text = h("textarea", { rows: "4", name: "text" });
  text.value = "Ada Lovelace wrote the first program in London. What a wonderful idea it was!";
  const language = h("select", { name: "language" }, ...LANGUAGES.map((code) => h("option", { value: code }, code)));
  const submit = h("button", { type: "submit" }, "Analyse");
  const results = h("div", { class: "panels" });

  const form = h(
    "form",
    { class: "card", "aria-labelledby": "text-title" },
    h("h2", { id: "text-title" }, "Analyse text"),
    h("p", {}, "Sentiment, dominant language, entities and syntax (Comprehend)."),
    field("Text", text),
    field("Language of the analyses", language),
    submit,
    status.element,
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = text.value;
    const code = language.value;
    submit.disabled = true;
    status.busy("Analysing…");
    results.replaceChildren();
    const panel = (title: string, body: Promise<Node>): HTMLElement => {
      const section = h("section", { class: "card", "aria-label": title }, h("h2", {}, title), h("p", { class: "status busy" }, "…"));
      body.then(
        (node) => section.lastElementChild?.replaceWith(node),
        (error: unknown) => section.lastElementChild?.replaceWith(h("p", { class: "status error", role: "alert" }, describe(error))),
      );
      results.append(section);
      return section;
    };
    const work = [
      client.send(new DetectSentimentCommand({ Text: input, LanguageCode: code as LanguageCode })).then((answer) => {
        const scores = answer.SentimentScore ?? {};
        return h(
          "div",
          {},
          h("p", { class: "big" }, answer.Sentiment ?? "?"),
          table("Scores", ["Sentiment", "Score"], [
            ["Positive", percent((scores.Positive ?? 0) * 100)],
            ["Negative", percent((scores.Negative ?? 0) * 100)],
            ["Neutral", percent((scores.Neutral ?? 0) * 100)],
            ["Mixed", percent((scores.Mixed ?? 0) * 100)],
          ]),
        );
      }),
      client.send(new DetectDominantLanguageCommand({ Text: input })).then((answer) =>
        table(
          "Languages",
          ["Language", "Score"],
          (answer.Languages ?? []).map((entry) => [entry.LanguageCode ?? "?", percent((entry.Score ?? 0) * 100)]),
        ),
      ),
      client.send(new DetectEntitiesCommand({ Text: input, LanguageCode: code as LanguageCode })).then((answer) =>
        marked(
          input,
          (answer.Entities ?? []).map((entity) => ({
            begin: entity.BeginOffset ?? 0,
            end: entity.EndOffset ?? 0,
            label: entity.Type ?? "",
            kind: `entity-${(entity.Type ?? "other").toLowerCase()}`,
          })),
        ),
      ),
      client.send(new DetectSyntaxCommand({ Text: input, LanguageCode: code as SyntaxLanguageCode })).then((answer) =>
        marked(
          input,
          (answer.SyntaxTokens ?? []).map((token) => ({
            begin: token.BeginOffset ?? 0,
            end: token.EndOffset ?? 0,
            label: token.PartOfSpeech?.Tag ?? "",
            kind: `pos-${(token.PartOfSpeech?.Tag ?? "x").toLowerCase()}`,
          })),
        ),
      ),
    ];
    panel("Sentiment", work[0]);
    panel("Dominant language", work[1]);
    panel("Entities", work[2]);
    panel("Syntax", work[3]);
    const settled = await Promise.allSettled(work);
    const failed = settled.filter((outcome) => outcome.status === "rejected").length;
    if (failed) status.ok(`Done; ${failed} of 4 analyses answered with an error.`);
    else status.ok("Done.");
    submit.disabled = false;
  });

  main.append(h("h1", {}, "Text"), form, results);
}

/** The text with each span wrapped in a mark labelled with its type. Offsets count
 * characters (code points), as Comprehend's do. */
function marked(text: string, spans: Span[]): HTMLElement {
  const characters = Array.from(text);
  const paragraph = h("p", { class: "marked" });
  let at = 0;
  for (const span of [...spans].sort((a, b) => a.begin - b.begin)) {
    if (span.begin < at || span.end > characters.length) continue;
    paragraph.append(characters.slice(at, span.begin).join(""));
    paragraph.append(
      h(
        "mark",
        { class: span.kind, title: span.label },
        characters.slice(span.begin, span.end).join(""),
        h("small", {}, span.label),
      ),
    );
    at = span.end;
  }
  paragraph.append(characters.slice(at).join(""));
  if (!spans.length) paragraph.append(h("span", { class: "hint" }, " (none found)"));
  return paragraph;
}
