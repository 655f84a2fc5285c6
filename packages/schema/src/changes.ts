import { ChangeType, CriticalityLevel, diff, type Change } from "@graphql-inspector/core";
import { isInputObjectType, isInterfaceType, isNonNullType, isObjectType, type GraphQLSchema } from "graphql";

export type Severity = "breaking" | "dangerous" | "safe";

/** One difference between the baseline and the new schema, classified. */
export interface SchemaChange {
  severity: Severity;
  /** A schema coordinate: `Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE`, `Input.field`, `@directive`. */
  coordinate: string;
  /** What changed. */
  message: string;
  /** Why it has this severity, in one line. */
  reason: string;
  /** graphql-inspector's change type, or ENTITY_KEY_* for federation checks. */
  type: string;
  /** "api": the public API schema; "federation": a subgraph's SDL (what clients never see, but subgraphs do). */
  source: "api" | "federation";
  subgraph?: string;
  /** The coordinates whose use by an operation makes the change matter to that operation. */
  affects: string[];
  /** For a breaking change: a way forward that does not break clients (or how to approve it). */
  suggestion?: string;
}

const SEVERITY: Record<CriticalityLevel, Severity> = {
  [CriticalityLevel.Breaking]: "breaking",
  [CriticalityLevel.Dangerous]: "dangerous",
  [CriticalityLevel.NonBreaking]: "safe",
};

const DEFAULT_REASON: Record<Severity, string> = {
  breaking: "Operations that use it stop validating, or receive data of another shape.",
  dangerous: "Operations still validate, but may behave differently at run time.",
  safe: "Existing operations keep validating and behaving as before.",
};

type Meta = Record<string, unknown>;
const s = (meta: Meta, key: string): string => String(meta[key] ?? "");
const argCoordinate = (type: string, field: string, arg: string): string => `${type}.${field}(${arg}:)`;

interface Classified {
  coordinate: string;
  affects: string[];
  severity?: Severity;
  reason?: string;
}

/**
 * The schema element a change is about, from graphql-inspector's path (`Type`, `Type.field`, `Type.field.arg`,
 * then `.@directive` and the directive's argument for a directive usage), as a coordinate.
 */
function elementOf(change: Change): string {
  const parts = (change.path ?? "").split(".");
  const at = parts.findIndex((part) => part.startsWith("@"));
  const element = (at === -1 ? parts : parts.slice(0, at)).filter(Boolean);
  if (element.length === 0) return "schema";
  if (element.length >= 3) return argCoordinate(element[0]!, element[1]!, element[2]!);
  return element.join(".");
}

/** The directive a DIRECTIVE_USAGE_* change is about. */
function usedDirective(change: Change): string | undefined {
  const m = change.meta as Meta;
  const name = m["addedDirectiveName"] ?? m["removedDirectiveName"] ?? m["directiveName"];
  return typeof name === "string" ? name : undefined;
}

const isDirectiveUsage = (change: Change): boolean => change.type.startsWith("DIRECTIVE_USAGE_");
const isDeprecationUsage = (change: Change): boolean => isDirectiveUsage(change) && usedDirective(change) === "deprecated";

/** An argument or input field that is non-null without a default: operations must now pass it. */
function isRequired(schema: GraphQLSchema, typeName: string, fieldName: string, argumentName?: string): boolean {
  const type = schema.getType(typeName);
  if (argumentName !== undefined) {
    if (!isObjectType(type) && !isInterfaceType(type)) return false;
    const argument = type.getFields()[fieldName]?.args.find((a) => a.name === argumentName);
    return Boolean(argument && isNonNullType(argument.type) && argument.defaultValue === undefined);
  }
  if (!isInputObjectType(type)) return false;
  const field = type.getFields()[fieldName];
  return Boolean(field && isNonNullType(field.type) && field.defaultValue === undefined);
}

/**
 * Per change type: the coordinate to report, the coordinates an operation must use for the change to matter to it,
 * and where we disagree with graphql-inspector's default criticality or want a plainer reason.
 */
