// Project invariants that the type checker cannot see:
// - no `class` declarations in packages/*/src (the design is classless);
// - no wall-clock time or timers in library code of core, http and flows (TestClock must drive every wait);
// - every export of a public module (packages/*/src/*.ts, not internal/) has a doc comment;
// - the public modules of core, http and flows hold types, docs and bindings, not implementation.
import { readdirSync, readFileSync, statSync, existsSync } from "node:fs"
import { join, relative } from "node:path"
import ts from "typescript"

const root = new URL("..", import.meta.url).pathname
const walk = (dir) =>
  existsSync(dir)
    ? readdirSync(dir).flatMap((f) => {
        const p = join(dir, f)
        return statSync(p).isDirectory() ? walk(p) : p.endsWith(".ts") ? [p] : []
      })
    : []
const problems = []
for (const pkg of readdirSync(join(root, "packages"))) {
  for (const file of walk(join(root, "packages", pkg, "src"))) {
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, i) => {
        const at = `${relative(root, file)}:${i + 1}`
        if (/^\s*(export\s+)?(default\s+)?(abstract\s+)?class\s/.test(line)) problems.push(`${at}: class declaration`)
        if (["core", "http", "flows"].includes(pkg) && !/^\s*(\/\/|\*)/.test(line) && /Date\.now\(\)|new Date\(\)|setTimeout\(/.test(line))
          problems.push(`${at}: wall-clock time or timer (use Clock/DateTime/Schedule)`)
      })
  }
}
for (const pkg of readdirSync(join(root, "packages"))) {
  const dir = join(root, "packages", pkg, "src")
  if (!existsSync(dir)) continue
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
    const lines = readFileSync(join(dir, file), "utf8").split("\n")
    lines.forEach((line, i) => {
      if (!/^export (const|interface|type|declare|function)\b/.test(line)) return
      let j = i - 1
      while (j >= 0 && lines[j].trim() === "") j--
      if (!(lines[j] ?? "").trim().endsWith("*/")) problems.push(`packages/${pkg}/src/${file}:${i + 1}: public export without a doc comment`)
    })
  }
}
// The module layout (README, "Conventions: a public module and its internal/ module"): in the public modules of
// core, http and flows, no module-private value and no block body; the implementation lives in src/internal/.
for (const pkg of ["core", "http", "flows"]) {
  const dir = join(root, "packages", pkg, "src")
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
    const source = ts.createSourceFile(file, readFileSync(join(dir, file), "utf8"), ts.ScriptTarget.Latest, true)
    for (const statement of source.statements) {
      const at = `packages/${pkg}/src/${file}:${source.getLineAndCharacterOfPosition(statement.getStart()).line + 1}`
      if (ts.isFunctionDeclaration(statement)) problems.push(`${at}: function declaration in a public module (move it to internal/)`)
      if (!ts.isVariableStatement(statement)) continue
      const exported = statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) === true
      for (const declaration of statement.declarationList.declarations) {
        const name = declaration.name.getText(source)
        if (!exported) {
          problems.push(`${at}: module-private '${name}' in a public module (move it to internal/)`)
          continue
        }
        let block = false
        const visit = (node) => {
          if (ts.isBlock(node)) block = true
          else ts.forEachChild(node, visit)
        }
        if (declaration.initializer !== undefined) visit(declaration.initializer)
        if (block) problems.push(`${at}: '${name}' has a block body in a public module (move it to internal/)`)
      }
    }
  }
}
if (problems.length > 0) {
  console.error(problems.join("\n"))
  process.exit(1)
}
console.log("lint: ok")
