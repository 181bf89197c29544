import { describe, expect, test } from "bun:test";
import { repeated } from "../../src/options/cli-args";

describe("repeatable flags", () => {
  test("collect every value, in both spellings, and stop at --", () => {
    expect(repeated(["serve", "--owner", "1", "--listen", "x:1", "--owner=2", "--owner", "3"], "owner")).toEqual(["1", "2", "3"]);
    expect(repeated(["--root", "/a", "--", "--root", "/b"], "root")).toEqual(["/a"]);
    expect(repeated(["--rooted", "x", "--root"], "root")).toEqual([]);
  });
});
