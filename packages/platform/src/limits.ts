import type { ApolloServerOptions, ApolloServerPlugin, BaseContext } from "@apollo/server";
import { ApolloArmor } from "@escape.tech/graphql-armor";
import type { GraphQLArmorRejectCallback } from "@escape.tech/graphql-armor-types";
import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  getVariableValues,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  Lexer,
  Source,
  TokenKind,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from "graphql";
import { EdgeErrorCode, ErrorCode } from "./errors.ts";

/**
 * How big and how expensive one GraphQL operation may be. Every document is held against these before anything
 * plans or executes it: the gateway's query planner needs seconds and gigabytes for a selection 1,000 levels deep,
 * so a refusal must come first and cost next to nothing (docs/adr/0007-operation-limits-and-http-edge.md).
 */
export interface OperationLimits {
  /** Nesting of fields; fragments do not add a level. The deepest recorded operation, MyOrders, is 7. */
  maxDepth: number;
  /** Aliased fields per operation (`__typename` aliases are free). */
  maxAliases: number;
  /** Lexical tokens per document: the parser stops at the first one over, so a huge document is never built. */
  maxTokens: number;
  /** Directives per operation, fragments included. */
  maxDirectives: number;
  /** Fields at the root of an operation (`__typename` is free). */
  maxRootFields: number;
  /** Cost: every field resolved if every list were full; see operationCost. */
  maxCost: number;
  /** The size assumed for a list that has no page-size argument (`items`, `payments`). */
  defaultListSize: number;
}

/**
 * At least as strict as graphql-armor's defaults (depth 6, aliases 15, tokens 1,000, directives 50, cost 5,000)
 * wherever our recorded operations allow: depth 8 because MyOrders needs 7, and cost 10,000 because MyOrders asking
 * for the largest page (100 orders) costs 6,704 with our model, which multiplies by page sizes where armor's does not.
 */
export const DEFAULT_OPERATION_LIMITS: OperationLimits = Object.freeze({
  maxDepth: 8,
  maxAliases: 15,
  maxTokens: 1_000,
  maxDirectives: 50,
  maxRootFields: 10,
  maxCost: 10_000,
  defaultListSize: 10,
});

/**
 * A request refused at the edge: a limit, a malformed request, a client mistake. It carries its own code and HTTP
 * status. Apollo re-labels errors of validation rules GRAPHQL_VALIDATION_FAILED; formatEdgeError puts the code back.
 */
export class RefusedRequest extends GraphQLError {
  readonly code: string;
  constructor(code: string, message: string, status = 400) {
    super(message, { extensions: { code, http: { status } } });
    this.name = "RefusedRequest";
    this.code = code;
  }
}

/**
 * Brackets ({, [, () open at once. graphql-js parses recursively and runs out of stack near 1,650 nested input
 * objects (fewer inside a server), well within a document of 10,000 tokens; a document must never get that far.
 * Our deepest recorded operation opens 9.
 */
export const MAX_NESTING = 128;

/**
 * Reads a document's tokens without building anything (graphql-js's lexer is a loop, not a recursion) and refuses
 * it at the first token over the limit or the first bracket nested too deep, before the recursive parser sees it.
 * A document the lexer cannot read is left to the parser, whose syntax error says more.
 */
