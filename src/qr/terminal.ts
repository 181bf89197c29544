import type { QrCode } from "./encode";

const QUIET_ZONE = 2;

/**
 * Draws a QR code with half-block characters, two module rows per text line. Light modules are
 * drawn (█), dark ones left blank, so it reads as dark-on-light in a terminal with a dark background.
 */
export function renderQr(qr: QrCode): string {
  const size = qr.size + QUIET_ZONE * 2;
  const light = (x: number, y: number) => {
    const mx = x - QUIET_ZONE;
    const my = y - QUIET_ZONE;
    return mx < 0 || my < 0 || mx >= qr.size || my >= qr.size || !qr.modules[my]![mx];
  };
  const lines: string[] = [];
  for (let y = 0; y < size; y += 2) {
    let line = "";
    for (let x = 0; x < size; x++) {
      const top = light(x, y);
      const bottom = y + 1 < size ? light(x, y + 1) : false;
      line += top && bottom ? "█" : top ? "▀" : bottom ? "▄" : " ";
    }
    lines.push(line);
  }
  return lines.join("\n");
}
