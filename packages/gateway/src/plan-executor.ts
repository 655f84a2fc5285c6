// Derived from @apollo/gateway 2.14.4 (dist/executeQueryPlan.js, dist/resultShaping.js, dist/utilities/deepMerge.js),
// Copyright Apollo Graph, Inc., licensed under the Elastic License 2.0 (ELv2); this file is under the same licence.
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import {
  ERRORS,
  errorCodeDef,
  isCompositeType,
  isCustomScalarType,
  isEnumType,
  isSubtype,
  operationFromDocument,
  Variable,
  type CompositeType,
  type Field,
  type FragmentElement,
  type NamedType,
  type Operation,
  type Schema,
  type SelectionSet,
  type Supergraph,
  type Type,
} from "@apollo/federation-internals";
import { evaluateCondition, getResponseName, QueryPlanner, type FetchNode, type PlanNode, type QueryPlan, type QueryPlanSelectionNode } from "@apollo/query-planner";
import type { GatewayExecutionResult, GatewayExecutor, GatewayGraphQLRequestContext } from "@apollo/server-gateway-interface";
import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type GraphQLFormattedError, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from "graphql";
import { getVariableValues } from "graphql/execution/values.js";
// Two helpers of @apollo/gateway's own executor, for the rare plans that rewrite keys (@interfaceObject,
// aliased requires) and for type conditions in `requires`: the same functions, so the same answers. The version
// is pinned (2.14.4); ADR 19 says why these two are imported from its dist/.
import { applyRewrites, isObjectOfType } from "@apollo/gateway/dist/dataRewrites.js";

/**
 * Monograph's executor of query plans (ADR 19): what @apollo/gateway 2.14's `executeQueryPlan` and
 * `computeResponse` do, for the same plans and with the same answers, errors and error paths, but with the
 * per-operation work done once per distinct operation instead of on every request:
 *
 * - the operation of the API schema (`operationFromDocument`), its defaulted variables and its plan are built once
 *   per operation (and name), and kept in a bounded map keyed by Apollo Server's query hash (stock hashes the key
 *   again with SHA-256 on every request);
 * - the response shaping (stock: a walk of federation-internals' selection objects per value, reading each
 *   selection's `@skip`/`@include` directives and the schema's types through getters) is compiled once into plain
 *   records: response names, conditions, unwrapped types, leaf checks and type-condition answers cached per type
 *   name;
 * - no usage-reporting trace nodes are built unless Apollo asks for traces.
 *
 * What it does not do it hands to the stock executor, unchanged: requests that capture usage-reporting traces or ask
 * for the query plan (`Apollo-Query-Plan-Experimental`), operations with introspection fields, `@defer` and
 * subscriptions, and every request while OpenTelemetry tracing is on (stock's `gateway.*` spans are the trace).
 */
export interface PlanExecutorOptions {
  supergraph: Supergraph;
  /** The data source of each subgraph, by name; the same instances the stock gateway uses. */
  dataSource: (name: string) => GraphQLDataSource | undefined;
  /** Requests it does not execute itself (see above). */
  fallback: GatewayExecutor;
  /** True while tracing is on: every request then goes to `fallback`. */
  tracing: () => boolean;
  /**
   * Distinct operations whose plans are kept: at most this many (default 1,000) and this many characters of their
   * documents (default 4 MiB, a stand-in for the plans' size, which grows with the document's), the oldest dropped
   * first. Stock bounds its plan cache by about 30 MiB; a client sending ever new documents cannot grow this one
   * past its bounds either.
   */
  maxPrepared?: number;
  maxPreparedChars?: number;
}

type Data = Record<string, unknown>;

interface Prepared {
  /** Set when this operation is always handed to the fallback. */
  fallback: boolean;
  plan?: QueryPlan;
  shape?: CompiledSelection[];
  rootType?: CompositeType;
  defaultedVariables?: Record<string, unknown>;
  /** The operation's variable definitions, as the plan's conditions read them. */
  variableDefinitions?: Operation["variableDefinitions"];
  hasVariableDefinitions: boolean;
}

