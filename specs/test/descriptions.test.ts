import { describe, expect, it } from "vitest";
import { loadSpec } from "../src/validator.js";

type Node = Record<string, unknown>;
const doc = loadSpec();

/** Every schema in components/schemas and every property below it, with its location. */
function* schemaNodes(node: Node, at: string): Generator<[string, Node]> {
  yield [at, node];
  for (const [name, child] of Object.entries((node.properties as Record<string, Node> | undefined) ?? {})) {
    yield* schemaNodes(child, `${at}.${name}`);
  }
  if (node.items && typeof node.items === "object") yield* schemaNodes(node.items as Node, `${at}[]`);
  for (const keyword of ["oneOf", "anyOf", "allOf"]) {
    for (const [i, child] of ((node[keyword] as Node[] | undefined) ?? []).entries()) {
      yield* schemaNodes(child, `${at}.${keyword}[${i}]`);
    }
  }
}

describe("the spec documents itself", () => {
  const schemas = (doc.components?.schemas ?? {}) as Record<string, Node>;
  const nodes = Object.entries(schemas).flatMap(([name, schema]) => [...schemaNodes(schema, name)]);

  it("walks every schema and property", () => {
    expect(nodes.length).toBeGreaterThan(50);
  });

  it("gives every schema and every property a description (array items may rely on their $ref)", () => {
    const missing = nodes
      .filter(([at, node]) => !at.endsWith("[]") && typeof node.description !== "string")
      .map(([at]) => at);
    expect(missing).toEqual([]);
  });

  it("records where the official documents disagree and which reading it takes", () => {
    const description = String((doc.info as Node).description);
    for (const topic of ["Field names", "Flag types", "Response envelope", "IncludeNewContactAwareness"]) {
      expect(description).toContain(topic);
    }
  });

  it("lists each reading taken for what real clients send, with its evidence", () => {
    const description = String((doc.info as Node).description);
    const section = description.slice(description.indexOf("## What real clients send"));
    expect(section.length).toBeLessThan(description.length);
    const readings: Array<[topic: string, evidence: string]> = [
      ["`account_id` is a string of digits or an integer", "sfmc-sdk"],
      ['`WWW-Authenticate: Bearer error="invalid_token"`', "fuel-rest"],
      ['`WWW-Authenticate: Bearer error="invalid_token"`', "RFC 6750 section 3.1"],
      ['`WWW-Authenticate: Bearer error="invalid_token"`', '`error="invalid_request"`'],
      ["`null` is refused", "reference schema"],
      ["The token route takes JSON or a form", "RFC 6749 section"],
      ["errorcode 40004", "error-handling page"],
      ['`ContactType` is `0` or `"Default"`', "Salesforce's reference says"],
      ["Boolean strings are read case-insensitively", "Boolean.Parse"],
      ["Both spellings of the establish body are typed", "RequestEstablishContacts"],
      ["Both spellings of the establish body are typed", "Prismatic"],
      ["Both spellings of the establish body are typed", "model binder"],
    ];
    for (const [topic, evidence] of readings) {
      const item = section.split("\n- ").find((entry) => entry.includes(topic));
      expect(item, topic).toBeDefined();
      expect(item, topic).toContain(evidence);
    }
  });
});
