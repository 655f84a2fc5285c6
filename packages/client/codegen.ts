// GraphQL Code Generator's configuration for the web client's typed documents. Run it with `npm run generate`
// (here, or `npm run schema:compose` at the root); `npm test` here fails when the committed output is stale.
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { CodegenConfig } from "@graphql-codegen/cli";
import { addTypename, API_SCHEMA_PATH, OPERATIONS_DIR, persistedOperationId, REPO_ROOT } from "@monograph/schema";
import { print, type DocumentNode } from "graphql";

const here = path.dirname(fileURLToPath(import.meta.url));

/** Where the generated files go, relative to this package. */
export const GENERATED_DIR = "src/generated/";

export const config: CodegenConfig = {
  cwd: here,
  schema: API_SCHEMA_PATH,
  documents: [path.join(REPO_ROOT, OPERATIONS_DIR, "web/**/*.graphql")],
  ignoreNoDocuments: false,
  silent: true,
  generates: {
    [GENERATED_DIR]: {
      // Apollo Client's cache adds __typename to every selection set before a document reaches a link; the typed
      // documents carry it already (the same transform the manifest applies), so what the client sends, and hashes,
      // is exactly the document generated here, and exactly the manifest's body.
      documentTransforms: [{ transform: ({ documents }) => documents.map((source) => ({ ...source, document: source.document && addTypename(source.document) })) }],
      preset: "client",
      presetConfig: {
        fragmentMasking: false,
        // Each document's persisted id, in `__meta__.hash`. Not the preset's own `persistedDocuments`: that hashes a
        // sorted, whitespace-collapsed print (and prefixes "sha256:"), which no persisted-query server can check
        // against the text Apollo Client sends when it retries with the full document. See ADR 8.
        onExecutableDocumentNode: (document: DocumentNode) => ({ hash: persistedOperationId(print(document)) }),
      },
      // Relative imports with their extension (./gql.ts): Node runs the built dist/ (tsc rewrites .ts to .js), and
      // Node resolves no extensionless import.
      config: { importExtension: ".ts", useTypeImports: true, enumsAsTypes: true, avoidOptionals: false, scalars: { DateTime: "string" } },
    },
  },
};

export default config;
