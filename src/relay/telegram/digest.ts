import type { Core } from "../core";
import { isTestCommand } from "../core/auto-approve";
import type { CoreEvent } from "../core/events";
import { describeWhen } from "../core/schedule-time";
import { plain } from "../format";
import type { ScheduleWhen } from "../store/types";
import type { Messenger } from "./messenger";
import { parseTools } from "./tool-activity";

const FILES_NAMED = 5;

/**
 * "While you were away": when unattended work ends (a scheduled prompt, or a turn in which /auto
 * approved calls), one message that rings the phone with what happened: files changed, commands
 * and test runs, cost, and what still waits for an answer. A skipped schedule is said too.
 */
export class Digests {
  constructor(private readonly deps: { core: Core; messenger: Messenger; threadOf(chatId: number, deviceId: string, sessionId?: string): Promise<number | undefined> }) {}

  readonly handle = async (event: CoreEvent): Promise<void> => {
    if (event.type === "schedule.skipped") {
      const { schedule } = event;
      const when = describeWhen(JSON.parse(schedule.when) as ScheduleWhen, schedule.timeZone);
      void this.deps.messenger.send(schedule.chatId, plain(`⏭ Skipped "${short(schedule.prompt)}" (${when}): ${event.reason}.`), { threadId: await this.deps.threadOf(schedule.chatId, schedule.deviceId) });
      return;
    }
    if (event.type !== "turn.ended") return;
    const { core } = this.deps;
    const autoApproved = core.auto.takeUsed(event.turn.id);
    const turn = await core.store.turn(event.turn.id) ?? event.turn;
    if (turn.origin !== "schedule" && autoApproved === 0) return;
    const session = await core.store.session(turn.sessionId);
    const device = session && await core.store.device(session.deviceId);
    const tools = parseTools(turn.tools);
    const commands = tools.filter((t) => t.name === "Bash");
    const tests = commands.filter((t) => isTestCommand(t.summary));
    const failed = tests.filter((t) => t.isError).length;
    const files = JSON.parse(turn.files) as string[];
    const waiting = (await core.approvals.pending(turn.chatId)).length;
    const mark = { done: "✅ done", stopped: "⏹ stopped", failed: "⚠️ failed" }[event.status];
    const lines = [
      `🌙 While you were away: ${device?.name ?? "a machine"} ran "${short(turn.prompt)}"${turn.origin === "schedule" ? " (scheduled)" : ""}`,
      [mark, event.end.durationMs !== undefined ? duration(event.end.durationMs) : "", event.end.costUsd !== undefined ? `$${event.end.costUsd.toFixed(2)}` : ""].filter(Boolean).join(" · "),
      files.length ? `📝 ${files.length} file${files.length === 1 ? "" : "s"} changed: ${files.slice(-FILES_NAMED).join(", ")}${files.length > FILES_NAMED ? ` (+${files.length - FILES_NAMED} more)` : ""}` : "📝 no files changed",
      `⚙️ ${commands.length} command${commands.length === 1 ? "" : "s"}${tests.length ? ` · tests: ${tests.length - failed} passed, ${failed} failed` : ""}`,
      ...(autoApproved ? [`🤖 ${autoApproved} call${autoApproved === 1 ? "" : "s"} auto-approved (/audit lists them)`] : []),
      ...(waiting ? [`⏳ ${waiting} card${waiting === 1 ? "" : "s"} still wait${waiting === 1 ? "s" : ""} for you (/pending)`] : []),
      ...(event.end.error ? [`Why: ${short(event.end.error, 200)}`] : []),
    ];
    void this.deps.messenger.send(turn.chatId, plain(lines.join("\n")), { threadId: session ? await this.deps.threadOf(turn.chatId, session.deviceId, session.id) : undefined });
  };
}

const short = (text: string, max = 80) => (text.length > max ? `${text.slice(0, max - 1)}…` : text).replace(/\s+/g, " ");
const duration = (ms: number) => (ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);