export function planExecutor(options: PlanExecutorOptions): GatewayExecutor {
  const apiSchema = options.supergraph.apiSchema();
  const supergraphSchema = options.supergraph.schema.toGraphQLJSSchema();
  const planner = new QueryPlanner(options.supergraph);
  const shaping = new ShapeCompiler(apiSchema);
  const prepared = new Map<string, { entry: Prepared; chars: number }>();
  const maxPrepared = options.maxPrepared ?? 1_000;
  const maxPreparedChars = options.maxPreparedChars ?? 4 * 1024 * 1024;
  let preparedChars = 0;
  const planLimits = {
    recursiveSelectionsLimitDisabled: process.env.APOLLO_DISABLE_SECURITY_RECURSIVE_SELECTIONS_CHECK === "true",
    nonLocalSelectionsLimitDisabled: process.env.APOLLO_DISABLE_SECURITY_NON_LOCAL_SELECTIONS_CHECK === "true",
  };

  function prepare(requestContext: GatewayGraphQLRequestContext): Prepared {
    const { document, request } = requestContext;
    const operationContext = operationContextOf(document, request.operationName);
    const hasVariableDefinitions = (operationContext.operation.variableDefinitions?.length ?? 0) > 0;
    if (hasIntrospection(operationContext.operation.selectionSet, operationContext.fragments)) return { fallback: true, hasVariableDefinitions };
    const planned = operationFromDocument(apiSchema, document, { operationName: request.operationName });
    const plan = planner.buildQueryPlan(planned, planLimits);
    if (!plan.node || plan.node.kind === "Subscription" || containsDefer(plan.node)) return { fallback: true, hasVariableDefinitions };
    // As stock: the operation the answer is shaped by is built again from the operation and its fragments.
    const shaped = operationFromDocument(apiSchema, { kind: Kind.DOCUMENT, definitions: [operationContext.operation, ...Object.values(operationContext.fragments)] }, { validate: false });
    return {
      fallback: false,
      plan,
      shape: shaping.compile(shaped.selectionSet),
      rootType: apiSchema.schemaDefinition.rootType(shaped.rootKind)!,
      defaultedVariables: shaped.collectDefaultedVariableValues(),
      variableDefinitions: shaped.variableDefinitions,
      hasVariableDefinitions,
    };
  }

  function preparedFor(requestContext: GatewayGraphQLRequestContext): Prepared {
    const { request, queryHash } = requestContext;
    const key = request.operationName ? `${queryHash}:${request.operationName}` : queryHash;
    const known = prepared.get(key);
    if (known) return known.entry;
    const entry = prepare(requestContext);
    const chars = requestContext.source?.length ?? 0;
    while (prepared.size > 0 && (prepared.size >= maxPrepared || preparedChars + chars > maxPreparedChars)) {
      const [oldest, { chars: oldestChars }] = prepared.entries().next().value as [string, { chars: number }];
      prepared.delete(oldest);
      preparedChars -= oldestChars;
    }
    prepared.set(key, { entry, chars });
    preparedChars += chars;
    return entry;
  }

  return async (requestContext) => {
    const { request } = requestContext;
    if (options.tracing() || requestContext.metrics?.captureTraces || request.http?.headers.get("apollo-query-plan-experimental")) return options.fallback(requestContext);
    const entry = preparedFor(requestContext);
    if (entry.fallback) return options.fallback(requestContext);
    // What stock's validateIncomingRequest does: the variables checked against their definitions.
    if (entry.hasVariableDefinitions) {
      const operation = requestContext.operation;
      const { errors } = getVariableValues(requestContext.schema, operation.variableDefinitions ?? [], request.variables ?? {});
      if (errors) return { errors };
    }
    const run: Run = { requestContext, supergraphSchema, dataSource: options.dataSource, errors: [], variables: request.variables, variableDefinitions: entry.variableDefinitions! };
    const unfiltered: Data = Object.create(null);
    await executeNode(run, entry.plan!.node as PlanNode, { path: [], data: unfiltered, fullResult: unfiltered });
    const shapeErrors: GraphQLError[] = [];
    const variables = { __proto__: null, ...entry.defaultedVariables, ...request.variables } as Record<string, unknown>;
    const data: Data = new AnswerObject();
    let result: number;
    try {
      result = applySelections({ shaping, variables, errors: shapeErrors, invalid: false, hasErrors: false }, unfiltered, entry.shape!, data, [], entry.rootType!);
    } catch (error) {
      // As stock's post-processing: a subgraph's answer that cannot be shaped is an error of the answer, not a crash.
      if (error instanceof GraphQLError) return { errors: [error] };
      return { errors: [new GraphQLError((error as Error).message, { originalError: error as Error })] };
    }
    const shapedData = result === NULL_BUBBLE_UP ? null : data;
    if (run.errors.length === 0 && shapeErrors.length > 0) return { extensions: { valueCompletion: shapeErrors }, data: shapedData } as GatewayExecutionResult;
    return (run.errors.length === 0 ? { data: shapedData } : { errors: run.errors, data: shapedData }) as GatewayExecutionResult;
  };
}

