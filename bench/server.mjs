// The benchmark's service: acts like Marketing Cloud (token route, establish route, valid answers
// for the keys sent) and is as cheap as it can be, so the clients' own costs show. Runs in its own
// process on 127.0.0.1 and prints its URL on stdout.
import { createServer } from "node:http";

const TOKEN = JSON.stringify({
  access_token: "bench-token",
  token_type: "Bearer",
  expires_in: 1079,
  scope: "list_and_subscribers_write",
  soap_instance_url: "http://127.0.0.1/soap/",
  rest_instance_url: "",
});
const head = '{"items":[';
const tail =
  '],"requestServiceMessageID":"00000000-0000-4000-8000-000000000000","responseDateTime":"2024-01-01T00:00:00.0000000-06:00","resultMessages":[],"serviceMessageID":"00000000-0000-4000-8000-000000000001"}';

const server = createServer((request, response) => {
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => {
    if (request.url === "/v2/token") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(TOKEN.replace('"rest_instance_url":""', `"rest_instance_url":"${url}/"`));
      return;
    }
    const keys = JSON.parse(Buffer.concat(chunks).toString("utf8")).ContactKeys;
    let items = "";
    for (let i = 0; i < keys.length; i++) {
      const key = JSON.stringify(keys[i]);
      items += `${i ? "," : ""}{"value":{"requestedContactKey":${key},"isNewContact":false,"contactReference":{"contactID":${100000 + i},"contactType":"Default","contactKey":${key},"contactStatus":"Active"}},"requestItemIndex":${i},"resultMessages":[]}`;
    }
    response.writeHead(200, { "content-type": "application/json" });
    response.end(head + items + tail);
  });
});
server.keepAliveTimeout = 60_000;
let url = "";
server.listen(0, "127.0.0.1", () => {
  url = `http://127.0.0.1:${server.address().port}`;
  process.stdout.write(`${url}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
