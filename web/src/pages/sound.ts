import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateTrainingJobCommand,
  DescribeEndpointCommand,
  DescribeTrainingJobCommand,
  type DescribeTrainingJobCommandOutput,
  ListEndpointsCommand,
  SageMakerClient,
} from "@aws-sdk/client-sagemaker";
import { InvokeEndpointCommand, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { svg } from "../plot";
import { type Credentials, clientConfig } from "../session";
import { Status, dropZone, field, h, table } from "../ui";

const IMAGE = "sensorium/sound-classification:1";
const ROLE = "arn:aws:iam::000000000000:role/sagemaker";
// A small network that trains in seconds on a few clips per class.
const HYPERPARAMETERS = { window_seconds: "2", n_mels: "32", width: "8", batch_size: "8" };
const POLL_MS = 1000;
const SETTLED = ["Completed", "Failed", "Stopped"];

interface Scored {
  label: string;
  score: number;
}
interface Classified {
  label: string;
  scores: Scored[];
  windows: { start_seconds: number; end_seconds: number; label: string; scores: Scored[] }[];
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const stamp = () => new Date().toISOString().replace(/\D/g, "").slice(0, 14);

export function render(main: HTMLElement, credentials: Credentials): void {
  const config = clientConfig(credentials);
  const sagemaker = new SageMakerClient(config);
  const runtime = new SageMakerRuntimeClient(config);
  const classify = classifySection(sagemaker, runtime);
  main.append(
    h("h1", {}, "Sound"),
    h("p", {}, "Train a sound classifier on class folders of audio (CreateTrainingJob), deploy it (CreateEndpoint) and classify a clip (InvokeEndpoint)."),
    trainSection(sagemaker, (endpoint) => classify.refresh(endpoint)),
    classify.element,
  );
  void classify.refresh();
}

function trainSection(client: SageMakerClient, deployed: (endpoint: string) => void): HTMLElement {
  const prefix = h("input", { type: "text", name: "prefix", autocomplete: "off", required: true, placeholder: "s3://bucket/folder/" });
  const epochs = h("input", { type: "number", name: "epochs", min: "1", max: "100", value: "2", required: true });
  const submit = h("button", { type: "submit" }, "Train");
  const status = new Status();
  const progress = h("div", { class: "stack wide" });
  const form = h(
    "form",
    {},
    h(
      "div",
      { class: "pair" },
      field("Training data (S3 prefix)", prefix, "A folder of class subfolders of audio files: the subfolder names are the labels."),
      field("Epochs", epochs),
    ),
    submit,
    status.element,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const uri = prefix.value.trim();
    const bucket = /^s3:\/\/([^/]+)\//.exec(uri)?.[1];
    if (!bucket) {
      status.error(new Error("The prefix must look like s3://bucket/folder/"));
      return;
    }
    submit.disabled = true;
    progress.replaceChildren();
    const name = `console-sound-${stamp()}`;
    try {
      await client.send(
        new CreateTrainingJobCommand({
          TrainingJobName: name,
          RoleArn: ROLE,
          AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: "File" },
          HyperParameters: { ...HYPERPARAMETERS, epochs: epochs.value },
          InputDataConfig: [{ ChannelName: "train", DataSource: { S3DataSource: { S3DataType: "S3Prefix", S3Uri: uri } } }],
          OutputDataConfig: { S3OutputPath: `s3://${bucket}/output` },
          ResourceConfig: { InstanceType: "ml.m5.xlarge", InstanceCount: 1, VolumeSizeInGB: 1 },
          StoppingCondition: { MaxRuntimeInSeconds: 3600 },
        }),
      );
      const job = await follow(client, name, status, progress);
      if (job.TrainingJobStatus === "Completed") progress.append(deployButton(client, job, deployed));
    } catch (error) {
      status.error(error);
    }
    submit.disabled = false;
  });
  return h("section", { class: "card", "aria-labelledby": "train-title" }, h("h2", { id: "train-title" }, "Train"), form, progress);
}

