import { readFileSync } from "node:fs";
import path from "node:path";
import { checkCost, DEFAULT_OPERATION_LIMITS, operationLimitRules, screenDocument, type OperationLimits } from "@monograph/platform";
import { API_SCHEMA_PATH, OPERATIONS_DIR, parseOperations, readOperationFiles, REPO_ROOT } from "@monograph/schema";
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  Kind,
  print,
  specifiedRules,
  typeFromAST,
  validate,
  type GraphQLInputType,
  type OperationDefinitionNode,
} from "graphql";
import { describe, expect, it } from "vitest";

// The default limits must let every operation our clients have recorded through, with the largest page each may
// ask for, and still be as tight as that allows: the deepest, MyOrders, decides the depth limit.
const schema = buildSchema(readFileSync(API_SCHEMA_PATH, "utf8"));
const { operations, problems } = parseOperations(readOperationFiles(path.join(REPO_ROOT, OPERATIONS_DIR), REPO_ROOT).files);
const operationOf = (document: (typeof operations)[number]["document"]) =>
  document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION)!;

/** A value of an input type that passes coercion: required fields filled, lists of one. */
function sample(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sample(type.ofType);
  if (isListType(type)) return [sample(type.ofType)];
  const named = getNamedType(type);
  if (isEnumType(named)) return named.getValues()[0]!.value;
  if (isInputObjectType(named)) {
    return Object.fromEntries(
      Object.values(named.getFields())
        .filter((field) => isNonNullType(field.type) && field.defaultValue === undefined)
        .map((field) => [field.name, sample(field.type)]),
    );
  }
  return { Int: 1, Float: 1, Boolean: true, DateTime: "2026-01-01T00:00:00.000Z" }[named.name] ?? "x";
}

/** Variables for the largest request the operation can make: every page size at its maximum, 100. */
function largestVariables(operation: OperationDefinitionNode): Record<string, unknown> {
  return Object.fromEntries(
    (operation.variableDefinitions ?? []).map((definition) => {
      const name = definition.variable.name.value;
      return [name, name === "first" || name === "last" ? 100 : sample(typeFromAST(schema, definition.type as never) as GraphQLInputType)];
    }),
  );
}

const refusals = (operation: (typeof operations)[number], limits: OperationLimits) =>
  validate(schema, operation.document, [...specifiedRules, ...operationLimitRules(limits)]).map((error) => error.message);

describe("the default operation limits and the recorded operations", () => {
  it("when the recorded operations are read, then there are some and they all parse", () => {
    expect(problems).toEqual([]);
    expect(operations.map((operation) => operation.name)).toContain("MyOrders");
  });

  it.each(operations.map((operation) => [operation.name, operation] as const))("when %s is sent with its largest pages, then no default limit refuses it", (_name, operation) => {
    expect(screenDocument(print(operation.document), DEFAULT_OPERATION_LIMITS)).toBeUndefined();
    expect(refusals(operation, DEFAULT_OPERATION_LIMITS)).toEqual([]);
    const op = operationOf(operation.document);
    expect(checkCost(schema, operation.document, op, largestVariables(op), DEFAULT_OPERATION_LIMITS)).toBeLessThanOrEqual(DEFAULT_OPERATION_LIMITS.maxCost);
  });

  it("when the depth limit is compared with MyOrders, then MyOrders needs 7 and the default of 8 leaves a margin of one", () => {
    const myOrders = operations.find((operation) => operation.name === "MyOrders")!;
    expect(refusals(myOrders, { ...DEFAULT_OPERATION_LIMITS, maxDepth: 7 })).toEqual([]);
    expect(refusals(myOrders, { ...DEFAULT_OPERATION_LIMITS, maxDepth: 6 })).toEqual(["Query depth limit of 6 exceeded, found 7."]);
    expect(DEFAULT_OPERATION_LIMITS.maxDepth).toBe(8);
    for (const operation of operations) expect(refusals(operation, { ...DEFAULT_OPERATION_LIMITS, maxDepth: 7 })).toEqual([]);
  });

  it("when the cost limit is compared with MyOrders at its largest page, then MyOrders fits, with the margin a fuller order would need", () => {
    const myOrders = operations.find((operation) => operation.name === "MyOrders")!;
    const op = operationOf(myOrders.document);
    const cost = checkCost(schema, myOrders.document, op, largestVariables(op), DEFAULT_OPERATION_LIMITS);
    expect(cost).toBeGreaterThan(5_000);
    expect(cost).toBeLessThan(DEFAULT_OPERATION_LIMITS.maxCost);
  });
});
