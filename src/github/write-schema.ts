/** `npm run schema`: regenerate docs/config.schema.json from the zod schema. */
import { writeFileSync } from "node:fs";
import { configJsonSchema } from "./config.js";

const target = new URL("../../docs/config.schema.json", import.meta.url);
writeFileSync(target, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${target.pathname}\n`);
