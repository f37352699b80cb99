// A consumer of @sfmc-contacts/client-node doing the same job as hand-written.ts: establish the
// keys, count the failures, map each key to its contact id.
import { createContactsClient } from "@sfmc-contacts/client-node";

export async function sync(keys: string[]): Promise<Array<[string, number]>> {
  const client = createContactsClient({ subdomain: "tenant", clientId: "id", clientSecret: "secret" });
  const result = await client.establish(keys);
  console.log(result.failures.length);
  return result.contacts.map((contact) => [contact.key, contact.contactId]);
}
