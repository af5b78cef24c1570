import {
  CreateCollectionCommand,
  DeleteCollectionCommand,
  IndexFacesCommand,
  ListCollectionsCommand,
  type RekognitionClient,
  SearchFacesByImageCommand,
} from "@aws-sdk/client-rekognition";
import { drawBox, drawPhoto, loadImage } from "../draw";
import { Status, dropZone, field, h, percent } from "../ui";

const INDEXED = "#ffd23f";
const FOUND = "#3ddc84";

/** The Faces page's collections: list, create and delete them, index a photo, search one. */
export function collectionsSection(client: RekognitionClient): HTMLElement {
  const status = new Status();
  const chosen = h("select", { name: "collection" });
  const name = h("input", { name: "new-collection", autocomplete: "off", spellcheck: "false", pattern: "[a-zA-Z0-9_.\\-]+" });
  const create = h("button", { type: "submit" }, "Create");
  const remove = h("button", { type: "button", class: "secondary", disabled: true }, "Delete collection");
  const index = h("button", { type: "button", disabled: true }, "Index faces");
  const search = h("button", { type: "button", disabled: true }, "Search collection");
  const canvas = h("canvas", { class: "photo", hidden: true, role: "img", "aria-label": "No photo yet" });
  const list = h("ul", { class: "matches", "aria-label": "Collection results" });
  let photo: File | undefined;

  function ready(): void {
    const some = chosen.value !== "";
    remove.disabled = !some;
    index.disabled = search.disabled = !(some && photo);
  }
  chosen.addEventListener("change", ready);

  async function refresh(select?: string): Promise<void> {
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const answer = await client.send(new ListCollectionsCommand({ NextToken: token }));
      ids.push(...(answer.CollectionIds ?? []));
      token = answer.NextToken;
    } while (token);
    const keep = select ?? chosen.value;
    const none = h("option", { value: "" }, "None yet: create one");
    chosen.replaceChildren(...(ids.length ? ids.map((id) => h("option", { value: id }, id)) : [none]));
    if (ids.includes(keep)) chosen.value = keep;
    chosen.dataset.count = String(ids.length);
    ready();
  }

  async function act(busy: string, work: () => Promise<string>): Promise<void> {
    status.busy(busy);
    try {
      status.ok(await work());
    } catch (error) {
      status.error(error);
    }
  }

  const createForm = h(
    "form",
    { class: "pair inline", "aria-label": "Create a collection" },
    field("New collection", name, "Letters, digits, _ . and -."),
    create,
  );
  createForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const id = name.value.trim();
    void act(`Creating ${id}…`, async () => {
      await client.send(new CreateCollectionCommand({ CollectionId: id }));
      name.value = "";
      await refresh(id);
      return `Created ${id}.`;
    });
  });

  remove.addEventListener("click", () => {
    const id = chosen.value;
    void act(`Deleting ${id}…`, async () => {
      await client.send(new DeleteCollectionCommand({ CollectionId: id }));
      await refresh();
      return `Deleted ${id}.`;
    });
  });

  async function bytes(): Promise<Uint8Array> {
    return new Uint8Array(await (photo as File).arrayBuffer());
  }

  index.addEventListener("click", () => {
    const id = chosen.value;
    const file = photo as File;
    void act(`Indexing the faces of ${file.name}…`, async () => {
      const answer = await client.send(
        new IndexFacesCommand({
          CollectionId: id,
          Image: { Bytes: await bytes() },
          ExternalImageId: file.name.replace(/[^A-Za-z0-9_.\-:]+/g, "_"),
        }),
      );
      const records = answer.FaceRecords ?? [];
      const context = drawPhoto(canvas, await loadImage(file));
      list.replaceChildren();
      records.forEach((record, position) => {
        drawBox(context, record.Face?.BoundingBox ?? {}, INDEXED, String(position + 1));
        list.append(h("li", { class: "indexed" }, `Indexed face ${position + 1}: ${record.Face?.FaceId}`));
      });
      canvas.setAttribute("aria-label", `${file.name} with ${records.length} indexed faces outlined`);
      return `${records.length} ${records.length === 1 ? "face" : "faces"} of ${file.name} indexed into ${id}.`;
    });
  });

  search.addEventListener("click", () => {
    const id = chosen.value;
    const file = photo as File;
    void act(`Searching ${id}…`, async () => {
      const answer = await client.send(
        new SearchFacesByImageCommand({ CollectionId: id, Image: { Bytes: await bytes() }, MaxFaces: 10 }),
      );
      const matches = answer.FaceMatches ?? [];
      const context = drawPhoto(canvas, await loadImage(file));
      drawBox(context, answer.SearchedFaceBoundingBox ?? {}, FOUND, "searched");
      list.replaceChildren(
        ...matches.map((match) =>
          h(
            "li",
            { class: "match" },
            `${match.Face?.ExternalImageId ?? match.Face?.FaceId}: similarity ${percent(match.Similarity)}`,
          ),
        ),
      );
      canvas.setAttribute("aria-label", `${file.name}, its largest face outlined`);
      return `${matches.length} ${matches.length === 1 ? "match" : "matches"} in ${id} for the largest face of ${file.name}.`;
    });
  });

  void act("Loading collections…", async () => {
    await refresh();
    const count = Number(chosen.dataset.count);
    return `${count} ${count === 1 ? "collection" : "collections"}.`;
  });

  return h(
    "section",
    { class: "card", "aria-labelledby": "collections-title" },
    h("h2", { id: "collections-title" }, "Collections"),
    h(
      "p",
      {},
      "Faces kept for searching: IndexFaces adds a photo's faces to the chosen collection, " +
        "SearchFacesByImage looks for the photo's largest face among them.",
    ),
    createForm,
    h("div", { class: "pair inline" }, field("Collection", chosen), remove),
    dropZone("Photo to index or search", "image/jpeg,image/png", (file) => {
      photo = file;
      ready();
    }),
    h("div", { class: "actions" }, index, search),
    status.element,
    h("div", { class: "result" }, canvas, list),
  );
}
