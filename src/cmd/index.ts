import { defineCommand } from "citty";
import { buildInfo } from "../build-info";

export const main = defineCommand({
  meta: {
    name: "ra",
    version: buildInfo().version,
    description: "Drive Claude Code on your own machines from Telegram.\n\n  On a small server: ra serve --bot-token …\n  On each machine:   ra pair --relay https://… --name laptop, then ra agent",
  },
  subCommands: {
    serve: () => import("./serve").then((m) => m.default),
    agent: () => import("./agent").then((m) => m.default),
    pair: () => import("./pair").then((m) => m.default),
    status: () => import("./status").then((m) => m.default),
    unpair: () => import("./unpair").then((m) => m.default),
    service: () => import("./service").then((m) => m.default),
    doctor: () => import("./doctor").then((m) => m.default),
    version: () => import("./version").then((m) => m.default),
  },
});
