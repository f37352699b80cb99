/**
 * `sfmc-contacts doctor` (issue 12, point 12), run as users run it (the built bin), against the
 * mocks' HTTP server (which must pass), against a loopback server that drifts from the spec on
 * purpose (each drift named by its JSON path), and against configurations that must be fixed
 * first (exit 2, with the fix). Verdicts are read from exit codes, the report and request
 * counts, never from timing.
 */
import type { ServerResponse } from "node:http";
import { type ContactsHttpServer, startContactsHttpServer } from "@sfmc-contacts/mocks/http-server";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  answerEstablish,
  establishAnswerFor,
  type Listening,
  type Loopback,
  listen,
  startLoopback,
} from "../../../tests/support/loopback.js";
import { networkFinding, tenantRestBase } from "../src/doctor.js";
import { type CliRun, loopbackEnv, runCli } from "./run-cli.js";

const SECRET = "cli-secret-never-printed";
/** The loopback's token (tests/support/loopback.ts). */
const LOOPBACK_TOKEN = "loopback-token-0123456789";

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

/** Every finding line of a text report. */
const findings = (run: CliRun) => run.stdout.split("\n").filter((line) => line.startsWith("- ["));

/** Neither the client secret nor a token appears anywhere the doctor wrote. */
function expectNoSecrets(run: CliRun, ...secrets: string[]) {
  for (const secret of [SECRET, ...secrets]) {
    expect(run.stdout).not.toContain(secret);
    expect(run.stderr).not.toContain(secret);
  }
}

describe("against the mocks' HTTP server: every answer matches the spec", () => {
  let mock: ContactsHttpServer;
  let proxy: Listening;
  /** Every body the mock answered, as it went to the doctor (the token among them). */
  const answers: string[] = [];
  beforeAll(async () => {
    mock = await startContactsHttpServer({ seed: 1 });
    // A pass-through in front of the mock, to learn the token the doctor must never print.
    proxy = await listen(async (request, body, response) => {
      const upstream = await fetch(`${mock.url}${request.url}`, {
        method: "POST",
        headers: Object.entries(request.headers).flatMap(([k, v]) =>
          ["content-type", "authorization", "accept"].includes(k) && typeof v === "string" ? [[k, v]] : [],
        ) as Array<[string, string]>,
        body,
      });
      const text = await upstream.text();
      answers.push(text);
      const headers: Record<string, string> = {};
      for (const name of ["content-type", "www-authenticate"]) {
        const value = upstream.headers.get(name);
        if (value !== null) headers[name] = value;
      }
      response.writeHead(upstream.status, headers).end(text);
    });
  });
  afterAll(async () => {
    await proxy.close();
    await mock.close();
  });

  it("token and establish match (exit 0), and the report holds neither the secret nor the token", async () => {
    answers.length = 0;
    mock.mock.reset();
    const run = await runCli(["doctor", "--key", "Key1"], { env: loopbackEnv(proxy.url) });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("- matches the spec (#/components/schemas/TokenResponse)");
    expect(run.stdout).toContain("- matches the spec (#/components/schemas/EstablishContactsResponse)");
    expect(run.stdout).toContain("- none: every answer matches the spec");
    expect(run.stdout).toContain("exit 0: every answer matches the spec");
    expect(run.stdout).toMatch(/- spec: sfmc-contacts OpenAPI \d+\.\d+\.\d+/);
    expect(run.stdout).toMatch(/- node: v\d+\./);
    expect(run.stdout).toContain(`auth ${new URL(proxy.url).host}`);

    const token = (JSON.parse(answers[0] ?? "{}") as { access_token?: string }).access_token;
    expect(token).toMatch(/^\S{16,}$/);
    expectNoSecrets(run, token as string);
    // The one establish call, with results requested, as the doctor's report says.
    const sent = mock.mock.requests.filter((r) => r.route === "establish");
    expect(sent.map((r) => r.body)).toEqual([
      { ContactKeys: ["Key1"], ReturnResults: true, CorrelateResponseItem: true, IncludeNewContactAwareness: true },
    ]);
  });

  it("--json prints the same report as JSON", async () => {
    answers.length = 0;
    const run = await runCli(["doctor", "--key", "Key1", "--json"], { env: loopbackEnv(proxy.url) });
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as {
      exitCode: number;
      complete: boolean;
      findings: unknown[];
      specVersion: string;
      hosts: { auth: string; rest: string };
      steps: Array<{ step: string; lines: string[] }>;
    };
    expect(report.exitCode).toBe(0);
    expect(report.findings).toEqual([]);
    // Every check asked for (token, and establish for --key) happened.
    expect(report.complete).toBe(true);
    expect(report.hosts.rest).toBe(new URL(proxy.url).host);
    expect(report.steps.find((s) => s.step === "establish")?.lines).toContain(
      "matches the spec (#/components/schemas/EstablishContactsResponse)",
    );
    const token = (JSON.parse(answers[0] ?? "{}") as { access_token?: string }).access_token as string;
    expectNoSecrets(run, token);
  });

  it("--mock checks the embedded mock: exit 0, with and without --key", async () => {
    const tokenOnly = await runCli(["doctor", "--mock"]);
    expect(tokenOnly.code).toBe(0);
    expect(tokenOnly.stdout).toContain("exit 0: every answer matches the spec");
    const withKey = await runCli(["doctor", "--mock", "--key", "Key1"]);
    expect(withKey.code).toBe(0);
    expect(withKey.stdout).toContain("- matches the spec (#/components/schemas/EstablishContactsResponse)");
  });
});

