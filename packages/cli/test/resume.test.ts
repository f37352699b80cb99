/**
 * Issue 11, points 13 and 14: results are on disk batch by batch, so a `kill -9` mid-run leaves
 * every row written so far and at most one partial last line; `--resume` reads such a file (any
 * format), skips every key it records as established, and sends the rest. Judged by counts: the
 * loopback service records every key it was sent, and kills the CLI itself once it has answered
 * a set number of keys, so the kill lands mid-run however fast or slow the machine is.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { answerEstablish, type Loopback, startLoopback } from "../../../tests/support/loopback.js";
import { loopbackEnv, runCli } from "./run-cli.js";

let dir: string;
let service: Loopback;
let keysFile: string;
const KEYS = Array.from({ length: 20_000 }, (_, i) => `key-${i}`);
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sfmc-contacts-resume-"));
  service = await startLoopback();
  keysFile = join(dir, "keys.txt");
  await writeFile(keysFile, `${KEYS.join("\n")}\n`);
});
afterEach(() => {
  service.onEstablish = answerEstablish;
});
afterAll(async () => {
  await service.close();
  await rm(dir, { recursive: true, force: true });
});

/** How often the service was sent each key, from now on. */
function recordSends(): Map<string, number> {
  const sent = new Map<string, number>();
  service.onEstablish = (request, body, response) => {
    for (const key of (JSON.parse(body) as { ContactKeys: string[] }).ContactKeys) {
      sent.set(key, (sent.get(key) ?? 0) + 1);
    }
    answerEstablish(request, body, response);
  };
  return sent;
}

/**
 * Answers establish requests a little slowly until `answerKeys` keys were answered, then kills
 * the CLI with SIGKILL and answers nothing more.
 */
function killAfter(answerKeys: number): (child: ChildProcess) => void {
  let answered = 0;
  let child: ChildProcess | undefined;
  service.onEstablish = (request, body, response) => {
    if (answered >= answerKeys) return; // never answered: the CLI is being killed
    answered += (JSON.parse(body) as { ContactKeys: string[] }).ContactKeys.length;
    setTimeout(() => {
      answerEstablish(request, body, response);
      if (answered >= answerKeys) child?.kill("SIGKILL");
    }, 5);
  };
  return (started) => {
    child = started;
  };
}

type Row = { key: string; result: string };

const RESULTS = new Set(["established", "acknowledged", "failed", "valid"]);

/**
 * The rows of a results file of any format, and whether its last line was cut short: a last line
 * without its newline counts as a row only when it reads as one (a JSON row always ends so).
 */
function rowsOf(format: string, text: string): { rows: Row[]; partial: boolean } {
  const end = text.lastIndexOf("\n") + 1;
  const whole = text.slice(0, end);
  const last = text.slice(end);
  const parseLines = (part: string): Row[] => {
    if (format === "csv") {
      const records = parse(part, { columns: ["key", "result", "contactId", "isNew", "status", "reason"] }) as Row[];
      return records.filter((r) => r.key !== "key");
    }
    return part
      .split("\n")
      .filter((line) => line.trim() !== "")
      .flatMap((line): Row[] => {
        switch (format) {
          case "ndjson":
            return [JSON.parse(line) as Row];
          case "json": {
            const trimmed = line.trim().replace(/,$/, "");
            return trimmed === "[" || trimmed === "]" ? [] : [JSON.parse(trimmed) as Row];
          }
          case "table": {
            if (line.startsWith("KEY ")) return [];
            const [key, result] = line.split(/\s+/);
            return [{ key: key as string, result: result as string }];
          }
          default:
            throw new Error(format);
        }
      });
  };
  const rows = parseLines(whole);
  if (last === "") return { rows, partial: false };
  try {
    const tail = parseLines(last);
    if (tail.length === 1 && RESULTS.has(tail[0]?.result ?? "")) return { rows: [...rows, ...tail], partial: false };
  } catch {
    // cut short
  }
  return { rows, partial: true };
}

