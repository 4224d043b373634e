// Build the app, the card and GraphiQL into one folder (default: the Python package's static/), deterministically:
// fixed file names, no source maps, no timestamps. `check-build.mjs` builds elsewhere and compares.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const out = resolve(process.argv[2] ?? resolve(here, "../saleor_loyalty/dashboard/static"));

await build({ root: here, configFile: resolve(here, "vite.config.ts"), logLevel: "warn", build: { outDir: resolve(out, "app") } });
await build({ root: here, configFile: resolve(here, "vite.card.config.ts"), logLevel: "warn", build: { outDir: resolve(out, "card-tmp") } });
cpSync(resolve(out, "card-tmp/card.js"), resolve(out, "card.js"));
rmSync(resolve(out, "card-tmp"), { recursive: true });
await build({ root: here, configFile: resolve(here, "vite.graphiql.config.ts"), logLevel: "warn", build: { outDir: resolve(out, "graphiql") } });
mkdirSync(out, { recursive: true });
cpSync(resolve(here, "public/logo.png"), resolve(out, "logo.png"));
rmSync(resolve(out, "app/logo.png"), { force: true });
console.log(`built into ${out}`);
