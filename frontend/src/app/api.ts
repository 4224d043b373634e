// The club endpoint sits beside the app under /plugins/global/saleor.loyalty/: no configuration needed.

export type FieldError = { field: string | null; message: string; code: string };

export class ApiError extends Error {
  // `field`: a query's typed error names the argument it is about (e.g. ruleBacktest's earnRate).
  constructor(message: string, public code: string = "ERROR", public field: string | null = null) {
    super(message);
  }
}

export function clubEndpoint(loc: Location = window.location): string {
  const base = loc.pathname.replace(/\/app(\/.*)?$/, "");
  return `${loc.origin}${base}/graphql/`;
}

// `partial`: keep what came back when only some fields failed (e.g. a permission the staff lacks).
export type Fetcher = <T>(query: string, variables?: Record<string, unknown>, options?: { partial?: boolean }) => Promise<T>;

export function makeFetcher(url: string, getToken: () => string | null | undefined): Fetcher {
  return async <T>(query: string, variables: Record<string, unknown> = {}, options: { partial?: boolean } = {}): Promise<T> => {
    const token = getToken();
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    let body: { data?: T; errors?: { message: string; extensions?: { exception?: { code?: string; field?: string } } }[] };
    try {
      body = await response.json();
    } catch {
      throw new ApiError(`HTTP ${response.status}`);
    }
    if (body.errors?.length && !(options.partial && body.data)) {
      const first = body.errors[0];
      throw new ApiError(first.message, first.extensions?.exception?.code ?? "ERROR", first.extensions?.exception?.field ?? null);
    }
    if (!response.ok || !body.data) throw new ApiError(`HTTP ${response.status}`);
    return body.data;
  };
}

// Mutation errors by input field: `null` (the whole request) is kept under "".
export function errorsByField(errors: FieldError[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) out[e.field ?? ""] = out[e.field ?? ""] ? `${out[e.field ?? ""]} ${e.message}` : e.message;
  return out;
}
