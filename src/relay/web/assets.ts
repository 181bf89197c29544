import { bundleWebApp } from "./assets.macro" with { type: "macro" };

/** The browser app (script, styles, icon), bundled when ra is built or, from source, when this loads. */
export const WEB_ASSETS = bundleWebApp();

/** The installable app's manifest. */
export const MANIFEST = JSON.stringify({
  name: "ra",
  short_name: "ra",
  description: "Claude Code on your own machines",
  start_url: "/",
  scope: "/",
  display: "standalone",
  background_color: "#12161f",
  theme_color: "#1d2330",
  icons: [{ src: "/app/icon.svg", sizes: "any", type: "image/svg+xml", purpose: "any maskable" }],
});
