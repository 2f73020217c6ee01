/**
 * The `oauth2` command starts without loading the embedded server: only the `demo` command imports
 * `@oauth2/testing` (and `oidc-provider` behind it), with a dynamic `import()`.
 *
 * The check follows the static, runtime (not type-only) imports of our own sources from an entry point, the way
 * Node would load them, resolving `@oauth2/*` to the packages' sources; third-party packages are recorded by name
 * and not followed (none of them imports ours).
 */
import { describe, expect, it } from "@effect/vitest"
import { existsSync, readFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

const packages = resolve(dirname(fileURLToPath(import.meta.url)), "../..")

/** The module specifiers a file loads when it is evaluated: static imports and re-exports that are not type-only. */
const staticImports = (file: string): ReadonlyArray<string> => {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS)
  const specifiers: Array<string> = []
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && !statement.importClause?.isTypeOnly && ts.isStringLiteral(statement.moduleSpecifier)) {
      specifiers.push(statement.moduleSpecifier.text)
    } else if (
      ts.isExportDeclaration(statement) &&
      !statement.isTypeOnly &&
      statement.moduleSpecifier &&
      ts.isStringLiteral(statement.moduleSpecifier)
    ) {
      specifiers.push(statement.moduleSpecifier.text)
    }
  }
  return specifiers
}

/** A source file for a specifier, or `undefined` for a third-party package or a Node built-in. */
const resolveSource = (from: string, specifier: string): string | undefined => {
  if (specifier.startsWith(".")) return resolve(dirname(from), specifier.replace(/\.js$/, ".ts"))
  const own = /^@oauth2\/([a-z]+)(?:\/(.+))?$/.exec(specifier)
  if (own) return join(packages, own[1]!, "src", `${own[2] ?? "index"}.ts`)
  return undefined
}

/** Every file and third-party package loaded, statically, by evaluating `entry`. */
const moduleGraph = (entry: string) => {
  const files = new Set<string>()
  const external = new Set<string>()
  const visit = (file: string) => {
    if (files.has(file)) return
    if (!existsSync(file)) throw new Error(`cannot resolve ${file}`)
    files.add(file)
    for (const specifier of staticImports(file)) {
      const target = resolveSource(file, specifier)
      if (target === undefined) external.add(specifier)
      else visit(target)
    }
  }
  visit(entry)
  return { files: [...files].map((f) => relative(packages, f)), external: [...external] }
}

const loadsTheServer = (graph: ReturnType<typeof moduleGraph>) =>
  graph.files.some((f) => f.startsWith("testing/")) || graph.external.some((e) => /^(oidc-provider|koa)(\/|$)/.test(e))

describe("oauth2 start-up", () => {
  it("the executable and the package entry do not load the embedded server", () => {
    for (const entry of ["cli/src/internal/cli.ts", "cli/src/index.ts"]) {
      const graph = moduleGraph(join(packages, entry))
      expect(graph.files).toContain("cli/src/internal/cli.ts")
      expect(
        graph.files.filter((f) => f.startsWith("testing/")),
        entry
      ).toEqual([])
      expect(loadsTheServer(graph), entry).toBe(false)
    }
  })

  it("parsing the command line (--help, usage errors) loads neither the library nor the handlers", () => {
    const graph = moduleGraph(join(packages, "cli/src/internal/cli.ts"))
    expect(graph.files.filter((f) => /^(core|http|flows)\//.test(f) || f === "cli/src/internal/commands.ts")).toEqual([])
    expect(graph.external.filter((e) => /^(jose|@oauth2\/)/.test(e))).toEqual([])
  })

  it("the executable loads only its --help text before it knows the command line", () => {
    const graph = moduleGraph(join(packages, "cli/src/bin.ts"))
    expect(graph.files.sort()).toEqual(["cli/src/bin.ts", "cli/src/internal/help.ts"])
    expect(graph.external).toEqual([])
  })

  it("the handlers do load the library (so the check above can see it)", () => {
    const graph = moduleGraph(join(packages, "cli/src/internal/commands.ts"))
    expect(graph.files).toContain("http/src/index.ts")
    expect(graph.files).toContain("flows/src/index.ts")
  })

  it("the demo's implementation does (so the check above can see it)", () => {
    const graph = moduleGraph(join(packages, "cli/src/internal/demo.ts"))
    expect(graph.files).toContain("testing/src/index.ts")
    expect(loadsTheServer(graph)).toBe(true)
  })
})
