/// <reference types="vitest" />
import { fileURLToPath, URL } from 'node:url'
import type { IncomingMessage } from 'node:http'
import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// The API's paths are at the root (no prefix). In dev, every request that is not Vite's own
// (/src, /@vite, /node_modules …) goes to the gateway, except page navigations
// (Accept: text/html), which get index.html so the router can take them.
const gateway = process.env.BATON_API ?? 'http://127.0.0.1:8000'
const pageOrApi = (req: IncomingMessage) =>
  (req.headers.accept ?? '').includes('text/html') ? '/index.html' : undefined

export default defineConfig({
  base: '/',
  plugins: [
    vue(),
    // Element Plus components are imported on demand (with their CSS) where a template uses them.
    Components({
      dts: 'src/components.d.ts',
      dirs: [],
      resolvers: [ElementPlusResolver({ importStyle: 'css' })],
    }),
  ],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  optimizeDeps: {
    // pre-bundle Element Plus and its icons up front (fewer dev-server re-optimisations)
    include: ['element-plus/es', '@element-plus/icons-vue'],
  },
  server: {
    port: 5173,
    proxy: {
      '^/(?!src/|assets/|@|node_modules/|__|favicon\\.svg|index\\.html|$).*': {
        target: gateway,
        changeOrigin: false,
        bypass: pageOrApi,
      },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 600,
    // Small side-effect-free chunks (lodash helpers, small shared components) are merged into the
    // chunks that load with them: a lazily loaded page comes in a handful of files rather than
    // twenty, which matters over HTTP/1.1's six connections a host, shared with the page's calls.
    rollupOptions: { output: { experimentalMinChunkSize: 20_000 } },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    setupFiles: ['tests/setup.ts'],
    css: false,
    server: { deps: { inline: ['element-plus'] } },
    // Child processes rather than worker threads: a thread worker starved on a busy 2-core machine
    // can exit unexpectedly and fail the run; a fork is slower to start but sturdy.
    pool: 'forks',
    testTimeout: 20_000,
  },
})
