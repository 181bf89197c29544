import type { WebPendingMachine } from "../../../proto/web";
import type { Connection } from "./connection";
import { h, replace } from "./dom";

/**
 * Pairing a machine from the browser: the same steps as /pair in Telegram. The person runs
 * `ra pair` on the machine, types the code it printed, compares the fingerprint, taps Pair.
 */
export function pairDialog(connection: Connection, say: (text: string) => void): HTMLDialogElement {
  const body = h("div", { class: "pair-body" });
  const dialog = h("dialog", { class: "pair-dialog" }, body);
  const close = () => dialog.close();

  const askCode = (error = "") => {
    const input = h("input", { name: "pair-code", placeholder: "BCDFG-HJKLM", autocomplete: "off", autocapitalize: "characters", spellcheck: "false", required: true });
    const form = h(
      "form",
      { class: "pair-code", onsubmit: (e: Event) => (e.preventDefault(), void claim(input.value)) },
      h("h2", null, "Pair a machine"),
      h("p", null, "On the machine, run:"),
      h("pre", null, `ra pair --relay ${location.origin} --name laptop`),
      h("label", { for: "pair-code" }, "Then type the code it prints:"),
      input,
      error && h("p", { class: "error", role: "alert" }, error),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Continue"), h("button", { type: "button", onclick: close }, "Cancel")),
    );
    input.id = "pair-code";
    replace(body, form);
    input.focus();
  };

  const claim = async (code: string) => {
    const result = await connection.send({ type: "pair", code });
    if (!result.ok || !result.machine) return askCode(result.message);
    confirmCard(result.machine);
  };

  const confirmCard = (m: WebPendingMachine) => {
    const answer = async (accept: boolean) => {
      const result = await connection.send({ type: "pair.confirm", claimId: m.claimId, accept });
      say(result.message);
      close();
    };
    replace(
      body,
      h("h2", null, "Pair this machine?"),
      h("dl", { class: "facts" },
        h("dt", null, "Machine"), h("dd", null, m.name),
        h("dt", null, "Host"), h("dd", null, `${m.hostname} (${m.os}/${m.arch})`),
        h("dt", null, "User"), h("dd", null, m.user),
        h("dt", null, "From"), h("dd", null, m.ip),
        h("dt", null, "ra"), h("dd", null, m.agentVersion),
        h("dt", null, "Fingerprint"), h("dd", null, h("code", { class: "fingerprint" }, m.fingerprint))),
      h("p", { class: "hint" }, "Pair only if the fingerprint matches what ra pair printed on your machine."),
      h("div", { class: "actions" }, h("button", { type: "button", class: "primary pair-accept", onclick: () => void answer(true) }, "Pair"), h("button", { type: "button", class: "pair-reject", onclick: () => void answer(false) }, "Reject")),
    );
  };

  dialog.addEventListener("toggle", () => dialog.open && askCode());
  return dialog;
}
