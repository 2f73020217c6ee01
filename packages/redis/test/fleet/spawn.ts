/** Starting fleet processes (fleet/child.ts, bundled first with {@link bundle}) from a test, and talking to them. */
import { build } from "esbuild"
import { spawn, type ChildProcess } from "node:child_process"
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, "../../../..")
/** The child, bundled: a process starts in a fraction of a second, instead of compiling the sources with tsx. */
const bundled = resolve(here, "../../build/fleet/child.mjs")

/** Bundles fleet/child.ts (with the packages' sources) into one ES module under the package's build/. */
export const bundle = () =>
  build({
    entryPoints: [resolve(here, "child.ts")],
    outfile: bundled,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["@oauth2/source"],
    logLevel: "error",
    // ioredis is CommonJS: its `require`s of Node built-ins need a `require` in the module
    banner: { js: `import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);` }
  })

export interface Result {
  readonly ok: number
  readonly errors: ReadonlyArray<string>
  readonly tokens: ReadonlyArray<string>
  readonly millis: ReadonlyArray<number>
}

export interface Member {
  readonly process: ChildProcess
  /** Resolves when the process has built its source. */
  readonly ready: Promise<void>
  /** Resolves with its result line (rejects if it exits without one). */
  readonly result: Promise<Result>
  readonly go: () => void
  /** Ends a LOOP process. */
  readonly stop: () => void
  /** Everything it printed so far (its logs too). */
  readonly output: () => string
}

export const start = (env: Record<string, string>): Member => {
  const child = spawn(process.execPath, [bundled], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"]
  })
  let out = ""
  let err = ""
  let onReady: () => void = () => {}
  const ready = new Promise<void>((r) => (onReady = r))
  const result = new Promise<Result>((resolveResult, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes("ready\n")) onReady()
      const line = out.split("\n").find((l) => l.startsWith("{"))
      if (line !== undefined && out.endsWith("\n")) resolveResult(JSON.parse(line) as Result)
    })
    child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()))
    child.on("exit", (code, signal) => reject(new Error(`fleet process exited (${code ?? signal}) without a result: ${err.slice(0, 2000)}`)))
  })
  result.catch(() => {})
  return {
    process: child,
    ready: Promise.race([ready, result.then(() => {})]),
    result,
    go: () => child.stdin!.write("go\n"),
    stop: () => child.stdin!.write("stop\n"),
    output: () => out
  }
}

/** Kills whatever is still running. */
export const killAll = (members: ReadonlyArray<Member>) => {
  for (const m of members) if (m.process.exitCode === null && m.process.signalCode === null) m.process.kill("SIGKILL")
}
