/**
 * The doctor's report: what it checked, what it found, and the exit code that follows, as text a
 * user can paste into an issue or as JSON. Secrets never reach it: every string from the service
 * has its control characters removed (`sanitize`) and then goes through the redactor (the client
 * secret and the access token, as they are, as JSON escapes them and URL-encoded, and the parts
 * of them a service may echo) before it is printed.
 */
import { EXIT } from "./cli-error.js";
import { sanitize } from "./output.js";

/**
 * A difference from the spec (exit 1), something the user must fix first or a check that could
 * not run (exit 2), or a failure of the doctor itself (exit 1, to be filed as a doctor bug).
 */
export type FindingKind = "mismatch" | "config" | "internal";
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
  /** A check that could not run now (the service was busy, or gave no token): run the doctor again later. */
  retry?: boolean;
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

/**
 * A string value or object key of the service that is itself part of a secret, and this long or
 * longer, counts as an echo of it: a service that splits the secret across fields
 * (`"a": "Zx9Qw8Er", "b": "7Ty6..."`) has each field redacted and named. Shorter values are not
 * recognised: they would hide ordinary values ("x", "1079") that happen to occur in a secret.
 */
export const PIECE_MIN = 6;

/**
 * A run of a secret this long or longer, inside any longer text of the service (a message that
 * quotes half the secret), is blotted out and counts as an echo too. Runs are held to a longer
 * minimum than whole values, so that a word a secret happens to contain ("secret") is left alone.
 */
export const RUN_MIN = 8;

/** The deepest a value is walked (by the redactor, and by the doctor's checks). */
export const MAX_DEPTH = 64;

/** A redaction label: never searched again, so a secret that contains a label's words cannot nest labels. */
const LABEL = /\[redacted: [^\]]*\]/g;

/**
 * Whether `text` (a value, key or header the service sent) holds `secret`: `"whole"`, or
 * `"piece"` when the text is part of the secret ({@link PIECE_MIN} characters or more) or shares
 * a run of {@link RUN_MIN} characters or more with it.
 */
export function holds(text: string, secret: string): "whole" | "piece" | undefined {
  if (secret === "") return undefined;
  if (text.includes(secret)) return "whole";
  if (text.length >= PIECE_MIN && secret.includes(text)) return "piece";
  return runSpans(text, runsOf(secret)).length > 0 ? "piece" : undefined;
}

/** Every run of {@link RUN_MIN} characters of a secret. */
function runsOf(secret: string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + RUN_MIN <= secret.length; i++) out.add(secret.slice(i, i + RUN_MIN));
  return out;
}

/** The spans of `text` covered by runs from `runs`, merged: `[start, end)` pairs in order. */
function runSpans(text: string, runs: Set<string>): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  if (runs.size === 0) return spans;
  for (let i = 0; i + RUN_MIN <= text.length; i++) {
    if (!runs.has(text.slice(i, i + RUN_MIN))) continue;
    const last = spans[spans.length - 1];
    if (last && last[1] >= i) last[1] = i + RUN_MIN;
    else spans.push([i, i + RUN_MIN]);
  }
  return spans;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** `text` with `redact` applied to each stretch between redaction labels (labels are kept as they are). */
function outsideLabels(text: string, redact: (stretch: string) => string): string {
  let out = "";
  let from = 0;
  for (const label of text.matchAll(LABEL)) {
    out += redact(text.slice(from, label.index)) + label[0];
    from = label.index + label[0].length;
  }
  return out + redact(text.slice(from));
}

/**
 * Replaces secrets in text: as they are, as they appear inside a JSON string (escaped) or a URL,
 * a text that is itself part of one, and any run of {@link RUN_MIN} characters of one.
 */
export class Redactor {
  readonly #secrets: Array<{ secret: string; forms: string[]; runs: Set<string>; label: string }> = [];
  /** The one-pass pattern of every form, per minimum length; cleared when a secret is added. */
  readonly #compiled = new Map<number, { labels: Map<string, string>; pattern: RegExp | undefined }>();

