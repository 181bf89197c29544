import { describe, expect, test } from "bun:test";
import { COMMANDS } from "../../src/relay/telegram/command-list";
import { helpText } from "../../src/relay/telegram/help";
import { parseMention } from "../../src/relay/telegram/mention";

describe("@name prompt", () => {
  test("a leading @name with text is one prompt for that machine", () => {
    expect(parseMention("@laptop run the tests")).toEqual({ name: "laptop", prompt: "run the tests" });
    expect(parseMention("  @pi-4.home  check\nthe disk ")).toEqual({ name: "pi-4.home", prompt: "check\nthe disk" });
    expect(parseMention("@desk")).toEqual({ name: "desk", prompt: "" });
  });

  test("anything else is a plain prompt", () => {
    expect(parseMention("ask @laptop later")).toBeUndefined();
    expect(parseMention("@ alone")).toBeUndefined();
    expect(parseMention("@types/node is broken")).toBeUndefined();
    expect(parseMention("email@example.com")).toBeUndefined();
  });
});

describe("/help", () => {
  test("a few lines on how it works, then every command of the menu", () => {
    const text = helpText(COMMANDS);
    const [intro, list] = text.split("\n\n");
    expect(intro!.split("\n").length).toBeLessThanOrEqual(5);
    expect(intro).toContain("@NAME prompt");
    expect(intro).toContain("Stop");
    for (const c of COMMANDS) expect(list).toContain(`/${c.command} – ${c.description}`);
  });
});
