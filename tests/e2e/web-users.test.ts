// Two people in the web app against the compiled binary: an invited user signs in with their own
// /web link and sees exactly the machines Telegram shows them, cannot drive or answer for the
// owner's machine, hears nothing of the owner's turns, and is signed out at once when removed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { WebServerMessage, WebSnapshot } from "../../src/proto/web";
import { pairFromTelegram } from "../helpers/pairing";
import { RaProcess } from "../helpers/ra-process";
import { OWNER, startStack, type Stack } from "../helpers/stack";
import { tmpDir } from "../helpers/tmp";
import { openApp, signIn, type AppSocket } from "../helpers/web-client";

const FRIEND = 3003;
let stack: Stack;
const dir = tmpDir();
let owner: AppSocket;
let friend: AppSocket;

const snapshotOf = async (app: AppSocket) => app.waitFor<WebSnapshot>((m) => m.type === "snapshot", "the snapshot");

beforeAll(async () => {
  stack = await startStack();
  stack.telegram.userText(OWNER, "/invite");
  const link = (await stack.telegram.waitFor(() => stack.texts().join("\n").match(/\?start=(inv_[A-Za-z0-9_-]+)/), { message: "the invite link" }))[1]!;
  stack.telegram.userText(FRIEND, `/start ${link}`, { firstName: "Fran" });
  await stack.waitForText(/^Let this person use your bot\?/);
  const card = stack.messages(/^Let this person use your bot\?/).at(-1)!;
  const letIn = (card.reply_markup?.inline_keyboard ?? []).flat().map((b) => ("callback_data" in b ? b.callback_data : "")).find((d) => d.endsWith(":y"))!;
  stack.telegram.clickButton(OWNER, card.message_id, letIn);
  await stack.waitForText(/You can use this bot now/, "the welcome", FRIEND);
  await using pair = new RaProcess(["pair", "--relay", stack.relayUrl, "--name", "franbox", "--config", join(dir.path, "fran.json")]);
  await pairFromTelegram(stack.telegram, FRIEND, pair);
  expect(await pair.exitCode()).toBe(0);
  owner = await openApp(stack.relayUrl, await signIn(stack, OWNER));
  friend = await openApp(stack.relayUrl, await signIn(stack, FRIEND));
});
afterAll(async () => {
  owner?.close();
  friend?.close();
  await stack?.[Symbol.asyncDispose]();
  await dir[Symbol.asyncDispose]();
});

describe("each person sees what Telegram shows them", () => {
  test("the user sees only their machine; the owner sees both, the user's named apart", async () => {
    const mine = await snapshotOf(friend);
    expect(mine.user).toMatchObject({ id: FRIEND, role: "user" });
    expect(mine.devices.map((d) => [d.label, d.state])).toEqual([["franbox", "offline"]]);
    const owners = await snapshotOf(owner);
    expect(owners.devices.map((d) => [d.label, d.state])).toEqual([["laptop", "online"], ["franbox (Fran)", "offline"]]);
  });

  test("the user cannot drive the owner's machine, and hears nothing of the owner's turns or approvals", async () => {
    const laptop = (await snapshotOf(owner)).devices.find((d) => d.name === "laptop")!.id;
    for (const type of ["prompt", "stop", "new", "select"] as const) {
      const result = await friend.command(type === "prompt" ? { type, deviceId: laptop, text: "hi" } : { type, deviceId: laptop });
      expect(result).toMatchObject({ ok: false, message: expect.stringContaining("not one of yours") });
    }
    stack.model.enqueue([{ toolUse: { name: "Write", input: { file_path: join(stack.workdir, "private.txt"), content: "private\n" } } }], [{ text: "Owner's eyes only." }]);
    expect((await owner.command({ type: "prompt", deviceId: laptop, text: "a private prompt" })).ok).toBe(true);
    const opened = await owner.waitFor<Extract<WebServerMessage, { type: "approval" }>>((m) => m.type === "approval", "the owner's approval");
    expect(await friend.command({ type: "approval", approvalId: opened.approval.id, action: "allow" })).toMatchObject({ ok: false, message: "This card is not yours." });
    expect((await owner.command({ type: "approval", approvalId: opened.approval.id, action: "allow" })).ok).toBe(true);
    await owner.waitFor((m) => m.type === "turn" && m.turn.status === "done", "the owner's turn to finish");
    // Busy and back to online is the laptop's state, which only the owner may see.
    await owner.waitFor((m) => m.type === "device" && m.device.name === "laptop" && m.device.state === "busy", "laptop busy");
    const leaked = friend.messages.filter((m) => JSON.stringify(m).includes("private") || (m.type === "device" && m.device.name === "laptop"));
    expect(leaked).toEqual([]);
  });

  test("removing the user from Telegram signs their browser out at once", async () => {
    const some = stack.telegram.chat(OWNER).at(-1)!.message_id;
    stack.telegram.clickButton(OWNER, some, `usr:${FRIEND}:y`);
    expect((await friend.closeEvent()).code).toBe(4001);
    expect(owner.closed).toBeUndefined();
  });
});
