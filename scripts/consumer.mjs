// The consumer check (CI): the packages as a user gets them.
// 1. builds dist, packs every published package with `npm pack`, and checks what each tarball holds;
// 2. installs the tarballs into a fresh project outside the workspace beside effect 3 (the lockfile's versions);
//    exactly one copy of effect must land;
// 3. type-checks a sample under strict TypeScript with NodeNext and with Bundler resolution, compiles it and runs it
//    under plain node (no source condition): a client_credentials token from the embedded server, through core, http
//    and flows;
// 4. runs a small vitest suite there that uses @oauth2/testing;
// 5. runs the installed `oauth2` bin (compiled JavaScript) and reports how long `--help` takes;
// 6. asks npm to install the tarballs beside effect 4: it must refuse with its peer dependency message.
// Every step is time-boxed; the whole check takes a minute or two.
import { execFileSync, spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, readdirSync, existsSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const root = new URL("..", import.meta.url).pathname
const packages = ["core", "http", "flows", "testing", "cli", "redis"]
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")).packages
const locked = (name) => {
  const v = lock[`node_modules/${name}`]?.version
  if (v === undefined) throw new Error(`${name} is not in package-lock.json`)
  return v
}
const started = performance.now()
const step = (name) => console.log(`\n[consumer] ${name} (${((performance.now() - started) / 1000).toFixed(0)} s)`)
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { stdio: opts.capture ? "pipe" : "inherit", encoding: "utf8", timeout: (opts.timeoutS ?? 300) * 1000, ...opts })
  if (r.error) throw r.error
  if (r.status !== 0 && !opts.allowFailure) {
    if (opts.capture) process.stderr.write(`${r.stdout}\n${r.stderr}\n`)
    throw new Error(`${cmd} ${args.join(" ")} exited with ${r.status}`)
  }
  return r
}
const fail = (message) => {
  console.error(`[consumer] FAILED: ${message}`)
  process.exit(1)
}

// --- 1. build and pack ---------------------------------------------------------------------------------------------
step("build")
run("npm", ["run", "build"], { cwd: root })

const work = mkdtempSync(join(tmpdir(), "oauth2-consumer-"))
const tarballs = join(work, "tarballs")
mkdirSync(tarballs)
step(`pack into ${tarballs}`)
const packed = {}
for (const p of packages) {
  const out = run("npm", ["pack", "--json", "--pack-destination", tarballs], { cwd: join(root, "packages", p), capture: true })
  const [info] = JSON.parse(out.stdout)
  packed[p] = { file: join(tarballs, info.filename), files: info.files.map((f) => f.path) }
}
for (const [p, { files }] of Object.entries(packed)) {
  for (const required of ["package.json", "README.md", "LICENSE", "dist/index.js", "dist/index.d.ts"]) {
    if (!files.includes(required)) fail(`@oauth2/${p}'s tarball has no ${required}`)
  }
  const stray = files.filter((f) => !/^(package\.json|README\.md|LICENSE|dist\/.+\.(js|d\.ts|js\.map|d\.ts\.map)|src\/.+\.ts)$/.test(f))
  if (stray.length > 0) fail(`@oauth2/${p}'s tarball holds files it should not publish: ${stray.slice(0, 10).join(", ")}`)
  console.log(`@oauth2/${p}: ${files.length} files`)
}

// --- 2. a fresh project beside effect 3 ------------------------------------------------------------------------------
const app = join(work, "app")
mkdirSync(join(app, "src"), { recursive: true })
const dependencies = {
  ...Object.fromEntries(packages.map((p) => [`@oauth2/${p}`, `file:${packed[p].file}`])),
  effect: locked("effect"),
  "@effect/platform": locked("@effect/platform")
}
const devDependencies = { typescript: locked("typescript"), vitest: locked("vitest"), "@types/node": locked("@types/node") }
writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module", dependencies, devDependencies }, null, 2))
step(`install into ${app}`)
run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], { cwd: app, timeoutS: 600 })

const copies = []
const findEffect = (dir, depth) => {
  if (depth > 6 || !existsSync(dir)) return
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue
    const path = join(dir, entry.name)
    if (entry.name === "effect" && existsSync(join(path, "package.json"))) copies.push(path)
    if (entry.name.startsWith("@") || entry.name === "node_modules") findEffect(path, depth + 1)
    else if (existsSync(join(path, "node_modules"))) findEffect(join(path, "node_modules"), depth + 1)
  }
}
findEffect(join(app, "node_modules"), 0)
if (copies.length !== 1) fail(`expected exactly one copy of effect, found ${copies.length}: ${copies.join(", ")}`)
console.log(`one copy of effect: ${copies[0]}`)
for (const p of packages) {
  const internal = run(
    "node",
    [
      "-e",
      `import("@oauth2/${p}/internal/anything").then(() => process.exit(1), (e) => process.exit(e.code === "ERR_PACKAGE_PATH_NOT_EXPORTED" ? 0 : 1))`
    ],
    {
      cwd: app,
      allowFailure: true
    }
  )
  if (internal.status !== 0) fail(`@oauth2/${p}/internal/* is importable`)
}

