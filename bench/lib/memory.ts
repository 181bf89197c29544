// Reading a process's memory and CPU time the same way every time (Linux only: /proc).
import { readdirSync, readFileSync } from "node:fs";

/** Resident memory of a running process, in MiB. */
export const rssMiB = (pid: number) => Number(readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)![1]) / 1024;

/**
 * Most of an idle `ra`'s RSS is pages of the executable itself, and how many of them a process
 * maps depends on how the file sits in the page cache: right after `bun scripts/build.ts` wrote
 * it, the same idle agent measured about 5 MiB more than after a cold read. Dropping the file
 * from the cache before starting (GNU dd: count=0 with iflag=nocache) makes runs comparable.
 * Pages a running process maps stay cached, so call this before any process of it starts.
 */
export function readColdNextTime(path: string): void {
  const dd = Bun.spawnSync(["dd", `if=${path}`, "iflag=nocache", "count=0"], { stdout: "ignore", stderr: "pipe" });
  if (dd.exitCode !== 0) console.warn(`could not drop ${path} from the page cache (${dd.stderr.toString().trim()}); figures may read high`);
}

/** Heap garbage from start-up is collected within a few seconds of idling. */
export const SETTLE_MS = 3000;

/** CPU time (user + system) a running process has used so far, in seconds (Linux only: /proc). */
export function cpuSeconds(pid: number): number {
  return statCpuSeconds(readFileSync(`/proc/${pid}/stat`, "utf8"));
}

/**
 * CPU time each of the JIT's compiler threads (JavaScriptCore's "JITWorker") of a running process
 * has used so far, in seconds, by thread id (Linux only: /proc). The JIT ends a compiler thread
 * after it idled a while, so compare two readings with `jitSecondsBetween`.
 */
export function jitThreads(pid: number): Map<string, number> {
  const tasks = `/proc/${pid}/task`;
  const threads = new Map<string, number>();
  for (const tid of readdirSync(tasks)) {
    try {
      if (readFileSync(`${tasks}/${tid}/comm`, "utf8").trim() === "JITWorker") threads.set(tid, statCpuSeconds(readFileSync(`${tasks}/${tid}/stat`, "utf8")));
    } catch {} // the thread ended between the listing and the read
  }
  return threads;
}

/** JIT compiler CPU seconds between two readings of `jitThreads` (a thread ends only once it has idled for seconds, so one that ended between them lost little). */
export function jitSecondsBetween(before: Map<string, number>, after: Map<string, number>): number {
  let seconds = 0;
  for (const [tid, used] of after) seconds += used - (before.get(tid) ?? 0);
  return seconds;
}

function statCpuSeconds(stat: string): number {
  // Fields after the command name, which sits in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100; // USER_HZ on Linux
