import {
  type BotAliasSummary,
  type BotLocaleSummary,
  type BotSummary,
  LexModelsV2Client,
  ListBotAliasesCommand,
  ListBotLocalesCommand,
  ListBotsCommand,
} from "@aws-sdk/client-lex-models-v2";
import {
  LexRuntimeV2Client,
  RecognizeTextCommand,
  type RecognizeTextCommandOutput,
} from "@aws-sdk/client-lex-runtime-v2";
import { type Credentials, clientConfig } from "../session";
import { Status, describe, field, h, percent, table } from "../ui";

// A locale the runtime can talk in: built for full or for express testing.
const USABLE = new Set(["Built", "ReadyExpressTesting"]);
// The alias every bot has, pointing at its draft: the one AWS's console tests with.
const TEST_ALIAS = "TSTALIASID";

interface Bot {
  summary: BotSummary;
  locales: BotLocaleSummary[];
  aliases: BotAliasSummary[];
}

export function render(main: HTMLElement, credentials: Credentials): void {
  const config = clientConfig(credentials);
  const models = new LexModelsV2Client(config);
  const runtime = new LexRuntimeV2Client(config);
  const listing = h("section", { class: "card jobs", "aria-label": "Bots" }, h("p", { class: "status busy" }, "Loading…"));
  const chat = h("div");

  async function load(): Promise<void> {
    try {
      const bots = await listBots(models);
      listing.replaceChildren(botTable(bots));
      if (!bots.length) listing.append(h("p", { class: "hint" }, "No bots yet: create one with lexv2-models."));
      chat.replaceChildren(chatSection(runtime, bots));
    } catch (error) {
      listing.replaceChildren(h("h2", {}, "Bots"), h("p", { class: "status error", role: "alert" }, describe(error)));
    }
  }

  main.append(
    h("h1", {}, "Bots"),
    h("p", {}, "Lex V2 bots, their draft's built locales and aliases; chat with one through RecognizeText."),
    listing,
    chat,
  );
  void load();
}

async function listBots(models: LexModelsV2Client): Promise<Bot[]> {
  const summaries = [];
  let nextToken: string | undefined;
  do {
    const answer = await models.send(new ListBotsCommand({ maxResults: 100, nextToken }));
    summaries.push(...(answer.botSummaries ?? []));
    nextToken = answer.nextToken;
  } while (nextToken);
  return Promise.all(
    summaries.map(async (summary): Promise<Bot> => {
      const botId = summary.botId ?? "";
      const [locales, aliases] = await Promise.all([
        models.send(new ListBotLocalesCommand({ botId, botVersion: "DRAFT", maxResults: 100 })),
        models.send(new ListBotAliasesCommand({ botId, maxResults: 100 })),
      ]);
      return { summary, locales: locales.botLocaleSummaries ?? [], aliases: aliases.botAliasSummaries ?? [] };
    }),
  );
}

function botTable(bots: Bot[]): HTMLTableElement {
  return table(
    "Bots",
    ["Name", "Status", "Draft locales", "Aliases"],
    bots.map((bot) => [
      h("span", { "data-bot": bot.summary.botId ?? "" }, bot.summary.botName ?? ""),
      h("span", { class: `badge ${(bot.summary.botStatus ?? "").toLowerCase()}` }, bot.summary.botStatus ?? ""),
      bot.locales.map((locale) => `${locale.localeId} (${locale.botLocaleStatus})`).join(", "),
      bot.aliases.map((alias) => `${alias.botAliasName} → ${alias.botVersion}`).join(", "),
    ]),
  );
}

