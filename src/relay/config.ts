import { z } from "zod";

export const RelayConfig = z.object({
  botToken: z.string().regex(/^\d+:[A-Za-z0-9_-]+$/, "a bot token looks like 123456789:AA… (from @BotFather)"),
  dataDir: z.string().min(1),
  host: z.string().min(1),
  port: z.number().int().min(0).max(65535),
  publicUrl: z.string().url().optional(),
  telegramApiRoot: z.string().url().optional(),
  /** Direct TLS: PEM certificate chain and private key, already read from --tls-cert/--tls-key. */
  tls: z.object({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
  /** Set in webhook mode: where Telegram posts updates (already checked by webhookUrl). */
  webhookUrl: z.string().url().optional(),
  owners: z.array(z.number().int().positive()),
  /** Minimum gap between two Bot API calls to one chat. */
  editIntervalMs: z.number().int().min(0),
  pollTimeoutSeconds: z.number().int().min(0).max(50),
  /** How long an approval card waits for the owner before it is denied. */
  approvalTimeoutMs: z.number().int().min(1000),
});
export type RelayConfig = z.infer<typeof RelayConfig>;
