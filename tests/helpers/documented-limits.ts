// The simulation of Telegram's documented limits lives with the fake Bot API, which can enforce it too.
export { DocumentedLimits } from "../fakes/telegram/documented-limits";
