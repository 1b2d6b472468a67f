import { defineConfig } from 'vitest/config';

// The page is static: `npm run build` writes dist/ (index.html + assets/),
// served by `il-demo --keep-running` for the local chain or by any static
// host for a real one. Relative asset paths, so it also works from a
// sub-directory. The ABIs come from the committed Solidity interfaces
// (contracts/*/I*.sol, `?raw` imports), so the repository root is readable.
export default defineConfig({
  base: './',
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: { fs: { allow: ['..'] } },
  test: { include: ['src/**/*.test.ts'] },
});
