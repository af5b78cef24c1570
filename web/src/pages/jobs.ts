import { ListSpeechSynthesisTasksCommand, PollyClient } from "@aws-sdk/client-polly";
import {
  DescribeTrainingJobCommand,
  ListTrainingJobsCommand,
  SageMakerClient,
} from "@aws-sdk/client-sagemaker";
import { ListTranscriptionJobsCommand, TranscribeClient } from "@aws-sdk/client-transcribe";
import { type Credentials, clientConfig } from "../session";
import { describe, h, table } from "../ui";

type Row = [name: string, status: string, created: Date | undefined, reason: string];

interface Source {
  title: string;
  list: () => Promise<Row[]>;
}

export function render(main: HTMLElement, credentials: Credentials): void {
  const config = clientConfig(credentials);
  const transcribe = new TranscribeClient(config);
  const polly = new PollyClient(config);
  const sagemaker = new SageMakerClient(config);

  const sources: Source[] = [
    {
      title: "Transcription jobs (Transcribe)",
      list: async () => {
        const answer = await transcribe.send(new ListTranscriptionJobsCommand({ MaxResults: 100 }));
        return (answer.TranscriptionJobSummaries ?? []).map((job) => [
          job.TranscriptionJobName ?? "",
          job.TranscriptionJobStatus ?? "",
          job.CreationTime,
          job.FailureReason ?? "",
        ]);
      },
    },
    {
      title: "Speech synthesis tasks (Polly)",
      list: async () => {
        const answer = await polly.send(new ListSpeechSynthesisTasksCommand({ MaxResults: 100 }));
        return (answer.SynthesisTasks ?? []).map((task) => [
          task.TaskId ?? "",
          task.TaskStatus ?? "",
          task.CreationTime,
          task.TaskStatusReason ?? "",
        ]);
      },
    },
    {
      title: "Training jobs (SageMaker)",
      list: async () => {
        const answer = await sagemaker.send(new ListTrainingJobsCommand({ MaxResults: 100 }));
        const jobs = answer.TrainingJobSummaries ?? [];
        // The summaries carry no failure reason: the failed jobs are described one by one.
        return Promise.all(
          jobs.map(async (job): Promise<Row> => {
            let reason = "";
            if (job.TrainingJobStatus === "Failed" && job.TrainingJobName) {
              const detail = await sagemaker.send(
                new DescribeTrainingJobCommand({ TrainingJobName: job.TrainingJobName }),
              );
              reason = detail.FailureReason ?? "";
            }
            return [job.TrainingJobName ?? "", job.TrainingJobStatus ?? "", job.CreationTime, reason];
          }),
        );
      },
    },
  ];

  const refresh = h("button", { type: "button" }, "Refresh");
  const panels = h("div", { class: "stack" });

  async function load(): Promise<void> {
    refresh.disabled = true;
    panels.replaceChildren(...sources.map(() => h("section", { class: "card" }, h("p", { class: "status busy" }, "Loading…"))));
    await Promise.all(
      sources.map(async (source, index) => {
        const section = h("section", { class: "card jobs", "aria-label": source.title });
        try {
          const rows = await source.list();
          section.append(
            table(
              source.title,
              ["Name", "Status", "Created", "Failure reason"],
              rows.map(([name, status, created, reason]) => [
                name,
                h("span", { class: `badge ${status.toLowerCase()}` }, status),
                created ? created.toLocaleString() : "",
                reason,
              ]),
            ),
          );
          if (!rows.length) section.append(h("p", { class: "hint" }, "No jobs yet."));
        } catch (error) {
          section.append(h("h2", {}, source.title), h("p", { class: "status error", role: "alert" }, describe(error)));
        }
        panels.children[index].replaceWith(section);
      }),
    );
    refresh.disabled = false;
  }
  refresh.addEventListener("click", () => void load());

  main.append(
    h("h1", {}, "Jobs"),
    h("p", {}, "The services' jobs, newest first, as their List APIs answer."),
    refresh,
    panels,
  );
  void load();
}
