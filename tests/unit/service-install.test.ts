import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RaError } from "../../src/errors";
import { serviceAccount } from "../../src/service/account";
import { installService } from "../../src/service/install";
import { serviceLayout } from "../../src/service/layout";
import { recordingManager } from "../../src/service/recording";
import type { ServiceSpec } from "../../src/service/spec";
import { tmpDir } from "../helpers/tmp";

const spec = (home: string): ServiceSpec => ({ role: "agent", scope: "user", argv: ["/usr/local/bin/ra", "agent"], workingDir: home, env: { PATH: "/usr/bin", HOME: home }, secrets: {} });

describe("linger with consent", () => {
  for (const answer of [true, false]) {
    test(`asked in a terminal, answered ${answer ? "yes" : "no"}`, async () => {
      await using dir = tmpDir();
      const log = join(dir.path, "calls.log");
      const questions: string[] = [];
      const said: string[] = [];
      await installService(
        {
          manager: recordingManager("systemd", log),
          layout: serviceLayout("systemd", "agent", "user", dir.path, {}),
          spec: spec(dir.path),
          user: "pi",
          linger: undefined,
          ask: async (q) => (questions.push(q), answer),
        },
        (line) => said.push(line),
      );
      expect(questions).toEqual(["Start it at boot, before anyone logs in? (runs: loginctl enable-linger pi)"]);
      const ops = readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l).op);
      expect(ops).toEqual(answer ? ["reload", "enable", "start", "enable-linger"] : ["reload", "enable", "start"]);
      expect(said.at(-1)).toStartWith(answer ? "turned linger on for pi" : "it starts when pi logs in.");
      const manifest = JSON.parse(readFileSync(join(dir.path, ".config", "ra", "service-agent.json"), "utf8"));
      expect(manifest.lingerEnabledByRa).toBe(answer);
    });
  }
});

describe("service account", () => {
  const passwd = () => "root:x:0:0:root:/root:/bin/bash\npi:x:1000:1000:,,,:/home/pi:/bin/bash\n";

  test("user services run as the current user", () => {
    expect(serviceAccount("user", { HOME: "/home/pi" }, 1000, passwd)).toEqual({ user: "pi", home: "/home/pi" });
    expect(serviceAccount("user", { HOME: "/h", USER: "ann" }, 1000, passwd).user).toBe("ann");
  });

  test("system services need root, and run as the sudo user with that user's home", () => {
    expect(() => serviceAccount("system", { SUDO_USER: "pi" }, 1000, passwd)).toThrow(RaError);
    expect(() => serviceAccount("system", {}, 0, passwd)).toThrow("a system service runs as the user who installs it");
    expect(serviceAccount("system", { SUDO_USER: "pi", HOME: "/root" }, 0, passwd)).toEqual({ user: "pi", home: "/home/pi", uid: 1000, gid: 1000 });
  });
});
