/** Small fetch helpers shared by the node and browser suites. */
export const TENANT = "mc563885gzs27c5t9-63k636ttgm";
export const REST = `https://${TENANT}.rest.marketingcloudapis.com`;
export const AUTH = `https://${TENANT}.auth.marketingcloudapis.com`;
export const ESTABLISH_URL = `${REST}/contacts/v1/establish`;
export const TOKEN_URL = `${AUTH}/v2/token`;

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: response.status, headers: response.headers, text, body };
}

export async function requestToken(
  body: Record<string, unknown> = { grant_type: "client_credentials", client_id: "id", client_secret: "secret" },
  url = TOKEN_URL,
): Promise<Answer> {
  return answer(
    await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  );
}

export async function token(url = TOKEN_URL): Promise<string> {
  const result = await requestToken(undefined, url);
  if (result.status !== 200) throw new Error(`token route answered ${result.status}: ${result.text}`);
  return (result.body as { access_token: string }).access_token;
}

export interface EstablishInit {
  token?: string | undefined;
  contentType?: string;
  url?: string;
  raw?: string;
}

export async function establish(body: unknown, init: EstablishInit = {}): Promise<Answer> {
  const headers: Record<string, string> = { "content-type": init.contentType ?? "application/json" };
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  return answer(
    await fetch(init.url ?? ESTABLISH_URL, {
      method: "POST",
      headers,
      body: init.raw ?? JSON.stringify(body),
    }),
  );
}

/**
 * A POST with a body as given and these headers. fetch labels a string body `text/plain`; bytes
 * (a `Uint8Array`) go without a content type unless one is given.
 */
export async function post(
  url: string,
  body: string | Uint8Array<ArrayBuffer> | undefined,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return answer(await fetch(url, { method: "POST", headers, ...(body === undefined ? {} : { body }) }));
}

/** A form-encoded token request. */
export async function requestTokenForm(fields: Record<string, string>, url = TOKEN_URL): Promise<Answer> {
  return post(url, new URLSearchParams(fields).toString(), { "content-type": "application/x-www-form-urlencoded" });
}
