/**
 * Validates JSON values against the schemas of specs/openapi.yaml with a JSON Schema 2020-12
 * validator (Ajv). Used by the spec's own example checks, and by the mocks' tests to prove that
 * every answer they can give still matches the spec.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { parse } from "yaml";

/** Absolute path of the OpenAPI document. */
export const specPath: string = fileURLToPath(new URL("../openapi.yaml", import.meta.url));

/** The parts of an OpenAPI 3.1 document that the validator walks. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

/** One named example of a request or response body, and where it stands in the document. */
export interface MediaExample {
  /** Readable location, e.g. `POST /contacts/v1/establish 200 response`. */
  where: string;
  /** The example's key under `examples`, e.g. `fireAndForgetResponse`. */
  name: string;
  /** The `components/examples` entry it refers to, when it is a `$ref`. */
  component?: string;
  /** JSON pointer (in the document) of the schema the example must satisfy. */
  schemaPointer: string;
  method: string;
  path: string;
  /** `"request"` or the response status. */
  status: "request" | string;
  value: unknown;
}

/** The answer of a validation: `ok`, or the errors in Ajv's form plus one readable line. */
export type ValidationResult = { ok: true } | { ok: false; errors: ErrorObject[]; message: string };

const SPEC_ID = "urn:sfmc-contacts:openapi";
const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** Reads and parses the OpenAPI document (specs/openapi.yaml unless another path is given). */
export function loadSpec(path: string = specPath): OpenApiDocument {
  return parse(readFileSync(path, "utf8")) as OpenApiDocument;
}

function escapePointer(segment: string): string {
  return segment.replaceAll("~", "~0").replaceAll("/", "~1");
}

function pointer(...segments: string[]): string {
  return `#/${segments.map(escapePointer).join("/")}`;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {};
}

/** Follows a local `$ref` (`#/components/...`) once; returns the object and its pointer. */
function deref(doc: OpenApiDocument, node: unknown, at: string): { node: Record<string, unknown>; at: string } {
  const ref = record(node).$ref;
  if (typeof ref !== "string") return { node: record(node), at };
  if (!ref.startsWith("#/")) throw new Error(`only local $refs are supported, found ${ref} at ${at}`);
  let target: unknown = doc;
  for (const raw of ref.slice(2).split("/")) {
    target = record(target)[raw.replaceAll("~1", "/").replaceAll("~0", "~")];
  }
  if (target === undefined) throw new Error(`unresolved $ref ${ref} at ${at}`);
  return { node: record(target), at: ref };
}

/** Lists every named example of every JSON request and response body in the document. */
export function listMediaExamples(doc: OpenApiDocument): MediaExample[] {
  const found: MediaExample[] = [];
  const collect = (
    content: unknown,
    at: string,
    base: Omit<MediaExample, "name" | "value" | "schemaPointer" | "component">,
  ) => {
    const media = record(record(content)["application/json"]);
    const examples = record(media.examples);
    for (const [name, entry] of Object.entries(examples)) {
      const { node, at: exampleAt } = deref(doc, entry, `${at}/examples/${name}`);
      const example: MediaExample = {
        ...base,
        name,
        schemaPointer: `${at}/${escapePointer("application/json")}/schema`,
        value: node.value,
      };
      if (exampleAt.startsWith("#/components/examples/"))
        example.component = exampleAt.slice("#/components/examples/".length);
      found.push(example);
    }
  };
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = record(item[method]);
      if (!item[method]) continue;
      const where = `${method.toUpperCase()} ${path}`;
      const opAt = pointer("paths", path, method);
      const body = deref(doc, operation.requestBody, `${opAt}/requestBody`);
      collect(body.node.content, `${body.at}/content`, { where: `${where} request`, method, path, status: "request" });
      for (const [status, response] of Object.entries(record(operation.responses))) {
        const resolved = deref(doc, response, `${opAt}/responses/${status}`);
        collect(resolved.node.content, `${resolved.at}/content`, {
          where: `${where} ${status} response`,
          method,
          path,
          status,
        });
      }
    }
  }
  return found;
}

/** A validator for one OpenAPI document. Compiled schemas are cached by pointer. */
export interface SpecValidator {
  readonly doc: OpenApiDocument;
  /** Validates `value` against the schema at a JSON pointer of the document. */
  validateAt(schemaPointer: string, value: unknown): ValidationResult;
  /** Validates a JSON request body of an operation. */
  validateRequest(method: string, path: string, body: unknown): ValidationResult;
  /** Validates a JSON response body of an operation for its status (e.g. 200, 429). */
  validateResponse(method: string, path: string, status: number | string, body: unknown): ValidationResult;
  /**
   * Validates the headers of a response against the headers the spec documents for its status:
   * every `required` header must be present, and every documented header that is present must
   * match its schema (a header of an integer schema is read as a number when it is one).
   */
  validateResponseHeaders(
    method: string,
    path: string,
    status: number | string,
    headers: { get(name: string): string | null },
  ): ValidationResult;
  /** Validates a named schema of `components/schemas`. */
  validateSchema(name: string, value: unknown): ValidationResult;
  /** Validates every named example of the document; returns the ones that fail. */
  invalidExamples(): Array<MediaExample & { message: string }>;
}

