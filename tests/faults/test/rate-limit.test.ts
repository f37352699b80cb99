/**
 * The suite itself, rate-limited: the fault server's token bucket, its 429s, and the block it puts
 * on a client that keeps sending while told to wait, driven by raw HTTP loops (Node's fetch, which
 * is undici) so that the server is proven before any client is judged by it. And the event check
 * that judges the client's shared gate, against events tampered with by hand.
 */
import type { ContactsEvent } from "@sfmc-contacts/client-node";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type FaultServer, type RateLimit, startFaultServer } from "../src/fault-server.js";
import { gateViolations, type StampedEvent } from "../src/suite.js";

let server: FaultServer | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await server?.close();
  server = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function start(rateLimit: RateLimit, latencyMs = 0): Promise<FaultServer> {
  server = await startFaultServer({ seed: 15, faultRate: 0, latencyMs, rateLimit });
  return server;
}

/** A bare establish caller: one token, then one request per call, and what came back. */
async function rawCaller(s: FaultServer) {
  const tokenAnswer = await fetch(`${s.url}/v2/token`, { method: "POST", body: "{}" });
  const { access_token: token } = (await tokenAnswer.json()) as { access_token: string };
  let n = 0;
  return async () => {
    const answer = await fetch(`${s.url}/contacts/v1/establish`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ ContactKeys: [`raw-${++n}`] }),
    });
    const body = (await answer.json()) as { errorcode?: number; retryAfter?: number };
    return { status: answer.status, retryAfter: answer.headers.get("retry-after"), body };
  };
}

describe("the suite itself: the rate-limited service", () => {
  it("is a token bucket: a full burst at once, then 429 50100 with Retry-After, refilled at its rate", async () => {
    // Only Date is fake: the bucket refills by the server's clock, which moves only when the test
    // says, so how many get through does not depend on how fast the machine sends them.
    vi.useFakeTimers({ toFake: ["Date"] });
    const s = await start({ perSecond: 40, burst: 10, retryAfterSeconds: 2 });
    const call = await rawCaller(s);
    const first = await Promise.all(Array.from({ length: 15 }, () => call()));
    expect(first.filter((a) => a.status === 200)).toHaveLength(10);
    const refused = first.filter((a) => a.status !== 200);
    expect(refused).toHaveLength(5);
    for (const answer of refused)
      expect(answer).toMatchObject({ status: 429, retryAfter: "2", body: { errorcode: 50100, retryAfter: 2 } });
    vi.setSystemTime(Date.now() + 100); // 100 ms at 40/s: 4 tokens
    const second = await Promise.all(Array.from({ length: 6 }, () => call()));
    expect(second.filter((a) => a.status === 200)).toHaveLength(4);
    expect(s.acceptedAt).toHaveLength(14);
    expect(s.throttled).toBe(7);
    expect(s.blockedAnswers).toBe(0);
    // Every request came before its 429 had been written for longer than the grace: no violation.
    expect(s.violations).toBe(0);
  });

  it("answers accepted requests after its latency, counts what it holds at once, and limits no token request", async () => {
    const s = await start({ perSecond: 1000, burst: 100 }, 40);
    const call = await rawCaller(s);
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 6 }, () => call()));
    expect(performance.now() - started).toBeGreaterThanOrEqual(39); // a lower bound: load only adds
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(s.maxInFlight).toBe(6); // all six held for 40 ms together, however slow the sending
    expect(s.tokensIssued).toHaveLength(1);
  });

  it("blocks a client that ignores Retry-After: 50200, without Retry-After, after `limit` violations", async () => {
    const s = await start({ perSecond: 40, burst: 10, abuse: { limit: 20, blockSeconds: 1 } });
    const call = await rawCaller(s);
    // The hammering client: one request after another, whatever the answer says. One at a time,
    // so the request that makes the 20th violation is the one answered 50200.
    let firstBlock: { violations: number; retryAfter: string | null } | undefined;
    let sent = 0;
    const hangGuard = performance.now() + 30_000;
    while (!firstBlock && sent < 20_000 && performance.now() < hangGuard) {
      const answer = await call();
      sent++;
      if (answer.body.errorcode === 50200) firstBlock = { violations: s.violations, retryAfter: answer.retryAfter };
    }
    expect(firstBlock).toEqual({ violations: 20, retryAfter: null });
    expect(s.throttled).toBeGreaterThan(0);
    // While blocked, every request is refused 50200, however full the bucket is again.
    await sleep(300);
    const during = await Promise.all(Array.from({ length: 3 }, () => call()));
    expect(during.map((a) => [a.status, a.body.errorcode, a.retryAfter])).toEqual(
      Array.from({ length: 3 }, () => [429, 50200, null]),
    );
    expect(s.blockedAnswers).toBe(4);
    // The block ends after blockSeconds (1 s from the first 50200; waiting longer only helps), and
    // by then every 429's Retry-After has passed too.
    await sleep(1_100);
    expect((await call()).status).toBe(200);
  });

  it("never blocks a client that honours Retry-After with one pause for all its workers", async () => {
    const s = await start({ perSecond: 40, burst: 10, abuse: { limit: 1 } }, 40);
    const call = await rawCaller(s);
    // Four workers, 100 requests/s between them at 40 ms: well over the limit, so it is told to
    // wait again and again. On each 429 every worker waits the Retry-After (one shared pause).
    let resumeAt = 0;
    let pauses = 0;
    let accepted = 0;
    const hangGuard = performance.now() + 60_000;
    const worker = async () => {
      for (let i = 0; i < 500 && accepted < 40 && performance.now() < hangGuard; i++) {
        if (Date.now() < resumeAt) await sleep(resumeAt - Date.now() + 1);
        const answer = await call();
        if (answer.status === 200) accepted++;
        else if (answer.retryAfter !== null) {
          if (Date.now() >= resumeAt) pauses++;
          resumeAt = Math.max(resumeAt, Date.now() + Number(answer.retryAfter) * 1000);
        }
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    expect(accepted).toBeGreaterThanOrEqual(40);
    expect(pauses).toBeGreaterThan(0); // it was told to wait
    expect(s.throttled).toBeGreaterThan(0);
    // A limit of one violation, and none made: no block.
    expect(s.violations).toBe(0);
    expect(s.blockedAnswers).toBe(0);
  });

  it("block() blocks at once, with no rate limit set", async () => {
    server = await startFaultServer({ seed: 16, faultRate: 0 });
    const call = await rawCaller(server);
    expect((await call()).status).toBe(200);
    server.block(60);
    expect(await call()).toMatchObject({ status: 429, retryAfter: null, body: { errorcode: 50200 } });
    expect(server.blockedAnswers).toBe(1);
  });
});

