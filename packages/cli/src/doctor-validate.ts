/**
 * Checks one answer of the service against the spec: its status is documented for the route, its
 * media type and headers are the documented ones, and its body matches the JSON Schema of that
 * route and status. Strictly: a field the spec does not name is a finding too, so the schemas
 * are compiled from a copy with `unevaluatedProperties: false` on every object that lists its
 * properties (the spec itself leaves objects open, as OpenAPI readers expect).
 *
 * Ajv and the generated schemas are loaded on first use only (import()), by the doctor alone:
 * `establish` never pays for them.
 */
import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import { childPath, excerpt, type Finding, MAX_DEPTH, type Redactor, type Step, shownValue } from "./doctor-report.js";
import type { SpecAnswer } from "./generated/spec-schemas.js";

/** One answer as it came: status, headers and body text (its first bytes when it was too large). */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body was larger than the doctor reads: `text` is its start. */
  overCap: boolean;
}

/**
 * An answer's body as the doctor reads it: JSON or not, and whether it is shallow enough to walk.
 * A body nested deeper than {@link MAX_DEPTH} levels is never walked (no schema check, no
 * redaction walk, no search for echoed secrets by field): a few kilobytes of `[[[[...` would
 * otherwise overflow the stack of every recursive walker.
 */
export type ReadBody =
  | { json: false }
  | { json: true; body: unknown; tooDeep: false }
  | { json: true; body?: undefined; tooDeep: true };

/** How deep a parsed JSON value nests, counted iteratively, up to `limit + 1` (where it stops). */
export function depthOf(value: unknown, limit = MAX_DEPTH): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [at, depth] = stack.pop() as [unknown, number];
    if (at === null || typeof at !== "object") continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(at) ? at : Object.values(at)) {
      if (child !== null && typeof child === "object") stack.push([child, level]);
    }
  }
  return deepest;
}

/** Reads an answer's text: JSON (JSON.parse does not recurse), then its depth, once. */
export function readBody(answer: Answer): ReadBody {
  if (answer.overCap) return { json: false };
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return { json: false };
  }
  return depthOf(body) > MAX_DEPTH ? { json: true, tooDeep: true } : { json: true, body, tooDeep: false };
}

/**
 * The body as a finding may show it. JSON is quoted as parsed and then redacted, never as the
 * raw text: a service may escape a secret (`\u0078`, `\/`) where a search of the raw text would
 * miss it. Anything else is described by its size and content type and never quoted. An answer
 * that echoes a secret (`withheld` names it) is not quoted at all.
 */
export function describeBody(answer: Answer, read: ReadBody, redactor: Redactor, withheld?: string): string {
  const size = `${Buffer.byteLength(answer.text)}${answer.overCap ? "+" : ""} bytes`;
  if (withheld !== undefined) return `a body of ${size}, not quoted: it carries the ${withheld}`;
  if (answer.overCap) return `a body of ${size}, over the doctor's size limit: not read further, not quoted`;
  if (read.json && !read.tooDeep) return `body ${excerpt(JSON.stringify(redactor.value(read.body)) ?? "", redactor)}`;
  if (read.json) return `a JSON body of ${size} nested deeper than ${MAX_DEPTH} levels, not quoted`;
  const type = answer.headers.get("content-type");
  return `a body of ${size} that is not JSON${type ? ` (${excerpt(type, redactor)})` : ""}, not quoted`;
}

/** What the check found, and the body when it is JSON. */
export interface AnswerCheck {
  findings: Finding[];
  /** The parsed body, when it is JSON. */
  body?: unknown;
  /** Whether the spec documents this status for the route. */
  documented: boolean;
  /** The schema the body was held to: a pointer into the spec (`#/components/schemas/...`), when there is one. */
  schema?: string;
}

