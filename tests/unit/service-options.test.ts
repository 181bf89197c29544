/**
 * `ra service install` and the options tables: every serve and agent option given at install
 * reaches the service (its command line, or its env file for a secret) unless the table excludes
 * it with a reason; and the command line written parses back to the very values given.
 */
import { describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { workingDir } from "../../src/cmd/agent";
import { agentOptions } from "../../src/options/agent";
import { type Options, parseOptions, type Raw, type ServiceOptions } from "../../src/options/define";
import { serveOptions } from "../../src/options/serve";
import { agentSpec, type SpecInput, serveSpec } from "../../src/service/build-spec";
import { serviceLayout } from "../../src/service/layout";
import type { ServiceRole } from "../../src/service/spec";
import { cli, everyOption, flagWords } from "../helpers/every-option";
import { tmpDir } from "../helpers/tmp";

const TOKEN = "123456:AA-install-secret";
const TABLES: Record<ServiceRole, ServiceOptions> = { serve: serveOptions, agent: agentOptions };

/** Values for the options that must name real files and folders; the rest use the table's examples. */
function realValues(home: string): Record<string, Raw> {
  const file = (name: string, text = "x") => (writeFileSync(join(home, name), text), join(home, name));
  const dir = (name: string) => (mkdirSync(join(home, name), { recursive: true }), join(home, name));
  const claude = file("claude", "#!/bin/sh\n");
  chmodSync(claude, 0o755);
  return {
    config: file("config.json", JSON.stringify({ relay: "https://relay.example.com", deviceId: "dev1", name: "pi", token: "ra_dev_secret" })),
    root: [dir("code"), dir("notes")],
    claude,
    "data-dir": join(home, "data"),
    "tls-cert": file("cert.pem"),
    "tls-key": file("key.pem"),
    "bot-token": TOKEN,
    policy: file("policy.json", JSON.stringify({ deny: ["WebFetch"], allow: ["Read"] })),
  };
}

async function install(role: ServiceRole, fn: (r: { spec: ReturnType<typeof serveSpec>; values: Record<string, Raw>; input: SpecInput }) => void) {
  await using tmp = tmpDir();
  const home = realpathSync(tmp.path);
  const values = realValues(home);
  chmodSync(values.config as string, 0o600);
  const table = TABLES[role];
  const rawArgs = everyOption(table, values);
  const input: SpecInput = {
    ...cli(table, rawArgs, { PATH: "/usr/bin:/bin", HOME: home }),
    exe: "/usr/local/bin/ra",
    cwd: home,
    scope: "user",
    account: { user: "pi", home },
    layout: serviceLayout("systemd", role, "user", home, {}),
  };
  const spec = role === "serve" ? serveSpec(input, TOKEN) : agentSpec(input, workingDir);
  fn({ spec, values, input });
}

for (const role of ["serve", "agent"] as const) {
  describe(`ra service install${role === "serve" ? " --serve" : ""} given every ${role} option`, () => {
    const table: Options = TABLES[role];

    test("each one is passed through (a secret to the env file only) or excluded with a reason", async () => {
      await install(role, ({ spec, values }) => {
        const argv = spec.argv.slice(2);
        for (const [flag, o] of Object.entries(TABLES[role])) {
          const value = values[flag] ?? o.example;
          if (typeof o.service === "object" && "excluded" in o.service) {
            expect(o.service.excluded.length).toBeGreaterThan(10);
            expect(argv).not.toContain(`--${flag}`);
          } else if (o.secret) {
            expect(spec.secrets[o.env!]).toBe(String(value));
            expect(spec.argv.join(" ")).not.toContain(String(value));
            expect(argv).not.toContain(`--${flag}`);
          } else {
            const words = flagWords(flag, value);
            const at = argv.indexOf(words[0]!);
            expect({ flag, words: argv.slice(at, at + words.length) }).toEqual({ flag, words });
          }
        }
      });
    });

    test("the command line written parses back to the values given", async () => {
      await install(role, ({ spec, input }) => {
        const argv = spec.argv.slice(2);
        const back = parseOptions(table, cli(table, argv, { HOME: "/elsewhere", ...spec.secrets }));
        // Options that never reach a service come back as their defaults.
        const excluded = Object.values(table).filter((o) => typeof o.service === "object" && "excluded" in o.service).map((o) => o.key);
        const kept = (v: Record<string, unknown>) => Object.fromEntries(Object.entries(v).filter(([key]) => !excluded.includes(key)));
        expect(kept(back)).toEqual(kept(parseOptions(table, input)));
      });
    });
  });
}
