// @apollo/gateway behind Apollo Server, as a storefront would reach the club and Saleor in one graph.
// argv[2]: path of a composed supergraph SDL. Prints {"url": ...} once listening; forwards the
// client's Authorization header to every subgraph; exits by itself after GATEWAY_LIFETIME_SECONDS.
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { readFileSync } from "node:fs";

const lifetime = Number(process.env.GATEWAY_LIFETIME_SECONDS ?? "180");
setTimeout(() => {
  console.error(`gateway: lifetime of ${lifetime}s over, exiting`);
  process.exit(3);
}, lifetime * 1000);

class ForwardAuthorization extends RemoteGraphQLDataSource {
  willSendRequest({ request, context }) {
    if (context.authorization) request.http.headers.set("authorization", context.authorization);
  }
}

const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(process.argv[2], "utf8"),
  buildService: ({ url }) => new ForwardAuthorization({ url }),
});
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port: 0 },
  context: async ({ req }) => ({ authorization: req.headers.authorization ?? "" }),
});
process.stdout.write(JSON.stringify({ url }) + "\n");
