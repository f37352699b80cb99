/**
 * The doctor's report: what it checked, what it found, and the exit code that follows, as text a
 * user can paste into an issue or as JSON. Secrets never reach it: every string goes through the
 * redactor (the client secret and the access token, as they are and as JSON escapes them) and
 * `sanitize` (control characters) before it is printed.
 */
import { EXIT } from "./cli-error.js";
import { sanitize } from "./output.js";

/** A difference from the spec (exit 1), or something the user must fix first (exit 2). */
export type FindingKind = "mismatch" | "config";
/** The doctor's three steps. */
export type Step = "environment" | "token" | "establish";

/** One finding: one line of the report. */
export interface Finding {
  kind: FindingKind;
  step: Step;
  /** The HTTP status of the answer it is about. */
  status?: number;
  /** Where: a JSON path in the body (`$.items[0].value`), `header <Name>`, `status`, or a variable's name. */
  where?: string;
  /** What the spec (or a working setup) expects. */
  expected: string;
  /** What came, as a short excerpt. */
  got?: string;
  /** The likely fix, for a configuration or auth problem. */
  fix?: string;
}

/** Longest excerpt of a value the service sent, in characters. */
const EXCERPT = 80;

/**
 * The shortest secret the last pass over the whole report looks for. The report's own words never
 * hold a secret; that pass is a second guard, and a shorter secret (a test value such as "b")
 * would only blot out letters of ordinary words. Text the service sent is searched for every
 * secret, whatever its length.
 */
const LAST_PASS_MIN = 8;

/** Replaces secrets in text: as they are, and as they appear inside a JSON string (escaped) or a URL. */
export class Redactor {
  readonly #secrets: Array<[form: string, label: string]> = [];

  /** Hides `secret` from now on, as `[redacted: <label>]`. */
  add(secret: string, label: string): void {
    if (secret === "") return;
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)])) {
      this.#secrets.push([form, `[redacted: ${label}]`]);
    }
    // The longest first: a secret that contains another is replaced whole.
    this.#secrets.sort(([a], [b]) => b.length - a.length);
  }

  /** Text the service sent, with every secret replaced. */
  text(text: string, minLength = 1): string {
    let out = text;
    for (const [secret, label] of this.#secrets) if (secret.length >= minLength) out = out.replaceAll(secret, label);
    return out;
  }

  /** The report's last pass: every secret of {@link LAST_PASS_MIN} characters or more replaced. */
  lastPass(text: string): string {
    return this.text(text, LAST_PASS_MIN);
  }

  /** A JSON-like value with every string (and object key) redacted by `redact`. */
  value(value: unknown, redact: (text: string) => string = (text) => this.text(text)): unknown {
    if (typeof value === "string") return redact(value);
    if (Array.isArray(value)) return value.map((item) => this.value(item, redact));
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), this.value(v, redact)]));
    }
    return value;
  }
}

/**
 * A short, safe excerpt of something the service sent: secrets redacted first (so a cut never
 * leaves half of one), control characters removed, then cut to `max` characters (default {@link EXCERPT}).
 */
export function excerpt(value: unknown, redactor: Redactor, max = EXCERPT): string {
  const text = typeof value === "string" ? value : JSON.stringify(redactor.value(value));
  const clean = sanitize(redactor.text(text ?? String(value)));
  return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}

/** A value of a body, as a finding shows what came: its JSON type, then an excerpt (a string in quotes). */
export function shownValue(value: unknown, redactor: Redactor): string {
  const quoted = typeof value === "string" ? JSON.stringify(redactor.text(value)) : value;
  return `${jsonType(value)} ${excerpt(quoted, redactor)}`;
}

/** A JSON path one step further: `$.items`, `$.items[0]`, `$["odd key"]`. */
export function childPath(path: string, step: string | number): string {
  if (typeof step === "number") return `${path}[${step}]`;
  return /^[A-Za-z_$][\w$]*$/.test(step) ? `${path}.${step}` : `${path}[${JSON.stringify(step)}]`;
}

/** The JSON type of a value, as a finding names it. */
export function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

interface StepReport {
  step: Step;
  title: string;
  lines: string[];
}

/** What the report says about the run it comes from. */
export interface ReportMeta {
  doctorVersion: string;
  specVersion: string;
}

