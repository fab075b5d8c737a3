// graphql-http's server audits against crmgraph: node audit.mjs URL AUTHORIZATION
// Prints [{id, name, status, reason}] as JSON (status: "ok" | "warn" | "error").
import { serverAudits } from 'graphql-http';

const [url, authorization] = process.argv.slice(2);
const fetchFn = (input, init = {}) =>
  fetch(input, { ...init, headers: { ...init.headers, authorization } });

const results = [];
for (const audit of serverAudits({ url, fetchFn })) {
  const result = await audit.fn();
  results.push({
    id: audit.id,
    name: audit.name,
    status: result.status,
    reason: result.status === 'ok' ? '' : result.reason,
  });
}
console.log(JSON.stringify(results));
