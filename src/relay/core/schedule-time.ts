/**
 * Times of scheduled prompts: parsing what the owner typed ("weekday 9:00", "18:30") and finding
 * the next run in their time zone, daylight saving included, with nothing but Intl.
 */
import type { ScheduleWhen } from "../store/types";

const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const EVERY_DAY = [0, 1, 2, 3, 4, 5, 6];

export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const formats = new Map<string, Intl.DateTimeFormat>();
/** The wall clock in `tz` at epoch ms `t`. */
export function wallOf(t: number, tz: string) {
  let format = formats.get(tz);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric", weekday: "short" });
    formats.set(tz, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
  return { y: Number(parts.year), mo: Number(parts.month), d: Number(parts.day), h: Number(parts.hour), mi: Number(parts.minute), s: Number(parts.second), weekday: DAY_NAMES.indexOf(String(parts.weekday).slice(0, 3).toLowerCase()) };
}

/** Epoch ms of a wall-clock time in `tz` (in a DST gap: the same time after the jump). */
export function zonedToUtc(y: number, mo: number, d: number, h: number, mi: number, tz: string): number {
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  const offset = (t: number) => {
    const w = wallOf(t, tz);
    return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - Math.floor(t / 1000) * 1000;
  };
  const first = guess - offset(guess);
  return guess - offset(first);
}

/** The first run strictly after `after` (epoch ms); undefined for a one-off that is past. */
export function nextRun(when: ScheduleWhen, tz: string, after: number): number | undefined {
  if (when.kind === "once") return when.at > after ? when.at : undefined;
  const today = wallOf(after, tz);
  for (let i = 0; i <= 7; i++) {
    const date = new Date(Date.UTC(today.y, today.mo - 1, today.d + i));
    if (!when.days.includes(date.getUTCDay())) continue;
    const at = zonedToUtc(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), when.hour, when.minute, tz);
    if (at > after) return at;
  }
  return undefined;
}

/** "9:00", "18:30", "9am", "6:15pm" → hour and minute (24-hour clock). */
export function parseTime(word: string): { hour: number; minute: number } | undefined {
  const m = word.toLowerCase().match(/^(\d{1,2})(?::(\d{2}))?(am|pm)?$/);
  if (!m || (m[2] === undefined && m[3] === undefined)) return undefined;
  let hour = Number(m[1]);
  const minute = Number(m[2] ?? 0);
  if (m[3]) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (m[3] === "pm" ? 12 : 0);
  }
  return hour <= 23 && minute <= 59 ? { hour, minute } : undefined;
}

/** "weekday", "weekends", "mon,wed,fri", "daily" → weekdays (0 = Sunday); undefined when it is not a day list. */
export function parseDays(word: string): number[] | undefined {
  const w = word.toLowerCase();
  if (["day", "daily", "everyday"].includes(w)) return EVERY_DAY;
  if (w === "weekday" || w === "weekdays") return [1, 2, 3, 4, 5];
  if (w === "weekend" || w === "weekends") return [0, 6];
  const days = w.split(",").map((d) => DAY_NAMES.indexOf(d.replace(/s$/, "").slice(0, 3)));
  return days.length > 0 && days.every((d) => d >= 0) && w.split(",").every((d) => /^[a-z]{3,9}$/.test(d)) ? [...new Set(days)].sort() : undefined;
}

const USAGE_EVERY = "Send /every weekday 9:00 run the tests (days: daily, weekday, weekend, or mon,wed,fri; a 24-hour time or 9am)";
const USAGE_AT = "Send /at 18:00 summarise today's commits (the next time it is 18:00 where you are)";

/** `/every [days] TIME PROMPT`. */
export function parseEvery(text: string): { days: number[]; hour: number; minute: number; prompt: string } | { error: string } {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const days = words[0] ? parseDays(words[0]) : undefined;
  if (days) words.shift();
  const time = words[0] ? parseTime(words[0]) : undefined;
  if (!time) return { error: `${words[0] ? `"${words[0]}" is not a time. ` : ""}${USAGE_EVERY}.` };
  const prompt = words.slice(1).join(" ");
  if (!prompt) return { error: `What should run then? ${USAGE_EVERY}.` };
  return { days: days ?? EVERY_DAY, ...time, prompt };
}

/** `/at TIME PROMPT`: the next time the clock shows TIME in `tz`. */
export function parseAt(text: string, tz: string, now: number): { at: number; prompt: string } | { error: string } {
  const [first = "", ...rest] = text.trim().split(/\s+/).filter(Boolean);
  const time = parseTime(first);
  if (!time) return { error: `${first ? `"${first}" is not a time. ` : ""}${USAGE_AT}.` };
  const prompt = rest.join(" ");
  if (!prompt) return { error: `What should run then? ${USAGE_AT}.` };
  return { at: nextRun({ kind: "every", days: EVERY_DAY, ...time }, tz, now)!, prompt };
}

const pad = (n: number) => String(n).padStart(2, "0");

/** "weekdays at 09:00", "Mon, Wed at 18:30", "once at Tue 8 Dec 18:00". */
export function describeWhen(when: ScheduleWhen, tz: string): string {
  if (when.kind === "once") return `once, ${describeMoment(when.at, tz)}`;
  const time = `${pad(when.hour)}:${pad(when.minute)}`;
  const days = when.days.join(",");
  const which = days === "0,1,2,3,4,5,6" ? "every day" : days === "1,2,3,4,5" ? "weekdays" : days === "0,6" ? "weekends" : when.days.map((d) => DAY_NAMES[d]![0]!.toUpperCase() + DAY_NAMES[d]!.slice(1)).join(", ");
  return `${which} at ${time}`;
}

/** "Tue 8 Dec 18:00" in `tz`. */
export function describeMoment(t: number, tz: string): string {
  const w = wallOf(t, tz);
  const month = new Date(Date.UTC(w.y, w.mo - 1, 1)).toLocaleString("en-US", { month: "short", timeZone: "UTC" });
  const day = DAY_NAMES[w.weekday]!;
  return `${day[0]!.toUpperCase()}${day.slice(1)} ${w.d} ${month} ${pad(w.h)}:${pad(w.mi)}`;
}