export function screenDocument(query: string, limits: Pick<OperationLimits, "maxTokens">): RefusedRequest | undefined {
  const lexer = new Lexer(new Source(query));
  let tokens = 0;
  let nesting = 0;
  try {
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      if (++tokens > limits.maxTokens) return new RefusedRequest(EdgeErrorCode.TOKEN_LIMIT_EXCEEDED, `Token limit of ${limits.maxTokens} exceeded.`);
      if (token.kind === TokenKind.BRACE_L || token.kind === TokenKind.BRACKET_L || token.kind === TokenKind.PAREN_L) {
        if (++nesting > MAX_NESTING) return new RefusedRequest(EdgeErrorCode.DEPTH_LIMIT_EXCEEDED, `The document nests brackets deeper than ${MAX_NESTING}.`);
      } else if (token.kind === TokenKind.BRACE_R || token.kind === TokenKind.BRACKET_R || token.kind === TokenKind.PAREN_R) {
        nesting -= 1;
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** graphql-js's own message when `parse(..., { maxTokens })` stops ("more that" in 16.x; graphql is pinned and a unit test watches it). */
const TOKEN_LIMIT_MESSAGE = /^Syntax Error: Document contains more tha[nt] (\d+) tokens\. Parsing aborted\.$/;
const SUGGESTION = /\s*Did you mean .+\?$/s;

/**
 * The settings to spread into `new ApolloServer({...})`, for the gateway and for a subgraph process alike:
 * the token limit inside the parser, the structural limits as validation rules (graphql-armor for depth, aliases and
 * directives; ours for root fields), and a plugin that refuses, once the operation is known and before it runs,
 * an unknown operation name, NUL characters and operations over the cost limit.
 */
export function operationLimitOptions(
  limits: OperationLimits = DEFAULT_OPERATION_LIMITS,
  options: { maxBatch?: number; fieldSuggestions?: boolean } = {},
): Pick<ApolloServerOptions<BaseContext>, "parseOptions" | "validationRules" | "allowBatchedHttpRequests" | "hideSchemaDetailsFromClientErrors"> & {
  plugins: ApolloServerPlugin<BaseContext>[];
} {
  return {
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: operationLimitRules(limits),
    plugins: [operationGuardPlugin(limits)],
    // The HTTP front counts the operations of a batch (MAX_BATCH); Apollo runs each through every limit.
    allowBatchedHttpRequests: (options.maxBatch ?? 1) > 1,
    // "Did you mean ...?" tells a stranger the schema's field names, introspection or not.
    hideSchemaDetailsFromClientErrors: options.fieldSuggestions === false,
  };
}

/** The structural limits as graphql-js validation rules (they need no variables). */
export function operationLimitRules(limits: OperationLimits): ValidationRule[] {
  const report = (code: string): GraphQLArmorRejectCallback[] => [
    (context, error) => context?.reportError(new RefusedRequest(code, error.message.replace(/^Syntax Error: /, ""))),
  ];
  // Armor throws out of the validator by default (a 500 from Apollo); reporting to the context makes it a 400.
  const { validationRules } = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, flattenFragments: true, propagateOnRejection: false, onReject: report(EdgeErrorCode.DEPTH_LIMIT_EXCEEDED) },
    maxAliases: { n: limits.maxAliases, propagateOnRejection: false, onReject: report(EdgeErrorCode.ALIAS_LIMIT_EXCEEDED) },
    maxDirectives: { n: limits.maxDirectives, propagateOnRejection: false, onReject: report(EdgeErrorCode.DIRECTIVE_LIMIT_EXCEEDED) },
    // Tokens: graphql-js's parser counts them itself and stops early (parseOptions.maxTokens); armor's plugin parses
    // every document a second time. Cost: armor's does not multiply by page sizes given as variables.
    maxTokens: { enabled: false },
    costLimit: { enabled: false },
    // Apollo's own hideSchemaDetailsFromClientErrors does this, in production only.
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return [...validationRules, maxRootFieldsRule(limits.maxRootFields)];
}

export function maxRootFieldsRule(max: number): ValidationRule {
  return (context: ValidationContext) => ({
    OperationDefinition(operation) {
      const count = countRootFields(context, operation.selectionSet, new Set());
      if (count > max) {
        context.reportError(new RefusedRequest(EdgeErrorCode.ROOT_FIELD_LIMIT_EXCEEDED, `Root field limit of ${max} exceeded, found ${count}.`));
      }
    },
  });
}

function countRootFields(context: ValidationContext, selectionSet: SelectionSetNode, seenFragments: Set<string>): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value !== "__typename") count += 1;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += countRootFields(context, selection.selectionSet, seenFragments);
    } else if (!seenFragments.has(selection.name.value)) {
      // A fragment spread twice merges into the same fields: count it once (and never loop on a cycle).
      seenFragments.add(selection.name.value);
      const fragment = context.getFragment(selection.name.value);
      if (fragment) count += countRootFields(context, fragment.selectionSet, seenFragments);
    }
  }
  return count;
}

