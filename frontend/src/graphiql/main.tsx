// GraphiQL for the club endpoint, bundled into the Python package so it works offline and under a strict
// Content-Security-Policy (it loaded from a CDN before). The page that loads it is the endpoint's own GET answer.
import { GraphiQL } from "graphiql";
import "graphiql/graphiql.css";
import { createRoot } from "react-dom/client";

type Params = { query: string; variables?: unknown; operationName?: string | null };
type Options = { headers?: Record<string, string> };

// A first query every caller may send; `me`, `club` and the staff fields need a token in the Headers tab.
const defaultQuery = `# The club's API. Add {"Authorization": "Bearer <Saleor token>"} under Headers for your own data.
query Hello {
  __typename
}
`;

const endpoint = window.location.origin + window.location.pathname;

async function fetcher(params: Params, options?: Options) {
  const response = await fetch(endpoint, {
    method: "POST",
    credentials: "omit",
    headers: { "Content-Type": "application/json", ...(options?.headers ?? {}) },
    body: JSON.stringify(params),
  });
  return response.json();
}

const root = document.getElementById("graphiql");
if (root) createRoot(root).render(<GraphiQL fetcher={fetcher} defaultQuery={defaultQuery} />);
