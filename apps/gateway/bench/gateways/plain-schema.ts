import { buildSchema, type GraphQLFieldResolver, type GraphQLSchema } from "graphql";

type Resolvers = Record<string, Record<string, GraphQLFieldResolver<never, unknown, never>>>;

/** A plain executable schema: SDL plus resolvers by type and field, set on graphql-js's own field definitions. */
export function makeExecutableSchemaFromSdl(sdl: string, resolvers: Resolvers): GraphQLSchema {
  const schema = buildSchema(sdl);
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = schema.getType(typeName);
    if (!type || !("getFields" in type)) throw new Error(`No object type ${typeName}`);
    const definitions = type.getFields() as Record<string, { resolve?: unknown }>;
    for (const [fieldName, resolve] of Object.entries(fields)) {
      if (!definitions[fieldName]) throw new Error(`No field ${typeName}.${fieldName}`);
      definitions[fieldName].resolve = resolve;
    }
  }
  return schema;
}
