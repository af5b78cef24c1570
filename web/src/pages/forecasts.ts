import { ForecastClient, type ForecastSummary, ListForecastsCommand } from "@aws-sdk/client-forecast";
import { type DataPoint, ForecastqueryClient, QueryForecastCommand } from "@aws-sdk/client-forecastquery";
import { bandPlot } from "../plot";
import { type Credentials, clientConfig } from "../session";
import { Status, describe, field, h, table } from "../ui";

export function render(main: HTMLElement, credentials: Credentials): void {
  const config = clientConfig(credentials);
  const forecast = new ForecastClient(config);
  const query = new ForecastqueryClient(config);
  const listing = h("section", { class: "card jobs", "aria-label": "Forecasts" }, h("p", { class: "status busy" }, "Loading…"));
  const querying = h("div");

  async function load(): Promise<void> {
    try {
      const forecasts = await listForecasts(forecast);
      listing.replaceChildren(forecastTable(forecasts));
      if (!forecasts.length) listing.append(h("p", { class: "hint" }, "No forecasts yet: create one with CreateForecast."));
      querying.replaceChildren(querySection(query, forecasts));
    } catch (error) {
      listing.replaceChildren(h("h2", {}, "Forecasts"), h("p", { class: "status error", role: "alert" }, describe(error)));
    }
  }

  main.append(
    h("h1", {}, "Forecasts"),
    h("p", {}, "The forecasts of this account and region (ListForecasts); an item's p10, p50 and p90 plotted (QueryForecast)."),
    listing,
    querying,
  );
  void load();
}

async function listForecasts(client: ForecastClient): Promise<ForecastSummary[]> {
  const found: ForecastSummary[] = [];
  let NextToken: string | undefined;
  do {
    const answer = await client.send(new ListForecastsCommand({ MaxResults: 100, NextToken }));
    found.push(...(answer.Forecasts ?? []));
    NextToken = answer.NextToken;
  } while (NextToken);
  return found;
}

/** The last part of an ARN: a resource's name. */
function named(arn: string | undefined): string {
  return arn?.split("/").pop() ?? "";
}

function forecastTable(forecasts: ForecastSummary[]): HTMLTableElement {
  return table(
    "Forecasts",
    ["Name", "Status", "Predictor", "Created"],
    forecasts.map((summary) => [
      summary.ForecastName ?? "",
      h("span", { class: `badge ${summary.Status === "ACTIVE" ? "completed" : (summary.Status ?? "").toLowerCase()}` }, summary.Status ?? ""),
      named(summary.PredictorArn),
      summary.CreationTime ? summary.CreationTime.toLocaleString() : "",
    ]),
  );
}

function querySection(client: ForecastqueryClient, forecasts: ForecastSummary[]): HTMLElement {
  const section = h(
    "section",
    { class: "card", "aria-labelledby": "query-title" },
    h("h2", { id: "query-title" }, "Query a forecast"),
  );
  const active = forecasts.filter((summary) => summary.Status === "ACTIVE");
  if (!active.length) {
    section.append(h("p", { class: "hint" }, "No active forecast to query."));
    return section;
  }
  const choice = h(
    "select",
    { name: "forecast" },
    ...active.map((summary) => h("option", { value: summary.ForecastArn ?? "" }, summary.ForecastName ?? "")),
  );
  const item = h("input", { type: "text", name: "item", autocomplete: "off", required: true });
  const submit = h("button", { type: "submit" }, "Query");
  const status = new Status();
  const result = h("div", { class: "forecast" });
  const form = h(
    "form",
    {},
    h("div", { class: "pair" }, field("Forecast", choice), field("Item id", item, "An item_id of the forecast's dataset.")),
    submit,
    status.element,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const itemId = item.value.trim();
    if (!itemId) return;
    submit.disabled = true;
    result.replaceChildren();
    status.busy(`Querying ${itemId}…`);
    try {
      const answer = await client.send(new QueryForecastCommand({ ForecastArn: choice.value, Filters: { item_id: itemId } }));
      result.replaceChildren(...plotted(itemId, answer.Forecast?.Predictions ?? {}));
      status.clear();
    } catch (error) {
      status.error(error);
    }
    submit.disabled = false;
  });
  section.append(form, result);
  return section;
}

/** The plot and, for whoever cannot see it, the same numbers as a table. */
function plotted(itemId: string, predictions: Record<string, DataPoint[]>): Node[] {
  const types = Object.keys(predictions).sort();
  const quantiles = types.filter((type) => /^p\d+$/.test(type)).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
  const reference = predictions[types[0]] ?? [];
  if (!reference.length) return [h("p", { class: "hint" }, `No predictions for ${itemId}.`)];
  const values = (type: string | undefined) => (type ? predictions[type]?.map((point) => point.Value ?? 0) : undefined);
  const low = quantiles.length > 1 ? quantiles[0] : undefined;
  const high = quantiles.length > 1 ? quantiles[quantiles.length - 1] : undefined;
  const middle = predictions.p50 ? "p50" : predictions.mean ? "mean" : quantiles[0];
  const timestamps = reference.map((point) => point.Timestamp ?? "");
  const label =
    `${itemId}: ${timestamps.length} predictions from ${timestamps[0]} to ${timestamps[timestamps.length - 1]}` +
    (low && high ? `, ${middle} line in a ${low} to ${high} band` : "");
  const plot = bandPlot({ timestamps, low: values(low), middle: values(middle), high: values(high) }, label);
  const legend = h(
    "p",
    { class: "legend" },
    h("span", { class: "key-median" }, middle),
    low && high ? h("span", { class: "key-band" }, `${low} to ${high}`) : null,
  );
  const numbers = table(
    `Predictions for ${itemId}`,
    ["Timestamp", ...types],
    timestamps.map((timestamp, index) => [
      timestamp,
      ...types.map((type) => {
        const value = predictions[type]?.[index]?.Value;
        return value === undefined ? "–" : value.toFixed(2);
      }),
    ]),
  );
  return [
    h("p", { class: "summary", "data-count": String(timestamps.length) }, label + "."),
    plot,
    legend,
    h("details", {}, h("summary", {}, "The numbers"), numbers),
  ];
}
