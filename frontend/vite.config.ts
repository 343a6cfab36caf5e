/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The Api serves the built dashboard from its wwwroot; `npm run dev` proxies API and hub calls to an Api on :5099
// (dotnet run --project src/Api -- --urls http://127.0.0.1:5099) so the session cookie stays same-origin.
const api = process.env.GITMESH_API ?? 'http://127.0.0.1:5099'

export default defineConfig({
  plugins: [vue()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  build: {
    outDir: fileURLToPath(new URL('../src/Api/wwwroot', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 700,
    rollupOptions: {
      onwarn(warning, warn) {
        // @microsoft/signalr ships /*#__PURE__*/ comments in positions Rollup ignores; harmless and not ours to fix.
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('@microsoft/signalr')) return
        warn(warning)
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/hubs': { target: api, ws: true, changeOrigin: false },
      '/openapi': { target: api },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.test.ts'],
    restoreMocks: true,
  },
})
