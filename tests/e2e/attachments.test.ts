// Photos and files sent to the bot reach claude on the machine: saved in the project's .ra/inbox,
// images given to claude as images (checked in the request the fake model receives), and the relay
// keeps only a reference that only the machine running the turn can fetch.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ApiMessage, ContentBlock } from "../fakes/model-api";
import { OWNER, startStack, type Stack } from "../helpers/stack";

/** A real 1×1 JPEG, as a phone's screenshot would arrive from Telegram (re-encoded as JPEG). */
const JPEG = Buffer.from("/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=", "base64");

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

const blocks = (m: ApiMessage): ContentBlock[] => (typeof m.content === "string" ? [{ type: "text", text: m.content }] : m.content);
/** The blocks of the user message, as the model received it, whose text says `text` (claude adds reminders around a prompt). */
const promptSaying = (text: string) =>
  stack.telegram.waitFor(
    () => stack.model.requests.flatMap((r) => r.body?.messages ?? []).filter((m) => m.role === "user").map(blocks).find((b) => b.some((x) => x.type === "text" && String(x.text).includes(text))),
    { message: `a prompt saying ${text} at the model` },
  );
const inbox = () => join(stack.workdir, ".ra", "inbox");
const inboxFiles = () => (existsSync(inbox()) ? readdirSync(inbox()) : []);