// ---- the operation ------------------------------------------------------------------------------------------

interface OperationContext {
  operation: OperationDefinitionNode;
  fragments: Record<string, FragmentDefinitionNode>;
}

/** @apollo/gateway's buildOperationContext: the same checks, the same errors. */
function operationContextOf(document: DocumentNode, operationName: string | undefined): OperationContext {
  let operation: OperationContext["operation"] | undefined;
  let operationCount = 0;
  const fragments: OperationContext["fragments"] = Object.create(null);
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      operationCount++;
      if (!operationName && operationCount > 1) throw ERRORS.INVALID_GRAPHQL.err("Must provide operation name if query contains multiple operations.");
      if (!operationName || definition.name?.value === operationName) operation = definition;
    } else if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments[definition.name.value] = definition;
    }
  }
  if (!operation) throw ERRORS.INVALID_GRAPHQL.err(operationName ? `Unknown operation named "${operationName}".` : "Must provide an operation.");
  return { operation, fragments };
}

/** Whether the operation selects `__schema` or `__type` at its root (stock answers those by running graphql-js). */
function hasIntrospection(selectionSet: SelectionSetNode, fragments: OperationContext["fragments"], seen = new Set<string>()): boolean {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === "__schema" || selection.name.value === "__type") return true;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (hasIntrospection(selection.selectionSet, fragments, seen)) return true;
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments[selection.name.value];
      if (fragment && hasIntrospection(fragment.selectionSet, fragments, seen)) return true;
    }
  }
  return false;
}

function containsDefer(node: PlanNode): boolean {
  switch (node.kind) {
    case "Defer":
      return true;
    case "Sequence":
    case "Parallel":
      return node.nodes.some(containsDefer);
    case "Flatten":
      return containsDefer(node.node);
    case "Condition":
      return (node.ifClause !== undefined && containsDefer(node.ifClause)) || (node.elseClause !== undefined && containsDefer(node.elseClause));
    default:
      return false;
  }
}

// ---- executing the plan ----------------------------------------------------------------------------------

interface Run {
  requestContext: GatewayGraphQLRequestContext;
  supergraphSchema: GraphQLSchema;
  dataSource: (name: string) => GraphQLDataSource | undefined;
  errors: GraphQLError[];
  variables: Record<string, unknown> | undefined;
  variableDefinitions: Operation["variableDefinitions"];
}

interface Cursor {
  path: ResponsePathElement[];
  data: unknown;
  fullResult: Data;
}
type ResponsePathElement = string | number;

async function executeNode(run: Run, node: PlanNode, cursor: Cursor | undefined): Promise<void> {
  if (!cursor) return;
  switch (node.kind) {
    case "Sequence":
      for (const child of node.nodes) await executeNode(run, child, cursor);
      return;
    case "Parallel":
      await Promise.all(node.nodes.map((child) => executeNode(run, child, cursor)));
      return;
    case "Flatten":
      return executeNode(run, node.node, moveIntoCursor(cursor, node.path));
    case "Fetch":
      try {
        await executeFetch(run, node, cursor);
      } catch (error) {
        run.errors.push(error as GraphQLError);
      }
      return;
    case "Condition": {
      const branch = evaluateCondition(node, run.variableDefinitions, run.variables) ? node.ifClause : node.elseClause;
      if (branch) await executeNode(run, branch, cursor);
      return;
    }
    case "Defer":
      // Never reached: plans with @defer go to the stock executor (which refuses them too).
      throw new Error("@defer support is not available in the gateway");
  }
}

