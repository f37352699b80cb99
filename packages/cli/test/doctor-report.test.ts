/** The doctor's report never shows a secret: redaction before any cut, in every form a secret can take. */
import { describe, expect, it } from "vitest";
import { DoctorReport, excerpt, holds, MAX_DEPTH, MAX_MISMATCHES_PER_STEP, Redactor } from "../src/doctor-report.js";
import { depthOf, readBody } from "../src/doctor-validate.js";

describe("redaction", () => {
  it("finds a secret as it is, escaped inside JSON, and URL-encoded", () => {
    const redactor = new Redactor();
    const secret = 'se"QQ\\et/+=value';
    redactor.add(secret, "client secret");
    for (const text of [
      secret,
      JSON.stringify({ echo: secret }),
      `https://x.example/?s=${encodeURIComponent(secret)}`,
    ]) {
      expect(redactor.text(text)).not.toContain("QQ");
      expect(redactor.text(text)).toContain("[redacted: client secret]");
    }
  });

  it("redacts before it cuts an excerpt: no part of a secret is left at the edge", () => {
    const redactor = new Redactor();
    const secret = "abcdefghijklmnopqrstuvwxyz0123456789";
    redactor.add(secret, "access token");
    // The secret straddles the 80th character, where the excerpt is cut.
    const shown = excerpt(`${"x".repeat(70)}${secret}`, redactor);
    expect(shown).not.toMatch(/abcdefgh/);
    expect(shown).toBe(`${"x".repeat(70)}[redacted:...`);
  });

  it("the last pass over the report leaves ordinary words alone for a short test secret, which the service's text still loses", () => {
    const report = new DoctorReport({ doctorVersion: "0.0.0", specVersion: "1.1.0" });
    report.redactor.add("b", "client secret");
    report.note("token", `business unit; the service said ${excerpt("b", report.redactor)}`);
    const text = report.toText();
    expect(text).toContain("- business unit; the service said [redacted: client secret]");
    const long = new DoctorReport({ doctorVersion: "0.0.0", specVersion: "1.1.0" });
    long.redactor.add("a-long-secret-value", "client secret");
    long.note("token", "a-long-secret-value slipped into the report's own words");
    expect(long.toText()).not.toContain("a-long-secret-value");
    expect(JSON.stringify(long.toJSON())).not.toContain("a-long-secret-value");
  });

  it("removes control characters from the text and the JSON report", () => {
    const report = new DoctorReport({ doctorVersion: "0.0.0", specVersion: "1.1.0" });
    // A screen clear, then a colour.
    report.add({ kind: "mismatch", step: "token", where: "$.x", expected: "string", got: "\u001b[2J\u009b31mred" });
    expect(report.toText()).toContain("got red");
    expect(JSON.stringify(report.toJSON())).toContain('"got":"red"');
    for (const shown of [report.toText(), JSON.stringify(report.toJSON())]) {
      expect(shown).not.toContain("\u001b");
      expect(shown).not.toContain("\\u001b");
      expect(shown).not.toContain("\u009b");
    }
  });
});

describe("parts of a secret (hostile review, finding 2)", () => {
  const secret = "Zx9Qw8Er7Ty6Ui5Op4As3Df2";

  it("a value or key that is part of a secret (6 characters or more) is redacted whole; a shorter one is left", () => {
    const redactor = new Redactor();
    redactor.add(secret, "client secret");
    expect(redactor.text(secret.slice(0, 6))).toBe("[redacted: part of the client secret]");
    expect(redactor.text(secret.slice(10))).toBe("[redacted: part of the client secret]");
    expect(redactor.text(secret.slice(3, 8))).toBe(secret.slice(3, 8));
    expect(redactor.value({ [secret.slice(0, 7)]: [secret.slice(7)] })).toEqual({
      "[redacted: part of the client secret]": ["[redacted: part of the client secret]"],
    });
  });

  it("a run of 8 characters or more inside a longer text is blotted out; a shared word of fewer is not", () => {
    const redactor = new Redactor();
    redactor.add("cli-secret-never-printed", "client secret");
    expect(redactor.text("client_secret is wrong")).toBe("client_secret is wrong");
    expect(redactor.text("it was never-printed, they said")).toBe(
      "it was [redacted: part of the client secret], they said",
    );
    redactor.add(secret, "client secret");
    expect(redactor.text(`bad secret ${secret.slice(0, 12)}!`)).toBe(
      "bad secret [redacted: part of the client secret]!",
    );
  });

  it("labels are never redacted again, whatever words a secret holds", () => {
    const redactor = new Redactor();
    redactor.add("client secret]", "client secret");
    redactor.add("redacted", "access token");
    const once = redactor.text("redacted client secret]");
    expect(once).toBe("[redacted: access token] [redacted: client secret]");
    expect(redactor.text(redactor.text(once))).toBe(once);
    expect(redactor.lastPass(once)).toBe(once);
  });

  it("holds: whole, a part of 6 or more, a run of 8 or more, or nothing", () => {
    expect(holds(`x${secret}x`, secret)).toBe("whole");
    expect(holds(secret.slice(4, 10), secret)).toBe("piece");
    expect(holds(`see ${secret.slice(4, 12)} there`, secret)).toBe("piece");
    expect(holds(`see ${secret.slice(4, 11)} there`, secret)).toBeUndefined();
    expect(holds(secret.slice(4, 9), secret)).toBeUndefined();
    expect(holds("anything", "")).toBeUndefined();
  });
});

