/**
 * The doctor against a hostile or broken service (issue 12's hostile review, findings 2, 3 and
 * 5): a report meant for a public issue never shows the client secret or the token, however the
 * service echoes them (JSON-escaped, split across fields, as an object key, in a body that is not
 * JSON or too large); a deeply nested answer is one finding, not a crash; a failure of the doctor
 * itself still prints the report; and `--key` never ends in "every answer matches" when establish
 * was not checked. Every case runs the built bin, in text and in --json, and is judged by the
 * exit code and the report.
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Loopback, startLoopback } from "../../../tests/support/loopback.js";
import { type CliRun, runCli } from "./run-cli.js";

/** A secret of the usual form, with a `/` and a `+` that JSON writers may escape (`\/`, .NET's `\u002B`). */
const SECRET = "Zx9Qw8Er7T/y6Ui5+Op4As3Df2";
const TOKEN = "loopback-token-0123456789";

/** `\uXXXX` for one character, as a JSON writer may put it. */
const u = (char: string) => `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`;
/** The secret as a JSON string's content with its characters escaped: `Z\u0078...`, `\/`, `\u002B`. */
const ESCAPED_SECRET = `${SECRET[0]}${u(SECRET[1] ?? "")}${SECRET.slice(2).replace("/", "\\/").replace("+", u("+"))}`;

const envFor = (url: string, secret = SECRET) => ({
  SFMC_CLIENT_ID: "id",
  SFMC_CLIENT_SECRET: secret,
  SFMC_REST_BASE_URL: url,
  SFMC_AUTH_BASE_URL: url,
});

function send(response: ServerResponse, status: number, text: string, type = "application/json"): void {
  response.writeHead(status, { "content-type": type }).end(text);
}

/** A valid token answer for the loopback, with `extra` fields. */
function tokenAnswer(url: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    access_token: TOKEN,
    token_type: "Bearer",
    expires_in: 1079,
    scope: "list_and_subscribers_write",
    soap_instance_url: `${url}/soap/`,
    rest_instance_url: `${url}/`,
    ...extra,
  });
}

const findings = (run: CliRun) => run.stdout.split("\n").filter((line) => line.startsWith("- ["));

interface JsonReport {
  findings: Array<{ kind: string; step: string; status?: number; where?: string; got?: string; retry?: boolean }>;
  complete: boolean;
  exitCode: number;
  result: string;
  steps: Array<{ step: string; lines: string[] }>;
}

/** Runs the doctor in text and in --json; both must exit alike. */
async function both(
  args: string[],
  env: Record<string, string>,
): Promise<{ text: CliRun; json: CliRun; report: JsonReport }> {
  const text = await runCli(["doctor", ...args], { env });
  const json = await runCli(["doctor", ...args, "--json"], { env });
  expect(json.code).toBe(text.code);
  return { text, json, report: JSON.parse(json.stdout) as JsonReport };
}

/** Nothing of `pieces` appears anywhere the doctor wrote, in either format. */
function expectNone(runs: CliRun[], pieces: string[]): void {
  for (const run of runs) {
    for (const piece of pieces) {
      expect(run.stdout, piece).not.toContain(piece);
      expect(run.stderr, piece).not.toContain(piece);
    }
  }
}

/** What the old doctor printed of the secret: it, its escaped form, and the run after the escape. */
const SECRET_FORMS = [SECRET, ESCAPED_SECRET, SECRET.slice(2, 10), SECRET.slice(-10), "Ui5+Op4", "Ui5\\u002BOp4"];