function chatSection(runtime: LexRuntimeV2Client, bots: Bot[]): HTMLElement {
  const usable = bots.filter((bot) => bot.locales.some((locale) => USABLE.has(locale.botLocaleStatus ?? "")));
  const section = h("section", { class: "card", "aria-labelledby": "chat-title" }, h("h2", { id: "chat-title" }, "Chat"));
  if (!usable.length) {
    section.append(h("p", { class: "hint" }, "No bot has a built locale: build one (BuildBotLocale) to chat with it."));
    return section;
  }
  const botSelect = h(
    "select",
    { name: "bot" },
    ...usable.map((bot) => h("option", { value: bot.summary.botId ?? "" }, bot.summary.botName ?? "")),
  );
  const localeSelect = h("select", { name: "locale" });
  const aliasSelect = h("select", { name: "alias" });
  const text = h("input", { type: "text", name: "text", autocomplete: "off", required: true });
  const send = h("button", { type: "submit" }, "Send");
  const restart = h("button", { type: "button", class: "secondary" }, "New conversation");
  const status = new Status();
  const log = h("ol", { class: "chat", "aria-label": "Conversation", "aria-live": "polite" });
  const state = h("div", { class: "panels" });
  let sessionId = crypto.randomUUID();

  function chosen(): Bot {
    return usable.find((bot) => bot.summary.botId === botSelect.value) ?? usable[0];
  }

  function newConversation(): void {
    sessionId = crypto.randomUUID();
    log.replaceChildren();
    state.replaceChildren();
    status.clear();
  }

  function pickBot(): void {
    const bot = chosen();
    localeSelect.replaceChildren(
      ...bot.locales
        .filter((locale) => USABLE.has(locale.botLocaleStatus ?? ""))
        .map((locale) => h("option", { value: locale.localeId ?? "" }, locale.localeName ?? locale.localeId ?? "")),
    );
    const aliases = bot.aliases.length ? bot.aliases : [{ botAliasId: TEST_ALIAS, botAliasName: "TestBotAlias" }];
    aliasSelect.replaceChildren(
      ...aliases.map((alias) =>
        h(
          "option",
          { value: alias.botAliasId ?? "", selected: alias.botAliasId === TEST_ALIAS },
          `${alias.botAliasName} (${alias.botAliasId})`,
        ),
      ),
    );
    newConversation();
  }

  botSelect.addEventListener("change", pickBot);
  localeSelect.addEventListener("change", newConversation);
  aliasSelect.addEventListener("change", newConversation);
  restart.addEventListener("click", () => {
    newConversation();
    text.focus();
  });

  const form = h(
    "form",
    { class: "say" },
    field("Message", text, "Enter sends it; the bot keeps the conversation's state between messages."),
    h("div", { class: "actions" }, send, restart),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const said = text.value.trim();
    if (!said) return;
    send.disabled = true;
    log.append(h("li", { class: "you" }, h("span", { class: "who-said" }, "You: "), said));
    status.busy("Waiting for the bot…");
    try {
      const answer = await runtime.send(
        new RecognizeTextCommand({
          botId: chosen().summary.botId,
          botAliasId: aliasSelect.value,
          localeId: localeSelect.value,
          sessionId,
          text: said,
        }),
      );
      for (const message of answer.messages ?? []) {
        log.append(h("li", { class: "bot" }, h("span", { class: "who-said" }, "Bot: "), message.content ?? ""));
      }
      text.value = "";
      state.replaceChildren(...understanding(answer));
      status.clear();
    } catch (error) {
      status.error(error);
    }
    send.disabled = false;
    text.focus();
  });

  pickBot();
  section.append(
    h(
      "div",
      { class: "pair" },
      field("Bot", botSelect),
      field("Locale", localeSelect, "Built locales of the draft."),
      field("Alias", aliasSelect),
    ),
    log,
    form,
    status.element,
  );
  return h("div", {}, section, state);
}

/** What the bot understood: its interpretations, the intent's slots and the dialog's state. */
function understanding(answer: RecognizeTextCommandOutput): HTMLElement[] {
  const session = answer.sessionState ?? {};
  const intent = session.intent;
  const action = session.dialogAction;
  const card = (title: string, ...body: (Node | string)[]): HTMLElement =>
    h("section", { class: "card", "aria-label": title }, h("h2", {}, title), ...body);
  const slots = Object.entries(intent?.slots ?? {});
  return [
    card(
      "Dialog state",
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, "Intent"),
        h("dd", { "data-intent": intent?.name ?? "" }, intent?.name ?? "–"),
        h("dt", {}, "Intent state"),
        h("dd", { "data-state": intent?.state ?? "" }, intent?.state ?? "–"),
        h("dt", {}, "Dialog action"),
        h("dd", { "data-action": action?.type ?? "" }, action?.type ?? "–"),
        h("dt", {}, "Slot to elicit"),
        h("dd", {}, action?.slotToElicit ?? "–"),
      ),
    ),
    card(
      "Interpretations",
      table(
        "Intents, most likely first",
        ["Intent", "Confidence"],
        (answer.interpretations ?? []).map((interpretation) => [
          interpretation.intent?.name ?? "?",
          interpretation.nluConfidence?.score === undefined ? "–" : percent(interpretation.nluConfidence.score * 100),
        ]),
      ),
    ),
    card(
      "Slots",
      slots.length
        ? table(
            `Slots of ${intent?.name ?? "the intent"}`,
            ["Slot", "Value"],
            slots.map(([name, slot]) => [name, slot?.value?.interpretedValue ?? "–"]),
          )
        : h("p", { class: "hint" }, "This intent has no slots."),
    ),
  ];
}
