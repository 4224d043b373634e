import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// GraphiQL as one classic script and one stylesheet with fixed names, served by the plugin at the club endpoint.
export default defineConfig({
  plugins: [react()],
  publicDir: false,
  define: { "process.env.NODE_ENV": JSON.stringify("production") },
  build: {
    outDir: "dist/graphiql",
    emptyOutDir: true,
    sourcemap: false,
    minify: true,
    cssCodeSplit: false,
    lib: { entry: "src/graphiql/main.tsx", formats: ["iife"], name: "ClubGraphiQL", fileName: () => "graphiql.js" },
    rollupOptions: { output: { assetFileNames: "graphiql[extname]" } },
  },
});
