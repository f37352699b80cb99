import { execFile } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerEstablish, type Loopback, startLoopback } from "../../../tests/support/loopback.js";
import { bin, runCli } from "./run-cli.js";

let dir: string;
let service: Loopback;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sfmc-contacts-cli-progress-"));
  service = await startLoopback();
  // Slow enough that a run of a few hundred keys takes a while.
  service.onEstablish = (request, body, response) => {
    setTimeout(() => answerEstablish(request, body, response), 40);
  };
});
afterAll(async () => {
  await service.close();
  await rm(dir, { recursive: true, force: true });
});

const env = () => ({
  SFMC_CLIENT_ID: "id",
  SFMC_CLIENT_SECRET: "secret",
  SFMC_REST_BASE_URL: service.url,
  SFMC_AUTH_BASE_URL: service.url,
});

async function keysFile(name: string, count: number): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, `${Array.from({ length: count }, (_, i) => `key-${i}`).join("\n")}\n`);
  return file;
}

describe("progress", () => {
  it("without a TTY: plain periodic lines on stderr, results alone on stdout", async () => {
    const file = await keysFile("plain.txt", 400);
    const run = await runCli(
      ["establish", "--file", file, "--batch-size", "20", "--concurrency", "2", "--format", "ndjson"],
      {
        env: { ...env(), SFMC_CONTACTS_PROGRESS_MS: "100" },
      },
    );
    expect(run.code).toBe(0);
    const progress = run.stderr.split("\n").filter((line) => line.startsWith("progress: "));
    expect(progress.length).toBeGreaterThan(1);
    expect(progress[0]).toMatch(
      /^progress: \d+\/400 keys \(\d+%\), \d+ keys\/s(, ETA \d+s)?, 0 failed, concurrency \d+\/2$/,
    );
    expect(
      run.stdout
        .trim()
        .split("\n")
        .every((line) => JSON.parse(line).result === "established"),
    ).toBe(true);
    expect(run.stdout).not.toContain("progress");
  });

  it("on a TTY: a progress bar with done/total, keys/s, ETA and failures", async () => {
    const file = await keysFile("tty.txt", 300);
    // `script` runs the command in a pseudo-terminal: stderr is a TTY there.
    const command = [
      bin,
      "establish",
      "--file",
      file,
      "--batch-size",
      "20",
      "--concurrency",
      "2",
      "--out",
      join(dir, "tty.out"),
    ].join(" ");
    const { stdout } = await promisify(execFile)("script", ["-q", "-e", "-c", command, "/dev/null"], {
      env: { ...process.env, ...env(), TERM: "xterm" },
      timeout: 120_000, // a hang guard
    });
    expect(stdout).toMatch(/[█░] \d+\/300 keys \| \d+ keys\/s \| ETA [^|]+ \| 0 failed \| concurrency \d+\/2/);
    expect(stdout).toContain("300/300 keys");
    expect(stdout).not.toMatch(/^progress: /m);
  });
});

describe("Ctrl-C", () => {
  it("first SIGINT: no new batches, the ones in flight finish, the report accounts for every key", async () => {
    const file = await keysFile("interrupt.txt", 5000);
    const run = await runCli(
      ["establish", "--file", file, "--batch-size", "10", "--concurrency", "3", "--format", "ndjson"],
      {
        env: env(),
        onStart: (child, output) => {
          const poll = setInterval(() => {
            if (output.stdout().split("\n").length > 60) {
              clearInterval(poll);
              child.kill("SIGINT");
            }
          }, 10);
        },
      },
    );
    expect(run.code).toBe(130);
    const rows = run.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { key: string; result: string });
    // Every key read has a result, all established, each once, and they are the input's first keys.
    const keys = rows.map((row) => row.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(rows.every((row) => row.result === "established")).toBe(true);
    expect([...keys].sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)))).toEqual(keys.map((_, i) => `key-${i}`));
    expect(keys.length).toBeLessThan(5000);
    expect(run.stderr).toContain("Stopping: no new batches");
    expect(run.stderr).toContain(
      `Interrupted: ${keys.length} keys were read and every one of them is in the results above`,
    );
    expect(run.stderr).toContain(`the input was read through line ${keys.length}`);
  });
});

describe("Ctrl-C twice", () => {
  it("second SIGINT aborts the batches in flight: their keys are reported ABORTED, nothing is lost", async () => {
    const original = service.onEstablish;
    service.onEstablish = () => {
      // Never answers: only an abort ends these requests.
    };
    try {
      const file = await keysFile("abort.txt", 1000);
      const before = service.hits["/contacts/v1/establish"] ?? 0;
      const run = await runCli(
        ["establish", "--file", file, "--batch-size", "10", "--concurrency", "3", "--format", "ndjson"],
        {
          env: env(),
          onStart: (child) => {
            const poll = setInterval(() => {
              // Three batches in flight (the concurrency), all stalled: interrupt twice.
              if ((service.hits["/contacts/v1/establish"] ?? 0) - before >= 3) {
                clearInterval(poll);
                child.kill("SIGINT");
                setTimeout(() => child.kill("SIGINT"), 200);
              }
            }, 10);
          },
        },
      );
      expect(run.code).toBe(130);
      const rows = run.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { key: string; result: string; reason: string });
      expect(rows).toHaveLength(30);
      expect(rows.every((row) => row.result === "failed" && row.reason.startsWith("ABORTED"))).toBe(true);
      expect(run.stderr).toContain("Interrupted: 30 keys were read");
    } finally {
      service.onEstablish = original;
    }
  });
});

describe("streaming", () => {
  it("a 1,000,000-key file in --dry-run stays within a bounded memory figure", async () => {
    const file = join(dir, "million.txt");
    await new Promise<void>((resolve, reject) => {
      const out = createWriteStream(file);
      out.on("error", reject);
      out.on("finish", resolve);
      let i = 0;
      const write = () => {
        let ok = true;
        while (i < 1_000_000 && ok) ok = out.write(`contact-key-${String(i++).padStart(7, "0")}\n`);
        if (i < 1_000_000) out.once("drain", write);
        else out.end();
      };
      write();
    });
    const probe = join(dir, "rss-probe.mjs");
    await writeFile(
      probe,
      `process.on("exit", () => process.stderr.write("maxRSS=" + process.resourceUsage().maxRSS + "\\n"));\n`,
    );
    // A 32 MB old space could not hold a million keys (as JS strings, several times the 20 MB file):
    // finishing within it shows the input is streamed.
    const run = await runCli(["establish", "--dry-run", "--file", file], {
      nodeArgs: ["--max-old-space-size=32", "--import", probe],
      timeoutMs: 120_000,
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("Dry run: 1,000,000 valid keys would be sent in 20,000 requests of up to 50");
    const maxRssKb = Number(/maxRSS=(\d+)/.exec(run.stderr)?.[1]);
    const mb = Math.round(maxRssKb / 1024);
    console.log(`dry run of 1,000,000 keys (20 MB file), old space capped at 32 MB: peak RSS ${mb} MB`);
    expect(mb).toBeGreaterThan(0);
    expect(mb).toBeLessThan(128);
  });
});
