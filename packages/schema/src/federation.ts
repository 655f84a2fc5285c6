import { Kind, parse, print, type ConstDirectiveNode, type ConstValueNode, type DocumentNode } from "graphql";
import { suggestionFor, type SchemaChange } from "./changes.ts";

export interface SubgraphDefinition {
  name: string;
  typeDefs: string;
}

const FEDERATION_SPEC = /^https:\/\/specs\.apollo\.dev\/federation\//;

/** The names `@key` goes by in one subgraph: imported (maybe renamed), or namespaced (`@federation__key`). */
function keyDirectiveNames(document: DocumentNode): Set<string> {
  const names = new Set<string>();
  let linked = false;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of definition.directives ?? []) {
      if (link.name.value !== "link") continue;
      const url = argument(link, "url");
      if (url?.kind !== Kind.STRING || !FEDERATION_SPEC.test(url.value)) continue;
      linked = true;
      const as = argument(link, "as");
      names.add(`${as?.kind === Kind.STRING ? as.value : "federation"}__key`);
      const imports = argument(link, "import");
      for (const item of imports?.kind === Kind.LIST ? imports.values : []) {
        if (item.kind === Kind.STRING && item.value === "@key") names.add("key");
        if (item.kind === Kind.OBJECT) {
          const name = item.fields.find((f) => f.name.value === "name")?.value;
          const alias = item.fields.find((f) => f.name.value === "as")?.value;
          if (name?.kind === Kind.STRING && name.value === "@key") names.add(alias?.kind === Kind.STRING ? alias.value.replace(/^@/, "") : "key");
        }
      }
    }
  }
  // Federation 1 SDL has no @link: @key is simply @key.
  if (!linked) names.add("key");
  return names;
}

const argument = (directive: ConstDirectiveNode, name: string): ConstValueNode | undefined => directive.arguments?.find((a) => a.name.value === name)?.value;

/** `fields: "id"` written any way (spacing, line breaks) reads the same. */
function normaliseFieldSet(fields: string): string {
  try {
    const selection = parse(`{${fields}}`).definitions[0];
    if (selection?.kind === Kind.OPERATION_DEFINITION) return print(selection.selectionSet).replace(/\s+/g, " ").replace(/^\{ | \}$/g, "");
  } catch {
    // An unparsable field set is a composition error; compare it as written.
  }
  return fields.trim().replace(/\s+/g, " ");
}

/** Each entity type of a subgraph SDL and its keys, e.g. Product -> [`fields: "sku"`]. */
export function entityKeys(typeDefs: string): Map<string, string[]> {
  const document = parse(typeDefs);
  const keyNames = keyDirectiveNames(document);
  const keys = new Map<string, string[]>();
  for (const definition of document.definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      definition.kind !== Kind.INTERFACE_TYPE_EXTENSION
    ) {
      continue;
    }
    for (const directive of definition.directives ?? []) {
      if (!keyNames.has(directive.name.value)) continue;
      const fields = argument(directive, "fields");
      const resolvable = argument(directive, "resolvable");
      const key = `fields: "${fields?.kind === Kind.STRING ? normaliseFieldSet(fields.value) : "?"}"${resolvable?.kind === Kind.BOOLEAN && !resolvable.value ? ", resolvable: false" : ""}`;
      const list = keys.get(definition.name.value) ?? [];
      if (!list.includes(key)) list.push(key);
      keys.set(definition.name.value, list);
    }
  }
  for (const list of keys.values()) list.sort();
  return keys;
}

const describeKeys = (keys: readonly string[]): string => (keys.length === 0 ? "no @key" : keys.map((k) => `@key(${k})`).join(" "));

const NOT_RESOLVABLE = ", resolvable: false";
/** A key's field set, without its resolvability. */
const fieldsOf = (key: string): string => key.replace(NOT_RESOLVABLE, "");
const isResolvable = (key: string): boolean => !key.endsWith(NOT_RESOLVABLE);

