// The machine's own policy end to end: the real claude CLI against the fake model, `ra agent`
// and `ra serve` for real, and an owner (or a compromised relay) that taps Allow on every card.
// What the machine denies must not run anyway: the file stays unread and unwritten, and the
// model receives the denial as the tool's result.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { toolResultsOf } from "../fakes/model-api";
import type { StoredMessage } from "../fakes/telegram-api";
import { OWNER, startStack, type Stack } from "../helpers/stack";

const SECRET = "the-secret-outside-the-roots";

const buttonsOf = (m: StoredMessage) => (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => ("callback_data" in b ? b.callback_data : ""));

/** Taps Allow on every approval card that appears, as a relay that says yes to everything would. */
function allowEverything(stack: Stack) {
  const tapped = new Set<number>();
  const tap = () => {
    for (const m of stack.telegram.chat(OWNER)) {
      const allow = buttonsOf(m).find((d) => d.startsWith("ap:") && d.endsWith(":a"));
      if (!allow || tapped.has(m.message_id)) continue;
      tapped.add(m.message_id);
      stack.telegram.clickButton(OWNER, m.message_id, allow);
    }
  };
  const off = stack.telegram.on(tap);
  return { tapped, stop: off };
}

/** Runs one scripted tool call and returns the tool_result claude sent back to the model. */
async function runTool(stack: Stack, name: string, input: Record<string, unknown>, prompt: string) {
  const done = `Finished ${prompt}.`;
  stack.model.enqueue([{ toolUse: { name, input } }], [{ text: done }]);
  const seen = stack.model.requests.length;
  stack.telegram.userText(OWNER, prompt);
  await stack.waitForText(new RegExp(`${done.replace(/\./g, "\\.")}[\\s\\S]*✅ laptop`), `the turn "${prompt}" to finish`);
  const result = toolResultsOf((await stack.model.waitForRequest(seen + 2)).body).at(-1);
  return JSON.stringify(result);
}

describe("the machine's policy holds whatever the phone answers", () => {
  let stack: Stack;
  let outside: string;
  let owner: ReturnType<typeof allowEverything>;

  beforeAll(async () => {
    stack = await startStack({ agentArgs: ["--deny-tool", "Bash(rm:*)"] });
    outside = stack.claude.makeWorkdir();
    writeFileSync(join(outside, "secret.txt"), `${SECRET}\n`);
    owner = allowEverything(stack);
  });
  afterAll(async () => {
    owner?.stop();
    await stack?.[Symbol.asyncDispose]();
  });

  test("a Read outside the roots is denied on the machine: the model gets the denial, not the file", async () => {
    const file = join(outside, "secret.txt");
    const result = await runTool(stack, "Read", { file_path: file }, "read the secret");
    expect(result).toContain('"is_error":true');
    expect(result).toContain("is outside the folders this machine allows");
    expect(result).not.toContain(SECRET);
    await stack.waitForText(new RegExp(`Denied on laptop: Read ${file}: outside roots`), "the owner to hear about the denial");
  });

  test("a Write outside the roots is denied on the machine: the file is not written", async () => {
    const file = join(outside, "planted.txt");
    const result = await runTool(stack, "Write", { file_path: file, content: "planted" }, "write outside");
    expect(existsSync(file)).toBe(false);
    expect(result).toContain("is outside the folders this machine allows");
  });

  test("a Write through a symlink in the working folder that leads outside is denied too", async () => {
    const { symlinkSync } = await import("node:fs");
    symlinkSync(outside, join(stack.workdir, "escape"));
    const result = await runTool(stack, "Write", { file_path: join(stack.workdir, "escape", "via-link.txt"), content: "planted" }, "write via a link");
    expect(existsSync(join(outside, "via-link.txt"))).toBe(false);
    expect(result).toContain(`it leads to ${join(outside, "via-link.txt")}`);
  });

  test("a deny rule holds even when the owner taps Allow", async () => {
    const keep = join(stack.workdir, "keep.txt");
    writeFileSync(keep, "keep me\n");
    const result = await runTool(stack, "Bash", { command: `rm -f ${keep}` }, "delete a file");
    expect(readFileSync(keep, "utf8")).toBe("keep me\n");
    expect(result).toContain('"is_error":true');
    expect(result).toContain("denied");
  });

  test("inside the roots the owner's Allow still works", async () => {
    const file = join(stack.workdir, "inside.txt");
    const before = owner.tapped.size;
    await runTool(stack, "Write", { file_path: file, content: "inside\n" }, "write inside");
    expect(readFileSync(file, "utf8")).toBe("inside\n");
    expect(owner.tapped.size).toBe(before + 1);
  });

  test("plan mode only reads: Bash is denied on the machine although the owner allows it", async () => {
    stack.telegram.userText(OWNER, "/mode");
    await stack.waitForText(/Permission mode on laptop: default/);
    const menu = stack.messages(/Permission mode on laptop/).at(-1)!;
    stack.telegram.clickButton(OWNER, menu.message_id, "mode:plan");
    await stack.waitForText(/Permission mode is now plan\./);
    const file = join(stack.workdir, "made-in-plan-mode.txt");
    const result = await runTool(stack, "Bash", { command: `touch ${file}`, description: "Create a file" }, "touch in plan mode");
    expect(existsSync(file)).toBe(false);
    expect(result).toContain("not allowed in plan mode");
    await stack.waitForText(/Denied on laptop: Bash in plan mode/);
  });
});

describe("ra agent --sandbox (bubblewrap)", () => {
  let stack: Stack;
  let outside: string;

  beforeAll(async () => {
    if (!Bun.which("bwrap")) {
      throw new Error("bubblewrap is not installed, so the --sandbox test cannot run: apt-get install -y bubblewrap (CI installs it in .ci/run)");
    }
    // Outside /tmp: the sandbox gives claude a private /tmp, which would hide a /tmp folder anyway.
    outside = mkdtempSync("/var/tmp/ra-outside-");
    stack = await startStack({ agentArgs: ["--sandbox"] });
  });
  afterAll(async () => {
    await stack?.[Symbol.asyncDispose]();
    if (outside) rmSync(outside, { recursive: true, force: true });
  });

  test("Bash allowed by the owner writes inside the roots but not outside, and cannot read the device token", async () => {
    const owner = allowEverything(stack);
    try {
      expect(stack.agent.output).toContain("claude runs in a bwrap sandbox");
      const inside = join(stack.workdir, "inside.txt");
      const escaped = join(outside, "escaped.txt");
      const result = await runTool(stack, "Bash", { command: `echo in > ${inside}; echo out > ${escaped}; cat ${stack.config}` }, "write everywhere");
      expect(owner.tapped.size).toBe(1);
      expect(readFileSync(inside, "utf8")).toBe("in\n");
      expect(existsSync(escaped)).toBe(false);
      expect(result).toContain("Read-only file system");
      expect(result).not.toContain("ra_dev_");
    } finally {
      owner.stop();
    }
  });
});