// ajv-formats ships CommonJS with a default export; under NodeNext it arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv2020,
) => Ajv2020;

/** Builds a validator for the document (specs/openapi.yaml by default). */
export function createSpecValidator(doc: OpenApiDocument = loadSpec()): SpecValidator {
  const ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: true });
  addFormats(ajv);
  // OpenAPI's integer formats are not JSON Schema formats; check their ranges here.
  ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** 31 });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
  // OpenAPI's own keywords, which may stand inside schemas, and the document's top-level fields.
  ajv.addVocabulary(["discriminator", "xml", "externalDocs", "example"]);
  ajv.addVocabulary(["openapi", "info", "servers", "paths", "components", "tags", "security", "webhooks"]);
  ajv.addSchema({ ...doc, $id: SPEC_ID, $schema: "https://json-schema.org/draft/2020-12/schema" });

  const cache = new Map<string, ValidateFunction>();
  const validateAt = (schemaPointer: string, value: unknown): ValidationResult => {
    let validate = cache.get(schemaPointer);
    if (!validate) {
      validate = ajv.compile({ $ref: `${SPEC_ID}${schemaPointer}` });
      cache.set(schemaPointer, validate);
    }
    if (validate(value)) return { ok: true };
    const errors = [...(validate.errors ?? [])];
    return { ok: false, errors, message: ajv.errorsText(errors, { dataVar: "body" }) };
  };

  const mediaPointer = (method: string, path: string, status: string): string => {
    const operation = record(record(doc.paths[path])[method.toLowerCase()]);
    if (!doc.paths[path] || !record(doc.paths[path])[method.toLowerCase()]) {
      throw new Error(`the spec has no operation ${method.toUpperCase()} ${path}`);
    }
    const opAt = pointer("paths", path, method.toLowerCase());
    const target =
      status === "request"
        ? deref(doc, operation.requestBody, `${opAt}/requestBody`)
        : deref(doc, record(operation.responses)[status], `${opAt}/responses/${status}`);
    if (!record(record(target.node.content)["application/json"]).schema) {
      throw new Error(`the spec declares no JSON body for ${method.toUpperCase()} ${path} ${status}`);
    }
    return `${target.at}/content/${escapePointer("application/json")}/schema`;
  };

  const validateResponseHeaders: SpecValidator["validateResponseHeaders"] = (method, path, status, headers) => {
    const operation = record(record(doc.paths[path])[method.toLowerCase()]);
    const opAt = pointer("paths", path, method.toLowerCase());
    const response = deref(doc, record(operation.responses)[String(status)], `${opAt}/responses/${status}`);
    const problems: string[] = [];
    const errors: ErrorObject[] = [];
    for (const [name, entry] of Object.entries(record(response.node.headers))) {
      const header = deref(doc, entry, `${response.at}/headers/${escapePointer(name)}`);
      const raw = headers.get(name);
      if (raw === null) {
        if (header.node.required === true) problems.push(`header ${name} is required but missing`);
        continue;
      }
      const schema = record(header.node.schema);
      const numeric = (schema.type === "integer" || schema.type === "number") && /^-?\d+(\.\d+)?$/.test(raw);
      const result = validateAt(`${header.at}/schema`, numeric ? Number(raw) : raw);
      if (!result.ok) {
        errors.push(...result.errors);
        problems.push(`header ${name} (${JSON.stringify(raw)}): ${result.message}`);
      }
    }
    return problems.length === 0 ? { ok: true } : { ok: false, errors, message: problems.join("; ") };
  };

  return {
    doc,
    validateAt,
    validateResponseHeaders,
    validateRequest: (method, path, body) => validateAt(mediaPointer(method, path, "request"), body),
    validateResponse: (method, path, status, body) => validateAt(mediaPointer(method, path, String(status)), body),
    validateSchema: (name, value) => validateAt(pointer("components", "schemas", name), value),
    invalidExamples: () =>
      listMediaExamples(doc).flatMap((example) => {
        const result = validateAt(example.schemaPointer, example.value);
        return result.ok ? [] : [{ ...example, message: result.message }];
      }),
  };
}
