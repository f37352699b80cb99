/**
 * Issue 10, points 5 and 15, in Node (where tests of apps using jsdom or happy-dom run): a
 * relative base URL resolves against `location` when there is one, and is a validation error at
 * creation when there is none (it used to fail each request with "Failed to parse URL", retried
 * as a network error for 5 s). Runs in the package's Node project; a browser has a `location`
 * that cannot be removed or replaced.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { ContactsValidationError, createContactsClient } from "../../src/index.js";

const answer = {
  items: [],
  resultMessages: [],
  requestServiceMessageID: "r",
  responseDateTime: "t",
  serviceMessageID: "s",
};

/** A fetch that records the URLs it is asked for and answers a valid (empty) establish. */
function recordingFetch() {
  const urls: string[] = [];
  const fetch = async (request: Request) => {
    urls.push(request.url);
    return Response.json({
      ...answer,
      items: [
        {
          value: {
            requestedContactKey: "Key1",
            contactReference: { contactID: 1, contactKey: "Key1", contactType: "Default", contactStatus: "Active" },
          },
          requestItemIndex: 0,
          resultMessages: [],
        },
      ],
    });
  };
  return { urls, fetch };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe.skipIf(typeof window !== "undefined")("base URLs in Node", () => {
  it("without a location, a relative base is a ContactsValidationError at creation", () => {
    expect(globalThis.location).toBeUndefined();
    expect(() => createContactsClient({ baseUrl: "/api/sfmc" })).toThrow(ContactsValidationError);
    expect(() => createContactsClient({ baseUrl: "/api/sfmc" })).toThrow(/baseUrl .*\/path/);
  });

  it("without a location, an absolute https base works", async () => {
    const { urls, fetch } = recordingFetch();
    const client = createContactsClient({ baseUrl: "https://tenant.rest.marketingcloudapis.com/", fetch });
    expect((await client.establish(["Key1"])).contacts).toHaveLength(1);
    expect(urls).toEqual(["https://tenant.rest.marketingcloudapis.com/contacts/v1/establish"]);
  });

  describe("with a location (as jsdom and happy-dom give)", () => {
    const stubLocation = (href: string) => vi.stubGlobal("location", new URL(href));

    it("resolves a relative base against it, and establishes there", async () => {
      stubLocation("http://localhost:3000/app/page?x=1");
      const { urls, fetch } = recordingFetch();
      const client = createContactsClient({ baseUrl: "/api/sfmc", fetch, retry: false });
      expect((await client.establish(["Key1"])).contacts).toHaveLength(1);
      expect(urls).toEqual(["http://localhost:3000/api/sfmc/contacts/v1/establish"]);
    });

    it.each(["//evil.example/api", "/\\evil.example/api", "/\t/evil.example", "\\\\evil.example"])(
      "refuses %j, which would leave the page's origin",
      (baseUrl) => {
        stubLocation("https://app.example/");
        expect(() => createContactsClient({ baseUrl })).toThrow(ContactsValidationError);
      },
    );

    it("still refuses plain http to another host", () => {
      stubLocation("http://localhost:3000/");
      expect(() => createContactsClient({ baseUrl: "http://tenant.rest.marketingcloudapis.com" })).toThrow(
        ContactsValidationError,
      );
    });

    it("a page with no usable origin (about:blank) cannot resolve a relative base", () => {
      stubLocation("about:blank");
      expect(() => createContactsClient({ baseUrl: "/api/sfmc" })).toThrow(ContactsValidationError);
    });
  });
});