  /** Hides `secret` from now on, as `[redacted: <label>]` (a part of it as `[redacted: part of the <label>]`). */
  add(secret: string, label: string): void {
    if (secret === "") return;
    const forms = [...new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)])];
    this.#secrets.push({ secret, forms, runs: runsOf(secret), label });
    this.#compiled.clear();
  }

  /** Text the service sent, with every secret, and every part of one, replaced. */
  text(text: string): string {
    const whole = this.#whole(text, 1);
    return outsideLabels(whole, (stretch) => {
      for (const { secret, label } of this.#secrets) {
        if (stretch.length >= PIECE_MIN && secret.includes(stretch)) return `[redacted: part of the ${label}]`;
      }
      // Every secret's runs found in the same text first, then replaced at once: one label never
      // lands inside another.
      const spans = this.#secrets
        .flatMap(({ runs, label }) => runSpans(stretch, runs).map(([start, end]) => ({ start, end, label })))
        .sort((a, b) => a.start - b.start);
      let out = "";
      let at = 0;
      for (const { start, end, label } of spans) {
        if (end <= at) continue;
        out += `${stretch.slice(at, Math.max(at, start))}[redacted: part of the ${label}]`;
        at = end;
      }
      return out + stretch.slice(at);
    });
  }

  /** Every form of every secret of `minLength` characters or more replaced in one pass, the longest first. */
  #whole(text: string, minLength: number): string {
    let compiled = this.#compiled.get(minLength);
    if (!compiled) {
      const labels = new Map<string, string>();
      for (const { forms, label } of this.#secrets) {
        for (const form of forms) {
          if (form.length >= minLength && !labels.has(form)) labels.set(form, `[redacted: ${label}]`);
        }
      }
      // The longest first: a secret that contains another is replaced whole.
      const alternatives = [...labels.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
      compiled = { labels, pattern: labels.size > 0 ? new RegExp(alternatives.join("|"), "g") : undefined };
      this.#compiled.set(minLength, compiled);
    }
    const { labels, pattern } = compiled;
    if (!pattern) return text;
    return outsideLabels(text, (stretch) => stretch.replace(pattern, (form) => labels.get(form) ?? form));
  }

  /** The report's last pass: every secret of {@link LAST_PASS_MIN} characters or more replaced. */
  lastPass(text: string): string {
    return this.#whole(text, LAST_PASS_MIN);
  }

  /**
   * A JSON-like value with every string (and object key) redacted by `redact`. Below
   * {@link MAX_DEPTH} levels a value is not walked: it is replaced by a note (the doctor never
   * hands it one that deep; this keeps the stack bounded whatever comes).
   */
  value(value: unknown, redact: (text: string) => string = (text) => this.text(sanitize(text)), depth = 0): unknown {
    if (typeof value === "string") return redact(value);
    if (value === null || typeof value !== "object") return value;
    if (depth >= MAX_DEPTH) return `[nested deeper than ${MAX_DEPTH} levels: not shown]`;
    if (Array.isArray(value)) return value.map((item) => this.value(item, redact, depth + 1));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), this.value(v, redact, depth + 1)]));
  }
}

/**
 * A short, safe excerpt of something the service sent: secrets redacted first (so a cut never
 * leaves half of one), control characters removed, then cut to `max` characters (default {@link EXCERPT}).
 */
export function excerpt(value: unknown, redactor: Redactor, max = EXCERPT): string {
  const text = typeof value === "string" ? value : JSON.stringify(redactor.value(value));
  // Control characters out first: one inside a secret must not hide it from the redactor.
  const clean = redactor.text(sanitize(text ?? String(value)));
  return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}