/** The spec, ready to check answers. */
export interface SpecCheck {
  readonly version: string;
  /** The statuses the spec documents for a route. */
  statuses(path: string, method: string): string[];
  /**
   * Checks one answer. `options.read` is the body as {@link readBody} read it (read here when
   * left out); `options.withheld` names a secret the answer echoes, so its body is not quoted.
   */
  check(
    route: { path: string; method: string; step: Step },
    answer: Answer,
    redactor: Redactor,
    options?: { read?: ReadBody; withheld?: string },
  ): AnswerCheck;
}

const SPEC_ID = "urn:sfmc-contacts:doctor:spec";

/** Keywords whose value is a map, a list, or one subschema: the places a strict copy walks into. */
const SCHEMA_MAPS = ["properties", "patternProperties", "$defs", "dependentSchemas"];
const SCHEMA_LISTS = ["allOf", "anyOf", "oneOf", "prefixItems"];
const SCHEMA_ONE = ["items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames"];

/**
 * A copy of a schema in which every object that lists its `properties` (and says nothing of
 * others) refuses any other field. This assumes objects are not assembled from parts with
 * `allOf` (each part would refuse the other's fields); the spec composes none today.
 */
export function strictCopy(schema: unknown): unknown {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) return schema;
  const source = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (SCHEMA_MAPS.includes(key) && value !== null && typeof value === "object") {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strictCopy(v)]));
    } else if (SCHEMA_LISTS.includes(key) && Array.isArray(value)) out[key] = value.map(strictCopy);
    else if (SCHEMA_ONE.includes(key)) out[key] = strictCopy(value);
    else out[key] = value;
  }
  if ("properties" in source && !("additionalProperties" in source) && !("unevaluatedProperties" in source)) {
    out.unevaluatedProperties = false;
  }
  return out;
}

const pointerSegment = (s: string) => s.replaceAll("~", "~0").replaceAll("/", "~1");

/** The value at a JSON pointer of `root`, and the pointer as a readable JSON path (`$.items[0].value`). */
function locate(root: unknown, pointer: string, redactor: Redactor): { value: unknown; path: string } {
  let value = root;
  let path = "$";
  if (pointer === "") return { value, path };
  for (const raw of pointer.slice(1).split("/")) {
    const segment = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (Array.isArray(value)) {
      path = childPath(path, Number(segment));
      value = value[Number(segment)];
    } else {
      // A key the service chose: redacted like its values (it may be part of a secret).
      path = childPath(path, redactor.text(segment));
      value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[segment] : undefined;
    }
  }
  return { value, path };
}

/** Ajv's errors as findings: one per place, with what the spec expects there and what came. */
function errorFindings(
  errors: ErrorObject[],
  body: unknown,
  base: Pick<Finding, "step" | "status">,
  redactor: Redactor,
): Finding[] {
  // A value that fits none of anyOf/oneOf's forms: one finding that names the forms, not one per form.
  const alternatives = errors.filter((e) => e.keyword === "anyOf" || e.keyword === "oneOf");
  const underAlternative = (e: ErrorObject) =>
    alternatives.some(
      (a) => a !== e && (e.schemaPath.startsWith(`${a.schemaPath}/`) || e.instancePath === a.instancePath),
    );
  const findings: Finding[] = [];
  for (const error of errors) {
    if (underAlternative(error)) continue;
    const { value, path } = locate(body, error.instancePath, redactor);
    const params = error.params as Record<string, unknown>;
    if (error.keyword === "required") {
      const name = String(params.missingProperty);
      findings.push({
        ...base,
        kind: "mismatch",
        where: childPath(path, name),
        expected: "this required field",
        got: "nothing (missing)",
      });
    } else if (error.keyword === "unevaluatedProperties" || error.keyword === "additionalProperties") {
      const name = String(params.unevaluatedProperty ?? params.additionalProperty);
      const extra = (value as Record<string, unknown>)[name];
      findings.push({
        ...base,
        kind: "mismatch",
        where: childPath(path, redactor.text(name)),
        expected: "no such field (the spec does not document it: extra field)",
        got: shownValue(extra, redactor),
      });
    } else if (error.keyword === "type") {
      const wrapped = error.instancePath === "" && Array.isArray(body) && params.type === "object";
      findings.push({
        ...base,
        kind: "mismatch",
        where: path,
        expected: `${String(params.type)}${wrapped ? " (the product page shows this body inside a one-element array; the spec and Salesforce's reference say an object)" : ""}`,
        got: shownValue(value, redactor),
      });
    } else if (error.keyword === "anyOf" || error.keyword === "oneOf") {
      const forms = errors
        .filter((e) => e !== error && e.instancePath === error.instancePath && e.keyword !== error.keyword)
        .map((e) => e.message)
        .filter((message, i, all) => message && all.indexOf(message) === i);
      findings.push({
        ...base,
        kind: "mismatch",
        where: path,
        expected: `one of the spec's forms${forms.length ? ` (${forms.join(" | ")})` : ""}`,
        got: shownValue(value, redactor),
      });
    } else {
      findings.push({
        ...base,
        kind: "mismatch",
        where: path,
        expected: `a value that ${error.message ?? `satisfies ${error.keyword}`}`,
        got: shownValue(value, redactor),
      });
    }
  }
  return findings;
}

