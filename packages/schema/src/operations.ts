import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import {
  getLocation,
  getNamedType,
  GraphQLError,
  isEnumType,
  isInputObjectType,
  Kind,
  parse,
  Source,
  TypeInfo,
  typeFromAST,
  validate,
  visit,
  visitWithTypeInfo,
  type ASTNode,
  type DefinitionNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";

/** One operation a client sends, with the fragments it spreads (from any file of the same client). */
export interface RecordedOperation {
  client: string;
  /** Relative to the repository root. */
  file: string;
  /** The operation's name, or "(anonymous)". */
  name: string;
  kind: "query" | "mutation" | "subscription";
  document: DocumentNode;
}

/** A recorded file that could not be turned into operations (syntax error, duplicate fragment, wrong folder). */
export interface OperationFileProblem {
  client: string;
  file: string;
  message: string;
}

export interface LoadedOperations {
  operations: RecordedOperation[];
  problems: OperationFileProblem[];
}

const DOCUMENT_EXTENSIONS = [".graphql", ".gql"];

function documentFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) return documentFiles(full);
      return DOCUMENT_EXTENSIONS.includes(path.extname(entry)) ? [full] : [];
    });
}

/** A recorded document before parsing: from the operations folder, or written in a test. */
export interface OperationFile {
  client: string;
  /** Relative to the repository root. */
  file: string;
  body: string;
}

/** Reads `<dir>/<client>/**\/*.graphql` (and .gql); a document outside a client's folder is a problem. */
export function readOperationFiles(dir: string, rootDir: string): { files: OperationFile[]; problems: OperationFileProblem[] } {
  const files: OperationFile[] = [];
  const problems: OperationFileProblem[] = [];
  if (!existsSync(dir)) return { files, problems };
  for (const entry of readdirSync(dir).sort()) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) {
      for (const document of documentFiles(full)) files.push({ client: entry, file: relative(rootDir, document), body: readFileSync(document, "utf8") });
    } else if (DOCUMENT_EXTENSIONS.includes(path.extname(entry))) {
      problems.push({ client: "(none)", file: relative(rootDir, full), message: `operations must sit in a client's folder (${relative(rootDir, dir)}/<client>/), so a failure can name the client` });
    }
  }
  return { files, problems };
}

/** Parses recorded documents into operations. Fragments are shared by all files of one client, never across clients. */
export function parseOperations(files: readonly OperationFile[]): LoadedOperations {
  const operations: RecordedOperation[] = [];
  const problems: OperationFileProblem[] = [];
  for (const client of [...new Set(files.map((f) => f.client))]) {
    const fragments = new Map<string, FragmentDefinitionNode>();
    const parsed: { file: string; definitions: readonly DefinitionNode[] }[] = [];
    for (const { file, body } of files.filter((f) => f.client === client)) {
      try {
        const document = parse(new Source(body, file));
        parsed.push({ file, definitions: document.definitions });
        for (const definition of document.definitions) {
          if (definition.kind !== Kind.FRAGMENT_DEFINITION) continue;
          if (fragments.has(definition.name.value)) problems.push({ client, file, message: `fragment ${definition.name.value} is defined twice in client ${client}` });
          fragments.set(definition.name.value, definition);
        }
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        problems.push({ client, file, message: `does not parse: ${formatGraphQLError(error)}` });
      }
    }
    for (const { file, definitions } of parsed) {
      for (const definition of definitions) {
        if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
        operations.push({
          client,
          file,
          name: definition.name?.value ?? "(anonymous)",
          kind: definition.operation as RecordedOperation["kind"],
          document: { kind: Kind.DOCUMENT, definitions: [definition, ...fragmentsSpreadBy(definition, fragments)] },
        });
      }
    }
  }
  return { operations, problems };
}

/** The fragments an operation spreads, directly or through other fragments; unknown names are left to validation. */
function fragmentsSpreadBy(operation: OperationDefinitionNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>): FragmentDefinitionNode[] {
  const found = new Map<string, FragmentDefinitionNode>();
  const pending: ASTNode[] = [operation];
  while (pending.length > 0) {
    visit(pending.pop()!, {
      FragmentSpread(node) {
        const fragment = fragments.get(node.name.value);
        if (fragment && !found.has(node.name.value)) {
          found.set(node.name.value, fragment);
          pending.push(fragment);
        }
      },
    });
  }
  return [...found.values()];
}

const relative = (rootDir: string, file: string): string => path.relative(rootDir, file).split(path.sep).join("/");

/** "message (file:line:column)", with the file of the node that is wrong (a fragment may live in another file). */
export function formatGraphQLError(error: GraphQLError): string {
  const node = error.nodes?.[0];
  const source = node?.loc?.source ?? error.source;
  const position = node?.loc?.start ?? error.positions?.[0];
  if (!source || position === undefined) return error.message;
  const { line, column } = getLocation(source, position);
  return `${error.message} (${source.name}:${line}:${column})`;
}

