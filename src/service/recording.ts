/**
 * A stand-in service manager for tests, selected with RA_TEST_SERVICE_MANAGER=<systemd|launchd>:<log>.
 * It behaves like the named manager for ra (file layout, states) but only appends each call as a
 * JSON line to <log> and keeps its state in <log>.state.json, so tests can run `ra service …` in a
 * temporary HOME and read back exactly what ra asked for. It touches nothing else.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import type { ManagerKind, ServiceManager, ServiceTarget } from "./manager";

type Job = { enabled: boolean; running: boolean; starts: number };
type State = { jobs: Record<string, Job>; linger: string[] };

export function recordingManager(kind: ManagerKind, log: string): ServiceManager {
  const stateFile = `${log}.state.json`;
  const read = (): State => (existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, "utf8")) : { jobs: {}, linger: [] });
  const change = (op: string, target: ServiceTarget | { name: string }, fn: (state: State, job: Job) => void = () => {}) => {
    appendFileSync(log, `${JSON.stringify({ op, name: target.name, ...("scope" in target ? { scope: target.scope, file: target.file } : {}) })}\n`);
    const state = read();
    const job = (state.jobs[target.name] ??= { enabled: false, running: false, starts: 0 });
    fn(state, job);
    writeFileSync(stateFile, JSON.stringify(state));
  };
  return {
    kind,
    // Unknown, as with an unreadable `systemctl --version`: units then use only long-standing directives.
    version: async () => undefined,
    reload: async (t) => change("reload", t, (state) => {
      if (!existsSync(t.file)) delete state.jobs[t.name];
    }),
    enable: async (t) => change("enable", t, (_, job) => void (job.enabled = true)),
    disable: async (t) => change("disable", t, (_, job) => Object.assign(job, { enabled: false, running: false })),
    start: async (t) => change("start", t, (_, job) => Object.assign(job, { running: true, starts: job.starts + (job.running ? 0 : 1) })),
    stop: async (t) => change("stop", t, (_, job) => void (job.running = false)),
    restart: async (t) => change("restart", t, (_, job) => Object.assign(job, { running: true, starts: job.starts + 1 })),
    async state(t) {
      const job = read().jobs[t.name];
      return { running: job?.running ?? false, enabled: job?.enabled ?? false, pid: job?.running ? 4242 : undefined, lastExit: "never exited", detail: "recorded" };
    },
    async logs(t, options) {
      change(`logs${options.follow ? " -f" : ""}`, t);
      process.stdout.write(`(recorded manager: the ${kind} log of ${t.name} would follow here)\n`);
      return 0;
    },
    linger: async (user) => (kind === "systemd" ? read().linger.includes(user) : undefined),
    setLinger: async (user, on) => change(on ? "enable-linger" : "disable-linger", { name: user }, (state) => {
      state.linger = on ? [...new Set([...state.linger, user])] : state.linger.filter((u) => u !== user);
      delete state.jobs[user];
    }),
  };
}
