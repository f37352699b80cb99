// The same, in bulk: establishAll over an iterable, done() awaited for its summary (reported, no target).
import { createContactsClient } from "@sfmc-contacts/client-node";

export async function syncAll(keys: Iterable<string>): Promise<number> {
  const client = createContactsClient({ subdomain: "tenant", clientId: "id", clientSecret: "secret" });
  const summary = await client.establishAll(keys, { batchSize: 50 }).done();
  return summary.established;
}