async function executeFetch(run: Run, fetch: FetchNode, cursor: Cursor): Promise<void> {
  const service = run.dataSource(fetch.serviceName);
  if (!service) throw new Error(`Couldn't find service with name "${fetch.serviceName}"`);
  const entities: Data[] = Array.isArray(cursor.data) ? (cursor.data as unknown[]).filter((entity): entity is Data => entity !== null && entity !== undefined) : [cursor.data as Data];
  if (entities.length < 1) return;
  const variables: Record<string, unknown> = Object.create(null);
  if (fetch.variableUsages) {
    const provided = run.variables;
    for (const name of fetch.variableUsages) {
      if (provided && Object.prototype.hasOwnProperty.call(provided, name) && typeof provided[name] !== "undefined") variables[name] = provided[name];
    }
  }
  if (!fetch.requires) {
    const received = await sendOperation(run, fetch, cursor, variables);
    if (received) applyRewrites(run.supergraphSchema, fetch.outputRewrites, received);
    for (const entity of entities) deepMerge(entity, received);
    return;
  }
  const representations: Data[] = [];
  const representationToEntity: number[] = [];
  for (let index = 0; index < entities.length; index++) {
    const representation = selectRepresentation(run.supergraphSchema, entities[index]!, fetch.requires);
    if (representation && representation.__typename) {
      applyRewrites(run.supergraphSchema, fetch.inputRewrites, representation);
      representations.push(representation);
      representationToEntity.push(index);
    }
  }
  if (representations.length < 1) return;
  if ("representations" in variables) throw new Error(`Variables cannot contain key "representations"`);
  const received = await sendOperation(run, fetch, cursor, { ...variables, representations });
  if (!received) return;
  const receivedEntities = received._entities;
  if (!Array.isArray(receivedEntities)) throw new Error(`Expected "data._entities" in response to be an array`);
  if (receivedEntities.length !== representations.length) throw new Error(`Expected "data._entities" to contain ${representations.length} elements`);
  // As stock: walks `entities.length` positions (entities without a representation leave the tail undefined).
  for (let i = 0; i < entities.length; i++) {
    const receivedEntity = receivedEntities[i] as Data | null | undefined;
    const existingEntity = entities[representationToEntity[i]!];
    if (receivedEntity && !receivedEntity.__typename) receivedEntity.__typename = existingEntity!.__typename;
    applyRewrites(run.supergraphSchema, fetch.outputRewrites, receivedEntity as Data);
    deepMerge(entities[representationToEntity[i]!], receivedEntity);
  }
}

async function sendOperation(run: Run, fetch: FetchNode, cursor: Cursor, variables: Record<string, unknown>): Promise<Data | null | undefined> {
  const { requestContext } = run;
  const response = await run.dataSource(fetch.serviceName)!.process({
    kind: "incoming operation",
    request: { query: fetch.operation, variables, operationName: fetch.operationName },
    incomingRequestContext: requestContext,
    context: requestContext.context,
    document: fetch.operationDocumentNode,
    pathInIncomingRequest: cursor.path,
  } as unknown as GraphQLDataSourceProcessOptions);
  if (response.errors) {
    const errorPath = lazyErrorPath(fetch, cursor);
    run.errors.push(...response.errors.map((error) => downstreamServiceError(error, fetch.serviceName, errorPath)));
    if (!response.extensions?.ftv1) {
      const metrics = requestContext.metrics as { nonFtv1ErrorPaths?: { subgraph: string; path: unknown }[] };
      const paths = response.errors.map((error) => ({ subgraph: fetch.serviceName, path: error.path }));
      if (metrics.nonFtv1ErrorPaths) metrics.nonFtv1ErrorPaths.push(...paths);
      else metrics.nonFtv1ErrorPaths = paths;
    }
  }
  return response.data as Data | null | undefined;
}

function lazyErrorPath(fetch: FetchNode, cursor: Cursor): (path: readonly ResponsePathElement[] | undefined) => ResponsePathElement[] | undefined {
  let hydratedPaths: ResponsePathElement[][] | undefined;
  return (errorPath) => {
    if (fetch.requires && typeof errorPath?.[1] === "number") {
      if (!hydratedPaths) {
        hydratedPaths = [];
        hydratePaths([], cursor.path, cursor.fullResult, hydratedPaths);
      }
      return [...(hydratedPaths[errorPath[1]] ?? []), ...errorPath.slice(2)];
    }
    return errorPath ? [...cursor.path, ...errorPath] : undefined;
  };
}

/** @apollo/gateway's generateHydratedPaths: every concrete path a flattened path (`@` for lists) stands for. */
function hydratePaths(parent: ResponsePathElement[], path: ResponsePathElement[], data: unknown, result: ResponsePathElement[][]): void {
  if (data === null || data === undefined) return;
  const head = path[0];
  if (head === undefined) {
    result.push(parent.slice());
  } else if (head === "@") {
    (data as unknown[]).forEach((value, i) => {
      parent.push(i);
      hydratePaths(parent, path.slice(1), value, result);
      parent.pop();
    });
  } else if (typeof head === "string") {
    if (Array.isArray(data)) {
      data.forEach((value, i) => {
        parent.push(i);
        hydratePaths(parent, path, value, result);
        parent.pop();
      });
    } else if (Object.prototype.hasOwnProperty.call(data, head)) {
      parent.push(head);
      hydratePaths(parent, path.slice(1), (data as Data)[head], result);
      parent.pop();
    }
  }
}

