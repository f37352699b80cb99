/**
 * The contract rig: client -> front door (records Prism's verdicts) -> `prism proxy` -> the mocks'
 * HTTP server. The server names the front door as its tokens' `rest_instance_url`, so a client
 * that follows the token answer, as Marketing Cloud clients do, sends its REST calls through
 * Prism too.
 */
import { type ContactsHttpServer, startContactsHttpServer } from "@sfmc-contacts/mocks/http-server";
import { type Exchange, type Front, startFront } from "./front.js";
import { type PrismProxy, startPrismProxy } from "./prism.js";
import { type Relay, startRelay } from "./relay.js";

/** The installed package the mock accepts; the clients authenticate with it. */
export const CREDENTIALS = {
  clientId: "third-party-client",
  clientSecret: "third-party-secret",
  /** The MID, as sfmc-sdk's README writes it: a number. The mock is told the string and compares both. */
  accountId: 7281698,
} as const;

/** Options of {@link startRig}. */
export interface RigOptions {
  /** The `rest_instance_url` of the mock's tokens, from the front door's URL. Default: the front door, with a slash. */
  restInstanceUrl?: (frontUrl: string) => string;
  /** Put a {@link Relay} between Prism and the mock, to change answers on purpose. Default no. */
  relay?: boolean;
}

/** A running rig. */
export interface Rig {
  /** The front door: where clients send everything. */
  url: string;
  service: ContactsHttpServer;
  prism: PrismProxy;
  relay: Relay | undefined;
  /** Every exchange that went through Prism since the last reset, with Prism's verdict. */
  readonly exchanges: Exchange[];
  /** Forgets the exchanges and resets the mock (contacts, requests, tokens): each test starts from nothing. */
  reset(): void;
  close(): Promise<void>;
}

/** The mock's seed: the same run gives the same contact ids and tokens. */
export const SEED = 20261127;

/** Starts the mock, Prism in front of it, and the front door; close() stops all three. */
export async function startRig(options: RigOptions = {}): Promise<Rig> {
  const front: Front = await startFront();
  const started: { close(): Promise<unknown> }[] = [front];
  const close = async () => {
    for (const part of started.reverse()) await part.close();
  };
  try {
    const service = await startContactsHttpServer({
      seed: SEED,
      restInstanceUrl: options.restInstanceUrl?.(front.url) ?? `${front.url}/`,
      auth: {
        clientId: CREDENTIALS.clientId,
        clientSecret: CREDENTIALS.clientSecret,
        accountId: String(CREDENTIALS.accountId),
      },
    });
    started.push(service);
    const relay = options.relay ? await startRelay(service.url) : undefined;
    if (relay) started.push(relay);
    const prism = await startPrismProxy(relay?.url ?? service.url);
    started.push({ close: prism.stop });
    front.target = prism.url;
    return {
      url: front.url,
      service,
      prism,
      relay,
      exchanges: front.exchanges,
      reset: () => {
        front.exchanges.length = 0;
        service.mock.reset();
        if (relay) relay.rewrite = undefined;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** How many token requests the mock has answered since its last reset. */
export function tokenRequests(rig: Rig): number {
  return rig.service.mock.requests.filter((r) => r.route === "token").length;
}
