import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupContactsServer } from "../../src/node.js";
import { establish, token } from "../support/http.js";

const { server, mock } = setupContactsServer({ seed: 42 });
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

interface Item {
  value: {
    requestedContactKey: string;
    isNewContact?: boolean;
    contactReference: { contactID: number; contactKey: string };
  };
  requestItemIndex: number;
}

// A small pool with case and whitespace variants, so sequences revisit keys and near-duplicates.
const key = fc.constantFrom("Key1", "key1", "KEY1", "Key2", " Key2", "ä-ö", "a@b.example", "x".repeat(254), "1", "01");
const call = fc.record({
  keys: fc.array(key, { minLength: 1, maxLength: 8 }),
  correlate: fc.boolean(),
  pascal: fc.boolean(),
});

describe("properties of establish sequences", () => {
  it("gives each key one stable id, and isNewContact is true only on a key's first sight", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 6 }), async (calls) => {
        mock.reset();
        const accessToken = await token();
        const ids = new Map<string, number>();
        for (const { keys, correlate, pascal } of calls) {
          const body = pascal
            ? { ContactKeys: keys, CorrelateResponseItem: correlate }
            : { contactKeys: keys, correlateResponseItem: String(correlate) };
          const answer = await establish(body, { token: accessToken });
          expect(answer.status).toBe(200);
          const items = [...(answer.body as { items: Item[] }).items].sort(
            (a, b) => a.requestItemIndex - b.requestItemIndex,
          );
          expect(items.map((item) => item.value.requestedContactKey)).toEqual(keys);
          for (const item of items) {
            const k = item.value.requestedContactKey;
            const seen = ids.get(k);
            expect(item.value.isNewContact).toBe(seen === undefined);
            if (seen !== undefined) expect(item.value.contactReference.contactID).toBe(seen);
            else ids.set(k, item.value.contactReference.contactID);
            expect(item.value.contactReference.contactKey).toBe(k);
          }
        }
        // One id per key, no id shared by two keys, and the store agrees.
        expect(new Set(ids.values()).size).toBe(ids.size);
        expect(mock.store.size).toBe(ids.size);
        for (const [k, id] of ids) expect(mock.store.get(k)?.contactID).toBe(id);
      }),
      // Bounded cost: at most 60 runs of 7 requests each, whatever the machine; the time limit
      // (vitest.config.ts) is a hang guard sized for a loaded machine, not a speed requirement.
      { numRuns: 60, seed: 20261126 },
    );
  });
});
