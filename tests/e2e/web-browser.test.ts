// The web app as a person uses it, in real headless Chromium (Debian's chromium, driven by
// puppeteer-core) against the compiled relay, the fake Telegram and the real claude CLI on the fake
// model: sign in with the /web link from the Telegram chat, see the machine online, send a prompt
// and watch it stream, approve a tool, stop a turn, and find the same turns in Telegram. Screenshots
// at phone and desktop widths go to test-artifacts/screenshots/ (gitignored) for a reviewer.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { OWNER, startStack, type Stack } from "../helpers/stack";
import { RaProcess } from "../helpers/ra-process";
import { tmpDir } from "../helpers/tmp";
import { webLink } from "../helpers/web-client";

// The callbacks handed to page.evaluate run inside Chromium; this file is type-checked without the DOM.
declare const document: any, window: any, MutationObserver: any, navigator: any;

const CHROMIUM = process.env.RA_TEST_CHROMIUM ?? "/usr/bin/chromium";
const SHOTS = resolve(import.meta.dir, "../../test-artifacts/screenshots");
const PHONE = { width: 390, height: 844, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const DESKTOP = { width: 1280, height: 800 };

let stack: Stack;
let browser: Browser;
let page: Page;
const profile = tmpDir("ra-chromium-");
/** What the page complained about: CSP violations, script errors. */
const problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (bash scripts/test-deps.sh does it as root)`);
  mkdirSync(SHOTS, { recursive: true });
  stack = await startStack();
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...(process.getuid?.() === 0 ? ["--no-sandbox"] : []), "--disable-gpu", "--no-first-run", `--user-data-dir=${profile.path}`],
  });
  page = await browser.newPage();
  await page.setViewport(PHONE);
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  page.on("pageerror", (e) => problems.push(String(e)));
});
afterAll(async () => {
  await browser?.close();
  await stack?.[Symbol.asyncDispose]();
  await profile[Symbol.asyncDispose]();
});

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
const text = (selector: string) => page.$eval(selector, (e) => e.textContent ?? "");
/** The newest turn on screen whose prompt is `prompt`: its status once `done`-like. */
const turnWith = (prompt: string, status: string) =>
  page.waitForFunction(
    (p, s) => [...document.querySelectorAll(".turn")].find((t: any) => t.querySelector(".prompt")?.textContent === p && t.dataset.status === s),
    { timeout: 30_000 },
    prompt,
    status,
  );
async function send(prompt: string): Promise<void> {
  await page.type("textarea[name=prompt]", prompt);
  await page.click("button.send");
}

describe("the web app in Chromium", () => {
  test("a stranger gets the sign-in page; the /web link from Telegram signs in after one tap", async () => {
    await page.goto(stack.relayUrl);
    expect(await page.$("form.code input[name=code]")).not.toBeNull();
    await shot("sign-in-phone");
    const link = await webLink(stack);
    await page.goto(link);
    expect(await text("button.primary")).toContain("Sign in as");
    await Promise.all([page.waitForNavigation(), page.click("button.primary")]);
    expect(new URL(page.url()).pathname).toBe("/");
    await page.waitForSelector(".device.state-online");
    expect(await text(".device.state-online .name")).toBe("laptop");
    expect(await text(".title-state")).toBe("online");
  });

  test("a prompt streams into the page as it arrives, and Telegram shows the same turn", async () => {
    // Record every length the answer goes through while it streams.
    await page.evaluate(() => {
      const w = window;
      w.lengths = [];
      new MutationObserver(() => {
        const answer = [...document.querySelectorAll(".turn .answer")].at(-1);
        if (answer) w.lengths.push(answer.textContent!.length);
      }).observe(document.querySelector(".turns")!, { childList: true, subtree: true, characterData: true });
    });
    const answer = "Streaming into the browser, one small piece at a time, with **bold** and `code`.";
    stack.model.enqueue([{ text: answer, chunkSize: 6, delayMs: 30 }]);
    await send("stream something");
    const turn = await turnWith("stream something", "done");
    const shown = await turn.evaluate((t: any) => t.querySelector(".answer")!.textContent);
    expect(shown).toBe("Streaming into the browser, one small piece at a time, with bold and code.");
    expect(await turn.evaluate((t: any) => t.querySelector(".answer strong")?.textContent)).toBe("bold");
    const lengths: number[] = await page.evaluate(() => [...new Set<number>(window.lengths)]);
    // Several partial answers were painted before the whole one (how many depends on the machine's load).
    expect(lengths.filter((n) => n > 0 && n < shown!.length).length).toBeGreaterThan(1);
    await stack.waitForText(/Streaming into the browser[\s\S]*✅ laptop/, "the turn in Telegram");
    expect(stack.messages(/Streaming into the browser/)).toHaveLength(1);
  });

  test("raw HTML in an answer stays text: no element, no script", async () => {
    stack.model.enqueue([{ text: 'Look: <img src=x onerror="document.title=1"> <script>document.title=2</script> [x](javascript:alert(1))' }]);
    await send("show html");
    const turn = await turnWith("show html", "done");
    expect(await turn.evaluate((t: any) => t.querySelectorAll(".answer img, .answer script, .answer a").length)).toBe(0);
    expect(await turn.evaluate((t: any) => t.querySelector(".answer")!.textContent)).toContain("<img src=x");
    expect(await page.title()).toBe("ra");
  });

  test("an approval card: Allow runs the tool, and the Telegram card closes", async () => {
    const file = join(stack.workdir, "from-chromium.txt");
    stack.model.enqueue([{ toolUse: { name: "Write", input: { file_path: file, content: "written after a click\n" } } }], [{ text: "Done writing." }]);
    await send("write a file please");
    await page.waitForSelector(".card.approval:not(.closed) button.allow");
    // A file change shows as a diff: the path, and the new file's lines added.
    expect(await text(".card.approval:not(.closed) .diff-path")).toContain("from-chromium.txt");
    expect(await text(".card.approval:not(.closed) .diff-line.op-add")).toContain("+ written after a click");
    await shot("approval-phone");
    await page.click(".card.approval:not(.closed) button.allow");
    await page.waitForFunction(() => [...document.querySelectorAll(".card-line")].some((l: any) => /allowed by you/.test(l.textContent ?? "")), { timeout: 30_000 });
    await turnWith("write a file please", "done");
    expect(readFileSync(file, "utf8")).toBe("written after a click\n");
    await stack.telegram.waitFor(() => stack.messages(/allowed by you/).length > 0, { message: "the Telegram card to close" });
  });

  test("Stop interrupts a running turn", async () => {
    stack.model.enqueue({ blocks: [{ text: "A long answer that will not finish" }], stall: true });
    await send("run for a while");
    await page.waitForFunction(() => /will not finish/.test([...document.querySelectorAll(".turn .answer")].at(-1)?.textContent ?? ""), { timeout: 30_000 });
    await page.click("button.stop");
    await turnWith("run for a while", "stopped");
    await stack.waitForText(/⏹ stopped · laptop/, "the stop in Telegram");
    stack.model.release();
    expect(await page.$eval("button.stop", (b: any) => b.disabled)).toBe(true);
  });

  test("a prompt typed in Telegram appears in the page", async () => {
    stack.model.enqueue([{ text: "Typed on the phone's Telegram." }]);
    stack.telegram.userText(OWNER, "from telegram");
    await turnWith("from telegram", "done");
    await shot("chat-phone");
    // Leaving the phone's touch emulation reloads the page: the app comes back from its snapshot.
    await page.setViewport(DESKTOP);
    await page.waitForSelector(".device.state-online");
    await turnWith("from telegram", "done");
    await shot("chat-desktop");
  });

  test("pair a machine from the page (code, fingerprint, Pair), then revoke it", async () => {
    await using pair = new RaProcess(["pair", "--relay", stack.relayUrl, "--name", "desk", "--config", join(profile.path, "desk.json")]);
    const code = (await pair.waitFor(/\/pair ([A-Z]{5}-[A-Z]{5})/, "the pairing code"))[1]!;
    const fingerprint = (await pair.waitFor(/fingerprint ([A-Z]{4}-[A-Z]{4})/, "the fingerprint"))[1]!;
    await page.waitForSelector("button.pair-open");
    await page.click("button.pair-open");
    await page.waitForSelector("dialog.pair-dialog input[name=pair-code]", { visible: true });
    await page.type("dialog.pair-dialog input[name=pair-code]", code);
    await page.click("dialog.pair-dialog button[type=submit]");
    await page.waitForSelector("dialog.pair-dialog .fingerprint");
    expect(await text("dialog.pair-dialog .fingerprint")).toBe(fingerprint);
    await shot("pair-desktop");
    await page.click("dialog.pair-dialog .pair-accept");
    expect(await pair.exitCode()).toBe(0);
    await page.waitForFunction(() => [...document.querySelectorAll(".device .name")].some((n: any) => n.textContent === "desk"), { timeout: 30_000 });
    await page.click(".device:not(.selected)");
    await page.waitForFunction(() => document.querySelector(".device.selected .name")?.textContent === "desk", { timeout: 30_000 });
    page.once("dialog", (d) => void d.accept());
    await page.click("button.revoke");
    await page.waitForFunction(() => ![...document.querySelectorAll(".device .name")].some((n: any) => n.textContent === "desk"), { timeout: 30_000 });
    await page.click(".device");
    await page.waitForFunction(() => document.querySelector(".device.selected .name")?.textContent === "laptop", { timeout: 30_000 });
  });

  test("installed, it opens offline from its service worker and reconnects by itself", async () => {
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, { timeout: 30_000 });
    const before = problems.length;
    await page.setOfflineMode(true);
    await page.reload();
    await page.waitForSelector(".shell .composer");
    await page.waitForFunction(() => document.body.dataset.connection !== "open", { timeout: 30_000 });
    expect(await text(".conn")).toMatch(/Connecting|Offline/);
    await page.setOfflineMode(false);
    await page.waitForSelector(".device.state-online", { timeout: 30_000 });
    await page.waitForFunction(() => document.body.dataset.connection === "open", { timeout: 30_000 });
    problems.splice(before); // the offline stretch's failed loads are expected; nothing else may be
  });

  test("nothing on the way broke the CSP or threw", () => {
    expect(problems).toEqual([]);
  });
});
