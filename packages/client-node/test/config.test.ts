import { describe, expect, it } from "vitest";
import { ContactsValidationError, createContactsClient, createContactsClientFromEnv } from "../src/index.js";

const base = { clientId: "id", clientSecret: "secret" };

describe("createContactsClientFromEnv", () => {
  it("lists every missing variable at once", () => {
    const error = (() => {
      try {
        createContactsClientFromEnv({});
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ContactsValidationError);
    expect((error as Error).message).toBe(
      "Missing environment variables: SFMC_SUBDOMAIN, SFMC_CLIENT_ID, SFMC_CLIENT_SECRET. Set them (or pass the options) to reach Marketing Cloud.",
    );
  });

  it("names the one that is missing", () => {
    expect(() =>
      createContactsClientFromEnv({ SFMC_SUBDOMAIN: "t", SFMC_CLIENT_ID: "id", SFMC_CLIENT_SECRET: " " }),
    ).toThrow("Missing environment variable: SFMC_CLIENT_SECRET.");
  });

  it("builds a client from the variables (account id optional; base URLs stand in for the subdomain)", () => {
    expect(
      createContactsClientFromEnv({ SFMC_SUBDOMAIN: "t", SFMC_CLIENT_ID: "id", SFMC_CLIENT_SECRET: "s" }).establish,
    ).toBeTypeOf("function");
    expect(
      createContactsClientFromEnv({
        SFMC_CLIENT_ID: "id",
        SFMC_CLIENT_SECRET: "s",
        SFMC_REST_BASE_URL: "http://127.0.0.1:8080",
        SFMC_AUTH_BASE_URL: "http://127.0.0.1:8080",
      }).establish,
    ).toBeTypeOf("function");
  });
});

describe("security checks at creation", () => {
  it.each(["evil.com/x", "a.b", "tenant?x", "", "-tenant", "a".repeat(64), "tenant.rest.marketingcloudapis.com#"])(
    "refuses the subdomain %j",
    (subdomain) => {
      expect(() => createContactsClient({ ...base, subdomain })).toThrow(ContactsValidationError);
    },
  );

  it("accepts letters, digits and hyphens", () => {
    expect(() => createContactsClient({ ...base, subdomain: "mc563885gzs27c5t9-63k636ttgm" })).not.toThrow();
  });

  it.each([
    ["plain http to a remote host", { baseUrl: "http://example.com" }, /https/],
    ["plain http auth to a remote host", { subdomain: "t", authBaseUrl: "http://10.0.0.1:8080" }, /https/],
    ["a base with credentials", { subdomain: "t", baseUrl: "https://user:pw@example.com" }, /credentials/],
    ["not a URL", { subdomain: "t", baseUrl: "nope" }, /absolute URL/],
  ])("refuses %s", (_, extra, message) => {
    expect(() => createContactsClient({ ...base, subdomain: "t", ...extra })).toThrow(message);
  });

  it.each(["http://localhost:3000", "http://127.0.0.1:9", "http://[::1]:80", "https://proxy.example.com/sfmc"])(
    "accepts the explicit base %s",
    (url) => {
      expect(() => createContactsClient({ ...base, baseUrl: url, authBaseUrl: url })).not.toThrow();
    },
  );

  it.each([
    [{ clientId: "" }, /clientId/],
    [{ clientSecret: undefined }, /clientSecret/],
    [{ transport: "xhr" }, /transport/],
    [{ timeoutMs: 0 }, /timeoutMs/],
    [{ retry: { attempts: 0 } }, /retry.attempts/],
  ])("refuses %j", (extra, message) => {
    expect(() => createContactsClient({ ...base, subdomain: "t", ...(extra as object) })).toThrow(message);
  });

  it("says which subdomain is wrong, without any secret", () => {
    try {
      createContactsClient({ clientId: "id", clientSecret: "s3cr3t", subdomain: "bad host" });
    } catch (error) {
      expect((error as Error).message).toContain('"bad host"');
      expect(JSON.stringify(error) + String(error)).not.toContain("s3cr3t");
    }
  });
});