describe("finding 2: the secret or the token never reaches the report, however the service echoes it", () => {
  let service: Loopback;
  beforeEach(async () => {
    service = await startLoopback();
  });
  afterEach(async () => {
    await service.close();
  });

  it("JSON-escaped in an answer of an undocumented status: the echo is named, the body is not quoted", async () => {
    service.onToken = (_request, _body, response) =>
      send(response, 500, `{"message":"bad client_secret ${ESCAPED_SECRET}"}`);
    const { text, json, report } = await both(["--key", "Key1"], envFor(service.url));
    expectNone([text, json], SECRET_FORMS);
    expect(findings(text)).toContain(
      "- [mismatch] token 500 $.message: expected never the client secret in an answer; got the client secret (redacted here)",
    );
    const status = findings(text).find((line) => line.includes("token 500 status"));
    expect(status).toMatch(/got 500, a body of \d+ bytes, not quoted: it carries the client secret$/);
    expect(report.findings.find((f) => f.where === "status")?.got).toMatch(/not quoted: it carries the client secret$/);
  });

  it("JSON-escaped in a documented answer (a 401 with an OAuth error): the refusal is not quoted", async () => {
    service.onToken = (_request, _body, response) =>
      send(
        response,
        401,
        `{"error":"invalid_client","error_description":"no client for ${ESCAPED_SECRET}","error_uri":"https://x.example/"}`,
      );
    const { text, json } = await both([], envFor(service.url));
    expect(text.code).toBe(2);
    expectNone([text, json], SECRET_FORMS);
    expect(findings(text)).toContain(
      "- [mismatch] token 401 $.error_description: expected never the client secret in an answer; got the client secret (redacted here)",
    );
    expect(text.stdout).toContain("got a refusal (not quoted: the answer carries the client secret)");
  });

  it("in a body that is not JSON, or over the size limit: described by its size, never quoted", async () => {
    // Every character escaped: no run of the secret is left in the raw text to recognise.
    const allEscaped = [...SECRET].map(u).join("");
    for (const [answer, expected] of [
      [
        (r: ServerResponse) => send(r, 500, `bad client_secret ${allEscaped}`, "text/plain"),
        /token 500 status: .*got 500, a body of \d+ bytes that is not JSON \(text\/plain\), not quoted$/,
      ],
      [
        (r: ServerResponse) => send(r, 401, `<p>${allEscaped}</p>`, "text/html"),
        /token 401 \$: expected a JSON body .*; got a body of \d+ bytes that is not JSON \(text\/html\), not quoted/,
      ],
      [
        (r: ServerResponse) => send(r, 500, `bad client_secret ${ESCAPED_SECRET}`, "text/plain"),
        /token 500 status: .*got 500, a body of \d+ bytes, not quoted: it carries the client secret$/,
      ],
      [
        (r: ServerResponse) => send(r, 200, `{"m":"${allEscaped}"${" ".repeat(1024 * 1024)}}`),
        /token 200 \$: expected a body the doctor can read whole .*; got a body of 1048576\+ bytes, over the doctor's size limit: not read further, not quoted$/,
      ],
      [
        (r: ServerResponse) => send(r, 200, `{"m":"${ESCAPED_SECRET}"${" ".repeat(1024 * 1024)}}`),
        /token 200 \$: expected a body the doctor can read whole .*; got a body of 1048576\+ bytes, not quoted: it carries the client secret$/,
      ],
    ] as const) {
      service.onToken = (_request, _body, response) => answer(response);
      const { text, json } = await both([], envFor(service.url));
      expectNone([text, json], [...SECRET_FORMS, allEscaped, allEscaped.slice(6, 60)]);
      expect(findings(text).join("\n")).toMatch(new RegExp(expected.source, "m"));
    }
  });

  it("the token, JSON-escaped in establish's answer of an undocumented status", async () => {
    const escapedToken = TOKEN.replace("-", u("-"));
    service.onEstablish = (_request, _body, response) => send(response, 418, `{"echo":"Bearer ${escapedToken}"}`);
    const { text, json } = await both(["--key", "Key1"], envFor(service.url));
    expect(text.code).toBe(1);
    expectNone([text, json], [TOKEN, escapedToken, "token-0123456789", "0123456789"]);
    expect(findings(text)).toContain(
      "- [mismatch] establish 418 $.echo: expected never the access token in an answer; got the access token (redacted here)",
    );
  });

  it("split across fields: every piece of 6 characters or more is redacted, and named as part of the secret", async () => {
    service.onToken = (_request, _body, response) =>
      send(
        response,
        200,
        tokenAnswer(service.url, { a: SECRET.slice(0, 8), b: SECRET.slice(8), c: `see ${SECRET.slice(3, 12)}` }),
      );
    const { text, json, report } = await both([], envFor(service.url));
    expect(text.code).toBe(1);
    expectNone([text, json], [SECRET.slice(0, 8), SECRET.slice(8), SECRET.slice(3, 12), SECRET.slice(8, 14)]);
    expect(findings(text)).toEqual(
      expect.arrayContaining([
        '- [mismatch] token 200 $.a: expected no such field (the spec does not document it: extra field); got string "[redacted: part of the client secret]"',
        "- [mismatch] token 200 $.a: expected never the client secret in an answer; got part of the client secret (redacted here)",
        "- [mismatch] token 200 $.b: expected never the client secret in an answer; got part of the client secret (redacted here)",
        "- [mismatch] token 200 $.c: expected never the client secret in an answer; got part of the client secret (redacted here)",
      ]),
    );
    expect(
      report.findings.filter((f) => f.got === "part of the client secret (redacted here)").map((f) => f.where),
    ).toEqual(["$.a", "$.b", "$.c"]);
  });

  it("a short secret as an object key: redacted in the path (text and JSON), and named", async () => {
    const short = "Q7shrtX";
    service.onToken = (_request, _body, response) => send(response, 200, tokenAnswer(service.url, { [short]: 1 }));
    const { text, json, report } = await both([], envFor(service.url, short));
    expect(text.code).toBe(1);
    expectNone([text, json], [short]);
    expect(findings(text)).toEqual([
      '- [mismatch] token 200 $["[redacted: client secret]"]: expected no such field (the spec does not document it: extra field); got integer 1',
      '- [mismatch] token 200 $["[redacted: client secret]"]: expected never the client secret in an answer; got the client secret (redacted here)',
    ]);
    expect(report.findings.map((f) => f.where)).toEqual([
      '$["[redacted: client secret]"]',
      '$["[redacted: client secret]"]',
    ]);
  });

  it("a control character inside the secret does not hide it from the redactor", async () => {
    const broken = `${SECRET.slice(0, 4)}\\u0007${SECRET.slice(4)}`;
    service.onToken = (_request, _body, response) => send(response, 200, tokenAnswer(service.url, { x: broken }));
    const { text, json } = await both([], envFor(service.url));
    expectNone([text, json], SECRET_FORMS);
  });
});