/** Describes the job every second until it settles, showing its transitions and metrics. */
async function follow(
  client: SageMakerClient,
  name: string,
  status: Status,
  progress: HTMLElement,
): Promise<DescribeTrainingJobCommandOutput> {
  const history = new Map<string, number[]>();
  for (;;) {
    const job = await client.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
    for (const metric of job.FinalMetricDataList ?? []) {
      if (!metric.MetricName || metric.Value === undefined) continue;
      history.set(metric.MetricName, [...(history.get(metric.MetricName) ?? []), metric.Value]);
    }
    const state = job.TrainingJobStatus ?? "";
    const transitions = table(
      `Training job ${name}`,
      ["Status", "Started", "Ended", "Message"],
      (job.SecondaryStatusTransitions ?? []).map((step) => [
        step.Status ?? "",
        step.StartTime?.toLocaleTimeString() ?? "",
        step.EndTime?.toLocaleTimeString() ?? "",
        step.StatusMessage ?? "",
      ]),
    );
    progress.replaceChildren(
      h("p", { class: "summary" }, `${name}: `, h("span", { class: `badge ${state.toLowerCase()}` }, state)),
      transitions,
      ...[...history].map(([metric, values]) => metricPlot(metric, values)),
    );
    if (SETTLED.includes(state)) {
      if (state === "Completed") status.ok(`${name} completed.`);
      else status.error(new Error(job.FailureReason ?? state));
      return job;
    }
    status.busy(`${name}: ${job.SecondaryStatus ?? state}…`);
    await pause(POLL_MS);
  }
}

/** A metric's values as the job reported them at each poll, one point a poll. */
function metricPlot(metric: string, values: number[]): HTMLElement {
  const [width, height, left, right, top, bottom] = [720, 200, 72, 16, 12, 28];
  let low = Math.min(...values);
  let high = Math.max(...values);
  if (low === high) [low, high] = [low - 1, high + 1];
  const x = (index: number) => left + (values.length > 1 ? (index / (values.length - 1)) * (width - left - right) : (width - left - right) / 2);
  const y = (value: number) => top + ((high - value) / (high - low)) * (height - top - bottom);
  const label = `${metric} as reported at each poll: ${values.length} polls, latest ${values[values.length - 1].toPrecision(3)}`;
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "plot", role: "img", "aria-label": label });
  root.append(svg("title", {}, label));
  for (const value of [low, high]) {
    root.append(
      svg("line", { class: "grid", x1: left, x2: width - right, y1: y(value), y2: y(value) }),
      svg("text", { class: "axis", x: left - 8, y: y(value) + 5, "text-anchor": "end" }, value.toPrecision(3)),
    );
  }
  root.append(svg("text", { class: "axis", x: width - right, y: height - 6, "text-anchor": "end" }, "poll"));
  const points = values.map((value, index) => `${x(index).toFixed(1)},${y(value).toFixed(1)}`).join(" ");
  root.append(svg("polyline", { class: "median", points }));
  // The latest value as a dot: a single poll draws no line.
  const last = values.length - 1;
  root.append(svg("circle", { class: "latest", cx: x(last), cy: y(values[last]), r: 5 }));
  return h("figure", { class: "metric" }, root, h("figcaption", { class: "hint" }, label));
}

