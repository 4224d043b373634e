import { defineConfig } from "vite";

// The club card: one classic script (IIFE), no dependencies, so `<script src=…/card.js>` is all a storefront adds.
export default defineConfig({
  build: {
    outDir: "dist/card",
    emptyOutDir: true,
    lib: { entry: "src/card/card.ts", formats: ["iife"], name: "SaleorLoyaltyCard", fileName: () => "card.js" },
    minify: true,
    sourcemap: false,
  },
});