/**
 * The cost of an operation: every field counts 1, plus its selection times the number of items it can return.
 * That number is the page-size argument (`first`/`last`, given, from a variable or the schema's default), or
 * `defaultListSize` for a list without one. The list inside a connection (`edges`) is the page its connection
 * field already counted, and `_entities` is a batch the gateway sends for an operation it has already costed.
 * Introspection costs nothing here (it has its own switch, INTROSPECTION). Fields asked for twice count twice.
 *
 * A fragment's cost does not depend on where it is spread, so each is computed once: the walk is linear in the
 * document, and fragments that spread each other twice over cost what their expansion would, without expanding.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  defaultListSize: number,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const fragmentCosts = new Map<string, number>();

  const selectionCost = (selectionSet: SelectionSetNode, parentType: GraphQLNamedType | null | undefined): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (skipped(selection, variables)) continue;
      if (selection.kind === Kind.FIELD) {
        total += fieldCost(selection, parentType);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        total += selectionCost(selection.selectionSet, selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parentType);
      } else {
        const name = selection.name.value;
        let cost = fragmentCosts.get(name);
        if (cost === undefined) {
          const fragment = fragments.get(name);
          // Validation has refused cycles already; the 0 only guards the walk itself.
          fragmentCosts.set(name, 0);
          cost = fragment ? selectionCost(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value)) : 0;
          fragmentCosts.set(name, cost);
        }
        total += cost;
      }
    }
    return total;
  };

  const fieldCost = (node: FieldNode, parentType: GraphQLNamedType | null | undefined): number => {
    const name = node.name.value;
    if (name === "__schema" || name === "__type") return 0;
    if (name === "__typename") return 1;
    if (!isObjectType(parentType) && !isInterfaceType(parentType)) return 0;
    const field = parentType.getFields()[name];
    // An unknown field was refused by validation; nothing to count.
    if (!field) return 0;
    const child = node.selectionSet ? selectionCost(node.selectionSet, getNamedType(field.type)) : 0;
    if (child === 0) return 1;
    let size = 1;
    const pageSize = pageSizeArgument(getArgumentValues(field, node, variables));
    if (pageSize !== undefined) size = pageSize;
    else if (isListType(getNullableType(field.type))) size = name === "_entities" || parentType.name.endsWith("Connection") ? 1 : defaultListSize;
    return 1 + size * child;
  };

  const rootType = schema.getRootType(operation.operation);
  return selectionCost(operation.selectionSet, rootType);
}

function skipped(selection: SelectionNode, variables: Record<string, unknown>): boolean {
  if (!selection.directives?.length) return false;
  return getDirectiveValues(GraphQLSkipDirective, selection, variables)?.if === true || getDirectiveValues(GraphQLIncludeDirective, selection, variables)?.if === false;
}

/**
 * The largest page any connection serves (graphql.ts, `pageSize`): a larger `first` is refused there with
 * BAD_USER_INPUT before anything is fetched, so it costs no more than this, and the client learns the real rule.
 */
export const LARGEST_PAGE = 100;

function pageSizeArgument(args: Record<string, unknown>): number | undefined {
  const sizes = [args.first, args.last].filter((value): value is number => typeof value === "number" && Number.isFinite(value));
  return sizes.length > 0 ? Math.min(LARGEST_PAGE, Math.max(0, ...sizes)) : undefined;
}

/** The cost of the operation a request runs, with its variables. Throws a RefusedRequest over the limit. */
export function checkCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  limits: OperationLimits,
): number {
  // Without variables, an operation costs the same on every request against the same schema and list size.
  const constant = !operation.variableDefinitions?.length;
  const known = constant ? constantCosts.get(operation) : undefined;
  const reuse = known && known.schema === schema && known.defaultListSize === limits.defaultListSize;
  const cost = reuse ? known.cost : variableCost(schema, document, operation, variables, limits);
  if (constant && !reuse) constantCosts.set(operation, { schema, defaultListSize: limits.defaultListSize, cost });
  if (cost > limits.maxCost) {
    const found = Number.isFinite(cost) && cost < 1e15 ? `, found ${cost}` : "";
    throw new RefusedRequest(EdgeErrorCode.COST_LIMIT_EXCEEDED, `Cost limit of ${limits.maxCost} exceeded${found}.`);
  }
  return cost;
}

const constantCosts = new WeakMap<OperationDefinitionNode, { schema: GraphQLSchema; defaultListSize: number; cost: number }>();

function variableCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined, limits: OperationLimits): number {
  const { coerced, errors } = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 1 });
  let cost: number;
  try {
    // The variables do not fit the operation: a client mistake, which execution would report the same way.
    if (errors?.length || !coerced) throw errors?.[0] ?? new GraphQLError("The variables do not fit the operation.");
    cost = operationCost(schema, document, operation, coerced, limits.defaultListSize);
  } catch (error) {
    throw new RefusedRequest(ErrorCode.BAD_USER_INPUT, error instanceof GraphQLError ? error.message : "The variables do not fit the operation.");
  }
  return cost;
}

