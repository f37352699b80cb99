/**
 * The public ContactsThrottledError and the twin the clients throw (throttle.ts, lazy, so the
 * browser download does not carry the class) must read as one class to an app.
 */
import { describe, expect, it } from "vitest";
import { ContactsError, ContactsThrottledError, type EstablishAllSummary, isContactsError } from "../src/index.js";
import { isThrottled, throttledError } from "../src/throttle.js";

const summary: EstablishAllSummary = {
  total: 1,
  processed: 1,
  established: 0,
  created: 0,
  existing: 0,
  failed: 1,
  notSent: 1,
  batches: 0,
  throttled: 1,
  stopped: true,
  pausedMs: 0,
};

describe("ContactsThrottledError and the twin the clients throw", () => {
  const cause = new Error("the answer");
  const thrown = throttledError(
    "stopped",
    { retryAfter: 5, errorcode: 50100, summary, stoppedBy: "retry-after" as const },
    cause,
  );
  const made = new ContactsThrottledError(
    "stopped",
    { retryAfter: 5, errorcode: 50100, summary, stoppedBy: "retry-after" as const },
    cause,
  );

  it("a thrown one is instanceof the public class, ContactsError and Error", () => {
    expect(thrown).toBeInstanceOf(ContactsThrottledError);
    expect(thrown).toBeInstanceOf(ContactsError);
    expect(thrown).toBeInstanceOf(Error);
    expect(isContactsError(thrown)).toBe(true);
  });

  it("one made with the public class is recognised as the twin", () => {
    expect(isThrottled(made)).toBe(true);
    expect(isThrottled(new Error("x"))).toBe(false);
  });

  it("both have the same name, code, fields, retryable and cause", () => {
    const view = (error: ContactsThrottledError) => ({
      name: error.name,
      code: error.code,
      message: error.message,
      retryAfter: error.retryAfter,
      errorcode: error.errorcode,
      summary: error.summary,
      stoppedBy: error.stoppedBy,
      retryable: error.retryable,
      cause: error.cause,
      own: Object.keys(error).sort(),
    });
    expect(view(thrown)).toEqual(view(made));
    expect(view(thrown)).toMatchObject({ name: "ContactsThrottledError", code: "CONTACTS_THROTTLED", retryable: true });
    expect(String(thrown)).toBe("ContactsThrottledError: stopped");
  });
});
