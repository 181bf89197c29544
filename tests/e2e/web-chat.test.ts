// Chat through the web app's socket against the compiled binary, the fake Telegram and the real
// claude CLI on the fake model: a prompt from the browser streams back token by token and shows in
// Telegram too (and the other way round), stop, new conversation, approvals answered in one surface
// closing in the other at once, deny with reason, and secrets masked in the stream.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { toolResultsOf } from "../fakes/model-api";
import type { StoredMessage } from "../fakes/telegram-api";
import type { WebServerMessage, WebSnapshot, WebTurn } from "../../src/proto/web";
import { OWNER, startStack, type Stack } from "../helpers/stack";
import { openApp, signIn, type AppSocket } from "../helpers/web-client";

let stack: Stack;
let app: AppSocket;
let laptop: string;
let cookie: string;

beforeAll(async () => {
  stack = await startStack();
  cookie = await signIn(stack);
  app = await openApp(stack.relayUrl, cookie);
  const snapshot = await app.waitFor<WebSnapshot>((m) => m.type === "snapshot", "the snapshot");
  laptop = snapshot.devices[0]!.id;
});
afterAll(async () => {
  app?.close();
  await stack?.[Symbol.asyncDispose]();
});

/** Everything the socket received about a turn: its latest state and its streamed text. */
const turnSeen = (id: string) => {
  const updates = app.messages.filter((m): m is Extract<WebServerMessage, { type: "turn" }> => m.type === "turn" && m.turn.id === id);
  const texts = app.messages.filter((m): m is Extract<WebServerMessage, { type: "text" }> => m.type === "text" && m.turnId === id);
  const pieces = texts.map((m) => m.text).filter(Boolean);
  /** What the page shows while it streams: the text so far and the provisional last word. */
  const showing = pieces.join("") + (texts.at(-1)?.tail ?? "");
  return { latest: updates.at(-1)?.turn, statuses: updates.map((u) => u.turn.status), pieces, showing };
};
const turnEnds = (id: string, status: WebTurn["status"] = "done") => app.until(() => (turnSeen(id).latest?.status === status ? turnSeen(id) : undefined), `turn ${id} ${status}`);
const promptFromWeb = async (text: string) => {
  const result = await app.command({ type: "prompt", deviceId: laptop, text });
  expect(result.ok).toBe(true);
  return result.message; // the turn id
};
const buttonsOf = (m: StoredMessage) => (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => ("callback_data" in b ? b.callback_data : ""));
const approvalFor = (tool: string) => app.waitFor<Extract<WebServerMessage, { type: "approval" }>>((m) => m.type === "approval" && m.approval.toolName === tool && !app.messages.some((c) => c.type === "approval.closed" && c.approvalId === m.approval.id), `an open ${tool} approval`);

