/**
 * `sfmc-contacts doctor`: checks a tenant's answers against the spec, for people who can reach
 * one. Three steps: the environment (nothing sent), a token request, and, only with --key, one
 * establish call. Every answer is held to the spec's schema for its route and status; the report
 * says what differs, or what to fix, with every secret redacted. Loaded by main.ts with import()
 * when the command runs.
 */
import { randomBytes } from "node:crypto";
import {
  assertContactKeys,
  ContactsValidationError,
  createContactsClientFromEnv,
  isMarketingCloudRest,
  readRestUrl,
} from "@sfmc-contacts/client-node";
import { CliUsageError } from "./cli-error.js";
import { loadEnvironment } from "./credentials.js";
import { exchange, type NetworkFailure } from "./doctor-http.js";
import { childPath, DoctorReport, excerpt, type Finding, holds, type Redactor, type Step } from "./doctor-report.js";
import { type Answer, loadSpecCheck, type ReadBody, readBody, type SpecCheck } from "./doctor-validate.js";
import type { CliIo } from "./main.js";
import { sanitize } from "./output.js";

/** The flags of `sfmc-contacts doctor`. */
export interface DoctorFlags {
  key?: string;
  json?: boolean;
  timeout: number;
  mock?: boolean;
  dotenv?: string;
}

/** The variables the Node client reads (client-node's createContactsClientFromEnv). */
const NAMES = {
  subdomain: "SFMC_SUBDOMAIN",
  clientId: "SFMC_CLIENT_ID",
  clientSecret: "SFMC_CLIENT_SECRET",
  accountId: "SFMC_ACCOUNT_ID",
  restBase: "SFMC_REST_BASE_URL",
  authBase: "SFMC_AUTH_BASE_URL",
} as const;

const TOKEN_ROUTE = { path: "/v2/token", method: "post", step: "token" } as const;
const ESTABLISH_ROUTE = { path: "/contacts/v1/establish", method: "post", step: "establish" } as const;

const WHERE_SUBDOMAIN =
  "Setup > Apps > Installed Packages > your package > API Integration: its Authentication Base URI is https://<subdomain>.auth.marketingcloudapis.com/";

/** What the environment step hands on: where to send, and with what. */
interface Setup {
  authBase: string;
  restBase?: string;
  clientId: string;
  clientSecret: string;
  accountId?: string;
}

const hostOf = (url: string) => new URL(url).host;
const withoutTrailingSlash = (url: string) => new URL(url).href.replace(/\/+$/, "");

/**
 * A tenant's REST base from the token's `rest_instance_url`, or undefined when it may not receive
 * the token: only https on a `<label>.rest.marketingcloudapis.com` host, default port, without
 * credentials, query or fragment (the rule client-node applies before it sends a token there).
 * Exported for its test.
 */
export function tenantRestBase(value: string): string | undefined {
  const base = readRestUrl(value);
  return base !== "" && isMarketingCloudRest(base) ? base : undefined;
}

