import { describe, expect, test } from "bun:test";
import { describeMoment, describeWhen, nextRun, parseAt, parseDays, parseEvery, parseTime, validTimeZone, zonedToUtc } from "../../src/relay/core/schedule-time";

describe("schedule times", () => {
  test("what people type: times, day lists, and clear errors", () => {
    expect(parseTime("9:00")).toEqual({ hour: 9, minute: 0 });
    expect(parseTime("18:30")).toEqual({ hour: 18, minute: 30 });
    expect(parseTime("9am")).toEqual({ hour: 9, minute: 0 });
    expect(parseTime("12am")).toEqual({ hour: 0, minute: 0 });
    expect(parseTime("6:15pm")).toEqual({ hour: 18, minute: 15 });
    for (const bad of ["9", "24:00", "9:60", "13pm", "noon"]) expect(parseTime(bad)).toBeUndefined();
    expect(parseDays("weekday")).toEqual([1, 2, 3, 4, 5]);
    expect(parseDays("mon,wed,fri")).toEqual([1, 3, 5]);
    expect(parseDays("Sundays")).toEqual([0]);
    expect(parseDays("run")).toBeUndefined();
    expect(parseEvery("weekday 9:00 run the tests")).toEqual({ days: [1, 2, 3, 4, 5], hour: 9, minute: 0, prompt: "run the tests" });
    expect(parseEvery("7:30 check the backups")).toMatchObject({ days: [0, 1, 2, 3, 4, 5, 6], prompt: "check the backups" });
    expect(parseEvery("weekday soon run")).toEqual({ error: '"soon" is not a time. Send /every weekday 9:00 run the tests (days: daily, weekday, weekend, or mon,wed,fri; a 24-hour time or 9am).' });
    expect(parseEvery("daily 9:00")).toMatchObject({ error: expect.stringContaining("What should run then?") });
  });

  test("the next run is in the owner's time zone, across daylight saving", () => {
    expect(validTimeZone("Europe/Madrid")).toBe(true);
    expect(validTimeZone("Mars/Olympus")).toBe(false);
    // Friday 27 March 2026, 10:00 in Madrid (UTC+1); clocks go to UTC+2 on Sunday the 29th.
    const friday = zonedToUtc(2026, 3, 27, 10, 0, "Europe/Madrid");
    expect(new Date(friday).toISOString()).toBe("2026-03-27T09:00:00.000Z");
    const weekdays9 = { kind: "every" as const, days: [1, 2, 3, 4, 5], hour: 9, minute: 0 };
    // Past 9:00 on Friday: the next weekday is Monday the 30th, 9:00 summer time = 07:00 UTC.
    expect(new Date(nextRun(weekdays9, "Europe/Madrid", friday)!).toISOString()).toBe("2026-03-30T07:00:00.000Z");
    expect(new Date(nextRun(weekdays9, "America/New_York", friday)!).toISOString()).toBe("2026-03-27T13:00:00.000Z");
    expect(describeWhen(weekdays9, "Europe/Madrid")).toBe("weekdays at 09:00");
    expect(describeWhen({ kind: "every", days: [1, 3], hour: 18, minute: 5 }, "UTC")).toBe("Mon, Wed at 18:05");
    expect(describeMoment(Date.parse("2026-03-30T07:00:00Z"), "Europe/Madrid")).toBe("Mon 30 Mar 09:00");
  });

  test("/at is the next time the clock shows it: later today, or tomorrow", () => {
    const now = Date.parse("2026-12-04T17:30:00Z");
    expect(parseAt("18:00 summarise", "UTC", now)).toEqual({ at: Date.parse("2026-12-04T18:00:00Z"), prompt: "summarise" });
    expect(parseAt("9:00 summarise", "UTC", now)).toEqual({ at: Date.parse("2026-12-05T09:00:00Z"), prompt: "summarise" });
    expect(nextRun({ kind: "once", at: now - 1 }, "UTC", now)).toBeUndefined();
  });
});