describe("depth (hostile review, finding 3)", () => {
  const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
  const answer = (text: string) => ({ status: 200, headers: new Headers(), text, overCap: false });

  it("is measured without recursion: 64 levels are walked, 65 are not", () => {
    expect(depthOf(1)).toBe(0);
    expect(depthOf([])).toBe(1);
    expect(depthOf({ a: [{}] })).toBe(3);
    expect(depthOf(JSON.parse(nested(MAX_DEPTH)))).toBe(MAX_DEPTH);
    expect(readBody(answer(nested(MAX_DEPTH)))).toMatchObject({ json: true, tooDeep: false });
    expect(readBody(answer(nested(MAX_DEPTH + 1)))).toEqual({ json: true, tooDeep: true });
    // Far deeper than any stack: counted up to the limit, then stopped.
    expect(readBody(answer(nested(200_000)))).toEqual({ json: true, tooDeep: true });
    expect(readBody(answer("not json"))).toEqual({ json: false });
  });

  it("the redactor never walks deeper than the limit", () => {
    let deep: unknown = "bottom";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const shown = JSON.stringify(new Redactor().value(deep)).length;
    expect(shown).toBeLessThan(1000);
  });
});

describe("the result line and exit code", () => {
  const report = () => new DoctorReport({ doctorVersion: "0.0.0", specVersion: "1.1.0" });

  it("an internal error: exit 1, not complete, asking for a doctor bug report", () => {
    const r = report();
    r.internal("token", new RangeError("Maximum call stack size exceeded"));
    expect(r.exitCode()).toBe(1);
    expect(r.complete).toBe(false);
    expect(r.result()).toContain("please file it as a doctor bug");
    expect(r.toText()).toContain(
      "- [internal] token: expected the doctor to finish this step; got an internal error: RangeError: Maximum call stack size exceeded",
    );
  });

  it("a check that could not run: exit 2, 'run the doctor again later'; complete in --json", () => {
    const r = report();
    r.notChecked("establish: busy");
    r.add({ kind: "config", retry: true, step: "establish", expected: "x", fix: "run the doctor again later" });
    expect(r.exitCode()).toBe(2);
    expect(r.result()).toBe("exit 2: establish was not checked: run the doctor again later");
    expect(r.toJSON()).toMatchObject({ complete: false, exitCode: 2 });
    expect(report().toJSON()).toMatchObject({ complete: true, exitCode: 0 });
  });
});

describe("a report stays readable", () => {
  it("lists at most MAX_MISMATCHES_PER_STEP mismatches of a step and counts the rest; configuration findings are always listed", () => {
    const report = new DoctorReport({ doctorVersion: "0.0.0", specVersion: "1.1.0" });
    for (let i = 0; i < MAX_MISMATCHES_PER_STEP + 25; i++) {
      report.add({ kind: "mismatch", step: "token", where: `$.extra${i}`, expected: "no such field" });
    }
    report.add({ kind: "config", step: "token", expected: "a token", fix: "check the credentials" });
    expect(report.findings.filter((f) => f.kind === "mismatch")).toHaveLength(MAX_MISMATCHES_PER_STEP);
    expect(report.findings.some((f) => f.kind === "config")).toBe(true);
    expect(report.toText()).toContain(
      `... and 25 more mismatches in token, not listed (the first ${MAX_MISMATCHES_PER_STEP} are)`,
    );
    expect((report.toJSON() as { findingsLeftOut: unknown }).findingsLeftOut).toEqual({ token: 25 });
    expect(report.exitCode()).toBe(2);
  });
});
