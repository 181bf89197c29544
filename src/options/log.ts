/** Logging options, shared by every long-running command (serve, agent). */
import { LOG_LEVELS, type LogLevelName } from "../log";
import { defineOptions } from "./define";
import { oneOf } from "./types";

const levels = Object.keys(LOG_LEVELS) as [LogLevelName, ...LogLevelName[]];

export const logOptions = defineOptions({
  "log-level": {
    key: "logLevel",
    kind: "string",
    env: "RA_LOG_LEVEL",
    type: oneOf(levels, "takes error, warn, info, debug or trace"),
    default: "info",
    help: "How much to log: error, warn, info, debug or trace",
    valueHint: "level",
    service: "pass",
    example: "debug",
  },
  "log-format": {
    key: "logFormat",
    kind: "string",
    env: "RA_LOG_FORMAT",
    type: oneOf(["pretty", "json"], "takes pretty or json"),
    default: "pretty",
    help: "pretty (for people) or json (one object a line, for log collectors)",
    valueHint: "format",
    service: "pass",
    example: "json",
  },
});