/** A request that got no answer, as a configuration finding with the likely fix (exported for its test). */
export function networkFinding(step: Step, url: string, failure: NetworkFailure, timeoutMs: number): Finding {
  const host = hostOf(url);
  const variable = step === "token" ? NAMES.authBase : NAMES.restBase;
  const base = { kind: "config", step, where: host, expected: `an answer from ${host}` } as const;
  const said = `${failure.code}: ${failure.message}`;
  if (["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL"].includes(failure.code)) {
    return {
      ...base,
      got: `no such host (DNS, ${failure.code})`,
      fix:
        step === "token"
          ? `the auth host does not resolve: ${NAMES.subdomain} is most likely wrong. Copy it from ${WHERE_SUBDOMAIN}. If it is right, this machine cannot resolve names (offline, or it needs a proxy)`
          : `the REST host does not resolve: check ${variable}, or the token's rest_instance_url, and this machine's DNS`,
    };
  }
  if (failure.code === "ECONNREFUSED") {
    return {
      ...base,
      got: `connection refused (${said})`,
      fix: `nothing listens at ${host}, or a firewall refuses the connection: check ${variable} (host and port) and whether this network needs a proxy`,
    };
  }
  if (["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED"].includes(failure.code)) {
    return {
      ...base,
      got: `the connection was cut (${said})`,
      fix: "a firewall, a proxy or the installed package's IP allowlist may cut connections from this machine: try from an address the package allows",
    };
  }
  if (["TIMEOUT", "ETIMEDOUT", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT"].includes(failure.code)) {
    return {
      ...base,
      got: `no answer in time (${said})`,
      fix: `check the network, firewall and proxy between this machine and ${host}, or raise --timeout (now ${timeoutMs} ms)`,
    };
  }
  if (/^(CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|ERR_TLS|ERR_SSL|ERR_CERT)/.test(failure.code)) {
    return {
      ...base,
      got: `TLS failed (${said})`,
      fix: "a proxy that intercepts TLS? Give Node its certificate with NODE_EXTRA_CA_CERTS=<file>",
    };
  }
  return { ...base, got: said, fix: `check the network between this machine and ${host}` };
}

/** A redirect's target host joins the report's hosts (it was not followed). */
function noteRedirect(report: DoctorReport, url: string, answer: Answer): void {
  const location = answer.headers.get("location");
  if (answer.status < 300 || answer.status >= 400 || location === null) return;
  try {
    report.hosts.redirect = [...(report.hosts.redirect ?? []), new URL(location, url).host];
  } catch {
    // Not a URL: the finding quotes it as it came.
  }
}

/**
 * Findings for a secret the answer sends back, whole or a piece of it: in a header's name or
 * value, or in the body's values and keys (walked when the body is JSON and shallow enough, else
 * its text searched). Each finding names the place, never the value.
 */
function echoFindings(
  step: Step,
  answer: Answer,
  read: ReadBody,
  secrets: ReadonlyArray<readonly [secret: string, label: string]>,
  redactor: Redactor,
): { findings: Finding[]; withheld?: string } {
  const found: Finding[] = [];
  const labels = new Set<string>();
  const look = (text: string, where: string) => {
    for (const [secret, label] of secrets) {
      // As the report would show it: a control character inside a secret hides nothing.
      const held = holds(sanitize(text), secret);
      if (held === undefined) continue;
      labels.add(label);
      found.push({
        kind: "mismatch",
        step,
        status: answer.status,
        where,
        expected: `never the ${label} in an answer`,
        got: `${held === "whole" ? "the" : "part of the"} ${label} (redacted here)`,
      });
    }
  };
  answer.headers.forEach((value, name) => {
    look(name, `header ${name}`);
    look(value, `header ${name}`);
  });
  const walk = (value: unknown, path: string): void => {
    if (typeof value === "string") look(value, path);
    else if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) walk(item, childPath(path, i));
    } else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) {
        const at = childPath(path, redactor.text(sanitize(k)));
        look(k, at);
        walk(v, at);
      }
    }
  };
  // A shallow JSON body is walked (readBody bounds its depth); anything else is searched as text.
  if (read.json && !read.tooDeep) walk(read.body, "$");
  else look(answer.text, "$");
  // `withheld` names what the answer echoes, so that nothing of its body is quoted.
  return labels.size > 0 ? { findings: found, withheld: [...labels].join(" and the ") } : { findings: found };
}

/** Every access token an answer carries, wherever it stands, so none is ever printed. */
function tokensIn(text: string, read: ReadBody): string[] {
  const found = [...text.matchAll(/"access_token"\s*:\s*"((?:[^"\\]|\\.)*)"|access_token=([^&\s]+)/g)].map(
    (m) => m[1] ?? m[2] ?? "",
  );
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) for (const item of value) walk(item);
    else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) {
        if (k === "access_token" && typeof v === "string") found.push(v);
        else walk(v);
      }
    }
  };
  if (read.json && !read.tooDeep) walk(read.body);
  return found.filter((token) => token !== "");
}

