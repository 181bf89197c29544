// Lists only a machine can make (folders, claude's transcripts): the relay asks over the agent's
// socket and takes exactly one answer from exactly that machine, or says why there is none.
import { describe, expect, test } from "bun:test";
import { mkdirSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { answerList } from "../../src/agent/lists";
import { decodeAgentFrame, decodeRelayFrame, encode, PROTOCOL_VERSION, type AgentFrame, type ListRequest, type RelayFrame } from "../../src/proto";
import { LIST_ANSWER_MS } from "../../src/relay/core/lists";
import { coreWithMachines } from "../helpers/core-machines";
import { tmpDir } from "../helpers/tmp";

const CHAT = 1001;
const setup = () => coreWithMachines(CHAT);

const askOf = (frames: RelayFrame[]) => frames.find((f) => f.type === "list.request") as ListRequest;

describe("list requests", () => {
  test("the frames round-trip through the codec", () => {
    const ask: Parameters<typeof encode<RelayFrame>>[0] = { type: "list.request", requestId: "r1", kind: "folders", path: "/w/api", offset: 8, limit: 8 };
    expect(decodeRelayFrame(encode<RelayFrame>(ask))).toEqual({ ok: true, frame: { v: 1, ...ask } as RelayFrame });
    const result: Parameters<typeof encode<AgentFrame>>[0] = {
      type: "list.result",
      requestId: "r1",
      transcripts: [{ id: "aea82003-a4af-4c29-9b16-a3e989181f64", cwd: "/w", firstPrompt: "hi", lastActivity: 5, size: 10, missing: true }],
      skipped: [{ id: "bad", reason: "is empty" }],
      folders: { path: null, up: null, items: [{ name: "api", path: "/w/api" }], total: 1, offset: 0 },
      found: { paths: ["/w/api"], truncated: false },
    };
    expect(decodeAgentFrame(encode<AgentFrame>(result))).toEqual({ ok: true, frame: { v: 1, ...result } as AgentFrame });
    // A page larger than the limit, or an id that could climb out of a folder, is refused.
    expect(decodeRelayFrame(JSON.stringify({ ...ask, v: 1, limit: 1000 })).ok).toBe(false);
    expect(decodeAgentFrame(JSON.stringify({ v: 1, type: "list.result", requestId: "r", transcripts: [{ id: "../x", cwd: "/", lastActivity: 1, size: 1 }] })).ok).toBe(false);
  });

  test("asks the machine and takes exactly one answer from exactly that machine", async () => {
    const { core, device, connect } = setup();
    const laptop = device("laptop");
    const frames = await connect(laptop);
    await connect(device("desktop"));
    const answer = core.lists.request(laptop, { kind: "find", query: "api" });
    const ask = askOf(frames);
    expect(ask).toMatchObject({ kind: "find", query: "api" });
    const result = { v: PROTOCOL_VERSION, type: "list.result" as const, requestId: ask.requestId, found: { paths: ["/w/api"], truncated: false } };
    expect(core.lists.answer("desktop", result)).toBe(false);
    expect(core.lists.answer(laptop.id, result)).toBe(true);
    expect(core.lists.answer(laptop.id, result)).toBe(false);
    expect(await answer).toEqual({ ok: result });
  });

  test("the machine's refusal comes back as the error", async () => {
    const { core, device, connect } = setup();
    const laptop = device("laptop");
    const frames = await connect(laptop);
    const answer = core.lists.request(laptop, { kind: "folders", path: "/etc" });
    core.lists.answer(laptop.id, { v: PROTOCOL_VERSION, type: "list.result", requestId: askOf(frames).requestId, error: "/etc is outside the folders this machine allows" });
    expect(await answer).toEqual({ error: "/etc is outside the folders this machine allows", refused: true });
  });

  test("an answer without the list asked for is refused, saying what to do", async () => {
    const { core, device, connect } = setup();
    const laptop = device("laptop");
    const frames = await connect(laptop);
    const answer = core.lists.request(laptop, { kind: "folders" });
    core.lists.answer(laptop.id, { v: PROTOCOL_VERSION, type: "list.result", requestId: askOf(frames).requestId, transcripts: [] });
    expect(await answer).toEqual({ error: "laptop sent an answer this relay does not understand. Run the same ra version on the machine as on the relay (`ra version`)." });
  });

  test("an offline machine is said to be offline at once; one that never answers, after the timeout", async () => {
    const { core, device, connect, repo, clock } = setup();
    const gone = device("gone");
    await repo.addDevice(gone);
    expect(await core.lists.request(gone, { kind: "transcripts" })).toEqual({ error: "gone is offline. Start `ra agent` there (or check /devices) and try again." });
    const laptop = device("laptop");
    const frames = await connect(laptop);
    const answer = core.lists.request(laptop, { kind: "transcripts" });
    await clock.advance(LIST_ANSWER_MS);
    expect(await answer).toEqual({ error: expect.stringMatching(/^laptop did not answer within 15 s\. Check that it is online/) });
    expect(core.lists.answer(laptop.id, { v: PROTOCOL_VERSION, type: "list.result", requestId: askOf(frames).requestId, transcripts: [] })).toBe(false);
  });
});

describe("the machine's answers", () => {
  test("folders, a search and a refusal, each as a list.result for the same request", async () => {
    await using dir = tmpDir();
    mkdirSync(join(dir.path, "api", "src"), { recursive: true });
    const root = realpathSync(dir.path);
    const deps = { limits: { roots: [root], maxMode: "default" as const }, projectsDir: join(root, "no-projects") };
    const ask = (over: Partial<ListRequest>): ListRequest => ({ v: PROTOCOL_VERSION, type: "list.request", requestId: "r1", kind: "folders", ...over });
    expect(await answerList(ask({ path: join(root, "api") }), deps)).toEqual({ type: "list.result", requestId: "r1", folders: { path: join(root, "api"), up: root, items: [{ name: "src", path: join(root, "api", "src") }], total: 1, offset: 0 } });
    expect(await answerList(ask({ kind: "find", query: "src" }), deps)).toEqual({ type: "list.result", requestId: "r1", found: { paths: [join(root, "api", "src")], truncated: false } });
    expect(await answerList(ask({ path: "/" }), deps)).toEqual({ type: "list.result", requestId: "r1", error: expect.stringContaining("outside the folders") });
    expect(await answerList(ask({ kind: "transcripts" }), deps)).toEqual({ type: "list.result", requestId: "r1", transcripts: [], skipped: [] });
    // Every answer is a valid frame.
    for (const over of [{ path: join(root, "api") }, { kind: "find" as const, query: "src" }, { path: "/" }]) {
      expect(decodeAgentFrame(encode<AgentFrame>(await answerList(ask(over), deps))).ok).toBe(true);
    }
  });
});