describe("kill -9 mid-run, then --resume: every key exactly once, nothing established sent again", () => {
  it.each([
    ["ndjson", "a new file"],
    ["csv", "a new file"],
    ["table", "a new file"],
    ["json", "the same file (appended)"],
    ["ndjson", "the same file (appended)"],
    ["csv", "the same file (appended)"],
  ])("--format %s, resumed into %s", async (format, into) => {
    const first = join(dir, `first-${format}-${into.length}.${format}`);
    const args = ["establish", "--file", keysFile, "--format", format, "--batch-size", "50", "--concurrency", "4"];

    // 1. A run killed with SIGKILL once the service has answered 5,000 of the 20,000 keys.
    const killed = await runCli([...args, "--out", first], {
      env: loopbackEnv(service.url),
      onStart: killAfter(5_000),
    });
    expect(killed.signal).toBe("SIGKILL");
    const before = rowsOf(format, await readFile(first, "utf8"));
    // Every row written before the kill is there, whole; at most the last line is cut short.
    const established = new Set(before.rows.filter((r) => r.result === "established").map((r) => r.key));
    expect(before.rows.every((r) => r.result === "established")).toBe(true);
    expect(established.size).toBe(before.rows.length);
    expect(established.size).toBeGreaterThan(0);
    expect(established.size).toBeLessThanOrEqual(5_000);

    // 2. The same command with --resume: into a new file, or appending to the first.
    const second = into === "a new file" ? join(dir, `second-${format}.${format}`) : first;
    const sent = recordSends();
    const resumed = await runCli([...args, "--resume", first, "--out", second], { env: loopbackEnv(service.url) });
    expect(resumed.stderr).toContain(`${established.size.toLocaleString("en-US")} keys skipped: done in ${first}.`);
    expect(resumed.code).toBe(0);

    // No key recorded as established was sent again; every other key was sent.
    for (const key of established) expect(sent.has(key)).toBe(false);
    expect(sent.size).toBe(KEYS.length - established.size);

    // The union of both outputs: every key exactly once, as established.
    let union: Row[];
    if (second === first) {
      const text = await readFile(first, "utf8");
      if (format === "json") union = JSON.parse(text) as Row[];
      else {
        const after = rowsOf(format, text);
        expect(after.partial).toBe(false);
        union = after.rows;
      }
    } else {
      const after = rowsOf(format, await readFile(second, "utf8"));
      expect(after.partial).toBe(false);
      union = [...before.rows, ...after.rows];
    }
    expect(union.every((r) => r.result === "established")).toBe(true);
    expect(union.map((r) => r.key).sort()).toEqual([...KEYS].sort());
  });
});

describe("--resume reads what it is given", () => {
  it("failed keys are sent again; keys with formula characters round-trip through CSV", async () => {
    const previous = join(dir, "previous.csv");
    const tricky = ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(1)", "'quoted", 'has "quotes", and a comma'];
    await writeFile(
      previous,
      [
        "key,result,contactId,isNew,status,reason",
        ...tricky.map((key) => {
          const cell = /^[=+\-@\t\r']/.test(key) ? `'${key}` : key;
          return `"${cell.replaceAll('"', '""')}",established,1,true,Active,`;
        }),
        "again,failed,,,,REQUEST_FAILED: Marketing Cloud answered 500",
        "",
      ].join("\n"),
    );
    const keys = join(dir, "tricky-keys.txt");
    await writeFile(keys, `${[...tricky, "again", "new"].join("\n")}\n`);
    const sent = recordSends();
    const run = await runCli(["establish", "--file", keys, "--resume", previous, "--format", "ndjson"], {
      env: loopbackEnv(service.url),
    });
    expect(run.code).toBe(0);
    expect([...sent.keys()].sort()).toEqual(["again", "new"]);
    expect(run.stderr).toContain("6 keys skipped: done in");
  });

  it("a line that is not a row, before the last, is refused: exit 2, nothing sent", async () => {
    const previous = join(dir, "broken.ndjson");
    await writeFile(previous, '{"key":"a","result":"established"}\nnot a row\n{"key":"b","result":"established"}\n');
    const sent = recordSends();
    const run = await runCli(["establish", "--resume", previous, "--format", "ndjson", "a", "b", "c"], {
      env: loopbackEnv(service.url),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--resume ${previous}, line 2: not a result row of sfmc-contacts`);
    expect(sent.size).toBe(0);
  });

  it("a file that is no results file, or is missing: exit 2", async () => {
    const keys = join(dir, "not-results.txt");
    await writeFile(keys, "k1\nk2\n");
    const wrong = await runCli(["establish", "--resume", keys, "k1"], { env: loopbackEnv(service.url) });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("line 1: not a result row of sfmc-contacts");
    const missing = await runCli(["establish", "--resume", join(dir, "nope.ndjson"), "k1"], {
      env: loopbackEnv(service.url),
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("Cannot read --resume");
  });

  it("appending to the --resume file in another --format is refused before anything is written", async () => {
    const previous = join(dir, "keep.ndjson");
    const content = '{"key":"a","result":"established"}\n';
    await writeFile(previous, content);
    const run = await runCli(["establish", "--resume", previous, "--out", previous, "--format", "csv", "a", "b"], {
      env: loopbackEnv(service.url),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("holds ndjson: --format csv cannot be appended to it");
    expect(await readFile(previous, "utf8")).toBe(content);
  });

  it("every key already done: exit 0, nothing sent", async () => {
    const previous = join(dir, "all-done.ndjson");
    await writeFile(previous, '{"key":"a","result":"established"}\n{"key":"b","result":"acknowledged"}\n');
    const sent = recordSends();
    const run = await runCli(["establish", "--resume", previous, "--format", "ndjson", "a", "b"], {
      env: loopbackEnv(service.url),
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("2 keys skipped: done in");
    expect(sent.size).toBe(0);
  });
});