// --- 3. the sample: type-checked twice, compiled, run under plain node ---------------------------------------------
const sample = `import { BearerToken, TokenRequest } from "@oauth2/core"
import { ClientAuth, OAuthClient, Transport } from "@oauth2/http"
import { Grants } from "@oauth2/flows"
import { TestServer } from "@oauth2/testing"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

export const program = Effect.gen(function* () {
  const server = yield* TestServer.TestServer
  const registered = server.clients.clientSecretBasic
  const auth = yield* ClientAuth.clientSecretBasic({ clientId: registered.clientId, clientSecret: registered.clientSecret })
  const client = OAuthClient.layerDiscovery({ issuer: server.issuer, auth }).pipe(Layer.provide(Transport.layerFetch()))
  const direct = yield* Effect.flatMap(OAuthClient.OAuthClient, (c) => c.token(TokenRequest.clientCredentials())).pipe(Effect.provide(client))
  const viaFlows = yield* Grants.clientCredentials().pipe(Effect.provide(client))
  return [direct, viaFlows] as const
})

export const main = program.pipe(
  Effect.provide(TestServer.layer()),
  Effect.flatMap((tokens) => Effect.forEach(tokens, (token) => BearerToken.isExpired(token))),
  Effect.map((expired) => expired.map((e) => (e ? "expired" : "fresh")).join(" "))
)
`
writeFileSync(join(app, "src", "sample.ts"), sample)
writeFileSync(
  join(app, "src", "main.ts"),
  `import * as Effect from "effect/Effect"\nimport { main } from "./sample.js"\n\nEffect.runPromise(main).then((out) => console.log(out))\n`
)
const compilerOptions = {
  strict: true,
  target: "ES2022",
  skipLibCheck: false,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  types: ["node"]
}
writeFileSync(
  join(app, "tsconfig.json"),
  JSON.stringify(
    { compilerOptions: { ...compilerOptions, module: "NodeNext", moduleResolution: "NodeNext", outDir: "out" }, include: ["src"] },
    null,
    2
  )
)
writeFileSync(
  join(app, "tsconfig.bundler.json"),
  JSON.stringify({ compilerOptions: { ...compilerOptions, module: "ESNext", moduleResolution: "Bundler", noEmit: true }, include: ["src"] }, null, 2)
)
const tsc = join(app, "node_modules", "typescript", "bin", "tsc")
step("type-check the sample (NodeNext) and compile it")
run("node", [tsc, "-p", "tsconfig.json"], { cwd: app })
step("type-check the sample (Bundler)")
run("node", [tsc, "-p", "tsconfig.bundler.json"], { cwd: app })
step("run the sample under plain node")
const ran = run("node", ["out/main.js"], { cwd: app, capture: true, timeoutS: 120 })
if (ran.stdout.trim() !== "fresh fresh") fail(`the sample printed ${JSON.stringify(ran.stdout)} ${ran.stderr}`)
console.log(ran.stdout.trim())

// --- 4. a vitest suite using @oauth2/testing ---------------------------------------------------------------------------
writeFileSync(
  join(app, "src", "consumer.test.ts"),
  `import { TestServer } from "@oauth2/testing"
import * as Effect from "effect/Effect"
import { expect, test } from "vitest"
import { main } from "./sample.js"

test("a client_credentials token from the embedded server, through core, http and flows", async () => {
  expect(await Effect.runPromise(main)).toBe("fresh fresh")
}, 60_000)

test("the embedded server is a scoped layer that stops with its scope", async () => {
  const issuer = await Effect.runPromise(Effect.scoped(Effect.map(TestServer.make(), (server) => server.issuer)))
  await expect(fetch(issuer + "/.well-known/openid-configuration")).rejects.toThrow()
}, 60_000)
`
)
step("vitest in the consumer project")
run("node", [join(app, "node_modules", "vitest", "vitest.mjs"), "run", "--root", app, "src"], { cwd: app, timeoutS: 180 })

// --- 5. the bin ---------------------------------------------------------------------------------------------------------
step("the oauth2 bin")
const bin = join(app, "node_modules", ".bin", "oauth2")
const t0 = performance.now()
const help = run(bin, ["--help"], { cwd: app, capture: true, timeoutS: 60 })
const helpMs = performance.now() - t0
if (!/client-credentials/.test(help.stdout)) fail(`oauth2 --help printed ${JSON.stringify(help.stdout.slice(0, 300))}`)
console.log(`oauth2 --help: ${helpMs.toFixed(0)} ms (compiled JavaScript, plain node)`)

// --- 6. beside effect 4: npm's peer message, fast ------------------------------------------------------------------------
const app4 = join(work, "app-effect4")
mkdirSync(app4)
writeFileSync(
  join(app4, "package.json"),
  JSON.stringify(
    {
      name: "consumer-effect4",
      private: true,
      type: "module",
      dependencies: { "@oauth2/core": `file:${packed.core.file}`, "@oauth2/http": `file:${packed.http.file}`, effect: "^4.0.0" }
    },
    null,
    2
  )
)
step("install beside effect 4 (must be refused)")
const four = run("npm", ["install", "--dry-run", "--no-audit", "--no-fund", "--prefer-offline"], {
  cwd: app4,
  capture: true,
  allowFailure: true,
  timeoutS: 180
})
if (four.status === 0) fail("npm installed @oauth2 beside effect 4")
if (!/ERESOLVE/.test(four.stderr) || !/peer effect@"\^3/.test(four.stderr))
  fail(`npm refused effect 4 without its peer message:\n${four.stderr.slice(0, 2000)}`)
console.log(
  four.stderr
    .split("\n")
    .filter((l) => /ERESOLVE|peer effect/.test(l))
    .slice(0, 4)
    .join("\n")
)

rmSync(work, { recursive: true, force: true })
step("consumer check passed")
