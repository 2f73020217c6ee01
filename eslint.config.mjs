// ESLint (flat config): typescript-eslint's recommended rules without type information (so the lint stays fast), the
// Effect plugin's barrel rule, and the project's invariants that the type checker cannot see:
// - no classes in packages/*/src (the design is classless; Effect constructors such as `Data.TaggedError(...)` used as
//   values are fine);
// - no wall-clock time or timers in the library sources of core, http and flows (TestClock must drive every wait);
// - the layering core <- http <- flows <- cli (and flows <- redis), testing importing no library package, nobody
//   importing another package's internal/, and library sources importing effect and @effect/platform by module, never by barrel;
// - every export of a public module (packages/*/src/*.ts) has a doc comment, and the public modules of core, http and
//   flows hold types, docs and bindings, not implementation (local rules, scripts/eslint-rules/).
// Formatting is prettier's (npm run format), so no stylistic rule here.
import js from "@eslint/js"
import effect from "@effect/eslint-plugin"
import globals from "globals"
import tseslint from "typescript-eslint"
import local from "./scripts/eslint-rules/index.mjs"

const libraries = ["core", "http", "flows", "redis"]

const noClass = [
  {
    selector: "ClassDeclaration",
    message: "No classes: the design is classless (data + functions; Effect constructors such as Data.TaggedError(...) as values)."
  },
  {
    selector: "ClassExpression",
    message: "No classes: the design is classless (data + functions; Effect constructors such as Data.TaggedError(...) as values)."
  }
]

const clockMessage = "Wall-clock time or timer: use Clock/DateTime/Schedule so TestClock drives every wait."
const noWallClock = {
  "no-restricted-syntax": [
    "error",
    ...noClass,
    // `new Date(x)` and `Date.parse(x)` read a given time and stay allowed; `new Date()` and `Date()` read the clock.
    { selector: "NewExpression[callee.type='Identifier'][callee.name='Date'][arguments.length=0]", message: clockMessage },
    { selector: "CallExpression[callee.type='Identifier'][callee.name='Date']", message: clockMessage }
  ],
  "no-restricted-properties": [
    "error",
    { object: "Date", property: "now", message: clockMessage },
    { object: "performance", property: "now", message: clockMessage },
    ...["setTimeout", "setInterval", "setImmediate", "performance"].map((property) => ({
      object: "globalThis",
      property,
      message: clockMessage
    }))
  ],
  "no-restricted-globals": ["error", ...["setTimeout", "setInterval", "setImmediate"].map((name) => ({ name, message: clockMessage }))]
}

const internalOfAPackage = { regex: "^@oauth2/[^/]+/internal(/|$)", message: "Another package's internal/ is private: import its public module." }
const packageByPath = {
  regex: "^(\\.\\./){2,}(core|http|flows|testing|cli|redis)/",
  message: "Import another package by its name (@oauth2/...), not by path."
}
const barrels = ["effect", "@effect/platform"].map((name) => ({
  name,
  message: `Import ${name} by module (e.g. "${name}/${name === "effect" ? "Effect" : "HttpClient"}"), not the barrel: import time matters.`
}))

/** no-restricted-imports for the sources of `pkg`, which may import the packages of `allowed` (all when undefined). */
const imports = (pkg, allowed) => {
  const layering =
    allowed === undefined
      ? []
      : [
          {
            regex: allowed.length === 0 ? "^@oauth2/" : `^@oauth2/(?!(${allowed.join("|")})(/|$))`,
            message: `Layering (core <- http <- flows <- cli; testing imports no library package): ${pkg} imports ${
              allowed.length === 0 ? "no @oauth2 package" : `only ${allowed.map((a) => `@oauth2/${a}`).join(" and ")}`
            }.`
          }
        ]
  return {
    "no-restricted-imports": ["error", { paths: libraries.includes(pkg) ? barrels : [], patterns: [...layering, internalOfAPackage, packageByPath] }]
  }
}
const layers = { core: [], http: ["core"], flows: ["core", "http"], redis: ["core", "http", "flows"], testing: [], cli: undefined }

export default tseslint.config(
  { ignores: ["**/node_modules/", "**/build/", "**/dist/", "**/coverage/", ".examples/", ".scratch/"] },
  { linterOptions: { reportUnusedDisableDirectives: "error" } },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: { ...globals.node } },
    plugins: { "@effect": effect, local },
    rules: {
      // tsc (noUnusedLocals, noUnusedParameters) already reports these, with the project's own settings.
      "@typescript-eslint/no-unused-vars": "off",
      // `as any` is the deliberate escape hatch at the few places the types cannot follow (brands, symbols, tests
      // poking at wire shapes); tsc's strict mode and code review keep it rare.
      "@typescript-eslint/no-explicit-any": "off",
      // `interface Foo extends Bar {}` names a type (the Effect pattern for opaque schema and service types).
      "@typescript-eslint/no-empty-object-type": ["error", { allowInterfaces: "with-single-extends" }],
      // Control characters are matched on purpose: the sanitizer of server text (core/internal/errors.ts) and its tests.
      "no-control-regex": "off",
      // An empty case falls through by design, also when a comment stands between it and the next case.
      "no-fallthrough": ["error", { allowEmptyCase: true }]
    }
  },
  {
    files: ["**/*.mjs"],
    rules: { "@typescript-eslint/no-require-imports": "off" }
  },
  {
    files: ["packages/*/src/**/*.ts"],
    rules: {
      "no-restricted-syntax": ["error", ...noClass],
      // Value imports by module, with an autofix (type-only imports are erased, so they do not cost import time).
      "@effect/no-import-from-barrel-package": ["error", { packageNames: ["effect", "@effect/platform", "@effect/cli"] }]
    }
  },
  ...Object.entries(layers).map(([pkg, allowed]) => ({ files: [`packages/${pkg}/src/**/*.ts`], rules: imports(pkg, allowed) })),
  {
    files: ["packages/*/test/**/*.ts", "bench/**/*.ts", "bench/**/*.mjs", "scripts/**/*.mjs"],
    rules: { "no-restricted-imports": ["error", { patterns: [internalOfAPackage, packageByPath] }] }
  },
  { files: libraries.map((pkg) => `packages/${pkg}/src/**/*.ts`), rules: noWallClock },
  { files: ["packages/*/src/*.ts"], rules: { "local/documented-exports": "error" } },
  { files: libraries.map((pkg) => `packages/${pkg}/src/*.ts`), rules: { "local/public-module-layout": "error" } }
)