function downstreamServiceError(
  original: GraphQLFormattedError,
  serviceName: string,
  errorPath: (path: readonly ResponsePathElement[] | undefined) => ResponsePathElement[] | undefined,
): GraphQLError {
  const message = original.message || `Error while fetching subquery from service "${serviceName}"`;
  const options = { originalError: original as unknown as Error, path: errorPath(original.path), extensions: { ...original.extensions, serviceName } };
  const codeDef = errorCodeDef(original as unknown as GraphQLError);
  if (!codeDef && original.extensions?.code) return new GraphQLError(message, options);
  return (codeDef ?? ERRORS.DOWNSTREAM_SERVICE_ERROR).err(message, options);
}

/** @apollo/gateway's executeSelectionSet: the representation of an entity for `_entities`, or null if a key is missing. */
function selectRepresentation(schema: GraphQLSchema, source: Data | null, selections: readonly QueryPlanSelectionNode[]): Data | null {
  if (source === null) return null;
  const result: Data = Object.create(null);
  for (const selection of selections) {
    if (selection.kind === Kind.FIELD) {
      const responseName = getResponseName(selection);
      const value = Object.prototype.hasOwnProperty.call(source, responseName) ? source[responseName] : undefined;
      if (value === undefined) return null;
      const nested = selection.selections;
      if (Array.isArray(value)) result[responseName] = value.map((element) => (nested ? selectRepresentation(schema, element as Data | null, nested) : element));
      else result[responseName] = nested ? selectRepresentation(schema, value as Data | null, nested) : value;
    } else if (selection.typeCondition && source && isObjectOfType(schema, source, selection.typeCondition)) {
      deepMerge(result, selectRepresentation(schema, source, selection.selections));
    }
  }
  return result;
}

function moveIntoCursor(cursor: Cursor, path: ResponsePathElement[]): Cursor | undefined {
  const data = flattenAtPath(cursor.data, path, 0);
  return data ? { path: cursor.path.concat(path), data, fullResult: cursor.fullResult } : undefined;
}

/**
 * @apollo/gateway's flattenResultsAtPath: the values at `path` (`@` for every element of a list), lists met at the
 * end flattened one level, null and undefined kept (the fetch skips them). Built in one array, where stock's
 * `flatMap` makes an array per element at every level (the workload's deepest paths cross four lists).
 */
export function flattenAtPath(value: unknown, path: ResponsePathElement[], from: number): unknown {
  if (from === path.length || value === undefined || value === null) return value;
  const current = path[from]!;
  if (current === "@") {
    if (!Array.isArray(value)) throw new Error(`Expected a list at ${path.slice(0, from).join(".")}`);
    const out: unknown[] = [];
    for (const element of value as unknown[]) pushFlattened(out, element, path, from + 1);
    return out;
  }
  return flattenAtPath(ownField(value, current), path, from + 1);
}

/** Pushes what `flattenAtPath(value, path, from)` gives into `out`, spread if it is a list (as `flatMap` does). */
function pushFlattened(out: unknown[], value: unknown, path: ResponsePathElement[], from: number): void {
  while (from < path.length && value !== undefined && value !== null && path[from] !== "@") {
    value = ownField(value, path[from]!);
    from++;
  }
  if (from === path.length || value === undefined || value === null) {
    if (Array.isArray(value)) for (const element of value) out.push(element);
    else out.push(value);
    return;
  }
  if (!Array.isArray(value)) throw new Error(`Expected a list at ${path.slice(0, from).join(".")}`);
  for (const element of value) pushFlattened(out, element, path, from + 1);
}

function ownField(value: unknown, name: ResponsePathElement): unknown {
  if (typeof name !== "string") throw new Error(`Unexpected ${typeof name} found in path`);
  if (Array.isArray(value)) throw new Error(`Unexpected array in result for path element ${name}`);
  return Object.prototype.hasOwnProperty.call(value, name) ? (value as Data)[name] : undefined;
}

const isPlainObject = (value: unknown): value is Data => value !== undefined && value !== null && typeof value === "object" && !Array.isArray(value);

