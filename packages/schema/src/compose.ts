import { composeServices } from "@apollo/composition";
import { defaultPrintOptions, printSchema, shallowOrderPrintedDefinitions } from "@apollo/federation-internals";
import { getLocation, GraphQLError, parse, Source, type ASTNode, type DocumentNode } from "graphql";
import { CompositionFailure, type CompositionError, type SdlLocation } from "./errors.ts";
import { placeholderUrl, SUBGRAPHS } from "./subgraphs.ts";

export interface SubgraphInput {
  name: string;
  typeDefs: string;
  /** Defaults to the placeholder of SUBGRAPHS for a known name; the gateway overrides it at run time anyway. */
  url?: string;
}

export interface CompositionHintSummary {
  code: string;
  message: string;
}

export interface ComposedSupergraph {
  /** The supergraph SDL, as committed in packages/schema/supergraph.graphql. */
  supergraphSdl: string;
  /** The public API schema (what clients see), with descriptions, types in name order. */
  apiSchemaSdl: string;
  /** Apollo's composition hints: legal but possibly unintended merges. */
  hints: CompositionHintSummary[];
}

// Types in name order, fields in SDL order: the same printing composition uses, so both committed files read alike
// and only change when a subgraph's SDL does.
const PRINT_OPTIONS = shallowOrderPrintedDefinitions(defaultPrintOptions);

/** Composes subgraph SDLs into a supergraph; throws a CompositionFailure naming the subgraphs when they do not compose. */
export function composeSupergraph(subgraphs: readonly SubgraphInput[]): ComposedSupergraph {
  if (subgraphs.length === 0) {
    throw new CompositionFailure([{ code: "NO_SUBGRAPHS", message: "there is no subgraph SDL to compose", subgraphs: [], locations: [] }]);
  }
  const names = subgraphs.map((s) => s.name);
  const duplicates = names.filter((name, index) => names.indexOf(name) !== index);
  if (duplicates.length > 0) {
    throw new CompositionFailure([...new Set(duplicates)].map((name) => ({ code: "DUPLICATE_SUBGRAPH", message: `two subgraphs are named "${name}"`, subgraphs: [name], locations: [] })));
  }

  const parsed: { name: string; url: string; typeDefs: DocumentNode }[] = [];
  const syntaxErrors: CompositionError[] = [];
  subgraphs.forEach((subgraph, index) => {
    try {
      // The source name carries the subgraph's name into every AST node, so errors can say where they come from.
      parsed.push({ name: subgraph.name, url: subgraph.url ?? defaultUrl(subgraph.name, index), typeDefs: parse(new Source(subgraph.typeDefs, subgraph.name)) });
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      syntaxErrors.push({
        code: "INVALID_GRAPHQL",
        message: `the SDL does not parse: ${error.message}`,
        subgraphs: [subgraph.name],
        locations: (error.locations ?? []).map((l) => ({ subgraph: subgraph.name, line: l.line, column: l.column })),
      });
    }
  });
  if (syntaxErrors.length > 0) throw new CompositionFailure(syntaxErrors);

  const result = composeServices(parsed);
  if (result.errors) throw new CompositionFailure(result.errors.map((error) => toCompositionError(error, names)));

  const apiSchemaSdl = printSchema(result.schema.toAPISchema(), PRINT_OPTIONS);
  return {
    supergraphSdl: withFinalNewline(result.supergraphSdl),
    apiSchemaSdl: withFinalNewline(apiSchemaSdl),
    hints: result.hints.map((hint) => ({ code: hint.definition.code, message: hint.message })),
  };
}

function defaultUrl(name: string, index: number): string {
  return SUBGRAPHS.find((s) => s.name === name)?.placeholderUrl ?? placeholderUrl(4001 + index);
}

const withFinalNewline = (text: string): string => (text.endsWith("\n") ? text : `${text}\n`);

/**
 * Apollo reports the subgraphs of an error in three ways, depending on the check: a "[name] " prefix, quoted names in
 * the message, and AST nodes (whose source we named after the subgraph). Gather all three.
 */
export function toCompositionError(error: GraphQLError, subgraphNames: readonly string[]): CompositionError {
  const prefix = /^\[([^\]]+)\] /.exec(error.message);
  const message = prefix ? error.message.slice(prefix[0].length) : error.message;
  const involved = new Set<string>();
  if (prefix?.[1] && subgraphNames.includes(prefix[1])) involved.add(prefix[1]);

  const locations: SdlLocation[] = [];
  for (const node of (error.nodes ?? []) as readonly ASTNode[]) {
    const source = node.loc?.source;
    if (!source || !node.loc || !subgraphNames.includes(source.name)) continue;
    involved.add(source.name);
    const { line, column } = getLocation(source, node.loc.start);
    if (!locations.some((l) => l.subgraph === source.name && l.line === line && l.column === column)) locations.push({ subgraph: source.name, line, column });
  }
  for (const name of subgraphNames) if (message.includes(`"${name}"`)) involved.add(name);

  const code = typeof error.extensions["code"] === "string" ? error.extensions["code"] : "COMPOSITION_ERROR";
  return { code, message, subgraphs: subgraphNames.filter((name) => involved.has(name)), locations };
}
