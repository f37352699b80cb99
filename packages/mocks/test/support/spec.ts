/**
 * Runtime checks of mock answers against the spec's schemas (Node only: the validator reads the
 * spec from disk). This is what keeps the mocks from drifting from the spec.
 */
import { createSpecValidator } from "sfmc-contacts-spec/validator";
import type { Answer } from "./http.js";

const validator = createSpecValidator();

/** Throws, naming the problems, unless an answer's status, headers and body match the spec. */
export function assertMatchesSpec(
  route: "establish" | "token",
  answer: Pick<Answer, "status" | "headers" | "body">,
): void {
  const path = route === "establish" ? "/contacts/v1/establish" : "/v2/token";
  const documented = validator.doc.paths[path]?.post as { responses: Record<string, unknown> } | undefined;
  if (!documented || !(String(answer.status) in documented.responses)) {
    throw new Error(`the spec documents no ${answer.status} answer for POST ${path}`);
  }
  const contentType = answer.headers.get("content-type") ?? "";
  if (!contentType.startsWith("application/json")) throw new Error(`content-type is ${contentType}, not JSON`);
  // The product page's array form is the documented object inside a one-element array.
  let body = answer.body;
  if (route === "establish" && answer.status === 200 && Array.isArray(body)) {
    if (body.length !== 1) throw new Error(`an array-wrapped answer has ${body.length} elements, not 1`);
    body = body[0];
  }
  const result = validator.validateResponse("post", path, answer.status, body);
  if (!result.ok) throw new Error(`POST ${path} ${answer.status} body does not match the spec: ${result.message}`);
  // The documented headers too: WWW-Authenticate on a 401 (required), Retry-After in whole seconds.
  const headers = validator.validateResponseHeaders("post", path, answer.status, answer.headers);
  if (!headers.ok) throw new Error(`POST ${path} ${answer.status} headers do not match the spec: ${headers.message}`);
}
