// Follow one import over graphql-transport-ws with the graphql-ws client, as a browser would:
// the API key in connection_init's payload. Prints one JSON line per event:
//   {"next": {...}} for each progress payload, {"complete": true}, {"error": ...} or
//   {"closed": code, "reason": "..."} when the server closes the socket.
// usage: node progress.mjs WS_URL API_KEY JOB_ID
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, key, jobId] = process.argv.slice(2);
const print = (value) => process.stdout.write(JSON.stringify(value) + "\n");

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${key}` },
  retryAttempts: 0,
  lazy: true,
  on: {
    closed: (event) => print({ closed: event.code, reason: event.reason }),
  },
});

const query = `subscription($id: ID!) { associationImportProgress(id: $id) {
  id status total processed succeeded failed } }`;

await new Promise((resolve) => {
  client.subscribe(
    { query, variables: { id: jobId } },
    {
      next: (payload) => print({ next: payload }),
      error: (error) => {
        print({ error: error instanceof Error ? error.message : error.code ? { code: error.code } : error });
        resolve();
      },
      complete: () => {
        print({ complete: true });
        resolve();
      },
    },
  );
});
await client.dispose();
