/**
 * The environment claude gets: an allowlist, so ra's own secrets (RA_*) and unrelated credentials
 * never reach a process that runs tools on the owner's behalf.
 */
const EXACT = new Set([
  "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "TERM", "TMPDIR", "TZ",
  "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR",
  "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
  "DISABLE_TELEMETRY",
]);
const PREFIXES = ["LC_", "XDG_", "ANTHROPIC_", "CLAUDE_", "AWS_", "GOOGLE_", "VERTEX_"];

export function childEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || key.startsWith("RA_")) continue;
    if (EXACT.has(key) || PREFIXES.some((p) => key.startsWith(p))) out[key] = value;
  }
  return out;
}
