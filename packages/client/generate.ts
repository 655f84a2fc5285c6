// `npm run generate`: writes the typed documents (src/generated) from the recorded operations and the API schema.
import { generate } from "@graphql-codegen/cli";
import { config } from "./codegen.ts";

await generate(config, true);