/** The report of one doctor run. */
export class DoctorReport {
  readonly redactor = new Redactor();
  readonly findings: Finding[] = [];
  readonly hosts: { auth?: string; rest?: string; restInstanceUrl?: string; redirect?: string[] } = {};
  readonly environment: Array<{ name: string; set: boolean; note: string }> = [];
  readonly #steps: StepReport[] = [
    { step: "environment", title: "1. Environment", lines: [] },
    { step: "token", title: "2. Token", lines: [] },
    { step: "establish", title: "3. Establish", lines: [] },
  ];

  constructor(readonly meta: ReportMeta) {}

  add(finding: Finding): void {
    this.findings.push(finding);
  }

  /** A line of facts under a step. */
  note(step: Step, line: string): void {
    this.#stepOf(step).lines.push(line);
  }

  /** A step's heading: what it sent, and where. */
  title(step: Step, title: string): void {
    this.#stepOf(step).title = title;
  }

  #stepOf(step: Step): StepReport {
    return this.#steps.find((s) => s.step === step) as StepReport;
  }

  has(kind: FindingKind): boolean {
    return this.findings.some((f) => f.kind === kind);
  }

  /** 2 when anything must be fixed first (it wins over 1), 1 on a mismatch, else 0. */
  exitCode(): number {
    if (this.has("config")) return EXIT.usage;
    return this.has("mismatch") ? EXIT.keysFailed : EXIT.ok;
  }

  result(): string {
    const mismatches = this.findings.filter((f) => f.kind === "mismatch").length;
    const differ = `${mismatches} ${mismatches === 1 ? "difference" : "differences"} from the spec`;
    if (this.has("config")) {
      return (
        "exit 2: a configuration or auth problem: apply the fix named above and run again" +
        (mismatches > 0 ? ` (also ${differ}; exit 2 wins, since the doctor could not check every answer)` : "")
      );
    }
    if (mismatches > 0) return `exit 1: ${differ}: please paste this report into an issue`;
    return "exit 0: every answer matches the spec";
  }

  /** The report as one JSON document: secrets redacted, control characters removed from every string. */
  toJSON(): unknown {
    return this.redactor.value(
      {
        report: "sfmc-contacts doctor",
        doctorVersion: this.meta.doctorVersion,
        specVersion: this.meta.specVersion,
        node: nodeVersion(),
        hosts: this.hosts,
        environment: this.environment,
        steps: this.#steps.map(({ step, title, lines }) => ({ step, title, lines })),
        findings: this.findings,
        exitCode: this.exitCode(),
        result: this.result(),
      },
      (text) => sanitize(this.redactor.lastPass(text)),
    );
  }

  /** The report as Markdown-ish text, one line per finding. */
  toText(): string {
    const hosts = [
      this.hosts.auth && `auth ${this.hosts.auth}`,
      this.hosts.rest && `REST ${this.hosts.rest}`,
      this.hosts.restInstanceUrl && `rest_instance_url ${this.hosts.restInstanceUrl}`,
      this.hosts.redirect?.length && `redirect targets (not followed) ${this.hosts.redirect.join(", ")}`,
    ].filter(Boolean);
    const out = [
      "## sfmc-contacts doctor report",
      "",
      `- doctor: @sfmc-contacts/cli ${this.meta.doctorVersion}`,
      `- spec: sfmc-contacts OpenAPI ${this.meta.specVersion}`,
      `- node: ${nodeVersion()}`,
      `- hosts: ${hosts.length > 0 ? hosts.join("; ") : "none reached"}`,
    ];
    for (const { title, lines } of this.#steps) {
      out.push("", `### ${title}`, ...lines.map((line) => `- ${line}`));
    }
    out.push("", "### Findings");
    if (this.findings.length === 0) out.push("- none: every answer matches the spec");
    for (const f of this.findings) out.push(`- ${findingLine(f)}`);
    out.push("", "### Result", this.result(), "");
    return out.map((line) => sanitize(this.redactor.lastPass(line))).join("\n");
  }
}

function findingLine(f: Finding): string {
  const at = [f.step, f.status, f.where].filter((part) => part !== undefined).join(" ");
  return `[${f.kind}] ${at}: expected ${f.expected}${f.got === undefined ? "" : `; got ${f.got}`}${f.fix ? `. Fix: ${f.fix}` : ""}`;
}

function nodeVersion(): string {
  return `${process.version} (${process.platform} ${process.arch})`;
}
