import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generate } from "@graphql-codegen/cli";
import { persistedOperationId, readPersistedOperations } from "@monograph/schema";
import { print, type DocumentNode } from "graphql";
import { describe, expect, it } from "vitest";
import { config } from "../codegen.ts";
import * as documents from "./index.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const generated = Object.entries(documents).filter((entry): entry is [string, DocumentNode] => entry[0].endsWith("Document"));
/** What Apollo Client sends: graphql's print of the document, without the codegen metadata. */
const printed = (document: DocumentNode) => {
  const { __meta__: _meta, ...plain } = document as DocumentNode & { __meta__?: unknown };
  return print(plain as DocumentNode);
};

describe("the typed client documents", () => {
  it("when the recorded operations or the API schema change without npm run generate, then this test fails", async () => {
    const files = await generate(config, false);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const committed = readFileSync(path.resolve(here, "..", file.filename), "utf8");
      expect(committed, `${file.filename} is stale: run npm run schema:compose (or npm run generate in packages/client) and commit it`).toBe(file.content);
    }
  });

  it("when a document is generated, then its hash is the sha256 of the text Apollo Client sends, and the manifest's id for it", () => {
    const manifest = readPersistedOperations();
    expect(generated.length).toBeGreaterThan(10);
    for (const [exportName, document] of generated) {
      const hash = documents.persistedHash(document);
      expect(hash, exportName).toBe(persistedOperationId(printed(document)));
      const entry = manifest.operations.find((operation) => operation.id === hash);
      expect(entry, `${exportName} is not in persisted-operations.json`).toMatchObject({ name: documents.operationName(document), clientName: "web", body: printed(document) });
    }
  });

  it("when the manifest lists a web operation, then a typed document exists for it", () => {
    const hashes = new Set(generated.map(([, document]) => documents.persistedHash(document)));
    const web = readPersistedOperations().operations.filter((operation) => operation.clientName === "web");
    expect(web.filter((operation) => !hashes.has(operation.id)).map((operation) => operation.name)).toEqual([]);
  });
});
