/**
 * A fuel-rest client pointed at a rig, as FuelSDK-Node sets one up for a tenant: OAuth 2
 * (authVersion 2), the MID as a number, Marketing Cloud's host names.
 */
import FuelRest from "fuel-rest";
import { LoopbackAgent, portOf } from "./loopback-agent.js";
import { CREDENTIALS, type Rig } from "./rig.js";

/** A tenant subdomain in Marketing Cloud's form. */
export const TENANT = "mcthirdpartycontracttest0001";

/**
 * The `rest_instance_url` the mock names for fuel-rest: a Marketing Cloud host, over http on the
 * default port. fuel-rest builds each REST URL as `rest_instance_url + uri.toLowerCase().split(".com/")[1]`
 * (helpers.resolveUriForOAuth2). The first call's `uri` is `<restEndpoint>/contacts/v1/establish`;
 * the retry after a 401 reuses the URL already built, which holds ".com/" only if the REST host
 * ends in ".com" with no port, as Marketing Cloud's do. Against `http://127.0.0.1:<port>/` the
 * retry would go to `/undefined`. So the mock names a Marketing Cloud host, and
 * {@link LoopbackAgent} sends the sockets to the rig's front door.
 */
export const FUEL_REST_INSTANCE_URL = `http://${TENANT}.rest.marketingcloudapis.com/`;

/** A fuel-rest client for `rig` (started with `restInstanceUrl: () => FUEL_REST_INSTANCE_URL`). */
export function fuelRest(rig: Rig): FuelRest {
  return new FuelRest({
    auth: {
      clientId: CREDENTIALS.clientId,
      clientSecret: CREDENTIALS.clientSecret,
      authUrl: `http://${TENANT}.auth.marketingcloudapis.com/v2/token`,
      // A number, as FuelSDK-Node's README writes it; fuel-auth sends it as given.
      authOptions: { authVersion: 2, accountId: CREDENTIALS.accountId },
    },
    // With authVersion 2 this host is never contacted: only the path after ".com/" is kept.
    restEndpoint: `https://${TENANT}.rest.marketingcloudapis.com`,
    // Reaches the token request too: fuel-rest merges its globalReqOptions into fuel-auth's call.
    // proxy: null: the `request` library would otherwise take HTTP_PROXY from the environment and
    // send absolute-form request lines through the agent's socket (the test env clears it too).
    globalReqOptions: { agent: new LoopbackAgent(portOf(rig.url)), proxy: null },
  });
}
