// A second person through the compiled binary: an owner's /invite, the owner's confirmation, a user
// who sees and drives only the machines they paired, and removal (/users) that revokes those too.
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { pairFromTelegram } from "../helpers/pairing";
import { RaProcess } from "../helpers/ra-process";
import { OWNER, startStack, type Stack } from "../helpers/stack";
import { tmpDir } from "../helpers/tmp";

const FRIEND = 3003;
const LATECOMER = 3004;
let stack: Stack;
let dir: ReturnType<typeof tmpDir>;
beforeAll(async () => {
  stack = await startStack();
  dir = tmpDir();
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
  await dir?.[Symbol.asyncDispose]();
});

const buttons = (pattern: RegExp, chatId = OWNER) => {
  const message = stack.messages(pattern, chatId).at(-1)!;
  return { message, data: (message.reply_markup?.inline_keyboard ?? []).flat().map((b) => ("callback_data" in b ? b.callback_data : "")) };
};
const tap = (chatId: number, pattern: RegExp, pick: (data: string) => boolean) => {
  const card = buttons(pattern, chatId);
  return stack.telegram.clickButton(chatId, card.message.message_id, card.data.find(pick)!);
};
const answer = (id: string) => stack.telegram.waitFor(() => stack.telegram.callbackAnswer(id), { message: "the tap's answer" });
const query = (sql: string) => {
  const db = new Database(join(stack.relayDir, "relay.db"));
  try {
    return db.query(sql).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
};

describe("inviting a second person", () => {
  let link = "";
  test("an owner's /invite gives a one-time link; opening it asks the owner, not the bot, to let them in", async () => {
    stack.telegram.userText(OWNER, "/invite");
    link = (await stack.telegram.waitFor(() => stack.texts().join("\n").match(/https:\/\/t\.me\/ra_test_bot\?start=(inv_[A-Za-z0-9_-]{22})/), { message: "the invite link" }))[1]!;
    stack.telegram.userText(FRIEND, `/start ${link}`, { firstName: "Fran" });
    await stack.waitForText(/^Let this person use your bot\?\nFran, Telegram id 3003, opened your invite/);
    await stack.waitForText(/owner who invited you was asked to confirm/, "the invitee's note", FRIEND);
    await stack.waitForText(/^Invite link used by Fran; it no longer works\./);
    expect(stack.texts().join("\n")).not.toContain(link);

    stack.telegram.userText(LATECOMER, `/start ${link}`);
    await stack.waitForText(/private bot/, "the latecomer's refusal", LATECOMER);
    expect(stack.texts(LATECOMER)).toEqual(["Sorry, this is a private bot."]);
    expect(stack.serve.output).not.toContain(link);
  });

  test("until the owner taps Let in, the invitee is a stranger; after it, a user", async () => {
    stack.telegram.userText(FRIEND, "/devices");
    await stack.waitForText(/private bot/, "the refusal before confirmation", FRIEND);
    const card = buttons(/^Let this person use your bot/);
    const letIn = card.data.find((d) => d.endsWith(":y"))!;
    stack.telegram.clickButton(OWNER, card.message.message_id, letIn);
    await stack.waitForText(/✅ Fran can use this bot now/);
    await stack.waitForText(/You can use this bot now/, "the welcome", FRIEND);
    const again = stack.telegram.clickButton(OWNER, card.message.message_id, letIn);
    expect((await answer(again)).text).toBe("This invite was already decided.");
  });

  test("a user sees none of the owner's machines and cannot drive or revoke them, not even by forged taps", async () => {
    const laptop = query("SELECT id FROM devices WHERE name = 'laptop'")[0]!.id as string;
    stack.telegram.userText(FRIEND, "/devices");
    await stack.waitForText(/No machine is paired yet/, "no machines for the user", FRIEND);
    stack.telegram.userText(FRIEND, "/revoke laptop");
    await stack.waitForText(/No machine called "laptop"/, "the refused revoke", FRIEND);
    stack.telegram.userText(FRIEND, "/invite");
    await stack.waitForText(/Only an owner of this relay can do that/, "invite refused", FRIEND);

    const own = stack.telegram.chat(FRIEND).at(-1)!.message_id;
    expect((await answer(stack.telegram.clickButton(FRIEND, own, `use:${laptop}`))).text).toBe("That machine is no longer paired.");
    expect((await answer(stack.telegram.clickButton(FRIEND, own, `rv:${laptop}:y`))).text).toBe("That machine is no longer paired.");
    stack.telegram.userText(OWNER, "hello laptop");
    await stack.waitForText(/echo: hello laptop[\s\S]*✅ laptop/);
    const turn = query("SELECT id FROM turns ORDER BY created_at DESC LIMIT 1")[0]!.id as string;
    expect((await answer(stack.telegram.clickButton(FRIEND, own, `stop:${turn}`))).text).toBe("This card is not yours.");
    expect((await answer(stack.telegram.clickButton(FRIEND, own, "usr:3003:y"))).text).toBe("Only an owner of this relay can do that.");

    stack.telegram.userText(OWNER, "/devices");
    await stack.telegram.waitFor(() => stack.texts().filter((t) => /🟢 laptop – online/.test(t)).length > 0, { message: "laptop still online" });
  });

  test("a user pairs their own machine; owners are told, and see it too", async () => {
    await using pair = new RaProcess(["pair", "--relay", stack.relayUrl, "--name", "franbox", "--config", join(dir.path, "fran.json")]);
    await pairFromTelegram(stack.telegram, FRIEND, pair);
    expect(await pair.exitCode()).toBe(0);
    await stack.waitForText(/🔔 New machine paired: franbox .* by Fran/);
    stack.telegram.userText(FRIEND, "/devices");
    await stack.waitForText(/franbox – offline/, "the user's machine", FRIEND);
    expect(stack.texts(FRIEND).filter((t) => t.includes("laptop –"))).toEqual([]);
    stack.telegram.userText(OWNER, "/devices");
    await stack.waitForText(/laptop – online[\s\S]*franbox \(Fran\) – offline/);
  });

  test("an owner's view names other people's machines apart; a name two machines share picks neither", async () => {
    await using pair = new RaProcess(["pair", "--relay", stack.relayUrl, "--name", "laptop", "--config", join(dir.path, "fran-laptop.json")]);
    await pairFromTelegram(stack.telegram, FRIEND, pair);
    expect(await pair.exitCode()).toBe(0);
    await stack.waitForText(/🔔 New machine paired: laptop .* by Fran/);
    const fransLaptop = (query("SELECT id FROM devices WHERE owner_id = 3003 AND name = 'laptop'")[0] as { id: string }).id;

    stack.telegram.userText(OWNER, "/use laptop");
    await stack.waitForText(/^2 machines are called "laptop"\. Tap the one you mean:$/);
    expect(buttons(/^2 machines are called "laptop"/, OWNER).message.reply_markup!.inline_keyboard.flat().map((b) => b.text)).toEqual(["🟢 laptop", "⚫ laptop (Fran)"]);
    stack.telegram.userText(OWNER, "/use laptop (fran)");
    await stack.waitForText(/^Prompts now go to laptop \(Fran\) \(offline\)\.$/);
    stack.telegram.userText(OWNER, "/use laptop");
    await stack.telegram.waitFor(() => stack.messages(/^2 machines are called "laptop"\. Tap the one you mean/).length === 2, { message: "the question again" });
    tap(OWNER, /^2 machines are called "laptop"/, (d) => !d.endsWith(fransLaptop));
    await stack.waitForText(/^Prompts now go to laptop \(online\)\.$/);

    // @laptop is held until its author taps which; the chat's selection stays as it is.
    stack.telegram.userText(OWNER, "@laptop say hello");
    await stack.waitForText(/^2 machines are called "laptop"\. Tap the one that should run this prompt:$/);
    tap(OWNER, /Tap the one that should run this prompt/, (d) => d.startsWith("run:") && !d.endsWith(fransLaptop));
    await stack.waitForText(/echo: say hello[\s\S]*✅ laptop/, "the held prompt on the owner's laptop");

    // Fran sees her machines by their own names only.
    stack.telegram.userText(FRIEND, "/devices");
    await stack.waitForText(/^⚫ franbox – offline.*\n⚫ laptop – offline/, "Fran's list", FRIEND);
    expect(stack.texts(FRIEND).filter((t) => t.includes("(Fran)"))).toEqual([]);

    const asked = stack.messages(/^2 machines are called "laptop"\. Tap the one you mean/).length;
    stack.telegram.userText(OWNER, "/revoke laptop");
    await stack.telegram.waitFor(() => stack.messages(/^2 machines are called "laptop"\. Tap the one you mean/).length > asked, { message: "the question which laptop to revoke" });
    tap(OWNER, /^2 machines are called "laptop"/, (d) => d === `rv:${fransLaptop}:?`);
    await stack.waitForText(/^Revoke laptop \(Fran\) \(/);
    tap(OWNER, /^Revoke laptop \(Fran\)/, (d) => d === `rv:${fransLaptop}:y`);
    await stack.waitForText(/🗑 laptop \(Fran\) is revoked/);
    expect(query("SELECT name, owner_id FROM devices ORDER BY created_at")).toEqual([{ name: "laptop", owner_id: 1001 }, { name: "franbox", owner_id: 3003 }]);
  });

  test("/users lists everyone; removing a user revokes their machines and shuts them out", async () => {
    stack.telegram.userText(OWNER, "/revoke fran");
    await stack.waitForText(/^Remove Fran \(3003\)\?/);
    tap(OWNER, /^Remove Fran/, (d) => d === "usr:3003:n");
    await stack.waitForText(/^Fran stays a user\.$/);
    stack.telegram.userText(OWNER, "/users");
    await stack.waitForText(/👑 .*\(1001\) – owner · 1 machine\n👤 Fran \(3003\) – user · 1 machine/);
    tap(OWNER, /People who may use this bot/, (d) => d === "usr:3003:?");
    await stack.waitForText(/^Remove Fran \(3003\)\? .*their machines \(franbox\) are revoked at once/);
    tap(OWNER, /^Remove Fran/, (d) => d === "usr:3003:y");
    await stack.waitForText(/🗑 Fran can no longer use this bot; revoked franbox\./);
    await stack.waitForText(/removed your access/, "the removal notice", FRIEND);
    expect(query("SELECT name FROM devices")).toEqual([{ name: "laptop" }]);
    expect(query("SELECT telegram_id FROM users WHERE telegram_id = 3003")).toEqual([]);
    await using status = new RaProcess(["status", "--config", join(dir.path, "fran.json")]);
    expect(await status.exitCode()).toBe(77);
  });
});
