/**
 * What each published package would publish (`npm pack --dry-run`) and what it declares: effect and
 * @effect/platform as peers (the application's copy is the one used), internal modules closed, a README and the
 * LICENSE in every tarball, nothing else beside `dist` and `src`. The consumer check (`scripts/consumer.mjs`, run by
 * CI) installs the real tarballs into a fresh project.
 */
import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..")
const published = ["core", "http", "flows", "testing", "cli", "redis"] as const
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as { packages: Record<string, { version?: string }> }
const locked = (name: string) => lock.packages[`node_modules/${name}`]?.version

interface Manifest {
  readonly name: string
  readonly license?: string
  readonly exports: Record<string, unknown>
  readonly files?: ReadonlyArray<string>
  readonly dependencies?: Record<string, string>
  readonly peerDependencies?: Record<string, string>
  readonly peerDependenciesMeta?: Record<string, { optional?: boolean }>
}
const manifest = (pkg: string): Manifest => JSON.parse(readFileSync(join(root, "packages", pkg, "package.json"), "utf8")) as Manifest

describe.each(published)("@oauth2/%s", (pkg) => {
  const m = manifest(pkg)

  it("packs a README, the LICENSE and only dist and src", () => {
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: join(root, "packages", pkg), encoding: "utf8" })
    const files = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path)
    expect(files).toContain("README.md")
    expect(files).toContain("LICENSE")
    expect(files).toContain("package.json")
    expect(files.filter((f) => !/^(package\.json|README\.md|LICENSE|(dist|src)\/.+)$/.test(f))).toEqual([])
    expect(files.filter((f) => /(^|\/)(test|build|node_modules)\/|\.tsbuildinfo$/.test(f))).toEqual([])
    expect(files.some((f) => f.startsWith("src/") && f.endsWith(".ts"))).toBe(true)
  })

  it("carries the project's LICENSE and says MIT", () => {
    expect(readFileSync(join(root, "packages", pkg, "LICENSE"), "utf8")).toBe(readFileSync(join(root, "LICENSE"), "utf8"))
    expect(m.license).toBe("MIT")
  })

  it("closes its internal modules", () => {
    expect(m.exports["./internal/*"]).toBeNull()
    expect(Object.keys(m.exports).filter((k) => k.includes("internal"))).toEqual(["./internal/*"])
  })

  it("takes effect and @effect/platform as peers, from the tested version (the lockfile's) within the 3.x line", () => {
    expect(m.dependencies?.["effect"]).toBeUndefined()
    expect(m.dependencies?.["@effect/platform"]).toBeUndefined()
    expect(m.peerDependencies?.["effect"]).toBe(`^${locked("effect")}`)
    expect(locked("effect")).toMatch(/^3\./)
    if (pkg !== "core") expect(m.peerDependencies?.["@effect/platform"]).toBe(`^${locked("@effect/platform")}`)
  })
})

describe("@oauth2/cli", () => {
  it("does not install the embedded server with the command: @oauth2/testing is an optional peer", () => {
    const m = manifest("cli")
    expect(m.dependencies?.["@oauth2/testing"]).toBeUndefined()
    expect(m.peerDependencies?.["@oauth2/testing"]).toBe("0.1.0")
    expect(m.peerDependenciesMeta?.["@oauth2/testing"]?.optional).toBe(true)
  })
})
