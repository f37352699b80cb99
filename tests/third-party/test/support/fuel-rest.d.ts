/**
 * The part of fuel-rest 3.2.2 (Salesforce's Node REST library, used by FuelSDK-Node) that the
 * tests use. It ships no types; this follows its lib/fuel-rest.js and fuel-auth's lib/fuel-auth.js.
 */
declare module "fuel-rest" {
  interface FuelRestOptions {
    /** fuel-auth's options. */
    auth: {
      clientId: string;
      clientSecret: string;
      /** The token URL itself (authVersion 2 posts to it as is). */
      authUrl: string;
      authOptions?: { authVersion?: 1 | 2; accountId?: number | string; scope?: string };
    };
    /** Only ever split at ".com/" with authVersion 2: the REST host comes from the token's rest_instance_url. */
    restEndpoint?: string;
    /** Merged into every request of the `request` library, the token request included. */
    globalReqOptions?: {
      agent?: import("node:http").Agent;
      /** The `request` library's proxy: `null` for none, whatever HTTP_PROXY says. */
      proxy?: string | null;
    };
  }

  /** A `request` library call: the URI relative to the REST host, and the JSON body. */
  interface FuelRestRequest {
    uri: string;
    json?: unknown;
    headers?: Record<string, string>;
  }

  /** What a call resolves to, whatever the status: fuel-rest rejects only on a transport error or a non-JSON answer. */
  interface FuelRestResponse {
    res: import("node:http").IncomingMessage & { statusCode: number };
    body: unknown;
  }

  class FuelRest {
    constructor(options: FuelRestOptions);
    /** POST, with `retry: true`: one token renewal on a 401 that fuel-rest reads as a bad token. */
    post(options: FuelRestRequest): Promise<FuelRestResponse>;
  }

  export = FuelRest;
}
