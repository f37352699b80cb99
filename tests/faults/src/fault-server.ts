/**
 * A loopback service that acts like Marketing Cloud and, at random but from a seed, fails a share
 * of establish requests the ways the real world does: 500 and 503 with Retry-After, 429 with
 * Retry-After, connection resets, stalled bodies, malformed JSON, the array-wrapped body,
 * item-level errors, and a 429 that comes only after the client gave up waiting (it never sees
 * it). It records what it saw, so a test can check the client's account of every key against the
 * server's. What the server wrote is not what the client saw: Retry-After is judged from the
 * client's own events (see suite.ts).
 *
 * With `rateLimit` it is also a rate-limited service: a token bucket that answers 429 (50100, with
 * Retry-After) at once beyond its rate, and blocks (429, 50200) a client that keeps sending while
 * told to wait, as Marketing Cloud warns it will.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { establishItem, establishResponse, itemErrorMessage, marketingCloudError } from "@sfmc-contacts/mocks";

export const FAULTS = ["500", "503", "429", "late429", "reset", "stall", "malformed", "array", "itemErrors"] as const;
export type Fault = (typeof FAULTS)[number];

export interface FaultServerOptions {
  seed: number;
  /** Share of establish requests that get a fault. Default 0.1. */
  faultRate?: number;
  /** The most faults to inject; healthy answers after that. Default no limit. */
  faultLimit?: number;
  /** Which faults to draw from. Default all. */
  faults?: readonly Fault[];
  /** Seconds in Retry-After. Default 1. */
  retryAfterSeconds?: number;
  /** expires_in of issued tokens. Default 1079. */
  tokenLifetimeSeconds?: number;
  /** Delay before each healthy answer, ms. Default 0. */
  latencyMs?: number;
  /**
   * Called as each establish request arrives, before its token is checked. A test on a fake clock
   * moves the clock here, so time passes per request answered, not with the machine's speed.
   */
  onEstablish?: () => void;
  /** A rate limit on establish requests (the token route is not limited). Default none. */
  rateLimit?: RateLimit;
}

/**
 * A token bucket of `perSecond` requests with room for `burst`, full at the start. A request beyond
 * it is answered 429 (errorcode 50100) at once, with `Retry-After`, as a limiter at the edge does.
 */
export interface RateLimit {
  perSecond: number;
  burst: number;
  /** Seconds in the 429's Retry-After (header and body). Default 1. */
  retryAfterSeconds?: number;
  /**
   * Sustained abuse: a request that arrives more than `graceMs` after the server answered a 429,
   * and before that 429's Retry-After has passed, is a violation (the grace covers requests already
   * on their way). After `limit` violations the server blocks for `blockSeconds`: every establish
   * request gets 429 errorcode 50200, without Retry-After. Defaults 250 ms, 20, 60 s.
   */
  abuse?: { graceMs?: number; limit?: number; blockSeconds?: number };
}

export interface FaultServer {
  url: string;
  /** Keys the server established, with how many times each was answered as established. */
  established: Map<string, number>;
  /** Keys of every establish request the server read, answered or not. */
  received: Set<string>;
  /** Keys the server answered with an item-level error. */
  itemErrors: Set<string>;
  /** How many of each fault were injected. */
  injected: Record<Fault, number>;
  /** When each token was issued (ms). */
  tokensIssued: number[];
  /** The Retry-After this server sends with every 429, 500 and 503, in ms. */
  retryAfterMs: number;
  /** 429s written after the client had hung up (`late429`): answers the client never saw. */
  lateWrites: number;
  /** Requests refused for a missing, unknown or expired token. */
  unauthorized: number;
  /** Arrival times (Date.now()) of the establish requests the rate limit accepted, in order. */
  acceptedAt: number[];
  /** 429s with errorcode 50100 the server wrote to a client still listening (rate limit and injected). */
  throttled: number;
  /** When each of those 429s was written (Date.now()), in order. */
  throttledAt: number[];
  /** 429s with errorcode 50200 (blocked) the server wrote. */
  blockedAnswers: number;
  /** Requests that arrived while a 429 they could have seen still asked to wait (see {@link RateLimit}). */
  violations: number;
  /** The most establish requests the server held at once (arrived, not yet answered or closed). */
  maxInFlight: number;
  /** Blocks at once: every establish request gets 429 errorcode 50200 for `seconds` (default the abuse block, 60 s). */
  block(seconds?: number): void;
  /** Sockets currently open. */
  openSockets(): number;
  /** Stops injecting stalls/faults from now on, or starts stalling every request. */
  mode: "faults" | "healthy" | "stall-all";
  close(): Promise<void>;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const json = (out: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  out.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));

