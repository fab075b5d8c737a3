// A federated gateway over crmgraph and a small "teams" subgraph, for tests/federation.
//
//   node tests/federation/gateway.mjs http://127.0.0.1:PORT/graphql[,http://127.0.0.1:PORT2/graphql...]
//
// Several comma-separated crmgraph URLs are replicas of one subgraph: the schema is read from
// the first, and requests go to each in turn (round robin, no health checks: a dead replica's
// share of requests fails, as it would behind a plain load balancer).
//
// Environment:
//   CRMGRAPH_AUTHORIZATION  the Authorization header sent to crmgraph ("Bearer <key>")
//   TEAMS_JSON              the teams subgraph's data: [{"id", "name", "integrationId"}]
//   TEAMS_EXTRA_SDL         more type definitions for the teams subgraph (to test composition)
//
// Prints {"gateway": URL, "teams": URL} as one JSON line on stdout when ready and stays up
// until stdin closes or SIGTERM/SIGINT. Composition errors are printed and exit with 1.

import { parse } from "graphql";
import { composeServices } from "@apollo/composition";
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { buildSubgraphSchema } from "@apollo/subgraph";

// stdout carries the ready line only: every log goes to stderr.
console.log = console.error;
const logger = {
  debug() {},
  info() {},
  warn: (message) => process.stderr.write(`gateway.mjs: warn: ${message}\n`),
  error: (message) => process.stderr.write(`gateway.mjs: error: ${message}\n`),
};

const CRMGRAPH = "crmgraph";
const TEAMS = "teams";

function fail(message) {
  process.stderr.write(`gateway.mjs: ${message}\n`);
  process.exit(1);
}

const crmgraphUrls = (process.argv[2] ?? "").split(",").filter((u) => u);
if (crmgraphUrls.length === 0) fail("usage: node gateway.mjs <crmgraph /graphql URL>[,...]");
const crmgraphUrl = crmgraphUrls[0];
let nextReplica = 0;
const authorization = process.env.CRMGRAPH_AUTHORIZATION ?? "";
let teams;
try {
  teams = JSON.parse(process.env.TEAMS_JSON ?? "[]");
} catch (err) {
  fail(`TEAMS_JSON is not JSON: ${err.message}`);
}

const teamsTypeDefs = parse(`
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.11", import: ["@key"])

  type Team @key(fields: "id") {
    id: ID!
    name: String!
    integration: CrmIntegration
  }

  type CrmIntegration @key(fields: "id", resolvable: false) {
    id: ID!
  }

  type Query {
    teams: [Team!]!
  }

  ${process.env.TEAMS_EXTRA_SDL ?? ""}
`);

const teamsResolvers = {
  Query: {
    teams: () => teams,
  },
  Team: {
    __resolveReference: (ref) => teams.find((t) => t.id === ref.id) ?? null,
    integration: (team) =>
      team.integrationId == null ? null : { __typename: "CrmIntegration", id: team.integrationId },
  },
};

async function fetchSdl(url) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization },
    body: JSON.stringify({ query: "{ _service { sdl } }" }),
  });
  const body = await response.text();
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${body}`);
  const result = JSON.parse(body);
  if (result.errors) throw new Error(`${url} answered errors: ${JSON.stringify(result.errors)}`);
  return result.data._service.sdl;
}

const stoppers = [];
let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const s of stoppers.reverse()) {
    try {
      await s();
    } catch (err) {
      process.stderr.write(`gateway.mjs: while stopping: ${err}\n`);
    }
  }
  process.exit(code);
}

async function main() {
  const crmgraphSdl = await fetchSdl(crmgraphUrl);

  const teamsServer = new ApolloServer({
    logger,
    schema: buildSubgraphSchema({ typeDefs: teamsTypeDefs, resolvers: teamsResolvers }),
  });
  const { url: teamsUrl } = await startStandaloneServer(teamsServer, {
    listen: { host: "127.0.0.1", port: 0 },
  });
  stoppers.push(() => teamsServer.stop());

  const composed = composeServices([
    { name: CRMGRAPH, url: crmgraphUrl, typeDefs: parse(crmgraphSdl) },
    { name: TEAMS, url: teamsUrl, typeDefs: teamsTypeDefs },
  ]);
  if (composed.errors && composed.errors.length > 0) {
    const lines = composed.errors.map((e) => `  ${e.extensions?.code ?? "ERROR"}: ${e.message}`);
    process.stderr.write(`gateway.mjs: composition failed:\n${lines.join("\n")}\n`);
    await stop(1);
    return;
  }

  const gateway = new ApolloGateway({
    logger,
    supergraphSdl: composed.supergraphSdl,
    buildService({ name, url }) {
      return new RemoteGraphQLDataSource({
        url,
        willSendRequest({ request }) {
          if (name !== CRMGRAPH) return;
          request.http.headers.set("authorization", authorization);
          request.http.url = crmgraphUrls[nextReplica++ % crmgraphUrls.length];
        },
      });
    },
  });
  const gatewayServer = new ApolloServer({ gateway, logger });
  const { url: gatewayUrl } = await startStandaloneServer(gatewayServer, {
    listen: { host: "127.0.0.1", port: 0 },
  });
  stoppers.push(() => gatewayServer.stop());

  process.stdout.write(`${JSON.stringify({ gateway: gatewayUrl, teams: teamsUrl })}\n`);
}

process.on("SIGTERM", () => stop(0));
process.on("SIGINT", () => stop(0));
process.stdin.on("end", () => stop(0));
process.stdin.on("error", () => stop(0));
process.stdin.resume();

main().catch(async (err) => {
  const cause = err?.cause ? `\ncaused by: ${err.cause?.stack ?? err.cause}` : "";
  process.stderr.write(`gateway.mjs: ${err?.stack ?? err}${cause}\n`);
  await stop(1);
});
