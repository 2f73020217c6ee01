// Local ESLint rules for the invariants no published rule states (applied to the public modules, packages/*/src/*.ts,
// by eslint.config.mjs):
// - documented-exports: every top-level export declaration of a public module has a doc comment (`/** ... */`);
// - public-module-layout: the public modules of core, http and flows hold types, docs and bindings, not
//   implementation (README, "Conventions: a public module and its internal/ module"): no function declaration, no
//   module-private value, no block body in an exported value; the implementation lives in src/internal/.

/** The declaration an export statement carries, or undefined for `export { a }` / `export * from`. */
const exported = (statement) =>
  (statement.type === "ExportNamedDeclaration" || statement.type === "ExportDefaultDeclaration") && statement.declaration != null
    ? statement.declaration
    : undefined

const documentedExports = {
  meta: {
    type: "problem",
    docs: { description: "every export of a public module has a doc comment" },
    schema: [],
    messages: { undocumented: "public export without a doc comment" }
  },
  create: (context) => ({
    Program: (program) => {
      for (const statement of program.body) {
        if (exported(statement) === undefined) continue
        const comments = context.sourceCode.getCommentsBefore(statement)
        const last = comments[comments.length - 1]
        if (last === undefined || last.type !== "Block" || !last.value.startsWith("*")) {
          context.report({ node: statement, messageId: "undocumented" })
        }
      }
    }
  })
}

const hasBlock = (node, visitorKeys) => {
  if (node === null || typeof node !== "object") return false
  if (node.type === "BlockStatement") return true
  for (const key of visitorKeys[node.type] ?? []) {
    const child = node[key]
    if (Array.isArray(child) ? child.some((c) => hasBlock(c, visitorKeys)) : hasBlock(child, visitorKeys)) return true
  }
  return false
}

const publicModuleLayout = {
  meta: {
    type: "problem",
    docs: { description: "a public module holds types, docs and bindings; the implementation lives in src/internal/" },
    schema: [],
    messages: {
      functionDeclaration: "function declaration in a public module (move it to internal/)",
      modulePrivate: "module-private '{{name}}' in a public module (move it to internal/)",
      blockBody: "'{{name}}' has a block body in a public module (move it to internal/)"
    }
  },
  create: (context) => ({
    Program: (program) => {
      const visitorKeys = context.sourceCode.visitorKeys
      for (const statement of program.body) {
        const declaration = exported(statement) ?? statement
        if (declaration.type === "FunctionDeclaration" || declaration.type === "TSDeclareFunction") {
          context.report({ node: statement, messageId: "functionDeclaration" })
          continue
        }
        if (declaration.type !== "VariableDeclaration") continue
        for (const declarator of declaration.declarations) {
          const name = context.sourceCode.getText(declarator.id)
          if (declaration === statement) context.report({ node: declarator, messageId: "modulePrivate", data: { name } })
          else if (hasBlock(declarator.init, visitorKeys)) context.report({ node: declarator, messageId: "blockBody", data: { name } })
        }
      }
    }
  })
}

/** The `local` plugin of eslint.config.mjs. */
export default {
  meta: { name: "oauth2-local" },
  rules: { "documented-exports": documentedExports, "public-module-layout": publicModuleLayout }
}
