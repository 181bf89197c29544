/** The server-rendered pages: sign-in (no script at all) and the app's shell. Every value is escaped. */

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);

function page(title: string, body: string, head = ""): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="color-scheme" content="light dark">
<meta name="theme-color" content="#1d2330">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="/app/icon.svg" type="image/svg+xml">
<link rel="manifest" href="/app/manifest.webmanifest">
<link rel="stylesheet" href="/app/app.css?v=${ASSET_VERSION.value}">
${head}</head>
<body>
${body}
</body>
</html>
`;
}

/** Set once the assets are known, so their URLs change with each build (long caching is safe). */
export const ASSET_VERSION = { value: "0" };

const loginCard = (inner: string) => `<main class="signin"><h1><span class="logo">ra</span> Claude Code on your machines</h1>${inner}</main>`;

/** What a stranger (or a signed-out browser) sees: how to get in, and a field for a console code. */
export function loginPage(error?: string): string {
  return page("Sign in · ra", loginCard(`
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ""}
<p>Send <b>/web</b> to your bot in Telegram and open the link it sends you.</p>
<form method="post" action="/login" class="code">
<label for="code">Or type the code <code>ra serve --web-login-code</code> printed:</label>
<input id="code" name="code" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" placeholder="BCDFG-HJKLM" required>
<button type="submit">Sign in</button>
</form>`));
}

/** A /web link's page: opening it (or a link preview fetching it) signs nobody in; the button does. */
export function confirmPage(name: string, secret: string): string {
  return page("Sign in · ra", loginCard(`
<form method="post" action="/login">
<input type="hidden" name="t" value="${escapeHtml(secret)}">
<button type="submit" class="primary">Sign in as ${escapeHtml(name || "you")}</button>
</form>
<p class="hint">This link works once, for 5 minutes. Only continue if you asked the bot for it.</p>`));
}

export function appPage(): string {
  return page("ra", `<div id="app"><p class="boot">Loading…</p></div>`, `<script type="module" src="/app/app.js?v=${ASSET_VERSION.value}"></script>\n`);
}
