import "./style.css";
import * as session from "./session";
import type { Credentials } from "./session";
import { h } from "./ui";

// Each page is its own chunk: a page loads its service's SDK client only when opened.
interface Page {
  path: string;
  title: string;
  load: () => Promise<{ render: (main: HTMLElement, credentials: Credentials) => void }>;
}

const PAGES: Page[] = [
  { path: "faces", title: "Faces", load: () => import("./pages/faces") },
  { path: "images", title: "Images", load: () => import("./pages/images") },
  { path: "video", title: "Video", load: () => import("./pages/video") },
  { path: "speech", title: "Speech", load: () => import("./pages/speech") },
  { path: "text", title: "Text", load: () => import("./pages/text") },
  { path: "bots", title: "Bots", load: () => import("./pages/bots") },
  { path: "sound", title: "Sound", load: () => import("./pages/sound") },
  { path: "forecasts", title: "Forecasts", load: () => import("./pages/forecasts") },
  { path: "jobs", title: "Jobs", load: () => import("./pages/jobs") },
];

const main = document.getElementById("main") as HTMLElement;
const nav = document.getElementById("nav") as HTMLElement;
const who = document.getElementById("who") as HTMLElement;

function current(): string {
  return window.location.hash.replace(/^#\/?/, "") || "faces";
}

function renderChrome(credentials: Credentials | null, active: string): void {
  nav.replaceChildren(
    ...(credentials
      ? PAGES.map((page) =>
          h(
            "a",
            { href: `#/${page.path}`, "aria-current": page.path === active ? "page" : undefined },
            page.title,
          ),
        )
      : []),
  );
  if (!credentials) {
    who.replaceChildren();
    return;
  }
  const signOut = h("button", { type: "button", class: "link" }, "Sign out");
  signOut.addEventListener("click", () => {
    session.clear();
    window.location.hash = "#/signin";
    route();
  });
  who.replaceChildren(
    h("span", { class: "key", title: "Access key id" }, credentials.accessKeyId),
    signOut,
  );
}

async function route(): Promise<void> {
  const credentials = session.load();
  const wanted = current();
  if (!credentials || wanted === "signin") {
    renderChrome(null, "signin");
    const { render } = await import("./pages/signin");
    document.title = "Sign in · Sensorium console";
    render(main, () => {
      window.location.hash = "#/faces";
      void route();
    });
    return;
  }
  const page = PAGES.find((candidate) => candidate.path === wanted) ?? PAGES[0];
  renderChrome(credentials, page.path);
  document.title = `${page.title} · Sensorium console`;
  main.replaceChildren(h("p", { class: "status busy" }, "Loading…"));
  const module = await page.load();
  main.replaceChildren();
  module.render(main, credentials);
}

// The skip link moves focus without touching the hash, which is the page's route.
document.querySelector(".skip")?.addEventListener("click", (event) => {
  event.preventDefault();
  main.focus();
});

window.addEventListener("hashchange", () => {
  void route().then(() => main.focus());
});
void route();