/**
 * Runs once the operation is parsed, validated and chosen, before the gateway plans it or a subgraph executes it.
 * Errors thrown here become the response (with the status they carry).
 */
function operationGuardPlugin(limits: OperationLimits): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation, schema }) {
          if (!operation) {
            // Apollo's gateway path answers this with a 500; it is the client's mistake.
            throw new RefusedRequest(
              "OPERATION_RESOLUTION_FAILURE",
              request.operationName ? `Unknown operation named "${request.operationName.slice(0, 100)}".` : "Must provide operation name if query contains multiple operations.",
            );
          }
          if (!schema.getRootType(operation.operation)) {
            // graphql-js's validation does not check this, and the gateway's planner fails on it with a 500.
            throw new RefusedRequest("GRAPHQL_VALIDATION_FAILED", `This API has no ${operation.operation} operations.`);
          }
          if (containsNul(request.variables) || documentContainsNul(document)) {
            // PostgreSQL cannot store U+0000 in text; refused here rather than as a database error.
            throw new RefusedRequest(ErrorCode.BAD_USER_INPUT, "Strings must not contain the NUL character (U+0000).");
          }
          checkCost(schema, document, operation, request.variables, limits);
        },
      };
    },
  };
}

/** Walks any JSON value without recursion (variables can nest as deep as the body allows). */
export function containsNul(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === "string") {
      if (next.includes("\u0000")) return true;
    } else if (Array.isArray(next)) {
      pending.push(...next);
    } else if (next !== null && typeof next === "object") {
      for (const [key, item] of Object.entries(next)) {
        if (key.includes("\u0000")) return true;
        pending.push(item);
      }
    }
  }
  return false;
}

// Apollo Server hands every request of the same text the same parsed document (its document store), so what depends
// on the document alone is worked out once per document, not on every request.
const documentsWithNul = new WeakMap<DocumentNode, boolean>();

function documentContainsNul(document: DocumentNode): boolean {
  const known = documentsWithNul.get(document);
  if (known !== undefined) return known;
  let found = false;
  visit(document, {
    StringValue(node) {
      if (node.value.includes("\u0000")) found = true;
    },
  });
  documentsWithNul.set(document, found);
  return found;
}

/**
 * Puts the edge's codes on what a client sees, before maskError: refusals keep their code, the parser's token stop
 * becomes TOKEN_LIMIT_EXCEEDED, and an Apollo refusal with a 4xx status but no code (a persisted query whose hash
 * does not match, an unsupported version) becomes BAD_REQUEST instead of looking like a server error. Without
 * fieldSuggestions (production), "Did you mean ...?" is cut from every message, variables' enum values included.
 */
export function formatEdgeError(formatted: GraphQLFormattedError, error: unknown, options: { fieldSuggestions?: boolean } = {}): GraphQLFormattedError {
  let result = formatted;
  const refused = findRefusal(error);
  const tokenLimit = TOKEN_LIMIT_MESSAGE.exec(formatted.message);
  if (refused) {
    result = { ...formatted, message: refused.message, extensions: { ...formatted.extensions, code: refused.code } };
  } else if (tokenLimit) {
    result = { ...formatted, message: `Token limit of ${tokenLimit[1]} exceeded.`, extensions: { ...formatted.extensions, code: EdgeErrorCode.TOKEN_LIMIT_EXCEEDED } };
  } else if (isUncodedClientError(error)) {
    result = { ...formatted, extensions: { ...formatted.extensions, code: "BAD_REQUEST" } };
  }
  if (options.fieldSuggestions === false && SUGGESTION.test(result.message)) result = { ...result, message: result.message.replace(SUGGESTION, "") };
  return result;
}

function findRefusal(error: unknown): RefusedRequest | undefined {
  let current: unknown = error;
  for (let hops = 0; hops < 5 && current instanceof Error; hops++) {
    if (current instanceof RefusedRequest) return current;
    current = current instanceof GraphQLError ? current.originalError : undefined;
  }
  return undefined;
}

function isUncodedClientError(error: unknown): boolean {
  if (!(error instanceof GraphQLError) || error.extensions.code !== undefined) return false;
  const status = (error.extensions.http as { status?: unknown } | undefined)?.status;
  return typeof status === "number" && status >= 400 && status < 500;
}
