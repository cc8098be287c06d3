// The framework is linked in from tests/consumers/node_modules, outside this project:
// Turbopack reads files only below its root, so the root is the folder holding both.
import { relative, resolve } from "node:path";
import { realpathSync } from "node:fs";

const here = import.meta.dirname;
const next = realpathSync(resolve(here, "node_modules/next"));
let root = here;
while (relative(root, next).startsWith("..")) root = resolve(root, "..");

export default { turbopack: { root } };
