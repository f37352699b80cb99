import { describe, expect, it } from "vitest";
import { ERROR_DOCUMENTATION_URL, marketingCloudError, RATE_LIMIT_DOCUMENTATION_URL } from "../src/index.js";

describe("marketingCloudError", () => {
  it("is Marketing Cloud's error shape, pointing at the error-handling page", () => {
    expect(marketingCloudError(10002, "ContactKeys: required field is missing")).toEqual({
      message: "ContactKeys: required field is missing",
      errorcode: 10002,
      documentation: ERROR_DOCUMENTATION_URL,
    });
  });

  it.each([50000, 50100, 50200, 50300])("points errorcode %i at the rate-limiting page", (errorcode) => {
    expect(marketingCloudError(errorcode, "x").documentation).toBe(RATE_LIMIT_DOCUMENTATION_URL);
  });

  it("carries retryAfter and additionalErrors when given", () => {
    expect(marketingCloudError(50100, "Rate limit exceeded.", { retryAfter: 30 })).toEqual({
      message: "Rate limit exceeded.",
      errorcode: 50100,
      documentation: RATE_LIMIT_DOCUMENTATION_URL,
      retryAfter: 30,
    });
  });
});
