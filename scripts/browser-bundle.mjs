// Bundles the public entry points of @oauth2/core, @oauth2/http and @oauth2/flows for the browser (esbuild,
// platform "browser") and fails when any module they reach imports a Node built-in (`node:*` or a bare builtin such
// as `crypto`, `fs`, `http`): these packages must run on WebCrypto and fetch alone. Run by `npm run check`;
// `--sizes` also prints the minified size of each bundle.
import { builtinModules } from "node:module"
import { relative } from "node:path"
import * as esbuild from "esbuild"

const root = new URL("..", import.meta.url).pathname
const builtins = new Set(builtinModules.filter((m) => !m.startsWith("_")))
export const entryPoints = ["core", "http", "flows"].map((pkg) => `@oauth2/${pkg}`)

/** An esbuild plugin that records every import of a Node built-in (and keeps it out of the bundle). */
const nodeBuiltins = (found) => ({
  name: "node-builtins",
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      const bare = args.path.startsWith("node:") ? args.path.slice(5) : args.path
      const isBuiltin = args.path.startsWith("node:") || builtins.has(bare) || builtins.has(bare.split("/")[0] ?? "")
      if (!isBuiltin || args.kind === "entry-point") return undefined
      found.push({ specifier: args.path, importer: relative(root, args.importer), kind: args.kind })
      return { path: args.path, external: true }
    })
  }
})

/**
 * Bundles one entry point (a package name, resolved to its TypeScript sources) for the browser. Returns the Node
 * built-in imports found (empty when the package is browser-safe) and the minified bundle size in bytes.
 */
export const bundle = async (entry) => {
  const found = []
  const result = await esbuild.build({
    stdin: { contents: `export * from "${entry}"`, resolveDir: root, loader: "ts" },
    bundle: true,
    write: false,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: true,
    conditions: ["@oauth2/source"],
    logLevel: "silent",
    plugins: [nodeBuiltins(found)]
  })
  return { entry, nodeImports: found, bytes: result.outputFiles.reduce((n, f) => n + f.contents.byteLength, 0) }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await Promise.all(entryPoints.map(bundle))
  let failed = false
  for (const { entry, nodeImports, bytes } of results) {
    if (nodeImports.length > 0) {
      failed = true
      console.error(`browser bundle: ${entry} imports Node built-ins:`)
      for (const i of nodeImports) console.error(`  ${i.specifier} (${i.kind}) from ${i.importer}`)
    } else if (process.argv.includes("--sizes")) {
      console.log(`browser bundle: ${entry} ${(bytes / 1024).toFixed(1)} KiB minified`)
    }
  }
  if (failed) process.exit(1)
  console.log(`browser bundle: ${entryPoints.join(", ")} bundle for the browser without Node built-ins`)
}
