// The throttled bench's service: Marketing Cloud behind its rate limit, in its own process on
// 127.0.0.1 (prints its URL on stdout). The fault suite's rate-limited mode
// (tests/faults/src/fault-server.ts) in plain .mjs, which the bench can run without compiling TS:
//   node throttled-server.mjs <R requests/s | none> <B burst> <L ms> [RA seconds]
// A token bucket of R/s with room for B, full at the start; beyond it 429 (errorcode 50100) at once
// with Retry-After RA (default 1); accepted requests answered after L ms. A request that arrives
// more than 250 ms after a 429 was written and before its Retry-After has passed is a violation;
// after 20, every establish request gets 429 errorcode 50200 (no Retry-After) for 60 s.
// GET /stats: what it saw, cumulative (accepted arrival times as Date.now(), 429s, 50200s, violations).
import { createServer } from "node:http";
import { establishItem, establishResponse, marketingCloudError } from "@sfmc-contacts/mocks";

const [rateArg = "40", burstArg = "10", latencyArg = "40", retryAfterArg = "1"] = process.argv.slice(2);
const R = rateArg === "none" ? Number.POSITIVE_INFINITY : Number(rateArg);
const B = Number(burstArg);
const L = Number(latencyArg);
const RA = Number(retryAfterArg);
const GRACE_MS = 250;
const ABUSE_LIMIT = 20;
const BLOCK_MS = 60_000;
if (!(R > 0) || !(B >= 1) || !(L >= 0) || !(RA >= 0)) {
  process.stderr.write("usage: node throttled-server.mjs <R requests/s | none> <B burst> <L ms> [RA seconds]\n");
  process.exit(2);
}

const stats = { acceptedAt: [], throttled: 0, blocked: 0, violations: 0 };
let tokens = B;
let filledAt = Date.now();
let waits = []; // 429s still asking to wait: { at, until }
let sinceBlock = 0;
let blockedUntil = 0;

const json = (response, status, body, headers = {}) =>
  response.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));

function establish(keys, response) {
  const now = Date.now();
  waits = waits.filter((w) => w.until > now);
  if (waits.some((w) => now - w.at > GRACE_MS)) {
    stats.violations++;
    if (++sinceBlock >= ABUSE_LIMIT && now >= blockedUntil) {
      sinceBlock = 0;
      blockedUntil = now + BLOCK_MS;
    }
  }
  if (now < blockedUntil) {
    stats.blocked++;
    return json(response, 429, marketingCloudError(50200, "Requests are temporarily blocked."));
  }
  tokens = Math.min(B, tokens + ((now - filledAt) * R) / 1000);
  filledAt = now;
  if (tokens < 1) {
    stats.throttled++;
    waits.push({ at: now, until: now + RA * 1000 });
    const body = marketingCloudError(50100, `Rate limit exceeded. Retry after ${RA} seconds.`, { retryAfter: RA });
    return json(response, 429, body, { "retry-after": String(RA) });
  }
  tokens--;
  stats.acceptedAt.push(now);
  const items = keys.map((key, i) => establishItem({ contactKey: key, contactID: 100_000 + i, requestItemIndex: i }));
  setTimeout(() => json(response, 200, establishResponse({ items })), L);
}

let url = "";
const server = createServer((request, response) => {
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => {
    if (request.url === "/v2/token")
      return json(response, 200, {
        access_token: "bench-token",
        token_type: "Bearer",
        expires_in: 1079,
        scope: "list_and_subscribers_write",
        soap_instance_url: `${url}/soap/`,
        rest_instance_url: `${url}/`,
      });
    if (request.url === "/stats") return json(response, 200, stats);
    if (request.url === "/contacts/v1/establish")
      return establish(JSON.parse(Buffer.concat(chunks).toString("utf8")).ContactKeys, response);
    response.writeHead(404).end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  url = `http://127.0.0.1:${server.address().port}`;
  process.stdout.write(`${url}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
