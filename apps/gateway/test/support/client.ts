/** A minimal GraphQL-over-HTTP client for tests: what a frontend app sends, nothing more. */
export interface GraphQLResponse<TData = Record<string, unknown>> {
  status: number;
  data?: TData | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface GraphQLClient {
  request<TData = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<TData>>;
  /** Like request, but fails the test on any error, and returns the data. */
  ok<TData = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<TData>;
}

export function graphqlClient(graphqlUrl: string): GraphQLClient {
  const request = async <TData>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<TData>> => {
    const response = await fetch(graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as Omit<GraphQLResponse<TData>, "status">;
    return { status: response.status, ...body };
  };
  return {
    request,
    async ok<TData>(query: string, variables?: Record<string, unknown>, token?: string) {
      const result = await request<TData>(query, variables, token);
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
