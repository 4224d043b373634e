// Fails when the committed build (saleor_loyalty/dashboard/static) differs from a fresh build of the sources.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const committed = resolve(here, "../saleor_loyalty/dashboard/static");
const fresh = mkdtempSync(join(tmpdir(), "loyalty-build-"));
execFileSync(process.execPath, [resolve(here, "scripts/build.mjs"), fresh], { stdio: "inherit" });

const list = (root) => {
  const out = [];
  const walk = (dir) => readdirSync(dir).forEach((name) => {
    const p = join(dir, name);
    statSync(p).isDirectory() ? walk(p) : out.push(relative(root, p));
  });
  walk(root);
  return out.sort();
};
const a = list(committed), b = list(fresh);
const stale = [...new Set([...a, ...b])].filter((f) => !a.includes(f) || !b.includes(f) || !readFileSync(join(committed, f)).equals(readFileSync(join(fresh, f))));
if (stale.length) {
  console.error(`The committed build is stale (run \`npm run build\` in frontend/): ${stale.join(", ")}`);
  process.exit(1);
}
console.log(`committed build is current (${a.length} files)`);
