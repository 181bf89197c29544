import type { Cancel, Clock } from "../../clock";
import type { Log } from "../../log";
import type { Bus } from "../bus/types";
import { shortId } from "../secrets";
import type { Schedule, ScheduleWhen, Store } from "../store/types";
import type { CoreEvent } from "./events";
import type { Hub } from "./hub";
import { nextRun } from "./schedule-time";
import type { Turns } from "./turns";

/** setTimeout cannot wait longer than ~24.8 days; the scheduler looks again at least daily. */
const MAX_WAIT_MS = 24 * 60 * 60_000;

export type NewSchedule = Pick<Schedule, "chatId" | "deviceId" | "userId" | "prompt" | "timeZone" | "cwd" | "missed">;

/**
 * Prompts that run at set times (/every, /at), kept in the store so a restart loses none. When one
 * is due its prompt becomes a turn like any other (marked as unattended); a machine that is offline
 * then gets it when it is back, or that time is skipped, as the owner chose. A time that passed
 * while the relay was down runs once (or is skipped), never once per missed time.
 */
export class Schedules {
  private timer: Cancel | undefined;

  constructor(private readonly deps: { store: Store; clock: Clock; hub: Hub; bus: Bus<CoreEvent>; turns: Turns; log: Log }) {}

  /** Runs what is due (or overdue after a restart) and waits for the next. */
  start(): Promise<void> {
    return this.due().catch((err) => this.deps.log.error(`a schedule failed to run: ${(err as Error).message}`));
  }

  stop(): void {
    this.timer?.();
    this.timer = undefined;
  }

  async add(fields: NewSchedule, when: ScheduleWhen): Promise<Schedule | undefined> {
    const now = this.deps.clock.now();
    const nextAt = nextRun(when, fields.timeZone, now);
    if (nextAt === undefined) return undefined;
    const schedule: Schedule = { id: shortId(), ...fields, when: JSON.stringify(when), nextAt, lastRunAt: null, createdAt: now };
    await this.deps.store.addSchedule(schedule);
    await this.arm();
    return schedule;
  }

  async cancel(id: string, chatId: number): Promise<Schedule | undefined> {
    const schedule = await this.deps.store.schedule(id);
    if (!schedule || schedule.chatId !== chatId) return undefined;
    await this.deps.store.deleteSchedule(id);
    await this.arm();
    return schedule;
  }

  async setMissed(id: string, chatId: number, missed: Schedule["missed"]): Promise<Schedule | undefined> {
    const schedule = await this.deps.store.schedule(id);
    if (!schedule || schedule.chatId !== chatId) return undefined;
    await this.deps.store.setScheduleMissed(id, missed);
    return { ...schedule, missed };
  }

  private async arm(): Promise<void> {
    const next = (await this.deps.store.allSchedules())[0];
    this.timer?.();
    if (!next) return void (this.timer = undefined);
    const wait = Math.min(MAX_WAIT_MS, Math.max(0, next.nextAt - this.deps.clock.now()));
    this.timer = this.deps.clock.schedule(wait, () => void this.due().catch((err) => this.deps.log.error(`a schedule failed to run: ${(err as Error).message}`)));
  }

  private async due(): Promise<void> {
    const now = this.deps.clock.now();
    for (const schedule of await this.deps.store.allSchedules()) {
      if (schedule.nextAt > now) break;
      await this.fire(schedule, now);
    }
    await this.arm();
  }

  private async fire(schedule: Schedule, now: number): Promise<void> {
    const { store, hub, turns, bus } = this.deps;
    const when = JSON.parse(schedule.when) as ScheduleWhen;
    const next = nextRun(when, schedule.timeZone, now);
    if (next === undefined) await store.deleteSchedule(schedule.id);
    else await store.setScheduleNext(schedule.id, next, now);
    const device = await store.device(schedule.deviceId);
    if (!device) {
      await store.deleteSchedule(schedule.id);
      bus.publish({ type: "schedule.skipped", schedule, reason: "its machine is no longer paired; the schedule is removed" });
      return;
    }
    if (!hub.online(device.id) && schedule.missed === "skip") {
      bus.publish({ type: "schedule.skipped", schedule, reason: `${device.name} was offline` });
      return;
    }
    const session = await turns.session(schedule.chatId, device.id);
    // The schedule runs in the folder it was made for: a different one starts a fresh conversation there.
    if ((schedule.cwd ?? null) !== (session.cwd ?? null) && schedule.cwd) await turns.changeDir(schedule.chatId, device.id, schedule.cwd);
    await turns.submit(schedule.chatId, device, schedule.prompt, { origin: "schedule" });
  }
}