const errorSaid = (body: unknown, redactor: DoctorReport["redactor"], withheld: string | undefined) => {
  if (withheld !== undefined) return ` (not quoted: the answer carries the ${withheld})`;
  const b = (body ?? {}) as Record<string, unknown>;
  const text = [
    b.error,
    b.error_description,
    b.message,
    b.errorcode === undefined ? undefined : `errorcode ${b.errorcode}`,
  ]
    .filter((part) => part !== undefined && part !== "")
    .map((part) => String(part));
  return text.length > 0 ? ` ${excerpt(text.join(", "), redactor)}` : "";
};

/** Step 1: what is set, and whether the client would accept it. Sends nothing. */
async function environmentStep(
  report: DoctorReport,
  env: Record<string, string | undefined>,
  flags: DoctorFlags,
): Promise<Setup | undefined> {
  const read = (name: string) => env[name]?.trim() || undefined;
  const value = (name: keyof typeof NAMES) => read(NAMES[name]);
  const both = value("restBase") !== undefined && value("authBase") !== undefined;
  const notes: Record<keyof typeof NAMES, [set: string, unset: string]> = {
    subdomain: ["", both ? "optional here: both base URLs are set" : "required"],
    clientId: ["", "required"],
    clientSecret: ["", "required"],
    accountId: ["the business unit (MID) to act in", "optional: the package's default business unit"],
    restBase: [
      "establish goes there, not to the token's rest_instance_url",
      "establish goes to the token's rest_instance_url, if it is https://<subdomain>.rest.marketingcloudapis.com",
    ],
    authBase: [
      "the token request goes there",
      "the token request goes to https://<subdomain>.auth.marketingcloudapis.com",
    ],
  };
  for (const [name, [set, unset]] of Object.entries(notes) as Array<[keyof typeof NAMES, [string, string]]>) {
    let note = value(name) === undefined ? `not set (${unset})` : `set${set ? ` (${set})` : ""}`;
    const subdomain = value("subdomain");
    if (name === "subdomain" && subdomain !== undefined && /^[a-z0-9-]+$/i.test(subdomain)) {
      note += /^mc[a-z0-9-]{26}$/i.test(subdomain)
        ? ": letters, digits and hyphens, in the usual 28-character mc... form"
        : `: letters, digits and hyphens, but not the usual 28-character form starting with mc (not required; if the token request fails, compare it with ${WHERE_SUBDOMAIN})`;
    }
    report.environment.push({ name: NAMES[name], set: value(name) !== undefined, note });
    report.note("environment", `${NAMES[name]}: ${note}`);
  }

  // The client's own checks, so the doctor accepts exactly what `establish` accepts: missing
  // variables (all named at once), the subdomain's characters, https base URLs.
  try {
    const client = createContactsClientFromEnv(env, {
      fetch: () => Promise.reject(new Error("the doctor sends its own requests")),
    });
    await client.close();
  } catch (error) {
    if (!(error instanceof ContactsValidationError)) throw error;
    const reason = error.reason ?? "";
    const missing = /^missing (.*)$/.exec(reason)?.[1];
    if (missing) {
      report.add({
        kind: "config",
        step: "environment",
        where: missing,
        expected: "set",
        got: "not set",
        fix: `set ${missing} in the environment or in a --dotenv file: the installed package's API Integration (${WHERE_SUBDOMAIN.split(": ")[0]}) shows the client id, the client secret and the Authentication Base URI with the subdomain`,
      });
    } else if (reason === "invalid subdomain") {
      report.add({
        kind: "config",
        step: "environment",
        where: NAMES.subdomain,
        expected: "letters, digits and hyphens only (the part before .auth.marketingcloudapis.com)",
        got: excerpt(value("subdomain") ?? "", report.redactor),
        fix: `copy the subdomain from ${WHERE_SUBDOMAIN}`,
      });
    } else {
      const variable = /authBaseUrl/.test(reason)
        ? NAMES.authBase
        : /baseUrl/.test(reason)
          ? NAMES.restBase
          : "the environment";
      report.add({
        kind: "config",
        step: "environment",
        where: variable,
        expected: "a value the client accepts",
        got: error.message,
        fix: `correct ${variable}`,
      });
    }
  }
  const accountId = value("accountId");
  if (accountId !== undefined && !/^\d+$/.test(accountId)) {
    report.add({
      kind: "config",
      step: "environment",
      where: NAMES.accountId,
      expected: "the business unit's MID: digits only",
      got: "other characters (the value is not shown)",
      fix: "set SFMC_ACCOUNT_ID to the MID shown in Marketing Cloud's business unit switcher, or leave it out",
    });
  }
  if (flags.key !== undefined) {
    try {
      assertContactKeys([flags.key]);
    } catch (error) {
      if (!(error instanceof ContactsValidationError)) throw error;
      report.add({
        kind: "config",
        step: "environment",
        where: "--key",
        expected: "a contact key of 1 to 254 characters",
        got: `a key that ${excerpt(error.reason ?? error.message, report.redactor)}`,
        fix: "pass another --key",
      });
    }
  }
  if (report.has("config")) {
    report.note("environment", "nothing was sent: fix the configuration first");
    return undefined;
  }
  const authBase = value("authBase");
  const restBase = value("restBase");
  const setup: Setup = {
    authBase: authBase ? withoutTrailingSlash(authBase) : `https://${value("subdomain")}.auth.marketingcloudapis.com`,
    clientId: value("clientId") as string,
    clientSecret: value("clientSecret") as string,
  };
  if (restBase) setup.restBase = withoutTrailingSlash(restBase);
  if (accountId) setup.accountId = accountId;
  return setup;
}

