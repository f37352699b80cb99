/**
 * An http.Agent that opens every connection to one port on 127.0.0.1, whatever host the URL names:
 * the test's stand-in for DNS. A client keeps the URLs it would use against Marketing Cloud (its
 * request line and Host header are unchanged), and nothing leaves the machine.
 */
import { Agent, type ClientRequestArgs } from "node:http";
import { connect } from "node:net";
import type { Duplex } from "node:stream";

/** Connects every request to `127.0.0.1:<port>`. */
export class LoopbackAgent extends Agent {
  readonly #port: number;

  constructor(port: number) {
    super({ keepAlive: false });
    this.#port = port;
  }

  override createConnection(_options: ClientRequestArgs): Duplex {
    return connect({ host: "127.0.0.1", port: this.#port });
  }
}

/** The port of an `http://127.0.0.1:<port>` URL. */
export const portOf = (url: string): number => Number(new URL(url).port);