/** Defines `key` as an own property when it would otherwise resolve to the prototype's (say `constructor`). */
function defineOwn(target: Data, key: string): void {
  if (!Object.prototype.hasOwnProperty.call(target, key) && key in target) Object.defineProperty(target, key, { configurable: true, enumerable: true, value: undefined, writable: true });
}

/** @apollo/gateway's deepMerge. */
export function deepMerge(target: unknown, source: unknown): unknown {
  if (source === undefined || source === null) return target;
  const into = target as Data;
  for (const key of Object.keys(source)) {
    const value = (source as Data)[key];
    if (value === undefined) continue;
    let existing = into[key];
    // A key the prototype answers (`constructor`, `__proto__`) is made an own property first, as stock's defineOwn.
    if (existing !== undefined && !Object.prototype.hasOwnProperty.call(into, key)) {
      defineOwn(into, key);
      existing = undefined;
    }
    if (existing && isPlainObject(value)) {
      deepMerge(existing, value);
    } else if (Array.isArray(value) && Array.isArray(existing) && value.length === existing.length) {
      for (let i = 0; i < value.length; i++) {
        if (isPlainObject(existing[i]) && isPlainObject(value[i])) deepMerge(existing[i], value[i]);
        else existing[i] = value[i];
      }
    } else {
      into[key] = value;
    }
  }
  return target;
}

// ---- shaping the answer ------------------------------------------------------------------------------------

/** `@skip(if:)` / `@include(if:)` of one selection: a literal, or the name of a variable. */
interface Condition {
  skip: boolean;
  value: boolean | string;
}

type CompiledSelection = CompiledField | CompiledFragment;

interface CompiledField {
  kind: "field";
  conditions: Condition[] | undefined;
  responseName: string;
  isTypename: boolean;
  type: Type;
  selections: CompiledSelection[] | undefined;
}

interface CompiledFragment {
  kind: "fragment";
  conditions: Condition[] | undefined;
  typeCondition: CompositeType | undefined;
  /** Whether the condition applies, by the type name it was tested against. */
  applies: Map<string, boolean>;
  selections: CompiledSelection[];
}

class ShapeCompiler {
  private readonly types = new Map<string, NamedType | undefined>();
  private readonly leafChecks = new Map<Type, (value: unknown) => boolean>();
  private readonly compiled = new WeakMap<SelectionSet, CompiledSelection[]>();

  constructor(readonly schema: Schema) {}

  compile(selectionSet: SelectionSet): CompiledSelection[] {
    const known = this.compiled.get(selectionSet);
    if (known) return known;
    const compiled: CompiledSelection[] = [];
    for (const selection of selectionSet.selections()) {
      const element = selection.element;
      const conditions = this.conditionsOf(element);
      if (selection.kind === "FieldSelection") {
        const field = selection.element as Field;
        compiled.push({
          kind: "field",
          conditions,
          responseName: field.responseName(),
          isTypename: field.name === "__typename",
          type: field.definition.type!,
          selections: selection.selectionSet ? this.compile(selection.selectionSet) : undefined,
        });
      } else {
        const fragment = selection.element as FragmentElement;
        compiled.push({ kind: "fragment", conditions, typeCondition: fragment.typeCondition, applies: new Map(), selections: this.compile(selection.selectionSet!) });
      }
    }
    this.compiled.set(selectionSet, compiled);
    return compiled;
  }

  type(name: string): NamedType | undefined {
    if (this.types.has(name)) return this.types.get(name);
    const type = this.schema.type(name);
    this.types.set(name, type);
    return type;
  }

  /** federation-internals' isValidLeafValue, decided once per type. */
  leafCheck(type: Type): (value: unknown) => boolean {
    let check = this.leafChecks.get(type);
    if (check) return check;
    const schema = this.schema;
    if (isCustomScalarType(type)) {
      check = () => true;
    } else {
      const isInt = type === schema.intType() || type === schema.idType();
      const isFloat = type === schema.floatType();
      const isBoolean = type === schema.booleanType();
      const enumType = isEnumType(type) ? type : undefined;
      check = (value) => {
        if (typeof value === "boolean") return isBoolean;
        if (typeof value === "number" && isFinite(value)) return isInt ? INTEGER.test(String(value)) : isFloat;
        if (typeof value === "string") return enumType ? enumType.value(value) !== undefined : !isBoolean && !isFloat && type !== schema.intType();
        return false;
      };
    }
    this.leafChecks.set(type, check);
    return check;
  }

