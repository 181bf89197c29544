// ra serve --database: the relay keeps its state in a real Postgres instead of the sqlite file, and
// works the same through the compiled binary and the real claude CLI: answers stream, an approval
// is answered, a kill -9 of the relay loses nothing. An unreachable database: exit 69, password masked.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { StoredMessage } from "../fakes/telegram-api";
import { freePort } from "../helpers/free-port";
import { RaProcess } from "../helpers/ra-process";
import { startPostgres } from "../helpers/real-servers";
import { OWNER, startStack, TOKEN, type Stack } from "../helpers/stack";
import { tmpDir } from "../helpers/tmp";

let pg: Awaited<ReturnType<typeof startPostgres>>;
let url: string;
let sql: SQL;
let stack: Stack;
beforeAll(async () => {
  pg = await startPostgres();
  url = await pg.createDatabase("relay");
  sql = new SQL(url);
  stack = await startStack({ serveArgs: ["--database", url] });
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
  await sql?.close();
  await pg?.[Symbol.asyncDispose]();
});

const buttonsOf = (m: StoredMessage) => (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => ("callback_data" in b ? b.callback_data : ""));

describe("ra serve --database postgres://…", () => {
  test("a prompt's answer streams back; the turn and its answer are rows in Postgres, and no sqlite file is made", async () => {
    stack.telegram.userText(OWNER, "hello postgres");
    await stack.waitForText(/echo: hello postgres[\s\S]*✅ laptop/);
    const [turn] = await sql`SELECT id, status FROM turns WHERE prompt = ${"hello postgres"}`;
    expect(turn.status).toBe("done");
    const pieces = await sql`SELECT text FROM turn_text WHERE turn_id = ${turn.id} ORDER BY id`;
    expect(pieces.map((p: { text: string }) => p.text).join("")).toContain("echo: hello postgres");
    const [device] = await sql`SELECT name FROM devices`;
    expect(device.name).toBe("laptop");
    expect(existsSync(join(stack.relayDir, "relay.db"))).toBe(false);
  });

  test("an approval card is answered once, and the decision is audited in Postgres", async () => {
    stack.model.enqueue([{ toolUse: { name: "Bash", input: { command: "touch pg-approval.txt", description: "Create a file" } } }], [{ text: "Done after the approval." }]);
    stack.telegram.userText(OWNER, "make a file");
    const card = await stack.telegram.waitFor(() => stack.telegram.chat(OWNER).find((m) => /wants to/.test(m.text ?? "") && buttonsOf(m).some((d) => d.endsWith(":a"))), { message: "the approval card" });
    stack.telegram.clickButton(OWNER, card.message_id, buttonsOf(card).find((d) => d.endsWith(":a"))!);
    await stack.waitForText(/Done after the approval\.[\s\S]*✅ laptop/);
    const audit = await sql`SELECT answer FROM audit WHERE tool_name = 'Bash'`;
    expect(audit.map((a: { answer: string }) => a.answer)).toEqual(["allow"]);
    const [approval] = await sql`SELECT status FROM approvals`;
    expect(approval.status).toBe("allowed");
  });

  test("after kill -9 of the relay, the conversation goes on with its context", async () => {
    await stack.crashAndRestartServe();
    const seen = stack.model.requests.length;
    stack.telegram.userText(OWNER, "still there?");
    await stack.waitForText(/echo: still there\?[\s\S]*✅ laptop/);
    const request = await stack.model.waitForRequest(seen + 1);
    expect(JSON.stringify(request.body)).toContain("hello postgres");
    const turns = await sql`SELECT prompt FROM turns ORDER BY created_at`;
    expect(turns.map((t: { prompt: string }) => t.prompt)).toEqual(["hello postgres", "make a file", "still there?"]);
  });

  test("an unreachable database stops ra serve with exit 69 and says so, without the password", async () => {
    await using dir = tmpDir();
    const port = freePort();
    await using serve = new RaProcess(["serve", "--bot-token", TOKEN, "--data-dir", dir.path, "--listen", "127.0.0.1:0", "--database", `postgres://ra:hunter2secret@127.0.0.1:${port}/ra`]);
    expect(await serve.exitCode()).toBe(69);
    expect(serve.stderr).toContain("cannot reach the database postgres://ra:***@127.0.0.1");
    expect(serve.stderr).not.toContain("hunter2secret");
  });
});