describe("against a server that drifts from the spec: exit 1, each drift named by its JSON path", () => {
  let service: Loopback;
  beforeEach(async () => {
    service = await startLoopback();
  });
  afterEach(async () => {
    await service.close();
  });

  /** A valid establish body, as the drifts change it. */
  type Body = { items: Array<{ value: { contactReference: Record<string, unknown> } }>; [field: string]: unknown };
  /** Establish answers a valid body for the keys sent, changed by `drift`. */
  const establishDrifts = (drift: (body: Body) => unknown) => {
    service.onEstablish = (_request, body, response) =>
      json(response, 200, drift(JSON.parse(establishAnswerFor(body)) as Body));
  };
  const doctor = (...args: string[]) => runCli(["doctor", "--key", "Key1", ...args], { env: loopbackEnv(service.url) });

  it("an extra field", async () => {
    establishDrifts((body) => {
      (body.items[0] as Body["items"][0]).value.contactReference.favouriteColour = "teal";
      return body;
    });
    const run = await doctor();
    expect(run.code).toBe(1);
    expect(findings(run)).toEqual([
      '- [mismatch] establish 200 $.items[0].value.contactReference.favouriteColour: expected no such field (the spec does not document it: extra field); got string "teal"',
    ]);
    expect(run.stdout).toContain("exit 1: 1 difference from the spec");
  });

  it("a missing required field", async () => {
    establishDrifts((body) => {
      delete body.serviceMessageID;
      return body;
    });
    const run = await doctor();
    expect(run.code).toBe(1);
    expect(findings(run)).toEqual([
      "- [mismatch] establish 200 $.serviceMessageID: expected this required field; got nothing (missing)",
    ]);
  });

  it("a string contactID", async () => {
    establishDrifts((body) => {
      const contact = (body.items[0] as Body["items"][0]).value.contactReference;
      contact.contactID = String(contact.contactID);
      return body;
    });
    const run = await doctor();
    expect(run.code).toBe(1);
    expect(findings(run)).toEqual([
      '- [mismatch] establish 200 $.items[0].value.contactReference.contactID: expected integer; got string "1000"',
    ]);
  });

  it("an array-wrapped establish body (the product page's form)", async () => {
    establishDrifts((body) => [body]);
    const run = await doctor();
    expect(run.code).toBe(1);
    expect(findings(run)).toHaveLength(1);
    expect(findings(run)[0]).toMatch(
      /^- \[mismatch\] establish 200 \$: expected object \(the product page shows this body inside a one-element array.*; got array \[\{"items":/,
    );
  });

  it("a status the spec does not document", async () => {
    service.onEstablish = (_request, _body, response) => json(response, 418, { message: "I'm a teapot" });
    const run = await doctor();
    expect(run.code).toBe(1);
    expect(findings(run)).toEqual([
      '- [mismatch] establish 418 status: expected a status the spec documents for POST /contacts/v1/establish (200, 400, 401, 403, 415, 429, 500, 503); got 418, body {"message":"I\'m a teapot"}',
    ]);
  });

  it("a token answer that echoes the client secret: named, and redacted everywhere", async () => {
    service.onToken = (_request, _body, response) =>
      json(response, 200, {
        access_token: LOOPBACK_TOKEN,
        token_type: "Bearer",
        expires_in: 1079,
        scope: "list_and_subscribers_write",
        soap_instance_url: `${service.url}/soap/`,
        rest_instance_url: `${service.url}/`,
        client_secret: SECRET,
      });
    for (const format of [[], ["--json"]]) {
      const run = await doctor(...format);
      expect(run.code).toBe(1);
      expectNoSecrets(run, LOOPBACK_TOKEN);
      if (format.length === 0) {
        expect(findings(run)).toEqual([
          '- [mismatch] token 200 $.client_secret: expected no such field (the spec does not document it: extra field); got string "[redacted: client secret]"',
          "- [mismatch] token 200 $.client_secret: expected never the client secret in an answer; got the client secret (redacted here)",
        ]);
      } else {
        const report = JSON.parse(run.stdout) as { findings: Array<{ where: string; step: string; status: number }> };
        expect(report.findings.map((f) => `${f.step} ${f.status} ${f.where}`)).toEqual([
          "token 200 $.client_secret",
          "token 200 $.client_secret",
        ]);
      }
    }
  });

  it("an establish answer that echoes the token in a header: named, and redacted", async () => {
    service.onEstablish = (request, body, response) =>
      json(response, 200, JSON.parse(establishAnswerFor(body)), { "x-echo": String(request.headers.authorization) });
    const run = await doctor();
    expect(run.code).toBe(1);
    expect(findings(run)).toEqual([
      "- [mismatch] establish 200 header x-echo: expected never the access token in an answer; got the access token (redacted here)",
    ]);
    expectNoSecrets(run, LOOPBACK_TOKEN);
  });

  it("an answer too large to read whole", async () => {
    service.onEstablish = (_request, _body, response) => {
      response
        .writeHead(200, { "content-type": "application/json" })
        .end(`{"items":[${" ".repeat(1024 * 1024 + 10)}]}`);
    };
    const run = await doctor();
    expect(run.code).toBe(1);
    expect(findings(run)[0]).toContain("establish 200 $: expected a body the doctor can read whole");
  });
});

describe("a redirect is reported, never followed", () => {
  let service: Loopback;
  let elsewhere: Loopback;
  beforeEach(async () => {
    service = await startLoopback();
    elsewhere = await startLoopback();
  });
  afterEach(async () => {
    await service.close();
    await elsewhere.close();
  });

  it("on the token route: the secret goes nowhere else", async () => {
    service.onToken = (_request, _body, response) => {
      response.writeHead(307, { location: `${elsewhere.url}/v2/token` }).end();
    };
    const run = await runCli(["doctor", "--key", "Key1"], { env: loopbackEnv(service.url) });
    // No token, so --key's establish call was not checked: that is exit 2 (hostile review, finding 5).
    expect(run.code).toBe(2);
    expect(findings(run)).toEqual([
      `- [mismatch] token 307 status: expected a status the spec documents for POST /v2/token (200, 400, 401); got 307 (a redirect to ${elsewhere.url}/v2/token: not followed, nothing was sent there)`,
      "- [config] establish: expected an establish answer to check (--key was given); got none: establish was not checked: there is no usable token (see the token step). Fix: run the doctor again later",
    ]);
    expect(elsewhere.connections).toBe(0);
    expect(service.hits["/contacts/v1/establish"]).toBeUndefined();
    expect(run.stdout).toContain(`redirect targets (not followed) ${new URL(elsewhere.url).host}`);
  });

  it("on establish: the token goes nowhere else", async () => {
    service.onEstablish = (_request, _body, response) => {
      response.writeHead(308, { location: `${elsewhere.url}/contacts/v1/establish` }).end();
    };
    const run = await runCli(["doctor", "--key", "Key1"], { env: loopbackEnv(service.url) });
    expect(run.code).toBe(1);
    expect(findings(run)[0]).toContain(
      `establish 308 status: expected a status the spec documents for POST /contacts/v1/establish`,
    );
    expect(findings(run)[0]).toContain(`a redirect to ${elsewhere.url}/contacts/v1/establish: not followed`);
    expect(elsewhere.connections).toBe(0);
  });
});

describe("the token goes only to a tenant's REST host, unless SFMC_REST_BASE_URL names another", () => {
  it("a rest_instance_url elsewhere gets nothing: exit 2, with the fix", async () => {
    const service = await startLoopback(); // its token names http://127.0.0.1:<port>/ as rest_instance_url
    try {
      const run = await runCli(["doctor", "--key", "Key1"], {
        env: {
          SFMC_SUBDOMAIN: "mc-doctor-test",
          SFMC_CLIENT_ID: "id",
          SFMC_CLIENT_SECRET: SECRET,
          SFMC_AUTH_BASE_URL: service.url,
        },
      });
      expect(run.code).toBe(2);
      expect(findings(run)).toEqual([
        `- [config] establish rest_instance_url: expected https://<subdomain>.rest.marketingcloudapis.com (the only host the token goes to unless you name another); got ${service.url}/; nothing was sent there. Fix: if you trust that host, set SFMC_REST_BASE_URL to it and run again`,
      ]);
      expect(service.hits).toEqual({ "/v2/token": 1 });
    } finally {
      await service.close();
    }
  });

  it("the rule: https, a tenant's *.rest.marketingcloudapis.com host, the default port, nothing else", () => {
    expect(tenantRestBase("https://mc563885gzs27c5t9-63k636ttgm.rest.marketingcloudapis.com/")).toBe(
      "https://mc563885gzs27c5t9-63k636ttgm.rest.marketingcloudapis.com",
    );
    expect(tenantRestBase("https://mc1.rest.marketingcloudapis.com/base/")).toBe(
      "https://mc1.rest.marketingcloudapis.com/base",
    );
    for (const refused of [
      "http://mc1.rest.marketingcloudapis.com/",
      "https://mc1.rest.marketingcloudapis.com:8443/",
      "https://mc1.rest.marketingcloudapis.com.evil.example/",
      "https://evil.example/mc1.rest.marketingcloudapis.com",
      "https://user:pw@mc1.rest.marketingcloudapis.com/",
      "https://mc1.rest.marketingcloudapis.com/?x=1",
      "https://mc1.rest.marketingcloudapis.com/#x",
      "https://a.b.rest.marketingcloudapis.com/",
      "https://evil.example\\@mc1.rest.marketingcloudapis.com/",
      "not a url",
    ]) {
      expect(tenantRestBase(refused), refused).toBeUndefined();
    }
  });
});

describe("without --key, nothing is sent to establish", () => {
  it("only the token request reaches the server; the report says how to send one", async () => {
    const service = await startLoopback();
    try {
      const run = await runCli(["doctor"], { env: loopbackEnv(service.url) });
      expect(run.code).toBe(0);
      expect(service.hits).toEqual({ "/v2/token": 1 });
      expect(run.stdout).toContain("- not sent: pass --key <contactKey> to send one establish call for that key");
    } finally {
      await service.close();
    }
  });
});

describe("configuration and auth problems: exit 2, naming the fix", () => {
  let service: Loopback;
  beforeEach(async () => {
    service = await startLoopback();
  });
  afterEach(async () => {
    await service.close();
  });

  it("no credentials: every missing variable named, nothing sent", async () => {
    const run = await runCli(["doctor", "--key", "Key1"]);
    expect(run.code).toBe(2);
    expect(findings(run)).toEqual([
      expect.stringMatching(
        /^- \[config\] environment SFMC_SUBDOMAIN, SFMC_CLIENT_ID, SFMC_CLIENT_SECRET: expected set; got not set\. Fix: set SFMC_SUBDOMAIN, SFMC_CLIENT_ID, SFMC_CLIENT_SECRET in the environment or in a --dotenv file/,
      ),
    ]);
    expect(run.stdout).toContain("exit 2: a configuration or auth problem");
  });

  it("a subdomain of the wrong form: nothing sent", async () => {
    const run = await runCli(["doctor"], {
      env: { SFMC_SUBDOMAIN: "my_tenant.example", SFMC_CLIENT_ID: "id", SFMC_CLIENT_SECRET: SECRET },
    });
    expect(run.code).toBe(2);
    expect(findings(run)).toEqual([
      expect.stringMatching(
        /^- \[config\] environment SFMC_SUBDOMAIN: expected letters, digits and hyphens only .*; got my_tenant\.example\. Fix: copy the subdomain from Setup > Apps > Installed Packages/,
      ),
    ]);
    expect(run.stdout).toContain("nothing was sent: fix the configuration first");
    expectNoSecrets(run);
  });

  it("the token route refuses the credentials (401 invalid_client)", async () => {
    service.onToken = (_request, _body, response) =>
      json(response, 401, {
        error: "invalid_client",
        error_description: "Client authentication failed.",
        error_uri: "https://developer.salesforce.com/docs",
      });
    const run = await runCli(["doctor", "--key", "Key1"], { env: loopbackEnv(service.url) });
    expect(run.code).toBe(2);
    expect(findings(run)).toEqual([
      "- [config] token 401: expected a token for these credentials; got a refusal invalid_client, Client authentication failed.. Fix: the token route does not accept the credentials: check SFMC_CLIENT_ID and SFMC_CLIENT_SECRET (the installed package's API Integration), that SFMC_ACCOUNT_ID, if set, is a business unit the package can act in, or whether SFMC_SUBDOMAIN names another tenant (compare it with Setup > Apps > Installed Packages > your package > API Integration: its Authentication Base URI is https://<subdomain>.auth.marketingcloudapis.com/)",
    ]);
    expect(service.hits["/contacts/v1/establish"]).toBeUndefined();
  });

  it("establish answers 403: the permission or the IP allowlist, both named; control characters never printed", async () => {
    service.onEstablish = (_request, _body, response) =>
      json(response, 403, {
        message: "Insufficient privileges\u001b]0;owned\u0007",
        errorcode: 20002,
        documentation: "https://developer.salesforce.com/docs",
      });
    const run = await runCli(["doctor", "--key", "Key1"], { env: loopbackEnv(service.url) });
    expect(run.code).toBe(2);
    const [line, ...others] = findings(run);
    expect(others).toEqual([]);
    expect(line).toContain(
      "[config] establish 403: expected establish to be allowed; got a refusal Insufficient privileges",
    );
    expect(line).toContain('"Administer Contact Data Model"');
    expect(line).toContain("list_and_subscribers_write");
    expect(line).toContain("IP allowlist");
    expect(run.stdout).not.toContain("\u001b");
    expect(run.stdout).not.toContain("\u0007");
  });

  it("a config problem and a mismatch: exit 2 wins, and the mismatch is still listed", async () => {
    // A 403 body without its documented `documentation` field.
    service.onEstablish = (_request, _body, response) =>
      json(response, 403, { message: "Forbidden", errorcode: 20002 });
    const run = await runCli(["doctor", "--key", "Key1"], { env: loopbackEnv(service.url) });
    expect(run.code).toBe(2);
    expect(findings(run)).toEqual([
      "- [mismatch] establish 403 $.documentation: expected this required field; got nothing (missing)",
      expect.stringContaining("- [config] establish 403: expected establish to be allowed"),
    ]);
    expect(run.stdout).toContain("also 1 difference from the spec; exit 2 wins");
  });

  it("the auth host refuses the connection", async () => {
    const closed = await listen(() => {});
    const url = closed.url;
    await closed.close();
    const run = await runCli(["doctor"], { env: loopbackEnv(url) });
    expect(run.code).toBe(2);
    expect(findings(run)).toEqual([
      expect.stringMatching(
        /^- \[config\] token 127\.0\.0\.1:\d+: expected an answer from 127\.0\.0\.1:\d+; got connection refused \(ECONNREFUSED.*Fix: nothing listens at 127\.0\.0\.1:\d+, or a firewall refuses the connection: check SFMC_AUTH_BASE_URL/,
      ),
    ]);
  });

  it("no answer within --timeout", async () => {
    service.onToken = () => {}; // never answers
    const run = await runCli(["doctor", "--key", "Key1", "--timeout", "500"], { env: loopbackEnv(service.url) });
    expect(run.code).toBe(2);
    expect(findings(run)).toEqual([
      expect.stringMatching(
        /^- \[config\] token 127\.0\.0\.1:\d+: .*; got no answer in time \(TIMEOUT: no whole answer within 500 ms\)\. Fix: .*raise --timeout/,
      ),
    ]);
    expect(service.hits["/contacts/v1/establish"]).toBeUndefined();
  });

  it("a name that does not resolve: the subdomain is the likely culprit (DNS failure, no network needed)", () => {
    const finding = networkFinding(
      "token",
      "https://mc-wrong.auth.marketingcloudapis.com/v2/token",
      { code: "ENOTFOUND", message: "getaddrinfo ENOTFOUND mc-wrong.auth.marketingcloudapis.com" },
      30_000,
    );
    expect(finding).toMatchObject({ kind: "config", step: "token", got: "no such host (DNS, ENOTFOUND)" });
    expect(finding.fix).toContain("SFMC_SUBDOMAIN is most likely wrong");
  });
});

describe("answers the spec documents but that are not a success", () => {
  it("a 429 that matches the spec is no mismatch, but establish was not checked: exit 2, run again later", async () => {
    const service = await startLoopback();
    try {
      service.onEstablish = (_request, _body, response) =>
        json(
          response,
          429,
          { message: "Rate limit exceeded.", errorcode: 50100, documentation: "https://x.example/doc", retryAfter: 30 },
          { "retry-after": "30" },
        );
      const run = await runCli(["doctor", "--key", "Key1"], { env: loopbackEnv(service.url) });
      expect(run.code).toBe(2);
      expect(findings(run)).toEqual([
        "- [config] establish: expected an establish answer to check (--key was given); got none: establish was not checked: the service answered 429 (busy or failing: Rate limit exceeded., errorcode 50100). Fix: run the doctor again later",
      ]);
      // The header is held to its schema too: an integer.
      service.onEstablish = (_request, _body, response) =>
        json(response, 429, { message: "m", errorcode: 50100, documentation: "d" }, { "retry-after": "soon" });
      const drifted = await runCli(["doctor", "--key", "Key1"], { env: loopbackEnv(service.url) });
      expect(drifted.code).toBe(2);
      expect(findings(drifted)).toEqual([
        "- [mismatch] establish 429 header Retry-After: expected a value that must be integer; got soon",
        expect.stringContaining("- [config] establish: expected an establish answer to check (--key was given)"),
      ]);
      expect(drifted.stdout).toContain(
        "exit 2: establish was not checked: run the doctor again later (also 1 difference from the spec;",
      );
      service.onEstablish = answerEstablish;
    } finally {
      await service.close();
    }
  });
});
