import { ChangeType, CriticalityLevel, diff, type Change } from "@graphql-inspector/core";
import type { GraphQLSchema } from "graphql";

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
 * Per change type: the coordinate to report, the coordinates an operation must use for the change to matter to it,
 * and where we disagree with graphql-inspector's default criticality or want a plainer reason.
 */
function classify(change: Change): Classified {
  const m = change.meta as Meta;
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
    case ChangeType.FieldArgumentTypeChanged:
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
    case ChangeType.InputFieldTypeChanged:
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
      if (typeof directive === "string" && change.type.startsWith("DIRECTIVE_") && !change.type.startsWith("DIRECTIVE_USAGE_")) {
        return { coordinate: `@${directive}`, affects: [`@${directive}`] };
      }
      // Anything newer than this table: graphql-inspector's path is "Type.field.argument".
      const parts = (change.path ?? "").split(".");
      const c = parts.length === 3 ? argCoordinate(parts[0]!, parts[1]!, parts[2]!) : (change.path ?? change.type);
      return { coordinate: c, affects: [c, parts[0] ?? c] };
    }
  }
}

/** Every difference between two API schemas, classified breaking, dangerous or safe. */
export async function diffApiSchemas(base: GraphQLSchema, next: GraphQLSchema): Promise<SchemaChange[]> {
  const changes = await diff(base, next);
  return changes.map((change): SchemaChange => {
    const classified = classify(change);
    const severity = classified.severity ?? SEVERITY[change.criticality.level];
    const documentationOnly = change.type.includes("DESCRIPTION") && severity === "safe";
    return {
      severity,
      coordinate: classified.coordinate,
      // Descriptions quoted in messages span lines; a report row should not.
      message: change.message.replace(/\s*\n\s*/g, " "),
      reason: documentationOnly ? "Documentation only." : (classified.reason ?? change.criticality.reason ?? DEFAULT_REASON[severity]),
      type: change.type,
      source: "api",
      affects: classified.affects,
    };
  });
}

export const SEVERITY_ORDER: Record<Severity, number> = { breaking: 0, dangerous: 1, safe: 2 };