/** A value of a body, as a finding shows what came: its JSON type, then an excerpt (a string in quotes). */
export function shownValue(value: unknown, redactor: Redactor): string {
  const quoted = typeof value === "string" ? JSON.stringify(redactor.text(sanitize(value))) : value;
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

/** How many mismatches of one step the report lists; the rest are counted (`leftOut`). */
export const MAX_MISMATCHES_PER_STEP = 100;

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

  /** Mismatches past {@link MAX_MISMATCHES_PER_STEP} in a step: counted, not listed. */
  readonly leftOut: Partial<Record<Step, number>> = {};

  /** Why a check the run asked for did not happen (see {@link DoctorReport.notChecked}). */
  readonly #notChecked: string[] = [];

  constructor(readonly meta: ReportMeta) {}

  /**
   * Records a finding. Its `where` may be built from the service's own keys or header names, so
   * it is redacted like any text the service sent.
   */
  add(finding: Finding): void {
    // An answer with thousands of extra fields would bury the report: past the cap, a step's
    // mismatches are counted, not listed. Configuration and internal findings are always listed.
    if (
      finding.kind === "mismatch" &&
      this.findings.filter((f) => f.kind === "mismatch" && f.step === finding.step).length >= MAX_MISMATCHES_PER_STEP
    ) {
      this.leftOut[finding.step] = (this.leftOut[finding.step] ?? 0) + 1;
      return;
    }
    this.findings.push(
      finding.where === undefined ? finding : { ...finding, where: this.redactor.text(finding.where) },
    );
  }

  /** A check the run asked for that did not happen: the report is not complete. */
  notChecked(why: string): void {
    this.#notChecked.push(why);
  }

  /** Whether every check the run asked for happened (`"complete"` in --json). */
  get complete(): boolean {
    return this.#notChecked.length === 0 && !this.has("internal");
  }

  /**
   * A failure of the doctor itself, in `step`: a finding that asks for a bug report. The rest of
   * the report still prints.
   */
  internal(step: Step, error: unknown): void {
    const said = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.add({
      kind: "internal",
      step,
      expected: "the doctor to finish this step",
      got: `an internal error: ${excerpt(said, this.redactor, 300)}`,
      fix: "this is a bug in the doctor, not a finding about your tenant: please file this report as a doctor bug (https://github.com/sfmc-contacts/sfmc-contacts/issues)",
    });
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

  /**
   * 2 when anything must be fixed first or a check could not run (it wins over 1); 1 on a
   * mismatch or a failure of the doctor itself; else 0.
   */
  exitCode(): number {
    if (this.has("config")) return EXIT.usage;
    return this.has("mismatch") || this.has("internal") ? EXIT.keysFailed : EXIT.ok;
  }

  result(): string {
    const mismatches = this.findings.filter((f) => f.kind === "mismatch").length;
    const differ = `${mismatches} ${mismatches === 1 ? "difference" : "differences"} from the spec`;
    const config = this.findings.filter((f) => f.kind === "config");
    if (config.length > 0) {
      const also = [
        mismatches > 0 ? `also ${differ}` : "",
        this.has("internal") ? "also an internal error of the doctor" : "",
      ].filter(Boolean);
      const wins =
        also.length > 0 ? ` (${also.join("; ")}; exit 2 wins, since the doctor could not check every answer)` : "";
      if (config.every((f) => f.retry)) return `exit 2: establish was not checked: run the doctor again later${wins}`;
      return `exit 2: a configuration or auth problem: apply the fix named above and run again${wins}`;
    }
    if (this.has("internal")) {
      return (
        "exit 1: the doctor itself failed (internal error above), so this report is not complete: please file it as a doctor bug" +
        (mismatches > 0 ? ` (it also lists ${differ})` : "")
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
        findingsLeftOut: this.leftOut,
        complete: this.complete,
        exitCode: this.exitCode(),
        result: this.result(),
      },
      (text) => this.redactor.lastPass(sanitize(text)),
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
    for (const [step, count] of Object.entries(this.leftOut)) {
      out.push(`- ... and ${count} more mismatches in ${step}, not listed (the first ${MAX_MISMATCHES_PER_STEP} are)`);
    }
    out.push("", "### Result", this.result(), "");
    return out.map((line) => this.redactor.lastPass(sanitize(line))).join("\n");
  }
}

function findingLine(f: Finding): string {
  const at = [f.step, f.status, f.where].filter((part) => part !== undefined).join(" ");
  return `[${f.kind}] ${at}: expected ${f.expected}${f.got === undefined ? "" : `; got ${f.got}`}${f.fix ? `. Fix: ${f.fix}` : ""}`;
}

function nodeVersion(): string {
  return `${process.version} (${process.platform} ${process.arch})`;
}
