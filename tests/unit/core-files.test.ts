// The core's side of files: a prompt's attachments go to the machine as references (never the
// bytes), only that machine may fetch them while the turn runs, and /get waits for its answer.
import { describe, expect, test } from "bun:test";
import type { RelayFrame } from "../../src/proto";
import { FILE_ANSWER_MS, type FileDelivery } from "../../src/relay/core/files";
import { runningAttachment } from "../../src/relay/core/attachments";
import { coreWithMachines } from "../helpers/core-machines";

const CHAT = 1001;
const setup = () => coreWithMachines(CHAT);

const photo = { id: "att1", name: "photo-7.jpg", mime: "image/jpeg", size: 1234, kind: "image" as const, source: "telegram:AgACfileid" };

describe("attachments", () => {
  test("the prompt frame names the files without their source; only the running machine may fetch them", async () => {
    const { core, device, connect, repo } = setup();
    const laptop = device("laptop");
    const frames = await connect(laptop);
    const other = device("desktop");
    await connect(other);
    const turn = await core.turns.submit(CHAT, laptop, "what is this?", { attachments: [photo] });
    const prompt = frames.find((f) => f.type === "prompt");
    expect(prompt).toMatchObject({ attachments: [{ id: "att1", name: "photo-7.jpg", mime: "image/jpeg", size: 1234, kind: "image" }] });
    expect(JSON.stringify(prompt)).not.toContain("telegram:");
    expect(await runningAttachment(core.store, laptop.id, turn.id, "att1")).toEqual(photo);
    expect(await runningAttachment(core.store, other.id, turn.id, "att1")).toBeUndefined();
    expect(await runningAttachment(core.store, laptop.id, turn.id, "att2")).toBeUndefined();
    await repo.setTurnStatus(turn.id, "done", 1);
    expect(await runningAttachment(core.store, laptop.id, turn.id, "att1")).toBeUndefined();
  });
});

describe("/get", () => {
  const recording = () => {
    const got: { delivered?: [string, Uint8Array]; failed?: string } = {};
    const delivery: FileDelivery = { deliver: async (name, bytes) => void (got.delivered = [name, bytes]), fail: (why) => void (got.failed = why) };
    return { got, delivery };
  };

  test("asks the machine, takes exactly one answer from exactly that machine", async () => {
    const { core, device, connect } = setup();
    const laptop = device("laptop");
    const frames = await connect(laptop);
    await connect(device("desktop"));
    const session = await core.turns.session(CHAT, laptop.id);
    const { got, delivery } = recording();
    expect(core.files.request(session, laptop, "out/report.pdf", delivery)).toBe("sent");
    const ask = frames.find((f) => f.type === "file.request") as Extract<RelayFrame, { type: "file.request" }>;
    expect(ask).toMatchObject({ sessionId: session.id, path: "out/report.pdf" });
    expect(core.files.take("desktop", ask.requestId)).toBeUndefined();
    const answer = core.files.take(laptop.id, ask.requestId)!;
    await answer.deliver("report.pdf", new Uint8Array([1]));
    expect(got.delivered?.[0]).toBe("report.pdf");
    expect(core.files.take(laptop.id, ask.requestId)).toBeUndefined();
  });

  test("a machine that never answers is reported after a minute; a late answer is refused", async () => {
    const { core, device, connect, clock } = setup();
    const laptop = device("laptop");
    const frames = await connect(laptop);
    const { got, delivery } = recording();
    core.files.request(await core.turns.session(CHAT, laptop.id), laptop, "big.log", delivery);
    await clock.advance(FILE_ANSWER_MS);
    expect(got.failed).toBe("laptop did not send big.log within 60 s. Check that it is online (/devices) and try again.");
    const ask = frames.find((f) => f.type === "file.request") as Extract<RelayFrame, { type: "file.request" }>;
    expect(core.files.take(laptop.id, ask.requestId)).toBeUndefined();
  });

  test("an offline machine is said to be offline at once", async () => {
    const { core, device, repo } = setup();
    const laptop = device("laptop");
    await repo.addDevice(laptop);
    const { delivery } = recording();
    expect(core.files.request(await core.turns.session(CHAT, laptop.id), laptop, "a.txt", delivery)).toBe("offline");
  });
});