function deployButton(client: SageMakerClient, job: DescribeTrainingJobCommandOutput, deployed: (endpoint: string) => void): HTMLElement {
  const button = h("button", { type: "button" }, "Deploy");
  const status = new Status();
  button.addEventListener("click", async () => {
    button.disabled = true;
    const name = `${job.TrainingJobName}`.slice(0, 48);
    try {
      status.busy(`Creating the model, endpoint configuration and endpoint ${name}…`);
      await client.send(
        new CreateModelCommand({
          ModelName: name,
          ExecutionRoleArn: ROLE,
          PrimaryContainer: { Image: IMAGE, ModelDataUrl: job.ModelArtifacts?.S3ModelArtifacts },
        }),
      );
      await client.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: name,
          ProductionVariants: [{ VariantName: "AllTraffic", ModelName: name, InstanceType: "ml.m5.large", InitialInstanceCount: 1 }],
        }),
      );
      await client.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: name }));
      for (;;) {
        const endpoint = await client.send(new DescribeEndpointCommand({ EndpointName: name }));
        if (endpoint.EndpointStatus === "InService") break;
        if (endpoint.EndpointStatus === "Failed") throw new Error(endpoint.FailureReason ?? "Failed");
        status.busy(`Endpoint ${name}: ${endpoint.EndpointStatus ?? ""}…`);
        await pause(POLL_MS);
      }
      status.ok(`Endpoint ${name} is InService.`);
      deployed(name);
    } catch (error) {
      status.error(error);
      button.disabled = false;
    }
  });
  return h("div", {}, button, status.element);
}

function classifySection(client: SageMakerClient, runtime: SageMakerRuntimeClient): { element: HTMLElement; refresh: (chosen?: string) => Promise<void> } {
  const choice = h("select", { name: "endpoint" });
  const status = new Status();
  const result = h("div", { class: "wide" });
  async function refresh(chosen?: string): Promise<void> {
    try {
      const answer = await client.send(new ListEndpointsCommand({ StatusEquals: "InService", MaxResults: 100 }));
      const names = (answer.Endpoints ?? []).map((endpoint) => endpoint.EndpointName ?? "");
      choice.replaceChildren(...names.map((name) => h("option", { value: name, selected: name === chosen }, name)));
      if (!names.length) status.ok("No endpoint in service yet: train and deploy one above.");
      else status.clear();
    } catch (error) {
      status.error(error);
    }
  }
  const zone = dropZone("Audio clip", "audio/*,.wav,.flac,.mp3,.ogg", async (file) => {
    if (!choice.value) return;
    result.replaceChildren();
    status.busy(`Classifying ${file.name}…`);
    try {
      const answer = await runtime.send(
        new InvokeEndpointCommand({ EndpointName: choice.value, ContentType: contentType(file), Body: new Uint8Array(await file.arrayBuffer()) }),
      );
      const found = JSON.parse(new TextDecoder().decode(answer.Body)) as Classified;
      result.replaceChildren(...shown(found));
      status.clear();
    } catch (error) {
      status.error(error);
    }
  });
  const element = h(
    "section",
    { class: "card", "aria-labelledby": "classify-title" },
    h("h2", { id: "classify-title" }, "Classify a clip"),
    field("Endpoint", choice, "The endpoints in service (ListEndpoints)."),
    zone,
    status.element,
    result,
  );
  return { element, refresh };
}

function contentType(file: File): string {
  if (file.type) return file.type === "audio/x-wav" ? "audio/wav" : file.type;
  const extension = file.name.split(".").pop()?.toLowerCase() ?? "";
  return { wav: "audio/wav", flac: "audio/flac", mp3: "audio/mpeg", ogg: "audio/ogg" }[extension] ?? "application/octet-stream";
}

function bar(score: number): HTMLElement {
  return h("span", {}, h("meter", { min: "0", max: "1", value: String(score) }), ` ${score.toFixed(3)}`);
}

function shown(found: Classified): Node[] {
  const labels = found.scores.map((scored) => scored.label);
  const windows = table(
    "Scores per window",
    ["Window", ...labels],
    found.windows.map((window) => {
      const scores = new Map(window.scores.map((scored) => [scored.label, scored.score]));
      return [`${window.start_seconds.toFixed(1)}–${window.end_seconds.toFixed(1)} s`, ...labels.map((label) => bar(scores.get(label) ?? 0))];
    }),
  );
  return [
    h("p", { class: "summary clip-label" }, "Label: ", h("strong", {}, found.label)),
    table("Clip scores", ["Label", "Score"], found.scores.map((scored) => [scored.label, bar(scored.score)])),
    windows,
  ];
}
