import type { WebDevice } from "../../../proto/web";
import type { Connection } from "./connection";
import { h } from "./dom";

const MODES = ["plan", "default", "acceptEdits", "bypassPermissions"] as const;

/** The conversation's folder and permission mode on the shown machine (/cd and /mode in Telegram). */
export function sessionControls(d: WebDevice, connection: Connection, say: (text: string) => void): Node[] {
  const modes = MODES.filter((m) => m !== "bypassPermissions" || d.maxMode === "bypassPermissions" || d.mode === m);
  const setMode = async (mode: WebDevice["mode"]) => say((await connection.send({ type: "mode", deviceId: d.id, mode })).message);
  const changeDir = async () => {
    const path = prompt(`Folder on ${d.label} for the next prompts (a fresh conversation):`, d.cwd ?? "")?.trim();
    if (path) say((await connection.send({ type: "cd", deviceId: d.id, path })).message);
  };
  const select = h(
    "select",
    { class: "mode", "aria-label": "Permission mode", onchange: (e: Event) => void setMode((e.target as HTMLSelectElement).value as WebDevice["mode"]) },
    modes.map((m) => h("option", { value: m, selected: m === d.mode }, m)),
  );
  return [h("button", { type: "button", class: "cd", title: "Run the next prompts in another folder", onclick: () => void changeDir() }, `Folder: ${d.cwd ?? "the machine's default"}`), select];
}
