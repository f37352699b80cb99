/**
 * Issue 10, point 14: one unit for the 254-character limit, UTF-16 code units (the service is
 * .NET), in the spec, the clients and the mock. A key of 127 astral characters is 254 units and
 * goes; 128 of them are 256 units and are refused, though JSON Schema (which counts code points)
 * would pass both.
 */
import { loadSpec } from "sfmc-contacts-spec/validator";
import { describe, expect, it } from "vitest";
import { establish, token } from "../support/http.js";
import { useContactsServer } from "../support/server.js";

useContactsServer({ seed: 3 });

const astral = (count: number) => "😀".repeat(count);

describe("the mock counts UTF-16 code units", () => {
  it("accepts 127 astral characters (254 code units)", async () => {
    const key = astral(127);
    expect(key.length).toBe(254);
    const answer = await establish({ ContactKeys: [key] }, { token: await token() });
    expect(answer.status, answer.text).toBe(200);
    expect((answer.body as { items: Array<{ value: { requestedContactKey: string } }> }).items[0]?.value).toMatchObject(
      {
        requestedContactKey: key,
      },
    );
  });

  it("refuses 128 astral characters (256 code units, 128 code points) with 400, errorcode 10005", async () => {
    const key = astral(128);
    expect([...key].length).toBe(128);
    const answer = await establish({ ContactKeys: ["ok", key] }, { token: await token() });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ errorcode: 10005, message: expect.stringContaining("ContactKeys[1]") });
    expect((answer.body as { message: string }).message).toContain("got 256");
  });
});

describe("the spec states the unit", () => {
  const schemas = loadSpec().components?.schemas as Record<string, { description?: string; maxLength?: number }>;

  it("on ContactKey, with the limit of 254", () => {
    const contactKey = schemas.ContactKey;
    expect(contactKey?.maxLength).toBe(254);
    expect(contactKey?.description).toContain("254 UTF-16 code units");
  });
});
