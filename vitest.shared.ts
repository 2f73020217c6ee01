import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src`, import.meta.url))

/**
 * Shared vitest settings: every `@oauth2/*` import resolves to the package's TypeScript sources, so tests never
 * need a build step.
 */
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@oauth2\/(core|http|flows|testing|cli|redis)$/, replacement: `${src("$1")}/index.ts` },
      { find: /^@oauth2\/(core|http|flows|testing|cli|redis)\/(.*)$/, replacement: `${src("$1")}/$2.ts` }
    ]
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    sequence: { hooks: "list" }
  }
})
