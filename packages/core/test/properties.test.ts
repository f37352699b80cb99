import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ContactsError, ContactsValidationError, createContactsCore, type EstablishTransport } from "../src/index.js";

/** A transport that answers every request with a valid establish answer, without a network. */
const echo: EstablishTransport = async ({ body }) => ({
  status: 200,
  header: () => null,
  text: JSON.stringify({
    items: body.ContactKeys.map((key, i) => ({
      value: {
        requestedContactKey: key,
        contactReference: { contactID: i + 1, contactType: "Default", contactKey: key, contactStatus: "Active" },
      },
      requestItemIndex: i,
      resultMessages: [],
    })),
    requestServiceMessageID: "00000000-0000-4000-8000-000000000000",
    responseDateTime: "2024-01-01T00:00:00.0000000-06:00",
    resultMessages: [],
    serviceMessageID: "00000000-0000-4000-8000-000000000001",
  }),
});

const client = createContactsCore({
  auth: { credentials: () => ({ baseUrl: "https://t.rest.marketingcloudapis.com" }) },
  transport: echo,
  raw: {} as never,
  retry: false,
});

describe("no input makes establish throw anything but its typed errors", () => {
  it("any keys and any options: a result, or a ContactsError", async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything(), fc.anything(), async (keys, options) => {
        try {
          const result = await client.establish(keys as string[], options as never);
          // Whatever was accepted was a valid list of keys, each answered exactly once.
          expect(Array.isArray(keys)).toBe(true);
          if ("results" in result) expect(result.results).toHaveLength((keys as string[]).length);
        } catch (error) {
          expect(error).toBeInstanceOf(ContactsError);
        }
      }),
      { numRuns: 500, seed: 4242 },
    );
  });

  it("arrays of strings: valid exactly when every key is 1 to 254 characters", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ maxLength: 300 }), { maxLength: 20 }), async (keys) => {
        const valid = keys.length > 0 && keys.every((k) => k.length >= 1 && k.length <= 254);
        const outcome = await client.establish(keys).then(
          () => "ok",
          (error: unknown) => error,
        );
        if (valid) expect(outcome).toBe("ok");
        else expect(outcome).toBeInstanceOf(ContactsValidationError);
      }),
      { numRuns: 300, seed: 4243 },
    );
  });

  it("establishAll never throws for bad keys: each becomes an INVALID_KEY result", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.anything(), { maxLength: 60 }), async (keys) => {
        const results = [];
        for await (const result of client.establishAll(keys as string[], { batchSize: 7 })) results.push(result);
        expect(results.map((r) => r.index).sort((a, b) => a - b)).toEqual(keys.map((_, i) => i));
        for (const result of results) {
          const key = keys[result.index];
          const valid = typeof key === "string" && key.length >= 1 && key.length <= 254;
          expect(result.ok).toBe(valid);
        }
      }),
      { numRuns: 200, seed: 4244 },
    );
  });
});