/** Step 2: one token request. Resolves the token and the body, when there is a token. */
async function tokenStep(
  report: DoctorReport,
  spec: SpecCheck,
  setup: Setup,
  flags: DoctorFlags,
  userAgent: string,
): Promise<{ token: string; body: Record<string, unknown> } | undefined> {
  const url = `${setup.authBase}/v2/token`;
  report.hosts.auth = hostOf(url);
  report.title("token", `2. Token: POST ${url}`);
  report.note(
    "token",
    `sent: grant_type client_credentials, client_id, client_secret${setup.accountId ? ", account_id" : ""} (their values are never shown)`,
  );
  const request = {
    grant_type: "client_credentials",
    client_id: setup.clientId,
    client_secret: setup.clientSecret,
    ...(setup.accountId === undefined ? {} : { account_id: setup.accountId }),
  };
  const { answer, failure } = await exchange(url, { "user-agent": userAgent }, JSON.stringify(request), flags.timeout);
  if (failure) {
    report.add(networkFinding("token", url, failure, flags.timeout));
    report.notChecked("the token request got no answer");
    return undefined;
  }
  const read = readBody(answer);
  // Before anything of the answer is quoted: a token it carries anywhere is redacted.
  for (const token of tokensIn(answer.text, read)) report.redactor.add(token, "access token");
  // Before the check: an answer that echoes the secret has nothing of its body quoted.
  const echo = echoFindings("token", answer, read, [[setup.clientSecret, "client secret"]], report.redactor);
  const checked = spec.check(TOKEN_ROUTE, answer, report.redactor, {
    read,
    ...(echo.withheld === undefined ? {} : { withheld: echo.withheld }),
  });
  noteRedirect(report, url, answer);
  report.note(
    "token",
    `answer: ${answer.status}, ${excerpt(answer.headers.get("content-type") ?? "no content-type", report.redactor)}`,
  );
  for (const finding of [...checked.findings, ...echo.findings]) report.add(finding);
  if (answer.status === 429 || answer.status >= 500) report.notChecked(`the token route answered ${answer.status}`);
  const body = (checked.body ?? {}) as Record<string, unknown>;
  if (answer.status === 200) {
    const facts = [
      `token_type ${excerpt(body.token_type ?? "(none)", report.redactor)}`,
      // The whole scope list: which scopes are missing is often the answer.
      `scope ${excerpt(body.scope ?? "(none)", report.redactor, 1000)}`,
      `expires_in ${excerpt(body.expires_in ?? "(none)", report.redactor)}`,
    ];
    if (typeof body.rest_instance_url === "string") {
      let host: string;
      try {
        host = hostOf(body.rest_instance_url);
      } catch {
        host = `not a URL: ${excerpt(body.rest_instance_url, report.redactor)}`;
      }
      report.hosts.restInstanceUrl = host;
      facts.push(`rest_instance_url host ${host}`);
    }
    report.note("token", `${facts.join(", ")}; the token itself is never shown`);
  } else if (answer.status === 401 || answer.status === 400) {
    const invalidClient = body.error === "invalid_client";
    report.add({
      kind: "config",
      step: "token",
      status: answer.status,
      expected: "a token for these credentials",
      got: `a refusal${errorSaid(body, report.redactor, echo.withheld)}`,
      fix: invalidClient
        ? // A subdomain of the right form may still resolve (wildcard DNS) and reach another tenant, which refuses the credentials.
          `the token route does not accept the credentials: check ${NAMES.clientId} and ${NAMES.clientSecret} (the installed package's API Integration), that ${NAMES.accountId}, if set, is a business unit the package can act in, or whether ${NAMES.subdomain} names another tenant (compare it with ${WHERE_SUBDOMAIN})`
        : `check ${NAMES.clientId}, ${NAMES.clientSecret} and ${NAMES.accountId}; the service said why above`,
    });
  }
  if (checked.findings.length === 0 && echo.findings.length === 0 && checked.documented) {
    report.note("token", `matches the spec (${checked.schema ?? "no body"})`);
  }
  const token = body.access_token;
  return answer.status === 200 && typeof token === "string" && token !== "" ? { token, body } : undefined;
}