describe("files and images from the phone", () => {
  test("a screenshot with a caption reaches claude as an image and is saved in the project's .ra/inbox", async () => {
    stack.model.enqueue([{ text: "It is a single white pixel." }]);
    const sent = stack.telegram.userFile(OWNER, { bytes: JPEG, as: "photo", caption: "what is wrong in this screenshot?" });
    await stack.waitForText(/It is a single white pixel\./);
    const prompt = await promptSaying("what is wrong in this screenshot?");
    const image = prompt.find((b) => b.type === "image");
    expect(image?.source).toEqual({ type: "base64", media_type: "image/jpeg", data: JPEG.toString("base64") });
    const name = `photo-${sent.message_id}.jpg`;
    expect(prompt.some((b) => b.type === "text" && String(b.text).includes(join(".ra", "inbox", name)))).toBe(true);
    expect(readFileSync(join(inbox(), name))).toEqual(JPEG);
    // What the owner sends is not project code: the folder keeps itself out of git.
    expect(readFileSync(join(stack.workdir, ".ra", ".gitignore"), "utf8")).toBe("*\n");
  });

  test("a document without a caption is saved under its own name, never over an earlier one", async () => {
    stack.model.enqueue([{ text: "Noted the milk." }], [{ text: "Noted the eggs." }]);
    stack.telegram.userFile(OWNER, { bytes: new TextEncoder().encode("remember the milk\n"), fileName: "notes.txt" });
    await stack.waitForText(/Noted the milk\./);
    const first = await promptSaying(`Look at the attached file notes.txt.`);
    expect(first.some((b) => b.type === "image")).toBe(false);
    expect(JSON.stringify(first)).toContain(join(".ra", "inbox", "notes.txt"));
    stack.telegram.userFile(OWNER, { bytes: new TextEncoder().encode("remember the eggs\n"), fileName: "../../notes.txt", caption: "and this one" });
    await stack.waitForText(/Noted the eggs\./);
    expect(readFileSync(join(inbox(), "notes.txt"), "utf8")).toBe("remember the milk\n");
    expect(readFileSync(join(inbox(), "notes-1.txt"), "utf8")).toBe("remember the eggs\n");
    expect(existsSync(join(stack.workdir, "..", "notes.txt"))).toBe(false);
  });

  test("a file over Telegram's 20 MB download limit gets a clear refusal and runs nothing", async () => {
    const requests = stack.model.requests.length;
    const getFiles = stack.telegram.callsTo("getFile").length;
    stack.telegram.userFile(OWNER, { bytes: new Uint8Array(21 * 1024 * 1024), fileName: "recording.mov", caption: "why does this crash?" });
    await stack.waitForText(/That file is 21 MB; Telegram lets bots fetch files up to 20 MB\. Send a smaller one/);
    expect(stack.telegram.callsTo("getFile")).toHaveLength(getFiles);
    expect(stack.model.requests.length).toBe(requests);
  });

  test("a file Telegram no longer hands out fails the turn with what to do; claude never sees the prompt", async () => {
    stack.telegram.injectFault("getFile", { error_code: 400, description: "Bad Request: wrong file_id or the file is temporarily unavailable" });
    stack.telegram.userFile(OWNER, { bytes: new TextEncoder().encode("%PDF-1.4\n"), fileName: "report.pdf", caption: "summarise the report" });
    await stack.waitForText(/The file did not reach laptop: report\.pdf: the relay answered 502 \(report\.pdf: Telegram would not hand out the file: .*temporarily unavailable\)\. Nothing ran; send it again\./);
    expect(stack.model.requests.some((r) => JSON.stringify(r.body ?? {}).includes("summarise the report"))).toBe(false);
  });

  test("only the machine running the turn can fetch its files, and only while it runs", async () => {
    const db = new Database(join(stack.relayDir, "relay.db"), { readonly: true });
    const row = db.query("SELECT id, attachments FROM turns WHERE attachments != '[]' ORDER BY created_at LIMIT 1").get() as { id: string; attachments: string };
    db.close();
    const [attachment] = JSON.parse(row.attachments) as { id: string; source: string }[];
    expect(attachment!.source).toStartWith("telegram:"); // a reference: the bytes were never stored
    const url = `${stack.relayUrl}/api/attachments/${row.id}/${attachment!.id}`;
    const token = (JSON.parse(readFileSync(stack.config, "utf8")) as { token: string }).token;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: "Bearer ra_dev_not-a-real-token" } })).status).toBe(401);
    const finished = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(finished.status).toBe(404);
    expect(((await finished.json()) as { message: string }).message).toContain("no such attachment of a turn running on this machine");
  });

  test("in plan mode the file goes to a private temp folder: the project is not written", async () => {
    stack.telegram.userText(OWNER, "/mode plan");
    await stack.waitForText(/Permission mode is now plan/);
    const before = inboxFiles();
    stack.model.enqueue([{ text: "Planned around the log." }]);
    stack.telegram.userFile(OWNER, { bytes: new TextEncoder().encode("ERROR boom\n"), fileName: "crash.log", caption: "plan a fix for this" });
    await stack.waitForText(/Planned around the log\./);
    const prompt = await promptSaying("plan a fix for this");
    const path = JSON.stringify(prompt).match(/(\/[^"\\]*ra-inbox-[^"\\]*\/crash\.log)/)?.[1];
    expect(path).toBeDefined();
    expect(readFileSync(path!, "utf8")).toBe("ERROR boom\n");
    expect(inboxFiles()).toEqual(before);
  });
});