describe("chat from the browser", () => {
  test("a prompt streams back token by token, and Telegram shows the same turn once", async () => {
    stack.model.enqueue([{ text: "One two three four five six seven eight nine ten.", chunkSize: 4 }]);
    const id = await promptFromWeb("count to ten");
    const seen = await turnEnds(id);
    expect(seen.statuses).toContain("running");
    expect(seen.pieces.length).toBeGreaterThan(5);
    expect(seen.pieces.join("")).toBe("One two three four five six seven eight nine ten.");
    expect(seen.latest!.text).toBe("One two three four five six seven eight nine ten.");
    await stack.waitForText(/One two three four five six seven eight nine ten\.[\s\S]*✅ laptop/, "the same answer in Telegram");
    expect(stack.messages(/One two three four/)).toHaveLength(1);
  });

  test("a prompt typed in Telegram shows in the browser as it streams", async () => {
    stack.model.enqueue([{ text: "Answer to the Telegram prompt.", chunkSize: 5 }]);
    stack.telegram.userText(OWNER, "asked in telegram");
    const created = await app.waitFor<Extract<WebServerMessage, { type: "turn" }>>((m) => m.type === "turn" && m.turn.prompt === "asked in telegram", "the Telegram turn in the browser");
    const seen = await turnEnds(created.turn.id);
    expect(seen.pieces.join("")).toBe("Answer to the Telegram prompt.");
  });

  test("stop interrupts the running turn; the conversation goes on", async () => {
    stack.model.enqueue({ blocks: [{ text: "Working on a long answer" }], stall: true });
    const id = await promptFromWeb("take your time");
    await stack.model.waitForStall();
    await app.until(() => (turnSeen(id).showing.includes("long answer") ? true : undefined), "the start of the answer, its last word included");
    expect((await app.command({ type: "stop", deviceId: laptop })).ok).toBe(true);
    await turnEnds(id, "stopped");
    await stack.waitForText(/⏹ stopped · laptop/, "the stopped footer in Telegram");
    stack.model.release();
    await turnEnds(await promptFromWeb("still there?"));
  });

  test("new conversation: the browser hears it, and the next prompt starts fresh (claude gets no earlier messages)", async () => {
    const before = [...app.messages].reverse().find((m): m is Extract<WebServerMessage, { type: "turn" }> => m.type === "turn")!.turn.sessionId;
    const result = await app.command({ type: "new", deviceId: laptop });
    expect(result.ok).toBe(true);
    await app.waitFor((m) => m.type === "conversation" && m.deviceId === laptop, "the conversation event");
    const id = await promptFromWeb("fresh start");
    const seen = await turnEnds(id);
    expect(seen.latest!.sessionId).not.toBe(before);
    const request = stack.model.requests.at(-1)!;
    expect(JSON.stringify(request.body?.messages)).not.toContain("still there?");
    await stack.waitForText(/echo: fresh start[\s\S]*✅ laptop/, "the fresh turn in Telegram");
  });

  test("a secret in the answer is masked in the stream, whatever the token boundaries", async () => {
    const key = `sk-ant-api03-${"A1b2C3d4".repeat(12)}`;
    stack.model.enqueue([{ text: `Your key is ${key} keep it safe.`, chunkSize: 3 }]);
    const seen = await turnEnds(await promptFromWeb("what is my key"));
    const streamed = seen.pieces.join("");
    expect(streamed).not.toContain(key.slice(14, 40));
    expect(streamed).toContain("keep it safe.");
    const tails = app.messages.flatMap((m) => (m.type === "text" && m.turnId === seen.latest!.id ? [m.tail] : []));
    expect(tails.some((t) => t.includes(key.slice(14, 30)))).toBe(false);
    expect(seen.latest!.text).not.toContain(key.slice(14, 40));
  });

  test("an invalid or foreign command is answered with a clear refusal", async () => {
    expect(await app.command({ type: "prompt", deviceId: "not-a-device", text: "hi" })).toMatchObject({ ok: false, message: expect.stringContaining("not one of yours") });
    expect(await app.command({ type: "prompt", deviceId: laptop, text: "   " })).toMatchObject({ ok: false, message: "the prompt is empty" });
    expect(await app.command({ type: "pair", code: "BCDFG-HJKLM" })).toMatchObject({ ok: false, message: expect.stringContaining("That code is not valid") });
    expect(await app.command({ type: "pair.confirm", claimId: "nothing", accept: true })).toMatchObject({ ok: false, message: expect.stringContaining("expired or is not yours") });
  });
});

describe("conversation settings and the queue", () => {
  const deviceEvent = (match: (d: Extract<WebServerMessage, { type: "device" }>["device"]) => boolean, what: string) =>
    app.until(() => [...app.messages].reverse().find((m): m is Extract<WebServerMessage, { type: "device" }> => m.type === "device" && match(m.device)), what);

  test("a waiting prompt can be cancelled", async () => {
    stack.model.enqueue({ blocks: [{ text: "Busy for a while" }], stall: true });
    const first = await promptFromWeb("keep busy");
    await stack.model.waitForStall();
    const second = await promptFromWeb("wait your turn");
    const queued = await app.waitFor<Extract<WebServerMessage, { type: "turn" }>>((m) => m.type === "turn" && m.turn.id === second, "the waiting turn");
    expect(queued.turn).toMatchObject({ status: "queued", waiting: "it runs after the current turn" });
    expect(await app.command({ type: "cancel", turnId: second })).toMatchObject({ ok: true, message: "Cancelled." });
    await turnEnds(second, "stopped");
    expect(await app.command({ type: "cancel", turnId: second })).toMatchObject({ ok: false, message: "It is no longer waiting." });
    await app.command({ type: "stop", deviceId: laptop });
    await turnEnds(first, "stopped");
    stack.model.release();
  });

  test("permission mode: switched and shown; above the machine's cap it is refused", async () => {
    expect(await app.command({ type: "mode", deviceId: laptop, mode: "plan" })).toMatchObject({ ok: true });
    await deviceEvent((d) => d.id === laptop && d.mode === "plan", "the mode shown as plan");
    // The machine's own word on it arrives as a notice of that machine.
    await app.waitFor((m) => m.type === "notice" && m.deviceId === laptop && /Permission mode is now plan/.test(m.text), "the machine's notice");
    expect(await app.command({ type: "mode", deviceId: laptop, mode: "bypassPermissions" })).toMatchObject({ ok: false, message: expect.stringContaining("allows at most acceptEdits") });
    expect(await app.command({ type: "mode", deviceId: laptop, mode: "default" })).toMatchObject({ ok: true });
    await deviceEvent((d) => d.id === laptop && d.mode === "default", "the mode back to default");
  });

  test("folder: the next prompts run there, in a fresh conversation", async () => {
    const sub = join(stack.workdir, "sub");
    mkdirSync(sub, { recursive: true });
    expect(await app.command({ type: "cd", deviceId: laptop, path: sub })).toMatchObject({ ok: true });
    await deviceEvent((d) => d.id === laptop && d.cwd === sub, "the folder shown");
    const seen = stack.model.requests.length;
    await turnEnds(await promptFromWeb("where am I"));
    expect(JSON.stringify((await stack.model.waitForRequest(seen + 1)).body?.system)).toContain(sub);
    expect(await app.command({ type: "cd", deviceId: laptop, path: stack.workdir })).toMatchObject({ ok: true });
  });
});