/**
 * Step 3: one establish call for --key, only when it is given. Resolves why establish was not
 * checked, when --key was given and no answer that says something about establish came: no
 * usable token, nowhere to send it, no answer, or a 429 or 5xx (the service busy or failing).
 */
async function establishStep(
  report: DoctorReport,
  spec: SpecCheck,
  setup: Setup,
  token: { token: string; body: Record<string, unknown> } | undefined,
  flags: DoctorFlags,
  userAgent: string,
): Promise<string | undefined> {
  const say = (line: string) => report.note("establish", line);
  if (flags.key === undefined) {
    say("not sent: pass --key <contactKey> to send one establish call for that key (nothing is sent without it)");
    return undefined;
  }
  if (!token) {
    say("not sent: there is no token (see the token step)");
    return "there is no usable token (see the token step)";
  }
  let base = setup.restBase;
  if (base === undefined) {
    const named = token.body.rest_instance_url;
    if (typeof named !== "string") {
      say("not sent: the token answer names no rest_instance_url to send it to");
      return "the token answer names no rest_instance_url to send it to";
    }
    base = tenantRestBase(named);
    if (base === undefined) {
      report.add({
        kind: "config",
        step: "establish",
        where: "rest_instance_url",
        expected:
          "https://<subdomain>.rest.marketingcloudapis.com (the only host the token goes to unless you name another)",
        got: `${excerpt(named, report.redactor)}; nothing was sent there`,
        fix: `if you trust that host, set ${NAMES.restBase} to it and run again`,
      });
      return "the token's rest_instance_url is not a tenant's REST host";
    }
  }
  const url = `${base}/contacts/v1/establish`;
  report.hosts.rest = hostOf(url);
  report.title("establish", `3. Establish: POST ${url}`);
  say(
    `sent: ContactKeys ${excerpt([flags.key], report.redactor, 300)}, ReturnResults, CorrelateResponseItem and IncludeNewContactAwareness true; Authorization: Bearer <the token, never shown>`,
  );
  const request = {
    ContactKeys: [flags.key],
    ReturnResults: true,
    CorrelateResponseItem: true,
    IncludeNewContactAwareness: true,
  };
  const { answer, failure } = await exchange(
    url,
    { authorization: `Bearer ${token.token}`, "user-agent": userAgent },
    JSON.stringify(request),
    flags.timeout,
  );
  if (failure) {
    report.add(networkFinding("establish", url, failure, flags.timeout));
    return "the establish request got no answer";
  }
  const read = readBody(answer);
  const echo = echoFindings(
    "establish",
    answer,
    read,
    [
      [setup.clientSecret, "client secret"],
      [token.token, "access token"],
    ],
    report.redactor,
  );
  const checked = spec.check(ESTABLISH_ROUTE, answer, report.redactor, {
    read,
    ...(echo.withheld === undefined ? {} : { withheld: echo.withheld }),
  });
  noteRedirect(report, url, answer);
  say(`answer: ${answer.status}, ${excerpt(answer.headers.get("content-type") ?? "no content-type", report.redactor)}`);
  for (const finding of [...checked.findings, ...echo.findings]) report.add(finding);
  const body = (checked.body ?? {}) as Record<string, unknown>;
  const said = errorSaid(body, report.redactor, echo.withheld);
  if (answer.status === 200) {
    const items = Array.isArray(body.items) ? body.items : [];
    const item = (items[0] ?? {}) as { requestItemIndex?: unknown; value?: Record<string, unknown> };
    const contact = (item.value?.contactReference ?? {}) as Record<string, unknown>;
    say(
      `items: ${items.length}; the first: requestItemIndex ${excerpt(item.requestItemIndex ?? "(none)", report.redactor)}, ` +
        `contactID ${excerpt(contact.contactID ?? "(none)", report.redactor)}, isNewContact ${excerpt(item.value?.isNewContact ?? "(none)", report.redactor)}, ` +
        `contactStatus ${excerpt(contact.contactStatus ?? "(none)", report.redactor)}`,
    );
  } else if (answer.status === 401) {
    report.add({
      kind: "config",
      step: "establish",
      status: 401,
      expected: "establish to accept the token the token route just issued",
      got: `a refusal${said}`,
      fix: `check that ${NAMES.accountId}, if set, names a business unit the installed package can act in, that the REST host is your tenant's, and the package's IP allowlist`,
    });
  } else if (answer.status === 403) {
    report.add({
      kind: "config",
      step: "establish",
      status: 403,
      expected: "establish to be allowed",
      got: `a refusal${said}`,
      fix:
        'one of two things (both answer 403, check both): the installed package\'s API integration lacks Contact Builder\'s "Administer Contact Data Model" and "Access" permissions and the list_and_subscribers_write scope ' +
        "(grant them in Setup > Apps > Installed Packages, then run again), or the package's IP allowlist does not admit this machine's address",
    });
  } else if (answer.status === 400 || answer.status === 415) {
    report.add({
      kind: "mismatch",
      step: "establish",
      status: answer.status,
      expected: "the 200 answer (the spec calls this request valid)",
      got: `a refusal${said}`,
    });
  }
  if (checked.findings.length === 0 && echo.findings.length === 0 && checked.documented) {
    say(`matches the spec (${checked.schema ?? "no body"})`);
  }
  if (answer.status === 429 || answer.status >= 500) {
    // Its answer was held to the spec above; establish itself said nothing.
    return `the service answered ${answer.status} (busy or failing${said ? `:${said}` : ""})`;
  }
  return undefined;
}

