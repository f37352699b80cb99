// The same job with a hand-written fetch wrapper and hand-written types: the baseline.
interface ContactReference {
  contactID: number;
  contactKey: string;
}
interface Item {
  value: { requestedContactKey: string; contactReference: ContactReference };
  resultMessages: Array<{ resultClass: string }>;
}
interface Answer {
  items: Item[];
}

async function establish(token: string, keys: string[]): Promise<Answer> {
  const response = await fetch("https://tenant.rest.marketingcloudapis.com/contacts/v1/establish", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ ContactKeys: keys }),
  });
  if (!response.ok) throw new Error(`establish: ${response.status}`);
  return (await response.json()) as Answer;
}

export async function sync(token: string, keys: string[]): Promise<Array<[string, number]>> {
  const answer = await establish(token, keys);
  const failures = answer.items.filter((item) => item.resultMessages.some((m) => m.resultClass === "Error"));
  console.log(failures.length);
  return answer.items.map((item) => [item.value.requestedContactKey, item.value.contactReference.contactID]);
}