/** A header's value as its schema's type, so `Retry-After: 30` is checked as the integer 30. */
function headerValue(value: string, schema: unknown): unknown {
  const type = (schema as { type?: unknown } | null)?.type;
  const numeric = type === "integer" || type === "number" || (Array.isArray(type) && type.includes("integer"));
  return numeric && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
}

/** The documented answer for a status, and its key: exact, then its class (`4XX`), then `default`. */
function documentedAnswer(answers: Record<string, SpecAnswer>, status: number): [string, SpecAnswer] | undefined {
  for (const key of [String(status), `${String(status)[0]}XX`, "default"]) {
    const answer = answers[key];
    if (answer) return [key, answer];
  }
  return undefined;
}

let loaded: Promise<SpecCheck> | undefined;

/** The spec's checks, compiled once per process. */
export function loadSpecCheck(): Promise<SpecCheck> {
  loaded ??= compile();
  return loaded;
}

async function compile(): Promise<SpecCheck> {
  const [{ Ajv2020 }, formats, { specDocument, specVersion }] = await Promise.all([
    import("ajv/dist/2020.js"),
    import("ajv-formats"),
    import("./generated/spec-schemas.js"),
  ]);
  // ajv-formats is CommonJS with a default export; depending on the loader it arrives wrapped once or twice.
  const addFormats = ((formats as { default?: { default?: unknown } }).default?.default ??
    (formats as { default?: unknown }).default ??
    formats) as (ajv: InstanceType<typeof Ajv2020>) => void;
  // strict: false and no logger: a keyword this Ajv does not know must never stop or clutter a user's run.
  const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
  addFormats(ajv);
  // OpenAPI's integer formats are not JSON Schema's; check their ranges.
  ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** 31 });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
  const schemas = Object.fromEntries(
    Object.entries(specDocument.components.schemas).map(([name, schema]) => [name, strictCopy(schema)]),
  );
  const paths = Object.fromEntries(
    Object.entries(specDocument.paths).map(([path, methods]) => [
      path,
      Object.fromEntries(
        Object.entries(methods).map(([method, answers]) => [
          method,
          Object.fromEntries(
            Object.entries(answers).map(([status, answer]) => [
              status,
              {
                ...answer,
                body: strictCopy(answer.body),
                headers: Object.fromEntries(
                  Object.entries(answer.headers).map(([name, h]) => [name, { ...h, schema: strictCopy(h.schema) }]),
                ),
              },
            ]),
          ),
        ]),
      ),
    ]),
  );
  ajv.addSchema({ $id: SPEC_ID, components: { schemas }, paths });
  const compiled = new Map<string, ValidateFunction>();
  const validator = (pointer: string) => {
    let validate = compiled.get(pointer);
    if (!validate) {
      validate = ajv.compile({ $ref: `${SPEC_ID}#${encodeURI(pointer)}` });
      compiled.set(pointer, validate);
    }
    return validate;
  };
  const answersOf = (path: string, method: string) => specDocument.paths[path]?.[method.toLowerCase()] ?? {};

  return {
    version: specVersion,
    statuses: (path, method) => Object.keys(answersOf(path, method)),
    check({ path, method, step }, answer, redactor, options = {}) {
      const base = { step, status: answer.status };
      const findings: Finding[] = [];
      const answers = answersOf(path, method);
      const [key, documented] = documentedAnswer(answers, answer.status) ?? [];
      const read = options.read ?? readBody(answer);
      const shown = () => describeBody(answer, read, redactor, options.withheld);
      const walkable = read.json && !read.tooDeep;
      const body = walkable ? read.body : undefined;
      const result: AnswerCheck = { findings, documented: documented !== undefined, ...(walkable ? { body } : {}) };
      if (!documented || key === undefined) {
        const location = answer.headers.get("location");
        const redirect =
          answer.status >= 300 && answer.status < 400
            ? ` (a redirect${location ? ` to ${excerpt(location, redactor)}` : ""}: not followed, nothing was sent there)`
            : "";
        findings.push({
          ...base,
          kind: "mismatch",
          where: "status",
          expected: `a status the spec documents for ${method.toUpperCase()} ${path} (${Object.keys(answers).join(", ")})`,
          got: `${answer.status}${redirect}${answer.text ? `, ${shown()}` : ""}`,
        });
        return result;
      }
      // Where this answer sits in the document Ajv holds.
      const at = `/paths/${pointerSegment(path)}/${method.toLowerCase()}/${pointerSegment(key)}`;
      const type = answer.headers.get("content-type");
      const media = type?.split(";")[0]?.trim().toLowerCase() ?? "";
      if (documented.mediaTypes.length > 0 && !documented.mediaTypes.includes(media)) {
        findings.push({
          ...base,
          kind: "mismatch",
          where: "header Content-Type",
          expected: documented.mediaTypes.join(" or "),
          got: type ? excerpt(type, redactor) : "none",
        });
      }
      for (const [name, header] of Object.entries(documented.headers)) {
        const value = answer.headers.get(name);
        if (value === null) {
          if (header.required) {
            findings.push({
              ...base,
              kind: "mismatch",
              where: `header ${name}`,
              expected: "this header (the spec requires it)",
              got: "nothing (missing)",
            });
          }
          continue;
        }
        const validate = validator(`${at}/headers/${pointerSegment(name)}/schema`);
        const typed = headerValue(value, header.schema);
        if (!validate(typed)) {
          const message = validate.errors?.[0]?.message ?? "match the spec";
          findings.push({
            ...base,
            kind: "mismatch",
            where: `header ${name}`,
            expected: `a value that ${message}`,
            got: excerpt(value, redactor),
          });
        }
      }
      if (documented.body === null) return result;
      const schemaRef = (documented.body as { $ref?: unknown }).$ref;
      result.schema =
        typeof schemaRef === "string"
          ? schemaRef
          : `#/paths/${pointerSegment(path)}/${method.toLowerCase()}/responses/${key}`;
      if (answer.overCap) {
        findings.push({
          ...base,
          kind: "mismatch",
          where: "$",
          expected: `a body the doctor can read whole (${result.schema})`,
          got: shown(),
        });
        return result;
      }
      if (!read.json) {
        findings.push({
          ...base,
          kind: "mismatch",
          where: "$",
          expected: `a JSON body (${result.schema})`,
          got: answer.text === "" ? "an empty body" : shown(),
        });
        return result;
      }
      if (read.tooDeep) {
        // One finding, and no schema check: Ajv recurses too.
        findings.push({
          ...base,
          kind: "mismatch",
          where: "$",
          expected: `a body as the spec describes it (${result.schema}), a few levels deep`,
          got: `${shown()}; not validated further`,
        });
        return result;
      }
      const validate = validator(`${at}/body`);
      if (!validate(body)) findings.push(...errorFindings(validate.errors ?? [], body, base, redactor));
      return result;
    },
  };
}
