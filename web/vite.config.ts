import { defineConfig } from "vite";

// The compiled console ships inside the Python package: the server serves it at /console/.
export default defineConfig({
  base: "/console/",
  build: {
    outDir: "../src/sensorium/console/static",
    emptyOutDir: true,
    // Inlined assets would be data: URLs; everything stays a file the CSP allows as 'self'.
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
  },
});
