import type { Context, Hono } from "hono";
import type { Clock } from "../../clock";
import type { Log } from "../../log";
import type { Core } from "../core";
import type { Counters } from "../core/counters";
import type { WebStore } from "../store/web";
import { WebAuth } from "./auth";
import { mountWeb } from "./routes";
import { loadWebSigningKey } from "./secret";
import { WebSurface } from "./surface";

export type WebOptions = {
  core: Core;
  store: WebStore;
  clock: Clock;
  log: Log;
  dataDir: string;
  publicUrl?: string;
  tls: boolean;
  /** Where failed sign-ins count (Redis with --redis); default this relay's memory. */
  counters?: Counters;
  /** The session tokens' key when several relays share the sign-ins; default one kept in `dataDir`. */
  signingKey?: Uint8Array;
};

export type Web = ReturnType<typeof createWeb>;

/**
 * The web app: a second surface of the same core. Subscribe `surface.handle` to the bus, give
 * `auth` to the Telegram side (/web), and mount the routes on the relay's Hono app.
 */
export function createWeb(options: WebOptions) {
  const auth = new WebAuth(options.store, options.core.store, options.clock, options.signingKey ?? loadWebSigningKey(options.dataDir));
  const surface = new WebSurface(options.core);
  const publicOrigin = options.publicUrl ? new URL(options.publicUrl).origin : undefined;
  const secure = options.tls || publicOrigin?.startsWith("https:") === true;
  return {
    auth,
    surface,
    mount(app: Hono, ipOf: (c: Context) => string) {
      mountWeb(app, { core: options.core, auth, surface, clock: options.clock, log: options.log, publicOrigin, secure, ipOf, counters: options.counters });
    },
  };
}
