import { describe, expect, test } from "bun:test";
import { isIP as nodeIsIP } from "node:net";
import { isIP } from "../../src/is-ip";

const CASES = [
  "127.0.0.1", "0.0.0.0", "255.255.255.255", "10.0.0.256", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.04", " 1.2.3.4", "1.2.3.4 ",
  "::", "::1", "1::", "fe80::1", "fe80::1%eth0", "fe80::1%", "2001:db8::8a2e:370:7334", "2001:0db8:0000:0000:0000:ff00:0042:8329",
  "::ffff:127.0.0.1", "::ffff:1.2.3.256", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::", "1::2::3", "12345::1", "gg::1",
  "[::1]", "localhost", "", "unknown", "1.2.3.4:80", "::1.2.3.4", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "ABCD:EF01::1",
];

describe("isIP without node:net", () => {
  test("answers what node:net answers", () => {
    for (const input of CASES) expect([input, isIP(input)]).toEqual([input, nodeIsIP(input) as 0 | 4 | 6]);
  });

  test("tells the families apart", () => {
    expect(isIP("192.168.1.10")).toBe(4);
    expect(isIP("2001:db8::1")).toBe(6);
    expect(isIP("example.com")).toBe(0);
  });
});
