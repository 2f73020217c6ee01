// Extracts every TypeScript example so `tsc -b` type-checks it:
// - each ```ts block of README.md (and of packages/*/README.md)
// - each ```ts block inside an `@example` of a JSDoc comment in packages/*/src
// They are written as modules into .examples/ (git-ignored) with a tsconfig that references every package.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs"
import { join, relative } from "node:path"

const root = new URL("..", import.meta.url).pathname
const out = join(root, ".examples")
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })

const packages = readdirSync(join(root, "packages")).filter((p) => existsSync(join(root, "packages", p, "tsconfig.src.json")))
const fence = /```(?:ts|typescript)\n([\s\S]*?)```/g
let count = 0

const emit = (name, origin, code) => {
  const file = `${name.replace(/[^A-Za-z0-9]+/g, "-")}-${++count}.ts`
  writeFileSync(join(out, file), `// from ${origin}\n${code}\nexport {}\n`)
}

for (const readme of ["README.md", ...packages.map((p) => join("packages", p, "README.md"))]) {
  const path = join(root, readme)
  if (!existsSync(path)) continue
  for (const m of readFileSync(path, "utf8").matchAll(fence)) emit(readme, readme, m[1])
}

const walk = (dir) =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? walk(p) : p.endsWith(".ts") ? [p] : []
  })

for (const pkg of packages) {
  for (const file of walk(join(root, "packages", pkg, "src"))) {
    const text = readFileSync(file, "utf8")
    for (const doc of text.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
      const body = doc[1]
        .split("\n")
        .map((l) => l.replace(/^\s*\* ?/, ""))
        .join("\n")
      const at = body.indexOf("@example")
      if (at < 0) continue
      for (const m of body.slice(at).matchAll(fence)) emit(relative(join(root, "packages"), file), relative(root, file), m[1])
    }
  }
}

writeFileSync(
  join(out, "tsconfig.json"),
  JSON.stringify(
    {
      extends: "../tsconfig.base.json",
      include: ["*.ts"],
      references: packages.map((p) => ({ path: `../packages/${p}/tsconfig.src.json` })),
      compilerOptions: {
        rootDir: ".",
        outDir: "build",
        tsBuildInfoFile: "build/examples.tsbuildinfo",
        noUnusedLocals: false,
        noUnusedParameters: false
      }
    },
    null,
    2
  )
)
console.log(`examples: ${count} extracted into .examples/`)