describe("finding 3: a deeply nested answer is one finding, never a crash", () => {
  let service: Loopback;
  beforeEach(async () => {
    service = await startLoopback();
  });
  afterEach(async () => {
    await service.close();
  });

  const arrays = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
  const objects = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

  it("establish answers 3,000 nested arrays (6 kB): exit 1, the report says so", async () => {
    service.onEstablish = (_request, _body, response) => send(response, 200, arrays(3000));
    const { text, report } = await both(["--key", "Key1"], envFor(service.url));
    expect(text.stderr).toBe("");
    expect(text.code).toBe(1);
    expect(findings(text)).toEqual([
      "- [mismatch] establish 200 $: expected a body as the spec describes it (#/components/schemas/EstablishContactsResponse), a few levels deep; got a JSON body of 6000 bytes nested deeper than 64 levels, not quoted; not validated further",
    ]);
    expect(report.exitCode).toBe(1);
    expect(report.complete).toBe(true);
  });

  it("the token route answers 100,000 nested objects, or an undocumented status with a deep body", async () => {
    service.onToken = (_request, _body, response) => send(response, 200, objects(100_000));
    const deep = await both([], envFor(service.url));
    expect(deep.text.stderr).toBe("");
    expect(deep.text.code).toBe(1);
    expect(findings(deep.text)).toEqual([
      expect.stringMatching(
        /^- \[mismatch\] token 200 \$: .*got a JSON body of \d+ bytes nested deeper than 64 levels/,
      ),
    ]);
    service.onToken = (_request, _body, response) => send(response, 502, arrays(5000));
    const status = await both([], envFor(service.url));
    expect(status.text.stderr).toBe("");
    expect(status.text.code).toBe(1);
    expect(findings(status.text)).toEqual([
      expect.stringMatching(
        /^- \[mismatch\] token 502 status: .*got 502, a JSON body of 10000 bytes nested deeper than 64 levels, not quoted$/,
      ),
    ]);
  });

  it("a body 64 levels deep is still validated field by field", async () => {
    // The top object and 63 below it: 64 levels, the most the doctor walks.
    service.onEstablish = (_request, _body, response) => send(response, 200, `{"deep":${objects(63)}}`);
    const run = await runCli(["doctor", "--key", "Key1"], { env: envFor(service.url) });
    expect(run.code).toBe(1);
    expect(findings(run)).toContain(
      "- [mismatch] establish 200 $.items: expected this required field; got nothing (missing)",
    );
    expect(findings(run).join("\n")).toContain("$.deep: expected no such field");
  });
});

