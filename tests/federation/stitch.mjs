// crmgraph stitched with a local schema by GraphQL Tools, for tests/federation.
//
//   node tests/federation/stitch.mjs http://127.0.0.1:PORT/graphql [QUERY]
//
// Environment:
//   CRMGRAPH_AUTHORIZATION  the Authorization header sent to crmgraph ("Bearer <key>")
//   TEAMS_JSON              the local schema's data: [{"id", "name", "integrationId"}]
//
// Introspects crmgraph, stitches it with a local "teams" schema whose Team.integration is
// delegated to crmgraph's crmIntegration(id:), runs QUERY (a query across both by default),
// prints the result as one JSON line and exits 0; on any failure, prints it to stderr and
// exits 1.

import { print } from "graphql";
import { delegateToSchema } from "@graphql-tools/delegate";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { stitchSchemas } from "@graphql-tools/stitch";
import { schemaFromExecutor } from "@graphql-tools/wrap";
import { graphql } from "graphql";

const DEFAULT_QUERY = `{
  teams { id name integration { id name provider isEnabled } }
  crmIntegrations { id name }
}`;

const crmgraphUrl = process.argv[2];
const query = process.argv[3] ?? DEFAULT_QUERY;
const authorization = process.env.CRMGRAPH_AUTHORIZATION ?? "";

function remoteExecutor(url) {
  return async ({ document, variables, operationName }) => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization },
      body: JSON.stringify({ query: print(document), variables, operationName }),
    });
    const body = await response.text();
    if (!response.ok) throw new Error(`${url} answered ${response.status}: ${body}`);
    return JSON.parse(body);
  };
}

async function main() {
  if (!crmgraphUrl) throw new Error("usage: node stitch.mjs <crmgraph /graphql URL> [QUERY]");
  const teams = JSON.parse(process.env.TEAMS_JSON ?? "[]");

  const executor = remoteExecutor(crmgraphUrl);
  const crmgraph = { schema: await schemaFromExecutor(executor), executor };

  const local = {
    schema: makeExecutableSchema({
      typeDefs: `
        type Team {
          id: ID!
          name: String!
          integrationId: ID
        }
        type Query {
          teams: [Team!]!
        }
      `,
      resolvers: { Query: { teams: () => teams } },
    }),
  };

  const stitched = stitchSchemas({
    subschemas: [crmgraph, local],
    typeDefs: "extend type Team { integration: CrmIntegration }",
    resolvers: {
      Team: {
        integration: {
          selectionSet: "{ integrationId }",
          resolve(team, _args, context, info) {
            if (team.integrationId == null) return null;
            return delegateToSchema({
              schema: crmgraph,
              operation: "query",
              fieldName: "crmIntegration",
              args: { id: team.integrationId },
              context,
              info,
            });
          },
        },
      },
    },
  });

  const result = await graphql({ schema: stitched, source: query });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (result.errors?.length) throw new Error(`the stitched query answered errors`);
}

main().then(
  () => process.exit(0),
  (err) => {
    const cause = err?.cause ? `\ncaused by: ${err.cause?.stack ?? err.cause}` : "";
    process.stderr.write(`stitch.mjs: ${err?.stack ?? err}${cause}\n`);
    if (err?.errors) process.stderr.write(`${JSON.stringify(err.errors)}\n`);
    process.exit(1);
  },
);
