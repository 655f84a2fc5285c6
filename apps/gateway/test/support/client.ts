import { persistedHash, type TypedDocumentNode } from "@monograph/client";
import { print, type DocumentNode } from "graphql";

/** A minimal GraphQL-over-HTTP client for tests: what a frontend app sends, nothing more. */
export interface GraphQLResponse<TData = Record<string, unknown>> {
  status: number;
  data?: TData | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/**
 * What a test sends: a typed document of @monograph/client (one of the recorded operations, with its result and
 * variables types), or a hand-written string for what no client would record (invalid or hostile documents).
 */
export type Operation<TData = Record<string, any>, TVariables = Record<string, unknown>> = TypedDocumentNode<TData, TVariables> | string;

export interface GraphQLClient {
  request<TData = Record<string, any>, TVariables = Record<string, unknown>>(query: Operation<TData, TVariables>, variables?: TVariables, token?: string): Promise<GraphQLResponse<TData>>;
  /** Like request, but fails the test on any error, and returns the data. */
  ok<TData = Record<string, any>, TVariables = Record<string, unknown>>(query: Operation<TData, TVariables>, variables?: TVariables, token?: string): Promise<TData>;
}

/** The text a client sends for a document: as written, or graphql's print of a generated one (without its metadata). */
export function documentText(query: Operation<unknown, never> | DocumentNode): string {
  if (typeof query === "string") return query;
  const { __meta__: _meta, ...document } = query as DocumentNode & { __meta__?: unknown };
  return print(document as DocumentNode);
}

export interface ClientOptions {
  /**
   * "text" (default): the document's text in every request. "persisted": a typed document is sent as its
   * persisted-query hash first and, on PERSISTED_QUERY_NOT_FOUND, again with its text, as Apollo Client's
   * persisted-queries link does.
   */
  send?: "text" | "persisted";
}

export function graphqlClient(graphqlUrl: string, options: ClientOptions = {}): GraphQLClient {
  const post = async <TData>(body: Record<string, unknown>, token?: string): Promise<GraphQLResponse<TData>> => {
    const response = await fetch(graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    const payload = (await response.json()) as Omit<GraphQLResponse<TData>, "status">;
    return { status: response.status, ...payload };
  };
  const request = async <TData, TVariables>(query: Operation<TData, TVariables>, variables?: TVariables, token?: string): Promise<GraphQLResponse<TData>> => {
    if (options.send === "persisted" && typeof query !== "string") {
      const extensions = { persistedQuery: { version: 1, sha256Hash: persistedHash(query) } };
      const first = await post<TData>({ variables, extensions }, token);
      if (!codesOf(first).includes("PERSISTED_QUERY_NOT_FOUND")) return first;
      return post<TData>({ query: documentText(query), variables, extensions }, token);
    }
    return post<TData>({ query: documentText(query), variables }, token);
  };
  return {
    request,
    async ok<TData, TVariables>(query: Operation<TData, TVariables>, variables?: TVariables, token?: string) {
      const result = await request<TData, TVariables>(query, variables, token);
      if (result.errors?.length || !result.data) {
        throw new Error(`GraphQL errors: ${JSON.stringify(result.errors ?? result)}`);
      }
      return result.data;
    },
  };
}

export function codesOf(result: GraphQLResponse<unknown>): unknown[] {
  return (result.errors ?? []).map((error) => error.extensions?.code);
}