describe("a failure of the doctor itself: the report still prints, with an internal-error finding", () => {
  let dir: string;
  let probe: string;
  let service: Loopback;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sfmc-contacts-doctor-probe-"));
    probe = join(dir, "throw.mjs");
    // Makes the doctor's own reading of an answer throw, as a bug would, when the answer holds a marker.
    await writeFile(
      probe,
      `const matchAll = String.prototype.matchAll;
String.prototype.matchAll = function (pattern) {
  if (String(this).includes("doctor-probe-throw")) throw new TypeError("probe: the doctor tripped over " + this.length + " characters");
  return matchAll.call(this, pattern);
};
`,
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    service = await startLoopback();
  });
  afterEach(async () => {
    await service.close();
  });

  it("exit 1, the steps so far, and a request to file it as a doctor bug; secrets still redacted", async () => {
    service.onToken = (_request, _body, response) =>
      send(response, 200, tokenAnswer(service.url, { note: "doctor-probe-throw" }));
    const env = envFor(service.url);
    const text = await runCli(["doctor", "--key", "Key1"], { env, nodeArgs: ["--import", probe] });
    const json = await runCli(["doctor", "--key", "Key1", "--json"], { env, nodeArgs: ["--import", probe] });
    for (const run of [text, json]) {
      expect(run.stderr).toBe("");
      expect(run.code).toBe(1);
    }
    expect(findings(text)).toEqual([
      expect.stringMatching(
        /^- \[internal\] token: expected the doctor to finish this step; got an internal error: TypeError: probe: the doctor tripped over \d+ characters\. Fix: this is a bug in the doctor, not a finding about your tenant: please file this report as a doctor bug/,
      ),
    ]);
    expect(text.stdout).toContain("- SFMC_CLIENT_SECRET: set");
    expect(text.stdout).toContain("- not sent: the doctor failed in the token step (see the findings)");
    expect(text.stdout).toContain(
      "exit 1: the doctor itself failed (internal error above), so this report is not complete: please file it as a doctor bug",
    );
    const report = JSON.parse(json.stdout) as JsonReport;
    expect(report).toMatchObject({ complete: false, exitCode: 1 });
    expect(report.findings.map((f) => f.kind)).toEqual(["internal"]);
    expectNone([text, json], [SECRET, TOKEN]);
    expect(service.hits["/contacts/v1/establish"]).toBeUndefined();
  });
});

describe("finding 5: --key never passes when establish was not checked (exit 2, complete: false)", () => {
  let service: Loopback;
  beforeEach(async () => {
    service = await startLoopback();
  });
  afterEach(async () => {
    await service.close();
  });

  it("an empty access_token: a mismatch of the spec (minLength 1), and establish was not checked", async () => {
    service.onToken = (_request, _body, response) =>
      send(response, 200, tokenAnswer(service.url, { access_token: "" }));
    const { text, report } = await both(["--key", "Key1"], envFor(service.url));
    expect(text.code).toBe(2);
    expect(findings(text)).toEqual([
      '- [mismatch] token 200 $.access_token: expected a value that must NOT have fewer than 1 characters; got string ""',
      "- [config] establish: expected an establish answer to check (--key was given); got none: establish was not checked: there is no usable token (see the token step). Fix: run the doctor again later",
    ]);
    expect(text.stdout).toContain(
      "- establish was not checked: there is no usable token (see the token step); run the doctor again later",
    );
    expect(text.stdout).toContain("exit 2: establish was not checked: run the doctor again later");
    expect(text.stdout).not.toContain("every answer matches the spec");
    expect(report).toMatchObject({ complete: false, exitCode: 2 });
    expect(report.findings[1]).toMatchObject({ kind: "config", step: "establish", retry: true });
    expect(service.hits["/contacts/v1/establish"]).toBeUndefined();
  });

  it.each([
    [500, { message: "An error occurred", errorcode: 0, documentation: "https://x.example/doc" }, {}],
    [503, { message: "Service Unavailable", errorcode: 0, documentation: "https://x.example/doc" }, {}],
    [
      429,
      { message: "Rate limit exceeded.", errorcode: 50100, documentation: "https://x.example/doc" },
      { "retry-after": "30" },
    ],
  ])("establish answers %i as the spec documents it: exit 2, run again later", async (status, body, headers) => {
    service.onEstablish = (_request, _body, response) => {
      response.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
    };
    const { text, report } = await both(["--key", "Key1"], envFor(service.url));
    expect(text.code).toBe(2);
    expect(findings(text)).toEqual([
      `- [config] establish: expected an establish answer to check (--key was given); got none: establish was not checked: the service answered ${status} (busy or failing: ${body.message}, errorcode ${body.errorcode}). Fix: run the doctor again later`,
    ]);
    // Its answer was still held to the spec.
    expect(text.stdout).toContain("- matches the spec (#/components/schemas/MarketingCloudError)");
    expect(text.stdout).not.toContain("every answer matches the spec");
    expect(report).toMatchObject({ complete: false, exitCode: 2 });
  });

  it("without --key nothing is asked of establish: complete, exit 0", async () => {
    const { text, report } = await both([], envFor(service.url));
    expect(text.code).toBe(0);
    expect(report).toMatchObject({ complete: true, exitCode: 0, findings: [] });
  });

  it("a refused token (401) is the configuration problem it is: no second finding, still not complete", async () => {
    service.onToken = (_request, _body, response) =>
      send(
        response,
        401,
        JSON.stringify({ error: "invalid_client", error_description: "no", error_uri: "https://x.example/" }),
      );
    const { text, report } = await both(["--key", "Key1"], envFor(service.url));
    expect(text.code).toBe(2);
    expect(findings(text)).toHaveLength(1);
    expect(findings(text)[0]).toContain("or whether SFMC_SUBDOMAIN names another tenant");
    expect(report.complete).toBe(false);
  });
});
