// Every write of the sqlite store joins the group commit (one transaction and one fsync per turn of
// the event loop, acks only after it): a write method left out of WRITES would commit on its own.
import { describe, expect, test } from "bun:test";
import { WRITES } from "../../src/relay/db/repo";
import { tempRelayDb } from "../helpers/temp-relay-db";

const WRITE_NAME = /^(?:add|set|delete|del$|remove|mark|prune|trim|touch|selectDevice|close|move|allow|disallow|forget|decide|append|receive)/;

describe("sqlite store", () => {
  test("every method named as a write is batched", () => {
    const { repo } = tempRelayDb(0);
    const writes = Object.keys(repo).filter((name) => WRITE_NAME.test(name) && typeof (repo as unknown as Record<string, unknown>)[name] === "function");
    expect(writes.length).toBeGreaterThan(30);
    expect(writes.filter((name) => !(WRITES as readonly string[]).includes(name))).toEqual([]);
  });
});
