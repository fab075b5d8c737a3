// Automatic persisted queries from the real clients:
//   node apq_client.mjs URL AUTHORIZATION apollo|urql post|get QUERY VARIABLES_JSON
// Runs QUERY twice, each time with a fresh client (so only the server can remember the
// document), and prints {exchanges, results}: every HTTP exchange as the client sent it
// (method, whether it carried the query text or only its hash, the status and error code it
// got back) and what each run resolved to.
import { createHash } from 'node:crypto';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { Client, fetchExchange, gql as urqlGql } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';

const [url, authorization, kind, method, query, variablesJson] = process.argv.slice(2);
const variables = JSON.parse(variablesJson || '{}');
const sha256 = (text) => createHash('sha256').update(text).digest('hex');
const useGet = method === 'get';

const exchanges = [];
async function recordingFetch(input, init = {}) {
  const target = new URL(typeof input === 'string' ? input : input.url);
  const body = init.body ? JSON.parse(init.body) : null;
  const sentQuery = body ? 'query' in body && !!body.query : target.searchParams.has('query');
  const response = await fetch(input, init);
  const answer = await response.clone().json();
  exchanges.push({
    method: init.method || 'GET',
    sentQuery,
    status: response.status,
    contentType: response.headers.get('content-type'),
    code: answer.errors?.[0]?.extensions?.code ?? null,
  });
  return response;
}

async function viaApollo() {
  const link = new PersistedQueryLink({ sha256, useGETForHashedQueries: useGet }).concat(
    new HttpLink({ uri: url, headers: { authorization }, fetch: recordingFetch }),
  );
  const client = new ApolloClient({ link, cache: new InMemoryCache() });
  const result = await client.query({ query: gql(query), variables, fetchPolicy: 'no-cache' });
  return { data: result.data, error: result.error?.message ?? null };
}

async function viaUrql() {
  const client = new Client({
    url,
    fetch: recordingFetch,
    fetchOptions: { headers: { authorization } },
    preferGetMethod: false,
    exchanges: [
      persistedExchange({ preferGetForPersistedQueries: useGet, generateHash: async (q) => sha256(q) }),
      fetchExchange,
    ],
  });
  const result = await client.query(urqlGql(query), variables, { requestPolicy: 'network-only' }).toPromise();
  return { data: result.data ?? null, error: result.error?.message ?? null };
}

const run = kind === 'apollo' ? viaApollo : viaUrql;
const results = [await run(), await run()];
console.log(JSON.stringify({ exchanges, results }));