  private conditionsOf(element: DirectiveTarget): Condition[] | undefined {
    const conditions: Condition[] = [];
    for (const [directive, skip] of [
      [this.schema.skipDirective(), true],
      [this.schema.includeDirective(), false],
    ] as const) {
      const applied = element.appliedDirectivesOf(directive)[0];
      if (!applied) continue;
      const argument = applied.arguments().if;
      conditions.push({ skip, value: argument instanceof Variable ? argument.name : (argument as boolean) });
    }
    return conditions.length > 0 ? conditions : undefined;
  }
}

interface DirectiveTarget {
  appliedDirectivesOf(definition: ReturnType<Schema["skipDirective"]>): { arguments(): { if?: unknown } }[];
}

const INTEGER = /^-?(?:0|[1-9][0-9]*)$/;
const NULL_BUBBLE_UP = 1;
const OK = 0;

interface Shaping {
  shaping: ShapeCompiler;
  variables: Record<string, unknown>;
  errors: GraphQLError[];
  /** Left by updateOutputValue for its caller: the value was null where it must not be (bubble up). */
  invalid: boolean;
  /** Left by updateOutputValue for its caller: an error was recorded for the value. */
  hasErrors: boolean;
}

/**
 * The objects of the answer. Stock makes them with `Object.create(null)` (no prototype, so a field named
 * `constructor` reads as absent), which V8 keeps in dictionary mode: slow to fill and to serialise. Objects of this
 * constructor have no `Object.prototype` in their chain either, but fast properties and shared hidden classes.
 */
const AnswerObject = function AnswerObject() {} as unknown as new () => Data;
AnswerObject.prototype = Object.create(null);

function skipped(conditions: Condition[], variables: Record<string, unknown>): boolean {
  for (const condition of conditions) {
    let value = condition.value;
    if (typeof value === "string") {
      const given = variables[value];
      if (typeof given !== "boolean") throw new Error(`Unexpected value ${String(given)} for variable $${value}`);
      value = given;
    }
    if (condition.skip === value) return true;
  }
  return false;
}

/** computeResponse's applySelectionSet, over compiled selections. */
function applySelections(shaping: Shaping, input: Data, selections: CompiledSelection[], output: Data, path: ResponsePathElement[], parentType: CompositeType | NamedType): number {
  for (const selection of selections) {
    if (selection.conditions && skipped(selection.conditions, shaping.variables)) continue;
    if (selection.kind === "field") {
      const responseName = selection.responseName;
      const outputValue = output[responseName];
      let inputValue = Object.prototype.hasOwnProperty.call(input, responseName) ? (input[responseName] ?? null) : null;
      if (selection.isTypename) {
        if (outputValue === undefined) {
          if (inputValue === null && responseName !== "__typename") inputValue = input.__typename ?? null;
          const type = typeof inputValue === "string" ? (shaping.shaping.type(inputValue) ?? parentType) : parentType;
          if (type.kind !== "ObjectType") return NULL_BUBBLE_UP;
          output[responseName] = type.name;
        }
        continue;
      }
      path.push(responseName);
      output[responseName] = updateOutputValue(shaping, outputValue, selection.type, inputValue, selection.selections, path, parentType);
      path.pop();
      if (shaping.invalid) return NULL_BUBBLE_UP;
    } else {
      const typename = input.__typename;
      if (typename && typeof typename !== "string") throw new Error(`Got unexpected value for __typename: ${String(typename)}`);
      if (fragmentApplies(shaping.shaping, selection, typename as string | undefined, parentType)) {
        if (applySelections(shaping, input, selection.selections, output, path, selection.typeCondition ?? parentType) === NULL_BUBBLE_UP) return NULL_BUBBLE_UP;
      }
    }
  }
  return OK;
}

function fragmentApplies(shaping: ShapeCompiler, fragment: CompiledFragment, typename: string | undefined, parentType: CompositeType | NamedType): boolean {
  if (!fragment.typeCondition) return true;
  const key = typename ? `t:${typename}` : `p:${parentType.name}`;
  let applies = fragment.applies.get(key);
  if (applies === undefined) {
    if (typename) {
      const type = shaping.type(typename);
      applies = !!type && isSubtype(fragment.typeCondition, type);
    } else {
      applies = isSubtype(fragment.typeCondition, parentType as CompositeType);
    }
    fragment.applies.set(key, applies);
  }
  return applies;
}