describe("reconnecting", () => {
  test("a browser that lost its socket gets exactly the events it missed, then live ones", async () => {
    const origin = stack.relayUrl;
    const first = await openApp(origin, cookie);
    const snapshot = await first.waitFor<WebSnapshot>((m) => m.type === "snapshot", "the snapshot");
    first.close();
    await first.closeEvent();
    stack.model.enqueue([{ text: "Missed while away, in pieces.", chunkSize: 4 }]);
    stack.telegram.userText(OWNER, "while you were away");
    await stack.waitForText(/Missed while away, in pieces\.[\s\S]*✅ laptop/, "the turn to finish meanwhile");
    const again = await openApp(origin, cookie, { origin }, `?epoch=${snapshot.epoch}&since=${snapshot.seq}`);
    const done = await again.waitFor<Extract<WebServerMessage, { type: "turn" }>>((m) => m.type === "turn" && m.turn.prompt === "while you were away" && m.turn.status === "done", "the missed turn's end");
    expect(again.messages[0]).toEqual({ type: "resume", epoch: snapshot.epoch, seq: snapshot.seq });
    expect(again.messages.some((m) => m.type === "snapshot")).toBe(false);
    const events = again.messages.slice(1).filter((m): m is Extract<WebServerMessage, { seq: number }> => "seq" in m);
    expect(events.map((m) => m.seq)).toEqual(events.map((_, i) => snapshot.seq + 1 + i));
    const text = events.flatMap((m) => (m.type === "text" && m.turnId === done.turn.id ? [m.text] : [])).join("");
    expect(text).toBe("Missed while away, in pieces.");
    // And live again: the next turn arrives on this socket too.
    const next = await promptFromWeb("back again");
    await again.until(() => (again.messages.some((m) => m.type === "turn" && m.turn.id === next && m.turn.status === "done") ? true : undefined), "the live turn");
    again.close();
  });

  test("a position from another relay process, or one too old, gets a fresh snapshot", async () => {
    const stale = await openApp(stack.relayUrl, cookie, { origin: stack.relayUrl }, "?epoch=elsewhere&since=3");
    expect((await stale.waitFor((m) => m.type === "snapshot" || m.type === "resume", "the first message")).type).toBe("snapshot");
    stale.close();
    const ahead = await openApp(stack.relayUrl, cookie, { origin: stack.relayUrl }, "?epoch=x&since=999999");
    expect((await ahead.waitFor((m) => m.type === "snapshot" || m.type === "resume", "the first message")).type).toBe("snapshot");
    ahead.close();
  });
});

