/** Where in a subgraph's SDL a composition error points. */
export interface SdlLocation {
  subgraph: string;
  line: number;
  column: number;
}

/** One reason the subgraphs do not compose, in terms a developer can act on. */
export interface CompositionError {
  /** Apollo's error code (e.g. INVALID_FIELD_SHARING), or MISSING_SDL_FILE / INVALID_GRAPHQL / NO_SUBGRAPHS from us. */
  code: string;
  message: string;
  /** The subgraphs involved, as far as they can be told from the error. */
  subgraphs: string[];
  locations: SdlLocation[];
  /** What usually fixes it, for the error codes developers meet most. */
  advice?: string;
}

const ADVICE: Record<string, string> = {
  MISSING_SDL_FILE: "Write the subgraph's schema.graphql, or remove the subgraph from packages/schema/src/subgraphs.ts.",
  INVALID_GRAPHQL: "Fix the SDL at the location given.",
  INVALID_FIELD_SHARING: "Mark the field @shareable in every subgraph that resolves it, or resolve it in one subgraph only.",
  FIELD_TYPE_MISMATCH: "Give the field the same type in every subgraph that defines it.",
  FIELD_ARGUMENT_TYPE_MISMATCH: "Give the argument the same type in every subgraph that defines the field.",
  TYPE_KIND_MISMATCH: "A name must be the same kind of type (object, interface, input, enum...) in every subgraph.",
  ENUM_VALUE_MISMATCH: "An enum used both as input and output must have the same values in every subgraph.",
  EMPTY_MERGED_ENUM_TYPE: "An enum used as input keeps only the values every subgraph shares: define the same values everywhere.",
  REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH: "A required argument must exist in every subgraph that defines the field.",
  SATISFIABILITY_ERROR: "Some query cannot be planned: make the entity resolvable (a @key with resolvable: true) where the path needs it, or move the field.",
  KEY_INVALID_FIELDS: "The @key fields must name existing fields of the type.",
  INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE: "Every implementation of an entity interface must declare the interface's @key.",
};

export function adviceFor(code: string): string | undefined {
  return ADVICE[code];
}

export class CompositionFailure extends Error {
  readonly errors: CompositionError[];

  constructor(errors: CompositionError[]) {
    errors = errors.map((error) => (error.advice || !adviceFor(error.code) ? error : { ...error, advice: adviceFor(error.code) }));
    super(
      `The subgraphs do not compose (${errors.length} error${errors.length === 1 ? "" : "s"}):\n` +
        errors.map((error) => `  - ${describeCompositionError(error)}`).join("\n"),
    );
    this.name = "CompositionFailure";
    this.errors = errors;
  }
}

export function describeCompositionError(error: CompositionError): string {
  const where = error.subgraphs.length > 0 ? `[${error.subgraphs.join(", ")}] ` : "";
  const at = error.locations.map((l) => `${l.subgraph}:${l.line}:${l.column}`).join(", ");
  return `${where}${error.code}: ${error.message}${at ? ` (at ${at})` : ""}${error.advice ? ` ${error.advice}` : ""}`;
}

/** A mistake in how a command was called (exit code 2), as opposed to a check that failed (exit code 1). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
