/** One vitest project per package; each package's `vitest.config.ts` extends `vitest.shared.ts`. */
export default ["packages/*/vitest.config.ts", "examples/*/vitest.config.ts"]
