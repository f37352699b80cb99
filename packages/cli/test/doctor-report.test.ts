/** The doctor's report never shows a secret: redaction before any cut, in every form a secret can take. */
import { describe, expect, it } from "vitest";
import { DoctorReport, excerpt, Redactor } from "../src/doctor-report.js";

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