/**
 * Runs the doctor and prints its report on stdout; resolves the exit code: 0 when every answer
 * matches the spec; 1 on a mismatch, or when the doctor itself failed (an internal error: the
 * report so far is printed, asking for a doctor bug report); 2 on a configuration or auth
 * problem, or when --key was given and establish could not be checked (it wins over 1).
 */
export async function doctor(flags: DoctorFlags, io: CliIo, version: string): Promise<number> {
  const spec = await loadSpecCheck();
  const report = new DoctorReport({ doctorVersion: version, specVersion: spec.version });
  const userAgent = `sfmc-contacts-doctor/${version}`;
  let stopMock = async () => {};
  /**
   * Runs one step; an error nobody foresaw becomes an internal finding of that step, and the
   * report still prints: a user who hits a doctor bug still gets everything checked so far.
   */
  const guard = async <T>(step: Step, run: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> => {
    try {
      return { ok: true, value: await run() };
    } catch (error) {
      report.internal(step, error);
      return { ok: false };
    }
  };
  try {
    const setup = await guard("environment", async () => {
      let env: Record<string, string | undefined>;
      if (flags.mock) {
        // The fake behind a real server on 127.0.0.1, as `establish --mock` runs it. Fresh
        // credentials each run: the mock takes any, and a made-up secret is still redacted.
        const { startContactsHttpServer } = await import("@sfmc-contacts/mocks/http-server");
        const service = await startContactsHttpServer({ seed: 1 });
        stopMock = () => service.close();
        env = {
          [NAMES.clientId]: "doctor-mock",
          [NAMES.clientSecret]: randomBytes(16).toString("hex"),
          [NAMES.restBase]: service.url,
          [NAMES.authBase]: service.url,
        };
        report.note(
          "environment",
          "--mock: the embedded mock on 127.0.0.1, with made-up credentials; your environment is not read",
        );
      } else {
        try {
          env = loadEnvironment(io.env, flags.dotenv);
        } catch (error) {
          if (!(error instanceof CliUsageError)) throw error;
          report.add({
            kind: "config",
            step: "environment",
            where: "--dotenv",
            expected: "a readable dotenv file",
            got: error.message,
            fix: "name an existing file",
          });
          env = {};
        }
      }
      const secret = env[NAMES.clientSecret]?.trim();
      if (secret) report.redactor.add(secret, "client secret");
      return report.has("config") ? undefined : await environmentStep(report, env, flags);
    });
    if (setup.ok && setup.value) {
      const config = setup.value;
      const token = await guard("token", () => tokenStep(report, spec, config, flags, userAgent));
      if (token.ok) {
        const establish = await guard("establish", () =>
          establishStep(report, spec, config, token.value, flags, userAgent),
        );
        if (establish.ok && establish.value !== undefined) notChecked(report, establish.value);
      } else {
        report.note("establish", "not sent: the doctor failed in the token step (see the findings)");
      }
    } else {
      const why = setup.ok ? "the configuration is not complete" : "the doctor failed in the environment step";
      report.note("token", `not sent: ${why}`);
      report.note("establish", "not sent");
      report.notChecked(`nothing was sent: ${why}`);
    }
  } finally {
    await stopMock();
  }
  io.stdout.write(flags.json ? `${JSON.stringify(report.toJSON(), null, 2)}\n` : report.toText());
  return report.exitCode();
}

/**
 * --key was given and no establish answer could be checked. That must not read as a pass: unless
 * a configuration problem (or a doctor bug) already explains it, it is a finding of its own, exit 2.
 */
function notChecked(report: DoctorReport, why: string): void {
  report.notChecked(`establish: ${why}`);
  report.note("establish", `establish was not checked: ${why}; run the doctor again later`);
  if (report.has("config") || report.has("internal")) return;
  report.add({
    kind: "config",
    retry: true,
    step: "establish",
    expected: "an establish answer to check (--key was given)",
    got: `none: establish was not checked: ${why}`,
    fix: "run the doctor again later",
  });
}
