import { expect, test } from "bun:test";
import { preparedOnUse } from "../../src/relay/db/prepared-on-use";

test("each statement is made on its first use, once, and only if used", () => {
  const made: string[] = [];
  const hot = preparedOnUse({
    a: () => (made.push("a"), { run: () => "A" }),
    b: () => (made.push("b"), { run: () => "B" }),
  });
  expect(made).toEqual([]);
  expect(hot.a.run()).toBe("A");
  expect(hot.a.run()).toBe("A");
  expect(made).toEqual(["a"]);
  expect(Object.keys(hot)).toEqual(["a", "b"]);
});
