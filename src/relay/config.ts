/**
 * What the relay runs with: the `ra serve` options as parsed from their table (options/serve.ts),
 * except the few that ra serve turns into something else, replaced by what they become. A new
 * serve option therefore reaches the relay as `config.<key>` with no change here.
 */
import { readFileSync } from "node:fs";
import { ExitCode, RaError } from "../errors";
import { usage } from "../options/define";
import type { ServeValues } from "../options/serve";
import { webhookUrl } from "./webhook-url";

type Consumed = "botToken" | "listen" | "tlsCert" | "tlsKey" | "webhook" | "logLevel" | "logFormat";

export type RelayConfig = Omit<ServeValues, Consumed> & {
  botToken: string;
  host: string;
  port: number;
  /** Direct TLS: PEM certificate chain and private key, already read from --tls-cert/--tls-key. */
  tls?: { cert: string; key: string };
  /** Set in webhook mode: where Telegram posts updates (already checked by webhookUrl). */
  webhookUrl?: string;
};

/** The relay's config; reads the TLS files. `botToken` is the one resolved by ra serve (given, saved or asked for). */
export function relayConfig(options: ServeValues, botToken: string): RelayConfig {
  const { botToken: _given, listen, tlsCert, tlsKey, webhook: _webhook, logLevel: _level, logFormat: _format, ...rest } = options;
  const { webhookUrl } = checkServeOptions(options);
  const tls = tlsCert && tlsKey ? { cert: readPem("tls-cert", tlsCert), key: readPem("tls-key", tlsKey) } : undefined;
  return { ...rest, botToken, host: listen.host, port: listen.port, tls, webhookUrl };
}

/** The checks across options, also run by `ra service install --serve` so a bad unit is never written. */
export function checkServeOptions(o: ServeValues): { webhookUrl?: string } {
  if (Boolean(o.tlsCert) !== Boolean(o.tlsKey)) {
    throw usage("--tls-cert and --tls-key go together", "pass both the PEM certificate and its private key, or neither (e.g. behind Caddy)");
  }
  if (o.redisUrl && !o.databaseUrl) {
    throw usage(
      "--redis needs --database postgres://…: relays that share Redis must share their state in Postgres too",
      "pass --database (or RA_DATABASE_URL) as well, or drop --redis (one relay keeps its limits in memory)",
    );
  }
  if (!o.webhook) return {};
  const hook = webhookUrl(o.publicUrl, Boolean(o.telegramApiRoot));
  if (!hook.ok) throw usage(hook.message, hook.hint);
  return { webhookUrl: hook.url };
}

function readPem(flag: string, file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (cause) {
    throw new RaError("tls_file", `cannot read --${flag} ${file}: ${(cause as Error).message}`, { hint: "check the path and that the user running ra serve may read it", exitCode: ExitCode.config });
  }
}
