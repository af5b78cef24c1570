// Small DOM helpers: the console builds its pages from these, without a framework.

type Child = Node | string | null | undefined | false;
type Attributes = Record<string, string | boolean | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? "" : value);
  }
  append(element, ...children);
  return element;
}

export function append(parent: Element, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child);
  }
}

let unique = 0;
export function uid(prefix: string): string {
  unique += 1;
  return `${prefix}-${unique}`;
}

/** A labelled form control: the label names the control for assistive technology. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id || uid("field");
  control.id = id;
  const wrapper = h("div", { class: "field" }, h("label", { for: id }, label), control);
  if (hint) {
    const hintId = `${id}-hint`;
    control.setAttribute("aria-describedby", hintId);
    wrapper.append(h("p", { class: "hint", id: hintId }, hint));
  }
  return wrapper;
}

/** A live region that announces progress and errors. */
export class Status {
  readonly element = h("p", { class: "status", role: "status", "aria-live": "polite" });

  busy(text: string): void {
    this.set(text, "busy");
  }

  ok(text: string): void {
    this.set(text, "ok");
  }

  error(error: unknown): void {
    this.set(describe(error), "error");
  }

  clear(): void {
    this.set("", "");
  }

  private set(text: string, kind: string): void {
    this.element.textContent = text;
    this.element.className = `status ${kind}`.trim();
    this.element.setAttribute("role", kind === "error" ? "alert" : "status");
  }
}

/** An SDK error as the server worded it: its code and message. */
export function describe(error: unknown): string {
  if (error instanceof Error) {
    const message = error.message && error.message !== error.name ? `: ${error.message}` : "";
    return `${error.name}${message}`;
  }
  return String(error);
}

/** A file input that also takes a file dropped anywhere on its zone. */
export function dropZone(label: string, accept: string, onFile: (file: File) => void): HTMLElement {
  const input = h("input", { type: "file", accept, class: "file" });
  input.addEventListener("change", () => {
    const file = input.files?.[0];
    if (file) onFile(file);
  });
  const zone = h("div", { class: "drop" }, field(label, input, "Choose a file, or drop one here."));
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    const file = event.dataTransfer?.files[0];
    if (file) onFile(file);
  });
  return zone;
}

export function percent(value: number | undefined): string {
  return value === undefined ? "–" : `${value.toFixed(1)}%`;
}

export function table(caption: string, headings: string[], rows: Child[][]): HTMLTableElement {
  return h(
    "table",
    {},
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, ...headings.map((text) => h("th", { scope: "col" }, text)))),
    h("tbody", {}, ...rows.map((row) => h("tr", {}, ...row.map((cell) => h("td", {}, cell))))),
  );
}