function describeLast(path: ResponsePathElement[], currentType: Type, parentType: NamedType): string {
  const element = path[path.length - 1];
  return typeof element === "string" ? `field ${parentType.name}.${element}` : `array element of type ${String(currentType)} at index ${String(element)}`;
}

/**
 * computeResponse's updateOutputValue. Stock returns `{ updated, isInvalid, hasErrors }`, an object per value of
 * the answer; this returns the value and leaves the two flags in `shaping`, read by the caller before its next call.
 */
function updateOutputValue(
  shaping: Shaping,
  outputValue: unknown,
  type: Type,
  inputValue: unknown,
  selections: CompiledSelection[] | undefined,
  path: ResponsePathElement[],
  parentType: NamedType,
): unknown {
  shaping.invalid = false;
  shaping.hasErrors = false;
  if (outputValue === null || (outputValue !== undefined && !selections)) return outputValue;
  if (type.kind === "NonNullType") {
    const value = updateOutputValue(shaping, outputValue, type.ofType, inputValue, selections, path, parentType);
    if (value === null) {
      if (!shaping.hasErrors) shaping.errors.push(ERRORS.INVALID_GRAPHQL.err(`Cannot return null for non-nullable ${describeLast(path, type.ofType, parentType)}.`, { path: Array.from(path) }));
      shaping.invalid = true;
      shaping.hasErrors = true;
      return null;
    }
    shaping.invalid = false;
    shaping.hasErrors = false;
    return value;
  }
  if (inputValue === null) return null;
  if (type.kind === "ListType") {
    if (!Array.isArray(inputValue)) throw new Error(`Invalid non-list value ${String(inputValue)} returned by subgraph for list type ${String(type)}`);
    if (outputValue !== undefined && !Array.isArray(outputValue)) throw new Error(`Invalid non-list value ${String(outputValue)} returned by subgraph for list type ${String(type)}`);
    const outputList = outputValue as unknown[] | undefined;
    if (outputList && outputList.length !== inputValue.length) throw new Error(`[${String(inputValue)}].length (${inputValue.length}) !== [${String(outputList)}].length (${outputList.length})`);
    let nullify = false;
    let hasErrors = false;
    const updated = new Array<unknown>(inputValue.length);
    for (let index = 0; index < inputValue.length; index++) {
      path.push(index);
      updated[index] = updateOutputValue(shaping, outputList ? outputList[index] : undefined, type.ofType, inputValue[index], selections, path, parentType);
      path.pop();
      if (shaping.invalid) nullify = true;
      if (shaping.hasErrors) hasErrors = true;
    }
    shaping.invalid = false;
    shaping.hasErrors = hasErrors;
    return nullify ? null : updated;
  }
  if (type.kind === "ObjectType" || type.kind === "InterfaceType" || type.kind === "UnionType") {
    if (!selections) throw new Error(`Invalid empty selection set for composite type ${type.name}`);
    if (typeof inputValue !== "object") throw new Error(`Invalid non-object value ${String(inputValue)} returned by subgraph for composite type ${type.name}`);
    const input = inputValue as Data;
    const inputTypename = input.__typename;
    if (inputTypename !== undefined && typeof inputTypename !== "string") throw new Error(`Invalid non-string value ${String(inputTypename)} for __typename at ${path.join(",")}`);
    let objectType: NamedType = type;
    if (inputTypename) {
      const named = shaping.shaping.type(inputTypename);
      if (!named || !isCompositeType(named)) {
        shaping.errors.push(ERRORS.INVALID_GRAPHQL.err(`Invalid __typename found for object at ${describeLast(path, type, parentType)}.`, { path: Array.from(path) }));
        shaping.hasErrors = true;
        return null;
      }
      objectType = named;
    }
    const outputObject = (outputValue === undefined ? new AnswerObject() : outputValue) as Data;
    const bubbled = applySelections(shaping, input, selections, outputObject, path, objectType) === NULL_BUBBLE_UP;
    shaping.invalid = false;
    shaping.hasErrors = bubbled;
    return bubbled ? null : outputObject;
  }
  if (outputValue !== undefined) throw new Error(`Excepted output to be undefined but got ${String(type)} for type ${String(type)}`);
  if (!shaping.shaping.leafCheck(type)(inputValue)) {
    shaping.errors.push(ERRORS.INVALID_GRAPHQL.err(`Invalid value found for ${describeLast(path, type, parentType)}.`, { path: Array.from(path) }));
    shaping.hasErrors = true;
    return null;
  }
  return inputValue;
}
