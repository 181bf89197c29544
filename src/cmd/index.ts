import { defineCommand, type ArgsDef, type CommandDef } from "citty";
import { buildInfo } from "../build-info";
import { DESCRIPTIONS, type CommandName } from "./descriptions";

type Loaded = CommandDef<ArgsDef>;
const resolve = <T>(value: T | (() => T | Promise<T>) | Promise<T>) => (typeof value === "function" ? (value as () => T | Promise<T>)() : value);

/**
 * A command whose code loads only when it runs or shows its own --help: `ra --help` lists every
 * command from DESCRIPTIONS alone, which keeps it fast. `withSubcommands`: the command only
 * dispatches (ra service …), so it has no run of its own and citty says "No command specified".
 */
function lazy(name: CommandName, load: () => Promise<{ default: unknown }>, withSubcommands = false): Loaded {
  const command = () => load().then((m) => m.default as Loaded);
  return {
    meta: { name, description: DESCRIPTIONS[name] },
    args: () => command().then((c) => resolve(c.args ?? {})) as Promise<ArgsDef>,
    ...(withSubcommands
      ? { subCommands: () => command().then((c) => resolve(c.subCommands ?? {})) as Promise<Record<string, Loaded>> }
      : { run: async (context) => (await command()).run?.(context) }),
  };
}

export const main = defineCommand({
  meta: {
    name: "ra",
    version: buildInfo().version,
    description: "Drive Claude Code on your own machines from Telegram.\n\n  On a small server: ra serve --bot-token …\n  On each machine:   ra pair --relay https://… --name laptop, then ra agent",
  },
  subCommands: {
    serve: lazy("serve", () => import("./serve")),
    agent: lazy("agent", () => import("./agent")),
    pair: lazy("pair", () => import("./pair")),
    status: lazy("status", () => import("./status")),
    unpair: lazy("unpair", () => import("./unpair")),
    service: lazy("service", () => import("./service"), true),
    doctor: lazy("doctor", () => import("./doctor")),
    version: lazy("version", () => import("./version")),
  },
});