describe("approvals in both surfaces", () => {
  test("allowed in the browser: the tool runs and the Telegram card closes at once", async () => {
    const file = join(stack.workdir, "web-allowed.txt");
    stack.model.enqueue([{ toolUse: { name: "Write", input: { file_path: file, content: "from the browser\n" } } }], [{ text: "Wrote it." }]);
    const id = await promptFromWeb("write a file");
    const { approval } = await approvalFor("Write");
    expect(approval.input).toContain("from the browser");
    expect(approval.always?.narrow).toBe(`Write in ${stack.workdir}`);
    await stack.telegram.waitFor(() => stack.messages(/wants to/).some((m) => buttonsOf(m).some((d) => d.startsWith(`ap:${approval.id}`))), { message: "the Telegram card" });
    expect(await app.command({ type: "approval", approvalId: approval.id, action: "allow" })).toMatchObject({ ok: true, message: "Allowed" });
    await app.waitFor((m) => m.type === "approval.closed" && m.approvalId === approval.id && /allowed by you/.test(m.line), "the card to close in the browser");
    await turnEnds(id);
    expect(readFileSync(file, "utf8")).toBe("from the browser\n");
    await stack.telegram.waitFor(() => stack.messages(/allowed by you/).some((m) => buttonsOf(m).length === 0), { message: "the Telegram card to close" });
  });

  test("denied in Telegram: the browser's card closes at once", async () => {
    const file = join(stack.workdir, "tg-denied.txt");
    stack.model.enqueue([{ toolUse: { name: "Bash", input: { command: `touch ${file}` } } }], [{ text: "Not touching it." }]);
    const id = await promptFromWeb("touch a file");
    const { approval } = await approvalFor("Bash");
    const card = await stack.telegram.waitFor(() => stack.messages(/wants to/).find((m) => buttonsOf(m).includes(`ap:${approval.id}:d`)), { message: "the Telegram card" });
    stack.telegram.clickButton(OWNER, card.message_id, `ap:${approval.id}:d`);
    await app.waitFor((m) => m.type === "approval.closed" && m.approvalId === approval.id && /denied by you/.test(m.line), "the browser's card to close");
    await turnEnds(id);
    expect(existsSync(file)).toBe(false);
    // A late tap in the browser changes nothing.
    expect(await app.command({ type: "approval", approvalId: approval.id, action: "allow" })).toMatchObject({ ok: false, message: "Already decided." });
  });

  test("a question card: one button per option, and the chosen one goes back to claude", async () => {
    stack.model.enqueue(
      [{ toolUse: { name: "AskUserQuestion", input: { questions: [{ question: "Which database?", header: "Database", options: [{ label: "SQLite", description: "one file" }, { label: "Postgres", description: "a server" }] }] } } }],
      [{ text: "Going with your choice." }],
    );
    const seen = stack.model.requests.length;
    const id = await promptFromWeb("ask me something");
    const { approval } = await approvalFor("AskUserQuestion");
    expect(approval.kind).toBe("question");
    expect(approval.question).toEqual({ header: "Database", question: "Which database?", options: [{ label: "SQLite", description: "one file" }, { label: "Postgres", description: "a server" }] });
    expect(await app.command({ type: "approval", approvalId: approval.id, action: "option", option: 1 })).toMatchObject({ ok: true });
    await turnEnds(id);
    expect(JSON.stringify(toolResultsOf((await stack.model.waitForRequest(seen + 2)).body).at(-1))).toContain("Postgres");
    await stack.waitForText(/you answered: Postgres/, "the Telegram card to say so");
  });

  test("a plan card (mode switched in Telegram): Approve plan from the browser", async () => {
    stack.telegram.userText(OWNER, "/mode");
    await stack.waitForText(/Permission mode on laptop/);
    stack.telegram.clickButton(OWNER, stack.messages(/Permission mode on laptop/).at(-1)!.message_id, "mode:plan");
    await stack.waitForText(/Permission mode is now plan\./);
    stack.model.enqueue([{ toolUse: { name: "ExitPlanMode", input: { plan: "1. Add a test\n2. Fix the bug" } } }], [{ text: "Plan approved, starting." }]);
    const id = await promptFromWeb("plan something");
    const { approval } = await approvalFor("ExitPlanMode");
    expect(approval).toMatchObject({ kind: "plan", plan: "1. Add a test\n2. Fix the bug" });
    expect(await app.command({ type: "approval", approvalId: approval.id, action: "approvePlan" })).toMatchObject({ ok: true });
    await turnEnds(id);
    await app.waitFor((m) => m.type === "approval.closed" && m.approvalId === approval.id && /plan approved by you/.test(m.line), "the card to close");
    stack.telegram.userText(OWNER, "/mode");
    await stack.telegram.waitFor(() => stack.messages(/Permission mode on laptop: plan/).length > 0, { message: "the mode menu" });
    stack.telegram.clickButton(OWNER, stack.messages(/Permission mode on laptop: plan/).at(-1)!.message_id, "mode:default");
    await stack.waitForText(/Permission mode is now default\./);
  });

  test("deny with reason from the browser: claude reads the reason", async () => {
    stack.model.enqueue([{ toolUse: { name: "Bash", input: { command: "rm -rf build" } } }], [{ text: "OK, keeping build." }]);
    const seen = stack.model.requests.length;
    const id = await promptFromWeb("clean up");
    const { approval } = await approvalFor("Bash");
    expect(await app.command({ type: "approval", approvalId: approval.id, action: "denyReason", reason: "never delete build here" })).toMatchObject({ ok: true });
    await turnEnds(id);
    const results = toolResultsOf((await stack.model.waitForRequest(seen + 2)).body);
    expect(JSON.stringify(results.at(-1))).toContain("never delete build here");
    await stack.waitForText(/❌ denied by you: never delete build here/, "the Telegram card to show the reason");
    // Nothing waits for a reason in Telegram afterwards: the next message there is a prompt.
    stack.telegram.userText(OWNER, "just a prompt");
    await stack.waitForText(/echo: just a prompt[\s\S]*✅ laptop/, "the next Telegram message to run as a prompt");
  });
});
