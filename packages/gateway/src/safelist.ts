import { createHash } from "node:crypto";
import type { ApolloServerOptions, ApolloServerPlugin, BaseContext } from "@apollo/server";
import { canonicalOperationKey, type PersistedOperationManifest } from "@monograph/schema/runtime";
import { getIntrospectionQuery, GraphQLError, Kind, Lexer, parse, Source, TokenKind, type DocumentNode } from "graphql";

/**
 * The code of a document that is not in the safelist. It is Apollo Router's code for the same refusal, so a client
 * written against either reads the same answer.
 */
export const NOT_IN_SAFELIST = "PERSISTED_QUERY_NOT_IN_LIST";

/** What the safelist adds to Apollo Server's options. */
export type SafelistServerOptions<TContext extends BaseContext> = Required<Pick<ApolloServerOptions<TContext>, "plugins">> & {
  persistedQueries: { cache: NeverStoringCache; ttl: null };
};

/**
 * Apollo Server's APQ store for the safelist: it never finds a hash (the plugin resolves the manifest's own) and
 * never stores one, so nothing can be registered through APQ.
 */
class NeverStoringCache {
  async get(): Promise<undefined> {
    return undefined;
  }
  async set(): Promise<void> {}
  async delete(): Promise<boolean> {
    return false;
  }
}

// What a refused request is turned into, so that Apollo Server's pipeline reaches didResolveOperation (where a
// plugin may answer with an error, per operation, also inside a batch) without parsing or validating anything big.
const PLACEHOLDER = "{ __typename }";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

function countTokens(text: string): number {
  const lexer = new Lexer(new Source(text));
  let count = 0;
  while (lexer.advance().kind !== TokenKind.EOF) count++;
  return count;
}

const INTROSPECTION_FIELDS = new Set(["__schema", "__type", "__typename"]);

/** Every operation selects only __schema, __type or __typename at its root (an explorer, `{ __typename }`). */
function isIntrospectionOnly(document: DocumentNode): boolean {
  const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  return operations.length > 0 && operations.every((operation) => operation.selectionSet.selections.every((selection) => selection.kind === Kind.FIELD && INTROSPECTION_FIELDS.has(selection.name.value)));
}

// The longest introspection document an explorer sends (graphql-js's, with every option), with a margin.
const INTROSPECTION_TOKENS = Math.ceil(
  countTokens(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true })) * 1.25,
);

/**
 * Only the operations of the manifest run: by hash (Apollo's persisted-query protocol, `extensions.persistedQuery`
 * on GET and POST, as Apollo Client's persisted-queries link sends it) or as full text, recognised by its canonical
 * key (whitespace, comments, the `__typename`s a client adds and the order of fragments do not matter). Anything
 * else is refused with PERSISTED_QUERY_NOT_IN_LIST (400) before it is validated or planned; an unknown hash gets
 * PERSISTED_QUERY_NOT_FOUND, so the link retries with the text, which is then checked like any other.
 *
 * The check runs in requestDidStart, first of all, once per operation (each operation of a batch on its own). A
 * document with more tokens than the longest recorded one cannot be recorded, so parsing stops there: refusing
 * even a huge or deeply nested document costs one hash and at most that many tokens.
 *
 * Introspection-only documents (`{ __typename }`, an explorer's schema query) are not client operations; they are
 * left to Apollo Server's own introspection switch (off in production unless INTROSPECTION or EXPLORER is set),
 * within the token count of the standard introspection query.
 */
export function safelistServerOptions<TContext extends BaseContext>(manifest: PersistedOperationManifest): SafelistServerOptions<TContext> {
  const bodies = new Map(manifest.operations.map((operation) => [operation.id, operation.body]));
  const keys = new Set(manifest.operations.map((operation) => canonicalOperationKey(parse(operation.body))));
  const maxTokens = Math.max(INTROSPECTION_TOKENS, ...manifest.operations.map((operation) => countTokens(operation.body)));

  const isAllowed = (text: string): boolean => {
    if (bodies.has(sha256(text))) return true;
    let document: DocumentNode;
    try {
      document = parse(text, { maxTokens, noLocation: true });
    } catch {
      // Does not parse within the longest allowed document's tokens: not a recorded operation.
      return false;
    }
    return keys.has(canonicalOperationKey(document)) || isIntrospectionOnly(document);
  };

  const plugin: ApolloServerPlugin<TContext> = {
    async requestDidStart({ request }) {
      const persisted = request.extensions?.["persistedQuery"] as { version?: unknown; sha256Hash?: unknown } | undefined;
      if (request.query === undefined || request.query === null) {
        // Hash only: a manifest hash becomes its document (Apollo Server checks that the hash is the text's);
        // any other is left to Apollo Server, which answers PERSISTED_QUERY_NOT_FOUND from the empty store.
        if (persisted?.version === 1 && typeof persisted.sha256Hash === "string") {
          const body = bodies.get(persisted.sha256Hash);
          if (body !== undefined) request.query = body;
        }
        return;
      }
      // Not a string: Apollo Server refuses the request before it runs anything.
      if (typeof request.query !== "string" || isAllowed(request.query)) return;

      request.query = PLACEHOLDER;
      request.operationName = undefined;
      if (persisted) {
        const { persistedQuery: _registration, ...extensions } = request.extensions ?? {};
        request.extensions = extensions;
      }
      return {
        async didResolveOperation() {
          throw new GraphQLError("This operation is not in the gateway's safelist of recorded operations.", {
            extensions: { code: NOT_IN_SAFELIST, http: { status: 400 } },
          });
        },
      };
    },
  };

  return { plugins: [plugin], persistedQueries: { cache: new NeverStoringCache(), ttl: null } };
}