describe("the suite itself: gateViolations", () => {
  const request = (at: number, attempt = 1): StampedEvent => ({
    at,
    event: { type: "request", attempt, url: "http://127.0.0.1/contacts/v1/establish", keys: 50 },
  });
  // A throttle event as core emits it (built by hand: the check only reads type, status and resumeAt).
  const throttle = (at: number, resumeAt: number): StampedEvent => ({
    at,
    event: {
      type: "throttle",
      status: 429,
      errorcode: 50100,
      retryAfterMs: 1000,
      resumeAt,
    } as unknown as ContactsEvent,
  });

  it("passes a client that waited, and lists every request sent while the gate was closed", () => {
    const honest = [request(1_000), throttle(1_010, 2_010), request(1_030), request(2_008), request(2_010)];
    // 1,030: within 50 ms of the throttle (it had passed the gate before it closed); 2,008: within
    // the 2 ms a timer rounds to.
    expect(gateViolations(honest)).toEqual([]);
    expect(gateViolations([])).toEqual([]);

    const tampered = [...honest.slice(0, 3), request(1_061, 2), request(1_500), ...honest.slice(3)];
    expect(gateViolations(tampered)).toEqual([
      "request (attempt 2) at +61 ms while the gate was closed: a 429 at +10 ms asked to wait until +1010 ms",
      "request (attempt 1) at +500 ms while the gate was closed: a 429 at +10 ms asked to wait until +1010 ms",
    ]);
    // Without the allowance for a request already past the gate, the 1,030 one counts too.
    expect(gateViolations(tampered, 2, 0)).toHaveLength(3);
  });
});
