import type { FakeTelegram } from "../fakes/telegram-api";

type Prints = { waitFor(pattern: RegExp, what?: string): Promise<RegExpMatchArray> };

/**
 * The owner's side of pairing: sends the code `ra pair` printed, checks the confirmation card shows
 * the fingerprint `ra pair` printed, and taps Pair. Resolves with the card's text.
 */
export async function pairFromTelegram(telegram: FakeTelegram, chatId: number, pair: Prints): Promise<string> {
  const code = (await pair.waitFor(/\/pair ([A-Z]{5}-[A-Z]{5})/, "the pairing code"))[1]!;
  const fingerprint = (await pair.waitFor(/fingerprint ([A-Z]{4}-[A-Z]{4})/, "the fingerprint"))[1]!;
  const before = telegram.chat(chatId).length;
  telegram.userText(chatId, `/pair ${code}`);
  const card = await telegram.waitFor(() => telegram.chat(chatId).slice(before).find((m) => (m.text ?? "").startsWith("Pair this machine?")), { message: "the pairing confirmation card" });
  if (!card.text?.includes(fingerprint)) throw new Error(`the card does not show the fingerprint ${fingerprint}:\n${card.text}`);
  const data = (card.reply_markup?.inline_keyboard ?? []).flat().map((b) => ("callback_data" in b ? b.callback_data : "")).find((d) => d.endsWith(":y"))!;
  telegram.clickButton(chatId, card.message_id, data);
  return card.text;
}
