// establishAll over argv[3] (default 1,000,000) generated keys (never held in memory) against the
// bench service at argv[2]; prints the RSS before the run, the peak during it, and the growth, in MB.
import { createContactsClient } from "@sfmc-contacts/client-node";

const url = process.argv[2];
const count = Number(process.argv[3] ?? 1_000_000);
const client = createContactsClient({
  clientId: "rss",
  clientSecret: "rss",
  baseUrl: url,
  authBaseUrl: url,
  transport: "undici",
});
await client.establish(["warm-up"]);
const baseline = process.memoryUsage().rss;
let peak = baseline;
const sample = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 20);
function* keys() {
  for (let i = 0; i < count; i++) yield `streamed-key-${i}`;
}
const summary = await client.establishAll(keys(), { batchSize: 50, concurrency: 16 }).done();
clearInterval(sample);
peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
await client.close();
const mb = (bytes) => Math.round((bytes / 1024 / 1024) * 10) / 10;
process.stdout.write(
  JSON.stringify({
    keys: summary.established,
    baselineMb: mb(baseline),
    peakMb: mb(peak),
    growthMb: mb(peak - baseline),
  }),
);
