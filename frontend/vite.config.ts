import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

// Saleor's macaw-ui stylesheet embeds ~50 web fonts; the app uses the system font stack instead,
// so the Python package ships a few hundred kilobytes rather than megabytes.
const dropFontFaces: Plugin = {
  name: "drop-macaw-font-faces",
  enforce: "pre",
  transform(code, id) {
    if (id.includes("macaw-ui") && id.endsWith(".css")) return code.replace(/@font-face\{[^}]*\}/g, "");
    return null;
  },
};

export default defineConfig({
  plugins: [dropFontFaces, react()],
  base: "/plugins/global/saleor.loyalty/app/",
  build: {
    outDir: "dist/app",
    emptyOutDir: true,
    sourcemap: false,
    rollupOptions: {
      output: { entryFileNames: "assets/app.js", chunkFileNames: "assets/[name].js", assetFileNames: "assets/[name][extname]" },
    },
  },
  test: {
    environment: "happy-dom",
    include: ["test/**/*.test.{ts,tsx}"],
  },
});
