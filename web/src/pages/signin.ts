import { ListCollectionsCommand, RekognitionClient } from "@aws-sdk/client-rekognition";
import * as session from "../session";
import { Status, field, h } from "../ui";

/** A key pair is accepted only when a real signed call to this server answers without
 * refusing it: the server, not the page, decides. */
export function render(main: HTMLElement, signedIn: () => void): void {
  const accessKeyId = h("input", { name: "access-key-id", autocomplete: "username", required: true, spellcheck: "false" });
  const secret = h("input", { name: "secret-access-key", type: "password", autocomplete: "current-password", required: true });
  const token = h("input", { name: "session-token", type: "password", autocomplete: "off" });
  const region = h("input", { name: "region", value: "us-east-1", required: true, spellcheck: "false" });
  const submit = h("button", { type: "submit" }, "Sign in");
  const status = new Status();
  const form = h(
    "form",
    { class: "card narrow", "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title" }, "Sign in"),
    h(
      "p",
      {},
      "Use an access key of this server. The key stays in this browser tab and signs each request (SigV4); it is never sent itself.",
    ),
    field("Access key ID", accessKeyId),
    field("Secret access key", secret),
    field("Session token (optional)", token),
    field("Region", region),
    submit,
    status.element,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const credentials: session.Credentials = {
      accessKeyId: accessKeyId.value.trim(),
      secretAccessKey: secret.value,
      sessionToken: token.value.trim() || undefined,
      region: region.value.trim(),
    };
    submit.disabled = true;
    status.busy("Checking the key with the server…");
    try {
      const client = new RekognitionClient({ ...session.clientConfig(credentials), maxAttempts: 1 });
      await client.send(new ListCollectionsCommand({ MaxResults: 1 }));
    } catch (error) {
      // Only a refusal of the key keeps the user out: another answer (a service not
      // enabled on this server) still proves the signature was accepted.
      if (session.isRefusal(error) || !(error instanceof Error) || !("$metadata" in error)) {
        status.error(error);
        submit.disabled = false;
        return;
      }
    }
    session.save(credentials);
    status.ok("Signed in.");
    signedIn();
  });
  main.replaceChildren(form);
  accessKeyId.focus();
}
