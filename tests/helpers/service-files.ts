/**
 * Readers for what `ra service install` writes, so tests check units and plists field by field:
 * a systemd unit as section → key → values (repeated keys keep every value), and an XML plist
 * (the subset launchd uses: dict, array, string, integer, true, false) as plain JS values.
 */
import { expect } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type UnitFile = Record<string, Record<string, string[]>>;

export function parseUnit(text: string): UnitFile {
  const unit: UnitFile = {};
  let section: Record<string, string[]> | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = line.match(/^\[(.+)\]$/);
    if (header) {
      section = unit[header[1]!] ??= {};
      continue;
    }
    const at = line.indexOf("=");
    if (!section || at < 1) throw new Error(`not a unit file line: ${raw}`);
    (section[line.slice(0, at)] ??= []).push(line.slice(at + 1));
  }
  return unit;
}

/** Splits an ExecStart= value into words the way systemd does (double quotes, backslash escapes). */
export function unitWords(value: string): string[] {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const m of value.matchAll(re)) words.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c)) : m[2]!);
  return words.map((w) => w.replaceAll("$$", "$").replaceAll("%%", "%"));
}

export type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue };

export function parsePlist(xml: string): PlistValue {
  if (!xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')) throw new Error("no XML declaration");
  const body = xml.replace(/<\?xml[^>]*\?>/, "").replace(/<!DOCTYPE[^>]*>/, "").replace(/<!--[\s\S]*?-->/g, "");
  const tokens = [...body.matchAll(/<(\/?)(\w+)(?:\s[^>/]*)?(\/?)>|([^<]+)/g)].map((m) => (m[4] !== undefined ? { text: m[4] } : { close: m[1] === "/", tag: m[2]!, empty: m[3] === "/" }));
  let i = 0;
  const next = () => {
    while (i < tokens.length && "text" in tokens[i]! && !(tokens[i] as { text: string }).text.trim()) i++;
    return tokens[i++];
  };
  const unescape = (s: string) => s.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", '"').replaceAll("&apos;", "'").replaceAll("&amp;", "&");
  const textUntil = (tag: string) => {
    let text = "";
    for (let t = tokens[i++]; t && !("tag" in t && t.close && t.tag === tag); t = tokens[i++]) {
      if (!("text" in t)) throw new Error(`unexpected <${t.tag}> inside <${tag}>`);
      text += t.text;
    }
    return unescape(text);
  };
  const value = (open: { tag: string; empty: boolean }): PlistValue => {
    switch (open.tag) {
      case "true":
      case "false":
        if (!open.empty) throw new Error(`<${open.tag}> must be empty`);
        return open.tag === "true";
      case "string":
        return textUntil("string");
      case "integer":
        return Number(textUntil("integer"));
      case "array": {
        const items: PlistValue[] = [];
        for (let t = next(); !(t && "tag" in t && t.close && t.tag === "array"); t = next()) items.push(value(t as { tag: string; empty: boolean }));
        return items;
      }
      case "dict": {
        const dict: Record<string, PlistValue> = {};
        for (let t = next(); !(t && "tag" in t && t.close && t.tag === "dict"); t = next()) {
          if (!t || !("tag" in t) || t.tag !== "key") throw new Error("a dict holds <key> then a value");
          const key = textUntil("key");
          if (key in dict) throw new Error(`duplicate key ${key}`);
          dict[key] = value(next() as { tag: string; empty: boolean });
        }
        return dict;
      }
      default:
        throw new Error(`unknown plist element <${open.tag}>`);
    }
  };
  const root = next();
  if (!root || !("tag" in root) || root.tag !== "plist") throw new Error("no <plist> root");
  const result = value(next() as { tag: string; empty: boolean });
  const end = next();
  if (!end || !("tag" in end) || !end.close || end.tag !== "plist" || next() !== undefined) throw new Error("content after the top-level value");
  return result;
}

/**
 * Where systemd-analyze exists, a unit must verify without a single warning (unknown keys, bad
 * values, a missing ExecStart binary). Elsewhere the field-by-field checks stand alone.
 */
export async function expectVerifies(scope: "user" | "system", text: string, name = "ra-agent.service"): Promise<void> {
  const analyze = Bun.which("systemd-analyze");
  if (!analyze) return;
  const dir = mkdtempSync(join(tmpdir(), "ra-unit-"));
  const file = join(dir, name);
  writeFileSync(file, text);
  const proc = Bun.spawn([analyze, ...(scope === "user" ? ["--user"] : []), "verify", file], { env: { ...process.env, XDG_RUNTIME_DIR: dir }, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  // An EnvironmentFile that only exists on the target machine is not the unit's fault.
  const problems = `${out}${err}`.split("\n").filter((l) => l.trim() && !/environment file/i.test(l));
  expect({ code, problems }).toEqual({ code: 0, problems: [] });
}
