// consola/core: levels and tags without consola's own reporters, which load node:tty and node:util.
import { createConsola, type ConsolaInstance, type LogObject } from "consola/core";
import { redact } from "./redact";

export type LogFormat = "pretty" | "json";

/** Characters a terminal or log viewer may act on: C0/C1 controls, DEL, bidi overrides, zero-width, line separators. */
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g;

/**
 * A string from outside (a device's name or hostname, an error text from an agent, a Telegram
 * name) as it goes into a log line: quoted, and with newlines, ANSI escapes and other control or
 * invisible characters shown as escapes, so it can neither forge log lines nor drive the terminal.
 * Long strings are cut to `max` characters.
 */
export function untrusted(value: unknown, max = 300): string {
  const text = String(value);
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut).replace(UNSAFE_CHARS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
export const LOG_LEVELS = { error: 0, warn: 1, info: 3, debug: 4, trace: 5 } as const;
export type LogLevelName = keyof typeof LOG_LEVELS;

let root: ConsolaInstance = createConsola({ level: LOG_LEVELS.info, reporters: [prettyReporter()] });

/** Log arguments with secrets masked; as one string if masking cut through the JSON's syntax. */
function redactedData(args: unknown[]): unknown {
  const json = redact(JSON.stringify(args));
  try {
    return JSON.parse(json);
  } catch {
    return json;
  }
}

/** Structured JSON lines on stderr, one per log call, secrets redacted. */
function jsonReporter() {
  return {
    log(obj: LogObject) {
      const [first, ...rest] = obj.args;
      const line = {
        time: obj.date.toISOString(),
        level: obj.type,
        tag: obj.tag || undefined,
        msg: redact(typeof first === "string" ? first : JSON.stringify(first)),
        ...(rest.length ? { data: redactedData(rest) } : {}),
      };
      process.stderr.write(`${JSON.stringify(line)}\n`);
    },
  };
}

/** Pretty output to stderr (stdout is kept for data a user may pipe), secrets redacted. */
function prettyReporter() {
  return {
    log(obj: LogObject) {
      const time = obj.date.toISOString().slice(11, 19);
      const text = obj.args.map((a) => (typeof a === "string" ? a : a instanceof Error ? (a.stack ?? a.message) : JSON.stringify(a))).join(" ");
      const tag = obj.tag ? ` [${obj.tag}]` : "";
      process.stderr.write(`${time} ${obj.type.toUpperCase().padEnd(5)}${tag} ${redact(text)}\n`);
    },
  };
}

export function configureLogging(level: LogLevelName = "info", format: LogFormat = "pretty") {
  root = createConsola({ level: LOG_LEVELS[level], reporters: [format === "json" ? jsonReporter() : prettyReporter()] });
}

export type Log = Pick<ConsolaInstance, "error" | "warn" | "info" | "success" | "debug" | "trace">;

/** A tagged logger that follows later configureLogging() calls. */
export function createLog(tag: string): Log {
  const current = () => root.withTag(tag);
  return {
    error: (message: unknown, ...args: unknown[]) => current().error(message, ...args),
    warn: (message: unknown, ...args: unknown[]) => current().warn(message, ...args),
    info: (message: unknown, ...args: unknown[]) => current().info(message, ...args),
    success: (message: unknown, ...args: unknown[]) => current().success(message, ...args),
    debug: (message: unknown, ...args: unknown[]) => current().debug(message, ...args),
    trace: (message: unknown, ...args: unknown[]) => current().trace(message, ...args),
  } as Log;
}
