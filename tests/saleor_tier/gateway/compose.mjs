// Composes subgraphs into a Federation 2 supergraph with Apollo's own composition library.
// stdin: [{"name": "...", "url": "...", "sdl": "..."}]; stdout: {"supergraphSdl": "..."} or {"errors": [...]}
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
import { readFileSync } from "node:fs";

const subgraphs = JSON.parse(readFileSync(0, "utf8"));
const result = composeServices(
  subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })),
);
if (result.errors) {
  process.stdout.write(JSON.stringify({ errors: result.errors.map((e) => `${e.extensions?.code ?? ""} ${e.message}`) }));
  process.exit(1);
}
process.stdout.write(
  JSON.stringify({ supergraphSdl: result.supergraphSdl, hints: (result.hints ?? []).map((h) => h.toString()) }),
);
