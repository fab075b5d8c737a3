// crmgraph stitched with a local schema by GraphQL Tools, for tests/federation.
//
//   node tests/federation/stitch.mjs http://127.0.0.1:PORT/graphql [QUERY]
//
// Environment:
//   CRMGRAPH_AUTHORIZATION  the Authorization header sent to crmgraph ("Bearer <key>")
//   TEAMS_JSON              the local schema's teams: [{"id", "name", "integrationId"}]
//   DEALS_JSON              its deals: [{"id", "name", "contactId"}], HubSpot contact ids
//   CRMGRAPH_INTEGRATION_ID the crmgraph integration the deals' contacts are read through
//
// Introspects crmgraph, stitches it with a local schema whose Team.integration is delegated
// to crmgraph's crmIntegration(id:) and whose Deal.contact is batched into one
// crmRecords(ids:) call by batchDelegateToSchema, runs QUERY (a query across both by
// default), prints the result as one JSON line and exits 0; on any failure, prints it to
// stderr and exits 1.

import { print } from "graphql";
import { batchDelegateToSchema } from "@graphql-tools/batch-delegate";
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
  const deals = JSON.parse(process.env.DEALS_JSON ?? "[]");
  const integrationId = process.env.CRMGRAPH_INTEGRATION_ID;

  const local = {
    schema: makeExecutableSchema({
      typeDefs: `
        type Team {
          id: ID!
          name: String!
          integrationId: ID
        }
        type Deal {
          id: ID!
          name: String!
          contactId: ID
        }
        type Query {
          teams: [Team!]!
          deals: [Deal!]!
        }
      `,
      resolvers: { Query: { teams: () => teams, deals: () => deals } },
    }),
  };

  // -- the stitching config the README shows -------------------------------------------------
  const executor = remoteExecutor(crmgraphUrl);
  // batch: true: delegations resolved together leave as one HTTP request.
  const crmgraph = { schema: await schemaFromExecutor(executor), executor, batch: true };

  const stitched = stitchSchemas({
    subschemas: [crmgraph, local],
    typeDefs: `
      extend type Team { integration: CrmIntegration }
      extend type Deal { contact: CrmRecord }
    `,
    resolvers: {
      Team: {
        integration: {
          selectionSet: "{ integrationId }",
          resolve: (team, _args, context, info) =>
            team.integrationId == null
              ? null
              : delegateToSchema({
                  schema: crmgraph,
                  operation: "query",
                  fieldName: "crmIntegration",
                  args: { id: team.integrationId },
                  context,
                  info,
                }),
        },
      },
      Deal: {
        // Every deal's contact in one crmRecords call: answers keep the ids' order, and an
        // unknown contact is null.
        contact: {
          selectionSet: "{ contactId }",
          resolve: (deal, _args, context, info) =>
            batchDelegateToSchema({
              schema: crmgraph,
              operation: "query",
              fieldName: "crmRecords",
              key: deal.contactId,
              argsFromKeys: (ids) => ({ integrationId, objectType: "contacts", ids }),
              context,
              info,
            }),
        },
      },
    },
  });
  // -- end of the README's config -------------------------------------------------------------

  // A context per query: batch-delegate and batch-execute batch within one context.
  const result = await graphql({ schema: stitched, source: query, contextValue: {} });
  // Written in full before exit: a pipe takes large writes asynchronously.
  await new Promise((done) => process.stdout.write(`${JSON.stringify(result)}\n`, done));
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