function classify(change: Change, next: GraphQLSchema): Classified {
  const m = change.meta as Meta;
  if (isDirectiveUsage(change)) {
    const element = elementOf(change);
    if (usedDirective(change) === "deprecated") {
      return { coordinate: element, affects: [element], severity: "safe", reason: "Deprecation is advice to clients: operations keep validating and behaving as before." };
    }
    return { coordinate: element, affects: [element, element.split(/[.(]/)[0]!] };
  }
  switch (change.type) {
    case ChangeType.FieldRemoved: {
      const c = `${s(m, "typeName")}.${s(m, "removedFieldName")}`;
      return { coordinate: c, affects: [c], reason: m["isRemovedFieldDeprecated"] ? "It was deprecated; operations that still select it stop validating." : "Operations that select it stop validating." };
    }
    case ChangeType.FieldAdded: {
      const c = `${s(m, "typeName")}.${s(m, "addedFieldName")}`;
      return { coordinate: c, affects: [c], reason: "New: no existing operation can select it." };
    }
    case ChangeType.FieldTypeChanged: {
      const c = `${s(m, "typeName")}.${s(m, "fieldName")}`;
      return {
        coordinate: c,
        affects: [c],
        reason:
          change.criticality.level === CriticalityLevel.NonBreaking
            ? "Every value of the new type is a valid value of the old one (e.g. made non-null)."
            : "Clients receive a value of another type, or null where they relied on a value.",
      };
    }
    case ChangeType.FieldArgumentAdded: {
      const c = argCoordinate(s(m, "typeName"), s(m, "fieldName"), s(m, "addedArgumentName"));
      const field = `${s(m, "typeName")}.${s(m, "fieldName")}`;
      if (change.criticality.level === CriticalityLevel.Breaking) {
        return { coordinate: c, affects: [field], reason: "Required and without a default: operations that select the field without it stop validating." };
      }
      // graphql-inspector (like graphql-js) calls an optional argument dangerous; an operation that does not pass it
      // gets exactly what it got before, so for a recorded operation it is safe.
      return { coordinate: c, affects: [field], severity: "safe", reason: "Optional: operations that do not pass it keep their behaviour." };
    }
    case ChangeType.FieldArgumentRemoved: {
      const c = argCoordinate(s(m, "typeName"), s(m, "fieldName"), s(m, "removedFieldArgumentName"));
      return { coordinate: c, affects: [c], reason: "Operations that pass it stop validating." };
    }
    case ChangeType.FieldArgumentTypeChanged: {
      const c = argCoordinate(s(m, "typeName"), s(m, "fieldName"), s(m, "argumentName"));
      // Made required: operations that select the field without passing it stop validating too.
      if (isRequired(next, s(m, "typeName"), s(m, "fieldName"), s(m, "argumentName"))) {
        return { coordinate: c, affects: [c, `${s(m, "typeName")}.${s(m, "fieldName")}`], reason: "Now required: operations that omit it, or pass a nullable variable, stop validating." };
      }
      return { coordinate: c, affects: [c] };
    }
    case ChangeType.FieldArgumentDescriptionChanged: {
      const c = argCoordinate(s(m, "typeName"), s(m, "fieldName"), s(m, "argumentName"));
      return { coordinate: c, affects: [c] };
    }
    case ChangeType.FieldArgumentDefaultChanged: {
      const c = argCoordinate(s(m, "typeName"), s(m, "fieldName"), s(m, "argumentName"));
      return { coordinate: c, affects: [`${s(m, "typeName")}.${s(m, "fieldName")}`], reason: "Operations that omit the argument now get a different default." };
    }
    case ChangeType.FieldDescriptionChanged:
    case ChangeType.FieldDescriptionAdded:
    case ChangeType.FieldDescriptionRemoved:
    case ChangeType.FieldDeprecationAdded:
    case ChangeType.FieldDeprecationRemoved:
    case ChangeType.FieldDeprecationReasonChanged:
    case ChangeType.FieldDeprecationReasonAdded:
    case ChangeType.FieldDeprecationReasonRemoved: {
      const c = `${s(m, "typeName")}.${s(m, "fieldName")}`;
      return { coordinate: c, affects: [c], reason: change.criticality.reason };
    }
    case ChangeType.EnumValueRemoved: {
      const c = `${s(m, "enumName")}.${s(m, "removedEnumValueName")}`;
      return { coordinate: c, affects: [c], reason: "Operations that send this value (as a literal or in a variable) stop validating." };
    }
    case ChangeType.EnumValueAdded: {
      const c = `${s(m, "enumName")}.${s(m, "addedEnumValueName")}`;
      return { coordinate: c, affects: [s(m, "enumName")], reason: "Clients that read the enum may receive a value they do not handle." };
    }
    case ChangeType.EnumValueDescriptionChanged:
    case ChangeType.EnumValueDeprecationReasonChanged:
    case ChangeType.EnumValueDeprecationReasonAdded:
    case ChangeType.EnumValueDeprecationReasonRemoved: {
      const c = `${s(m, "enumName")}.${s(m, "enumValueName")}`;
      return { coordinate: c, affects: [c], reason: change.criticality.reason };
    }
    case ChangeType.InputFieldRemoved: {
      const c = `${s(m, "inputName")}.${s(m, "removedFieldName")}`;
      return { coordinate: c, affects: [c], reason: "Operations that send this field stop validating." };
    }
    case ChangeType.InputFieldAdded: {
      const c = `${s(m, "inputName")}.${s(m, "addedInputFieldName")}`;
      return { coordinate: c, affects: [s(m, "inputName")] };
    }
    case ChangeType.InputFieldTypeChanged: {
      const c = `${s(m, "inputName")}.${s(m, "inputFieldName")}`;
      // Made required: an input literal that omits it stops validating, so every use of the input type matters.
      if (isRequired(next, s(m, "inputName"), s(m, "inputFieldName"))) {
        return { coordinate: c, affects: [c, s(m, "inputName")], reason: "Now required: operations that omit it, or send null, stop validating or are rejected." };
      }
      return { coordinate: c, affects: [c] };
    }
    case ChangeType.InputFieldDescriptionAdded:
    case ChangeType.InputFieldDescriptionRemoved:
    case ChangeType.InputFieldDescriptionChanged: {
      const c = `${s(m, "inputName")}.${s(m, "inputFieldName")}`;
      return { coordinate: c, affects: [c] };
    }
    case ChangeType.InputFieldDefaultValueChanged: {
      const c = `${s(m, "inputName")}.${s(m, "inputFieldName")}`;
      return { coordinate: c, affects: [s(m, "inputName")], reason: "Operations that omit the field now get a different default." };
    }
    case ChangeType.UnionMemberRemoved:
      return { coordinate: s(m, "unionName"), affects: [s(m, "unionName")], reason: `Operations that spread ${s(m, "removedUnionMemberTypeName")} on the union stop validating; others stop receiving it.` };
    case ChangeType.UnionMemberAdded:
      return { coordinate: s(m, "unionName"), affects: [s(m, "unionName")] };
    case ChangeType.ObjectTypeInterfaceRemoved:
      return {
        coordinate: s(m, "objectTypeName"),
        affects: [s(m, "removedInterfaceName")],
        reason: `Operations that spread ${s(m, "objectTypeName")} where a ${s(m, "removedInterfaceName")} is expected stop validating.`,
      };
    case ChangeType.ObjectTypeInterfaceAdded:
      return { coordinate: s(m, "objectTypeName"), affects: [s(m, "addedInterfaceName")] };
    case ChangeType.TypeRemoved:
      return { coordinate: s(m, "removedTypeName"), affects: [s(m, "removedTypeName")], reason: "Operations that use it (fields returning it, fragments, variables) stop validating." };
    case ChangeType.TypeAdded:
      return { coordinate: s(m, "addedTypeName"), affects: [s(m, "addedTypeName")], reason: "New: no existing operation can use it." };
    case ChangeType.TypeKindChanged:
    case ChangeType.TypeDescriptionChanged:
    case ChangeType.TypeDescriptionAdded:
    case ChangeType.TypeDescriptionRemoved:
      return { coordinate: s(m, "typeName"), affects: [s(m, "typeName")] };
    case ChangeType.SchemaQueryTypeChanged:
      return { coordinate: "Query", affects: ["Query"] };
    case ChangeType.SchemaMutationTypeChanged:
      return { coordinate: "Mutation", affects: ["Mutation"] };
    case ChangeType.SchemaSubscriptionTypeChanged:
      return { coordinate: "Subscription", affects: ["Subscription"] };
    default: {
      const directive = m["directiveName"] ?? m["removedDirectiveName"] ?? m["addedDirectiveName"];
      if (typeof directive === "string" && change.type.startsWith("DIRECTIVE_")) {
        const argument = m["addedDirectiveArgumentName"] ?? m["removedDirectiveArgumentName"] ?? m["directiveArgumentName"];
        const c = typeof argument === "string" ? `@${directive}(${argument}:)` : `@${directive}`;
        return { coordinate: c, affects: [c, `@${directive}`] };
      }
      // Anything newer than this table: graphql-inspector's path is "Type.field.argument".
      const parts = (change.path ?? "").split(".");
      const c = parts.length === 3 ? argCoordinate(parts[0]!, parts[1]!, parts[2]!) : (change.path ?? change.type);
      return { coordinate: c, affects: [c, parts[0] ?? c] };
    }
  }
}

const ADDITIONS: ReadonlySet<string> = new Set([ChangeType.TypeAdded, ChangeType.FieldAdded, ChangeType.FieldArgumentAdded, ChangeType.EnumValueAdded, ChangeType.InputFieldAdded]);

/** Descriptions, deprecations and directive usages: what decorates an element rather than changing its shape. */
const isDecoration = (change: Change): boolean => /DESCRIPTION|DEPRECATION/.test(change.type) || isDirectiveUsage(change);

/**
 * Drops what repeats another change. graphql-inspector reports an element added with its description, deprecation
 * and directives as one change each, and a deprecation twice (FIELD_DEPRECATION_ADDED and the @deprecated directive
 * usage, plus its reason argument): one row per fact is enough. A deprecation of an argument or input field has no
 * dedicated change type, so its directive usage stays (one row: the reason's rows go when the usage row is there).
 */
function withoutRepeats(changes: readonly Change[]): Change[] {
  const added = new Set(changes.filter((c) => ADDITIONS.has(c.type)).map(elementOf));
  const addedTypes = new Set(changes.filter((c) => c.type === ChangeType.TypeAdded).map(elementOf));
  const insideAdded = (element: string): boolean => added.has(element) || addedTypes.has(element.split(/[.(]/)[0]!);
  const isReasonRow = (c: Change): boolean => c.type === ChangeType.DirectiveUsageArgumentAdded || c.type === ChangeType.DirectiveUsageArgumentRemoved;
  // Elements whose deprecation already has a row of its own: a dedicated change type, or the @deprecated usage itself.
  const deprecationRows = new Set(changes.filter((c) => c.type.includes("DEPRECATION") || (isDeprecationUsage(c) && !isReasonRow(c))).map(elementOf));
  const kept: Change[] = [];
  const reasonChanged = new Set<string>();
  for (const change of changes) {
    const element = elementOf(change);
    if (isDecoration(change) && insideAdded(element)) continue;
    // A type (or enum, or input) added comes with all its fields and values: one row for the type says it all.
    if (change.type !== ChangeType.TypeAdded && ADDITIONS.has(change.type) && addedTypes.has(element.split(/[.(]/)[0]!)) continue;
    if (isDeprecationUsage(change)) {
      // A field's or enum value's deprecation has its own change type; the directive usage repeats it.
      if (change.type.startsWith("DIRECTIVE_USAGE_FIELD_DEFINITION_") || change.type.startsWith("DIRECTIVE_USAGE_ENUM_VALUE_")) continue;
      if (isReasonRow(change)) {
        // Covered by the deprecation's own row; otherwise (a reason changed on an argument or input field) one row.
        if (deprecationRows.has(element) || reasonChanged.has(element)) continue;
        reasonChanged.add(element);
        kept.push({ ...change, type: ChangeType.DirectiveUsageArgumentAdded, message: `Deprecation reason of '${element}' changed` } as Change);
        continue;
      }
    }
    kept.push(change);
  }
  return kept;
}

/** Every difference between two API schemas, classified breaking, dangerous or safe. */
export async function diffApiSchemas(base: GraphQLSchema, next: GraphQLSchema): Promise<SchemaChange[]> {
  const changes = withoutRepeats(await diff(base, next));
  return changes.map((change): SchemaChange => {
    const classified = classify(change, next);
    const severity = classified.severity ?? SEVERITY[change.criticality.level];
    const documentationOnly = change.type.includes("DESCRIPTION") && severity === "safe";
    // Some of graphql-inspector's reasons only repeat the message.
    const inspectorReason = change.criticality.reason && change.criticality.reason !== change.message ? change.criticality.reason : undefined;
    return {
      severity,
      coordinate: classified.coordinate,
      // Descriptions quoted in messages span lines; a report row should not.
      message: change.message.replace(/\s*\n\s*/g, " "),
      reason: documentationOnly ? "Documentation only." : (classified.reason ?? inspectorReason ?? DEFAULT_REASON[severity]),
      type: change.type,
      source: "api",
      affects: [...new Set(classified.affects)],
      ...(severity === "breaking" ? { suggestion: suggestionFor(change.type, classified.coordinate, Boolean((change.meta as Meta)["isRemovedFieldDeprecated"])) } : {}),
    };
  });
}

const APPROVE = "or, if every client has moved on, approve it in packages/schema/schema-approvals.json";

/** A way forward for each kind of breaking change: the expand-and-contract step that keeps clients working. */
export function suggestionFor(type: string, coordinate: string, deprecated = false): string {
  switch (type) {
    case ChangeType.FieldRemoved:
      if (deprecated) return `${coordinate} is deprecated already: keep it until no recorded operation or observed traffic selects it (this report names who still does); ${APPROVE}.`;
      return `Deprecate ${coordinate} first (@deprecated(reason: "Use ...")), remove it once no recorded operation or observed traffic selects it; ${APPROVE}.`;
    case ChangeType.FieldTypeChanged:
      return `Keep ${coordinate} as it is and add a field with the new type beside it (e.g. ${coordinate.split(".")[1]}V2), deprecate the old one, remove it when unused; ${APPROVE}.`;
    case ChangeType.FieldArgumentRemoved:
    case ChangeType.InputFieldRemoved:
      return `Keep ${coordinate} and ignore it, deprecated (@deprecated on an argument or input field), until no client sends it; ${APPROVE}.`;
    case ChangeType.FieldArgumentAdded:
    case ChangeType.InputFieldAdded:
      return `Add ${coordinate} as optional (nullable, or with a default), so operations that omit it keep working; ${APPROVE}.`;
    case ChangeType.FieldArgumentTypeChanged:
    case ChangeType.InputFieldTypeChanged:
      return `Keep ${coordinate}'s type and add a new argument or input field with the new type beside it, deprecate the old one; ${APPROVE}.`;
    case ChangeType.EnumValueRemoved:
      return `Deprecate ${coordinate} first, keep accepting it until no client sends it; ${APPROVE}.`;
    case ChangeType.TypeRemoved:
    case ChangeType.TypeKindChanged:
      return `Deprecate the fields that return ${coordinate} and keep the type until nothing uses it; ${APPROVE}.`;
    case ChangeType.UnionMemberRemoved:
    case ChangeType.ObjectTypeInterfaceRemoved:
      return `Keep ${coordinate} as it is until clients stop spreading on it; ${APPROVE}.`;
    case "ENTITY_KEY_CHANGED":
    case "ENTITY_KEY_REMOVED":
      return `Add the new @key beside the old one in every subgraph, deploy, then remove the old key in a later change; ${APPROVE}.`;
    default:
      return `Add the new shape beside the old one and deprecate the old one, remove it when unused; ${APPROVE}.`;
  }
}

export const SEVERITY_ORDER: Record<Severity, number> = { breaking: 0, dangerous: 1, safe: 2 };
