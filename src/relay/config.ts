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
  /** Messages one answer may fill; past them the rest streams as a live tail and the whole comes as a .md file. */
  maxMessages: z.number({ error: "--max-messages takes a whole number from 1 to 50" }).int("--max-messages takes a whole number from 1 to 50").min(1, "--max-messages takes a whole number from 1 to 50").max(50, "--max-messages takes a whole number from 1 to 50").default(3),
  /** Silence of a running turn after which the owner is asked "still working?". */
  silenceNoticeMs: z.number({ error: "--silence-notice takes seconds, at least 1" }).int("--silence-notice takes whole seconds").min(1000, "--silence-notice takes seconds, at least 1").default(300_000),
  /** Stream answers in private chats as native drafts (sendMessageDraft), edits as the fallback. */
  drafts: z.boolean().default(false),
});
export type RelayConfig = z.infer<typeof RelayConfig>;
