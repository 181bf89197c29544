import { describe, expect, test } from "bun:test";
import { clientAddress, trustedProxies } from "../../src/relay/client-address";

const caddy = trustedProxies(["127.0.0.1", "::1"]);

describe("the client's address", () => {
  test("without --trust-proxy the peer is the client, whatever headers say", () => {
    expect(clientAddress("198.51.100.7", "203.0.113.9", trustedProxies([]))).toBe("198.51.100.7");
    expect(clientAddress("::ffff:127.0.0.1", "203.0.113.9", trustedProxies([]))).toBe("127.0.0.1");
  });

  test("behind a trusted proxy it is the rightmost forwarded address that is not a proxy", () => {
    expect(clientAddress("127.0.0.1", "203.0.113.9", caddy)).toBe("203.0.113.9");
    expect(clientAddress("::1", "203.0.113.9", caddy)).toBe("203.0.113.9");
    // What the client itself wrote (left) is never believed over what the proxy appended (right).
    expect(clientAddress("127.0.0.1", "10.0.0.1, 203.0.113.9", caddy)).toBe("203.0.113.9");
    expect(clientAddress("127.0.0.1", "203.0.113.9, 127.0.0.1", caddy)).toBe("203.0.113.9");
    expect(clientAddress("127.0.0.1", "2001:DB8::5", caddy)).toBe("2001:db8::5");
  });

  test("a peer that is not a trusted proxy cannot forge its address; garbage falls back to the peer", () => {
    expect(clientAddress("198.51.100.7", "127.0.0.1", caddy)).toBe("198.51.100.7");
    expect(clientAddress("127.0.0.1", "not-an-ip", caddy)).toBe("127.0.0.1");
    expect(clientAddress("127.0.0.1", undefined, caddy)).toBe("127.0.0.1");
    expect(clientAddress("127.0.0.1", "", caddy)).toBe("127.0.0.1");
  });
});