/** Whether any subgraph other than `except` defines (so references, returns or resolves) a type of this name. */
function definedElsewhere(type: string, except: string, subgraphs: readonly SubgraphDefinition[]): boolean {
  return subgraphs.some((subgraph) => {
    if (subgraph.name === except) return false;
    try {
      return parse(subgraph.typeDefs).definitions.some((d) => "name" in d && d.name?.value === type && d.kind !== Kind.DIRECTIVE_DEFINITION);
    } catch {
      // Unparsable SDL fails composition; count it as a reference, to stay on the safe side.
      return true;
    }
  });
}

/**
 * Changed `@key`s of an entity, subgraph by subgraph. Composition accepts a key changed consistently everywhere, and
 * clients never see keys; but subgraphs resolve each other's entities by them, so a subgraph or router still on the
 * old key (a rolling deploy, a distributed shape) can no longer resolve the entity. Two exceptions: a key made
 * resolvable only opens a way in, and a key of an entity that no other subgraph defines (so none references or
 * returns it) is never used by a query plan to enter this subgraph.
 */
export function diffEntityKeys(base: readonly SubgraphDefinition[], next: readonly SubgraphDefinition[]): SchemaChange[] {
  const changes: SchemaChange[] = [];
  for (const subgraph of next) {
    const before = base.find((b) => b.name === subgraph.name);
    if (!before) continue;
    let oldKeys: Map<string, string[]>;
    let newKeys: Map<string, string[]>;
    try {
      oldKeys = entityKeys(before.typeDefs);
      newKeys = entityKeys(subgraph.typeDefs);
    } catch {
      // A subgraph that does not parse fails composition, which reports it with its location.
      continue;
    }
    for (const [type, keys] of oldKeys) {
      const now = newKeys.get(type) ?? [];
      if (keys.length === now.length && keys.every((k) => now.includes(k))) continue;
      const removed = keys.filter((k) => !now.some((n) => fieldsOf(n) === fieldsOf(k)));
      const madeResolvable = keys.filter((k) => !isResolvable(k) && now.includes(fieldsOf(k)));
      const madeUnresolvable = keys.filter((k) => isResolvable(k) && now.includes(`${k}${NOT_RESOLVABLE}`));
      const added = now.filter((n) => !keys.some((k) => fieldsOf(k) === fieldsOf(n)));
      const common = { coordinate: type, source: "federation" as const, subgraph: subgraph.name, affects: [type] };
      if (removed.length > 0 || madeUnresolvable.length > 0) {
        const type_ = removed.length === 0 ? "ENTITY_KEY_CHANGED" : now.length === 0 ? "ENTITY_KEY_REMOVED" : "ENTITY_KEY_CHANGED";
        const message = `Entity key of ${type} in subgraph ${subgraph.name} changed from ${describeKeys(keys)} to ${describeKeys(now)}`;
        if (!definedElsewhere(type, subgraph.name, [...base, ...next])) {
          changes.push({
            ...common,
            severity: "safe",
            message,
            reason: `No other subgraph references or returns ${type}, so no query plan enters subgraph ${subgraph.name} by its key.`,
            type: type_,
          });
          continue;
        }
        changes.push({
          ...common,
          severity: "breaking",
          message,
          reason:
            removed.length === 0
              ? `Made resolvable: false: query plans that fetch ${type} from subgraph ${subgraph.name} by that key fail.`
              : "Subgraphs and query plans resolve the entity by its key: any still on the old key fail; change it everywhere and deploy together.",
          type: type_,
          suggestion: suggestionFor(type_, type),
        });
      } else if (madeResolvable.length > 0 && added.length === 0) {
        changes.push({
          ...common,
          severity: "safe",
          message: `Entity ${type} in subgraph ${subgraph.name} made ${describeKeys(madeResolvable.map(fieldsOf))} resolvable`,
          reason: "The same key, now also a way in: query plans may fetch the entity from this subgraph; none that worked before breaks.",
          type: "ENTITY_KEY_RESOLVABLE",
        });
      } else {
        changes.push({
          ...common,
          severity: "safe",
          message: `Entity ${type} in subgraph ${subgraph.name} gained ${describeKeys([...added, ...madeResolvable.map(fieldsOf)])}`,
          reason: "The old keys still resolve it; the new one is an extra way in.",
          type: "ENTITY_KEY_ADDED",
        });
      }
    }
  }
  return changes;
}