export async function startFaultServer(options: FaultServerOptions): Promise<FaultServer> {
  const random = mulberry32(options.seed);
  const faultRate = options.faultRate ?? 0.1;
  const faults = options.faults ?? FAULTS;
  const retryAfter = options.retryAfterSeconds ?? 1;
  const lifetime = options.tokenLifetimeSeconds ?? 1079;
  const faultLimit = options.faultLimit ?? Number.POSITIVE_INFINITY;
  const limit = options.rateLimit;
  const limitRetryAfter = limit?.retryAfterSeconds ?? 1;
  const graceMs = limit?.abuse?.graceMs ?? 250;
  const abuseLimit = limit?.abuse?.limit ?? 20;
  const blockSeconds = limit?.abuse?.blockSeconds ?? 60;
  // The bucket starts full.
  let bucket = limit?.burst ?? 0;
  let filledAt = Date.now();
  // 429s still asking to wait: when each was written and until when it asks.
  let waits: Array<{ at: number; until: number }> = [];
  let violationsSinceBlock = 0;
  let blockedUntil = 0;
  let held = 0;
  const tokens = new Map<string, number>();
  const sockets = new Set<Socket>();
  let tokenCount = 0;

  const state: FaultServer = {
    url: "",
    established: new Map(),
    received: new Set(),
    itemErrors: new Set(),
    injected: Object.fromEntries(FAULTS.map((f) => [f, 0])) as Record<Fault, number>,
    tokensIssued: [],
    retryAfterMs: retryAfter * 1000,
    lateWrites: 0,
    unauthorized: 0,
    acceptedAt: [],
    throttled: 0,
    throttledAt: [],
    blockedAnswers: 0,
    violations: 0,
    maxInFlight: 0,
    block: (seconds = blockSeconds) => {
      blockedUntil = Date.now() + seconds * 1000;
    },
    openSockets: () => sockets.size,
    mode: "faults",
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };

  const answer = (keys: string[], failing: Set<string>) =>
    establishResponse({
      items: keys.map((key, i) => {
        if (failing.has(key)) {
          state.itemErrors.add(key);
          return establishItem({
            contactKey: key,
            contactID: 0,
            requestItemIndex: i,
            resultMessages: [itemErrorMessage(key)],
          });
        }
        const seen = state.established.get(key) ?? 0;
        state.established.set(key, seen + 1);
        return establishItem({
          contactKey: key,
          contactID: 100_000 + i,
          requestItemIndex: i,
          isNewContact: seen === 0,
        });
      }),
    });

  /** Counts a request sent while a 429 (written more than the grace ago) still asked to wait. */
  const judgeArrival = (now: number) => {
    waits = waits.filter((wait) => wait.until > now);
    if (!waits.some((wait) => now - wait.at > graceMs)) return;
    state.violations++;
    violationsSinceBlock++;
    if (limit && violationsSinceBlock >= abuseLimit && now >= blockedUntil) {
      violationsSinceBlock = 0;
      state.block();
    }
  };

  /** Takes one token from the bucket, refilled for the time since the last request. */
  const admit = (now: number) => {
    if (!limit) return true;
    bucket = Math.min(limit.burst, bucket + ((now - filledAt) * limit.perSecond) / 1000);
    filledAt = now;
    if (bucket < 1) return false;
    bucket--;
    return true;
  };

  const establish = (request: IncomingMessage, body: string, out: ServerResponse) => {
    options.onEstablish?.();
    // Held from here until answered (counted down as the answer is written, so the client's next
    // request, sent when it reads the answer, never overlaps it) or until the connection closes.
    let holding = true;
    const release = () => {
      if (holding) held--;
      holding = false;
    };
    state.maxInFlight = Math.max(state.maxInFlight, ++held);
    out.once("close", release);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      release();
      json(out, status, payload, headers);
    };
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
    const expiresAt = token ? tokens.get(token) : undefined;
    const now = Date.now();
    if (expiresAt === undefined || now >= expiresAt) {
      state.unauthorized++;
      return send(401, marketingCloudError(0, "Not Authorized"));
    }
    const keys = (JSON.parse(body) as { ContactKeys: string[] }).ContactKeys;
    for (const key of keys) state.received.add(key);
    if (state.mode === "stall-all") return; // never answers
    judgeArrival(now);
    if (now < blockedUntil) {
      state.blockedAnswers++;
      return send(429, marketingCloudError(50200, "Requests are temporarily blocked."));
    }
    if (!admit(now)) {
      state.throttled++;
      state.throttledAt.push(now);
      waits.push({ at: now, until: now + limitRetryAfter * 1000 });
      return send(
        429,
        marketingCloudError(50100, `Rate limit exceeded. Retry after ${limitRetryAfter} seconds.`, {
          retryAfter: limitRetryAfter,
        }),
        { "retry-after": String(limitRetryAfter) },
      );
    }
    if (limit) state.acceptedAt.push(now);
    const injectedSoFar = Object.values(state.injected).reduce((sum, n) => sum + n, 0);
    const fault =
      state.mode === "faults" && injectedSoFar < faultLimit && random() < faultRate
        ? faults[Math.floor(random() * faults.length)]
        : undefined;
    if (fault) state.injected[fault]++;
    const later = (ms: number, fn: () => void) => (ms > 0 ? setTimeout(fn, ms) : fn());
    const refuse = (status: 500 | 503 | 429, heard = true) => {
      const code = status === 429 ? 50100 : status === 503 ? 50300 : 0;
      if (status === 429 && heard) {
        state.throttled++;
        const at = Date.now();
        state.throttledAt.push(at);
        waits.push({ at, until: at + retryAfter * 1000 });
      }
      send(status, marketingCloudError(code, `injected ${fault}`, status === 429 ? { retryAfter } : {}), {
        "retry-after": String(retryAfter),
      });
    };
    switch (fault) {
      case "500":
      case "503":
      case "429":
        return refuse(Number(fault) as 500 | 503 | 429);
      case "late429":
        // What a server under load does: it gets to the request after the client's timeout and
        // writes its 429 into a connection the client has already closed.
        if (request.socket.destroyed) {
          state.lateWrites++;
          return refuse(429, false);
        }
        out.once("close", () => {
          state.lateWrites++;
          refuse(429, false);
        });
        return;
      case "reset":
        return request.socket.destroy();
      case "stall":
        out.writeHead(200, { "content-type": "application/json" });
        out.write('{"items":[');
        return; // the body never ends
      case "malformed":
        release();
        return out.writeHead(200, { "content-type": "application/json" }).end('{"items":[{"value":');
      case "array":
        return later(options.latencyMs ?? 0, () => send(200, [answer(keys, new Set())]));
      case "itemErrors": {
        const failing = new Set([keys[Math.floor(random() * keys.length)] as string]);
        return later(options.latencyMs ?? 0, () => send(200, answer(keys, failing)));
      }
      default:
        return later(options.latencyMs ?? 0, () => send(200, answer(keys, new Set())));
    }
  };

  const server = createServer(async (request, out) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    if (request.url === "/v2/token") {
      const token = `fault-token-${++tokenCount}`;
      tokens.set(token, Date.now() + lifetime * 1000);
      state.tokensIssued.push(Date.now());
      return json(out, 200, {
        access_token: token,
        token_type: "Bearer",
        expires_in: lifetime,
        scope: "list_and_subscribers_write",
        soap_instance_url: `${state.url}/soap/`,
        rest_instance_url: `${state.url}/`,
      });
    }
    if (request.url === "/contacts/v1/establish") return establish(request, body, out);
    out.writeHead(404).end();
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
