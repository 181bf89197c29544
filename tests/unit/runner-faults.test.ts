// The runner against a claude that misbehaves (a script run by bun behind the spawn seam): lines
// that are not JSON, a crash mid-turn, a claude that cannot be started.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { RaError } from "../../src/errors";
import { createClaudeRunner } from "../../src/runner/claude-runner";
import { bunSpawner, type Spawner } from "../../src/runner/spawn";
import { recordEvents } from "../helpers/claude-env";

const script = join(import.meta.dir, "..", "fixtures", "fake-claude-garbage.ts");
/** Runs the fake script with this bun, passing on the runner's flags. */
const scriptSpawner: Spawner = { spawn: (request) => bunSpawner.spawn({ ...request, argv: [process.execPath, script, ...request.argv.slice(1)] }) };

describe("claude runner faults", () => {
  test("non-JSON lines become garbage events and a crash mid-turn becomes an exit event with stderr", async () => {
    const runner = createClaudeRunner({ claudePath: "claude", spawner: scriptSpawner });
    const session = runner.start({ cwd: import.meta.dir, env: { PATH: process.env.PATH ?? "" } });
    const rec = recordEvents(session);
    session.send("hello");

    const exit = await rec.nth("exit", 1);
    expect(rec.events).toEqual([
      { kind: "init", sessionId: "00000000-0000-4000-8000-000000000000", model: "fake", cwd: import.meta.dir },
      { kind: "garbage", line: "Warning: this is not JSON" },
      { kind: "text", text: "got: hello" },
      { kind: "garbage", line: "{broken json continues}" },
      { kind: "exit", code: 1, signal: null, stderrTail: "panic: the fake claude crashed mid-turn\n" },
    ]);
    expect(rec.events.at(-1)).toBe(exit);
    expect(await session.exited).toBe(1);
    // The session is unusable but nothing throws.
    session.send("anyone there?");
    await session.interrupt();
    await session.close();
  });

  test("a claude that cannot be started is a spawn_failed RaError", () => {
    const runner = createClaudeRunner({ claudePath: join(import.meta.dir, "no-such-claude") });
    let caught: unknown;
    try {
      runner.start({ cwd: import.meta.dir, env: {} });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RaError);
    expect((caught as RaError).code).toBe("spawn_failed");
  });
});