export interface OperationResult {
  client: string;
  file: string;
  operation: string;
  kind: RecordedOperation["kind"];
  ok: boolean;
  errors: string[];
}

/** Validates each recorded operation against a schema with graphql's standard rules. */
export function validateOperations(schema: GraphQLSchema, operations: readonly RecordedOperation[]): OperationResult[] {
  return operations.map((op) => {
    const errors = validate(schema, op.document).map(formatGraphQLError);
    return { client: op.client, file: op.file, operation: op.name, kind: op.kind, ok: errors.length === 0, errors };
  });
}

/**
 * The schema coordinates an operation touches, walked with TypeInfo against `schema` (the baseline, so that removed
 * things are still found): types, `Type.field`, `Type.field(arg:)`, `Enum.VALUE` written as literals, `Input.field`
 * written as literals, `@directive`. A variable's value is unknown, so a variable of an input type counts as using
 * every field and enum value reachable from that type: removing any of them can reject what the client sends.
 */
export function collectUsage(schema: GraphQLSchema, document: DocumentNode): Set<string> {
  return collectUsageDetailed(schema, document).coordinates;
}

/** What an operation uses, and which of it only through variables (so a report can say "via variable `$x`"). */
export interface OperationUsage {
  coordinates: Set<string>;
  /** Coordinates the operation never writes itself, reached only through these variables' input types. */
  viaVariables: Map<string, string[]>;
}

/** The same walk as collectUsage, keeping apart what is reached only through a variable. */
export function collectUsageDetailed(schema: GraphQLSchema, document: DocumentNode): OperationUsage {
  const used = new Set<string>();
  const throughVariables = new Map<string, Set<string>>();
  const typeInfo = new TypeInfo(schema);
  const useInputType = (variable: string, type: GraphQLNamedType, seen = new Set<string>()): void => {
    if (seen.has(type.name)) return;
    seen.add(type.name);
    const via = (coordinate: string): void => {
      const set = throughVariables.get(coordinate) ?? new Set<string>();
      set.add(variable);
      throughVariables.set(coordinate, set);
    };
    via(type.name);
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        via(`${type.name}.${field.name}`);
        useInputType(variable, getNamedType(field.type), seen);
      }
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) via(`${type.name}.${value.name}`);
    }
  };

  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      OperationDefinition(node) {
        const root = schema.getRootType(node.operation);
        if (root) used.add(root.name);
      },
      VariableDefinition(node) {
        const type = typeFromAST(schema, node.type);
        if (!type) return;
        // The declaration names the type itself; what it holds is only known through the variable.
        used.add(getNamedType(type).name);
        useInputType(node.variable.name.value, getNamedType(type));
      },
      Field(node) {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (!parent || !field || node.name.value.startsWith("__")) return;
        used.add(parent.name);
        used.add(`${parent.name}.${field.name}`);
        used.add(getNamedType(field.type).name);
      },
      Argument(node) {
        const argument = typeInfo.getArgument();
        if (!argument) return;
        const directive = typeInfo.getDirective();
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (directive) used.add(`@${directive.name}(${node.name.value}:)`);
        else if (parent && field) used.add(`${parent.name}.${field.name}(${argument.name}:)`);
        used.add(getNamedType(argument.type).name);
      },
      ObjectField(node) {
        const parent = typeInfo.getParentInputType();
        const named = parent ? getNamedType(parent) : undefined;
        if (named && isInputObjectType(named)) used.add(`${named.name}.${node.name.value}`);
      },
      EnumValue(node) {
        const type = typeInfo.getInputType();
        const named = type ? getNamedType(type) : undefined;
        if (named && isEnumType(named)) used.add(`${named.name}.${node.value}`);
      },
      Directive(node) {
        used.add(`@${node.name.value}`);
      },
      InlineFragment(node) {
        if (node.typeCondition) used.add(node.typeCondition.name.value);
      },
      FragmentDefinition(node) {
        used.add(node.typeCondition.name.value);
      },
    }),
  );
  const viaVariables = new Map<string, string[]>();
  for (const [coordinate, variables] of throughVariables) {
    if (!used.has(coordinate)) viaVariables.set(coordinate, [...variables].sort());
  }
  return { coordinates: new Set([...used, ...throughVariables.keys()]), viaVariables };
}

/**
 * The operation a request runs (by name, or the only one) with just the fragments it spreads: what a served
 * document uses, without its other operations. Undefined when the name matches no operation.
 */
export function operationDocument(document: DocumentNode, operationName?: string | null): DocumentNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) return undefined;
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  return { kind: Kind.DOCUMENT, definitions: [operation, ...fragmentsSpreadBy(operation, fragments)] };
}