describe("files from the machine to the phone", () => {
  const documents = () => stack.telegram.documents(OWNER);
  const lastMessage = (pattern: RegExp) => stack.waitForText(pattern);

  test("/get PATH sends the file as it is, named after it, with the path as caption", async () => {
    stack.telegram.userText(OWNER, "/mode acceptEdits");
    await stack.waitForText(/Permission mode is now acceptEdits/);
    mkdirSync(join(stack.workdir, "out"), { recursive: true });
    const bytes = new Uint8Array([0, 1, 2, 250, 251, 252, 10, 13]);
    writeFileSync(join(stack.workdir, "out", "data.bin"), bytes);
    const before = documents().length;
    stack.telegram.userText(OWNER, "/get out/data.bin");
    const doc = await stack.telegram.waitFor(() => documents()[before], { message: "the file as a document" });
    expect(doc.file_name).toBe("data.bin");
    expect(doc.caption).toBe("out/data.bin");
    expect([...doc.bytes]).toEqual([...bytes]);
  });

  test("/get says what to do for a missing file, a folder, a path outside the roots, or no path", async () => {
    writeFileSync(join(stack.workdir, "..", "outside-secret.txt"), "not yours\n");
    stack.telegram.userText(OWNER, "/get nope.txt");
    await lastMessage(new RegExp(`📎 laptop: there is no nope\\.txt in ${stack.workdir.replaceAll("/", "\\/")}\\.`));
    stack.telegram.userText(OWNER, "/get out");
    await lastMessage(/📎 laptop: out is a folder; \/get sends one file\./);
    stack.telegram.userText(OWNER, "/get ../outside-secret.txt");
    await lastMessage(/📎 laptop: \.\.\/outside-secret\.txt is outside the folders this machine allows/);
    stack.telegram.userText(OWNER, "/get");
    await lastMessage(/Which file\? Send \/get PATH, like \/get dist\/report\.pdf/);
    expect(documents().some((d) => d.text.includes("not yours"))).toBe(false);
  });

  test("a turn that wrote files offers each as a 📎 button that brings it", async () => {
    const summary = join(stack.workdir, "out", "summary.md");
    stack.model.enqueue(
      [{ toolUse: { name: "Write", input: { file_path: summary, content: "# Summary\nall green\n" } } }],
      [{ text: "Wrote the summary." }],
    );
    stack.telegram.userText(OWNER, "write a summary");
    await stack.waitForText(/Wrote the summary\.[\s\S]*✅ laptop/);
    const final = stack.messages(/Wrote the summary\./).at(-1)!;
    const button = await stack.telegram.waitFor(
      () => (stack.telegram.chat(OWNER).find((m) => m.message_id === final.message_id)?.reply_markup?.inline_keyboard ?? []).flat().find((b) => b.text === "📎 summary.md"),
      { message: "a 📎 summary.md button" },
    );
    const before = documents().length;
    stack.telegram.clickButton(OWNER, final.message_id, (button as { callback_data: string }).callback_data);
    const doc = await stack.telegram.waitFor(() => documents()[before], { message: "summary.md as a document" });
    expect(doc.file_name).toBe("summary.md");
    expect(doc.caption).toBe(join("out", "summary.md"));
    expect(doc.text).toBe("# Summary\nall green\n");
  });

  test("🧾 changes.diff brings the turn's whole change as a unified diff", async () => {
    mkdirSync(join(stack.workdir, "out"), { recursive: true });
    const notes = join(stack.workdir, "out", "notes.md");
    writeFileSync(notes, "one\ntwo\nthree\n");
    stack.model.enqueue(
      [{ toolUse: { name: "Read", input: { file_path: notes } } }], // claude edits only what it has read
      [{ toolUse: { name: "Edit", input: { file_path: notes, old_string: "two", new_string: "TWO" } } }],
      [{ toolUse: { name: "Write", input: { file_path: join(stack.workdir, "out", "fresh.txt"), content: "brand new\n" } } }],
      [{ text: "Edited the notes." }],
    );
    stack.telegram.userText(OWNER, "fix the notes");
    await stack.waitForText(/Edited the notes\.[\s\S]*✅ laptop/);
    const final = stack.messages(/Edited the notes\./).at(-1)!;
    const button = await stack.telegram.waitFor(
      () => (stack.telegram.chat(OWNER).find((m) => m.message_id === final.message_id)?.reply_markup?.inline_keyboard ?? []).flat().find((b) => b.text === "🧾 changes.diff"),
      { message: "a 🧾 changes.diff button" },
    );
    const before = documents().length;
    stack.telegram.clickButton(OWNER, final.message_id, (button as { callback_data: string }).callback_data);
    const doc = await stack.telegram.waitFor(() => documents()[before], { message: "the diff as a document" });
    expect(doc.file_name).toMatch(/^changes-.+\.diff$/);
    expect(doc.text).toBe(
      ["--- a/out/notes.md", "+++ b/out/notes.md", "@@ -1,3 +1,3 @@", " one", "-two", "+TWO", " three",
       "--- /dev/null", "+++ b/out/fresh.txt", "@@ -0,0 +1,1 @@", "+brand new", ""].join("\n"),
    );
  });
});
