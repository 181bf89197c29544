/** Where Telegram posts updates in webhook mode, below the relay's public URL. */
export const WEBHOOK_PATH = "/telegram/webhook";

/** The only ports Telegram's cloud Bot API delivers webhooks to. */
export const WEBHOOK_PORTS = [443, 80, 88, 8443] as const;

export type WebhookUrl = { ok: true; url: string } | { ok: false; message: string; hint: string };

/**
 * The webhook URL for a public URL, checked against Telegram's rules. The cloud Bot API only
 * delivers over https to ports 443, 80, 88 or 8443. A self-hosted Bot API server
 * (--telegram-api-root) lifts that: it also delivers over http, to any port and to local addresses.
 */
export function webhookUrl(publicUrl: string | undefined, selfHostedApi: boolean): WebhookUrl {
  if (!publicUrl) return { ok: false, message: "--webhook needs --public-url", hint: "pass the https URL Telegram can reach this relay at, e.g. --public-url https://relay.example.com" };
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    return { ok: false, message: `--public-url "${publicUrl}" is not a URL`, hint: "for example --public-url https://relay.example.com" };
  }
  const secure = url.protocol === "https:";
  if (!secure && !(selfHostedApi && url.protocol === "http:")) {
    return { ok: false, message: `--webhook needs an https --public-url, not ${url.protocol}//…`, hint: "Telegram delivers webhooks over https only; put Caddy in front of the relay (see the README) or drop --webhook to use polling" };
  }
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  if (!selfHostedApi && !(WEBHOOK_PORTS as readonly number[]).includes(port)) {
    return { ok: false, message: `--webhook cannot use port ${port} in --public-url`, hint: `Telegram delivers webhooks only to ports ${WEBHOOK_PORTS.join(", ")}` };
  }
  if (url.search || url.hash || url.username || url.password) {
    return { ok: false, message: "--public-url must not carry a query, fragment or credentials", hint: "for example --public-url https://relay.example.com" };
  }
  return { ok: true, url: `${url.origin}${url.pathname.replace(/\/+$/, "")}${WEBHOOK_PATH}` };
}
