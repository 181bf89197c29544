import type { Cancel, Clock } from "../../clock";
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

  constructor(private readonly deps: { store: Store; clock: Clock; hub: Hub; bus: Bus<CoreEvent>; turns: Turns }) {}

  /** Runs what is due (or overdue after a restart) and waits for the next. */
  start(): void {
    this.due();
  }

  stop(): void {
    this.timer?.();
    this.timer = undefined;
  }

  add(fields: NewSchedule, when: ScheduleWhen): Schedule | undefined {
    const now = this.deps.clock.now();
    const nextAt = nextRun(when, fields.timeZone, now);
    if (nextAt === undefined) return undefined;
    const schedule: Schedule = { id: shortId(), ...fields, when: JSON.stringify(when), nextAt, lastRunAt: null, createdAt: now };
    this.deps.store.addSchedule(schedule);
    this.arm();
    return schedule;
  }

  cancel(id: string, chatId: number): Schedule | undefined {
    const schedule = this.deps.store.schedule(id);
    if (!schedule || schedule.chatId !== chatId) return undefined;
    this.deps.store.deleteSchedule(id);
    this.arm();
    return schedule;
  }

  setMissed(id: string, chatId: number, missed: Schedule["missed"]): Schedule | undefined {
    const schedule = this.deps.store.schedule(id);
    if (!schedule || schedule.chatId !== chatId) return undefined;
    this.deps.store.setScheduleMissed(id, missed);
    return { ...schedule, missed };
  }

  private arm(): void {
    this.timer?.();
    const next = this.deps.store.allSchedules()[0];
    if (!next) return void (this.timer = undefined);
    const wait = Math.min(MAX_WAIT_MS, Math.max(0, next.nextAt - this.deps.clock.now()));
    this.timer = this.deps.clock.schedule(wait, () => this.due());
  }

  private due(): void {
    const now = this.deps.clock.now();
    for (const schedule of this.deps.store.allSchedules()) {
      if (schedule.nextAt > now) break;
      this.fire(schedule, now);
    }
    this.arm();
  }

  private fire(schedule: Schedule, now: number): void {
    const { store, hub, turns, bus } = this.deps;
    const when = JSON.parse(schedule.when) as ScheduleWhen;
    const next = nextRun(when, schedule.timeZone, now);
    if (next === undefined) store.deleteSchedule(schedule.id);
    else store.setScheduleNext(schedule.id, next, now);
    const device = store.device(schedule.deviceId);
    if (!device) {
      store.deleteSchedule(schedule.id);
      bus.publish({ type: "schedule.skipped", schedule, reason: "its machine is no longer paired; the schedule is removed" });
      return;
    }
    if (!hub.online(device.id) && schedule.missed === "skip") {
      bus.publish({ type: "schedule.skipped", schedule, reason: `${device.name} was offline` });
      return;
    }
    const session = turns.session(schedule.chatId, device.id);
    // The schedule runs in the folder it was made for: a different one starts a fresh conversation there.
    if ((schedule.cwd ?? null) !== (session.cwd ?? null) && schedule.cwd) turns.changeDir(schedule.chatId, device.id, schedule.cwd);
    turns.submit(schedule.chatId, device, schedule.prompt, { origin: "schedule" });
  }
}
