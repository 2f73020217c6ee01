/**
 * The platform services `@effect/cli` needs, for Node, without pulling in `@effect/platform-node` (and its cluster,
 * rpc and sql peers): the POSIX `Path`, a `FileSystem` that is never used (no command reads files), and a `Terminal`
 * that writes to stdout and does not prompt. And the one place that starts a child process of this command: the
 * command itself again ({@link spawnSelf}), for the demo.
 *
 * @internal
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Terminal from "@effect/platform/Terminal"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Mailbox from "effect/Mailbox"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import { spawn } from "node:child_process"
import { createRequire } from "node:module"
import { createInterface } from "node:readline"
import { fileURLToPath, pathToFileURL } from "node:url"
import { oneLine } from "./table.js"

const terminal: Terminal.Terminal = {
  columns: Effect.sync(() => process.stdout.columns ?? 100),
  rows: Effect.sync(() => process.stdout.rows ?? 40),
  isTTY: Effect.sync(() => process.stdout.isTTY === true),
  readInput: Effect.flatMap(Mailbox.make<Terminal.UserInput>(), (mailbox) => Effect.as(mailbox.end, mailbox)),
  readLine: Effect.fail(new Terminal.QuitException()),
  display: (text) => Effect.sync(() => void process.stdout.write(text))
}

/** @internal */
export const layer: Layer.Layer<FileSystem.FileSystem | Path.Path | Terminal.Terminal> = Layer.mergeAll(
  FileSystem.layerNoop({}),
  Path.layer,
  Layer.succeed(Terminal.Terminal, terminal)
)

/** A child process spoken to in lines. */
export interface Child {
  /** The next line it prints on stdout; fails when it exits first (with the line of its stderr naming an error). */
  readonly line: Effect.Effect<string, Error>
  /** Writes a line on its stdin. */
  readonly send: (line: string) => Effect.Effect<void>
}

/** Whether node's flags name tsx's loader (`--import tsx`, `--import=file:///…/tsx/…`, or the tsx CLI's own flags). */
const hasTsx = (execArgv: ReadonlyArray<string>): boolean => execArgv.some((a) => /(^|[\\/=])tsx([\\/]|$)/.test(a))

/** Whether node's flags set the condition `name` (`--conditions=x`, `--conditions x`, `-C x`, `-C=x`). */
const hasCondition = (execArgv: ReadonlyArray<string>, name: string): boolean =>
  execArgv.some((a, i) => a === `--conditions=${name}` || a === `-C=${name}` || ((a === "--conditions" || a === "-C") && execArgv[i + 1] === name))

/**
 * The command line that runs this command's entry again: the compiled `bin.js` with node's own flags, or, from the
 * sources, `bin.ts` with node's flags plus tsx's loader (named from this package) and the `@oauth2/source`
 * condition, each only when the flags do not have it already (`npm run demo` runs under tsx; vitest, or
 * `node --import tsx --conditions=@oauth2/source`, give flags of their own, kept).
 */
export const selfCommand = (
  args: ReadonlyArray<string>,
  execArgv: ReadonlyArray<string> = process.execArgv
): { readonly command: string; readonly args: ReadonlyArray<string> } => {
  const here = fileURLToPath(import.meta.url)
  const fromSource = here.endsWith(".ts")
  const entry = fileURLToPath(new URL(fromSource ? "../bin.ts" : "../bin.js", import.meta.url))
  const flags = !fromSource
    ? execArgv
    : [
        ...execArgv,
        ...(hasTsx(execArgv) ? [] : ["--import", pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href]),
        ...(hasCondition(execArgv, "@oauth2/source") ? [] : ["--conditions=@oauth2/source"])
      ]
  return { command: process.execPath, args: [...flags, entry, ...args] }
}

/** Starts this command again with `args` and `env` added to this process' environment; killed when the scope closes. */
export const spawnSelf = (args: ReadonlyArray<string>, env: Record<string, string>): Effect.Effect<Child, never, Scope.Scope> =>
  Effect.gen(function* () {
    const lines = yield* Queue.unbounded<string | { readonly exited: string }>()
    const self = selfCommand(args)
    const child = yield* Effect.acquireRelease(
      Effect.sync(() => spawn(self.command, self.args, { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] })),
      (child) =>
        Effect.sync(() => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
        })
    )
    // the beginning of stderr (where an error is printed first) and its end, bounded
    let head = ""
    let tail = ""
    child.stderr!.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8")
      const room = Math.max(0, 2000 - head.length)
      head += text.slice(0, room)
      tail = (tail + text.slice(room)).slice(-2000)
    })
    child.stdin!.on("error", () => {})
    createInterface({ input: child.stdout! }).on("line", (line) => Queue.unsafeOffer(lines, line))
    child.once("error", (error) => Queue.unsafeOffer(lines, { exited: error.message }))
    child.once("close", (code, signal) => Queue.unsafeOffer(lines, { exited: `exited (${code ?? signal}) ${oneLine(`${head}\n${tail}`)}` }))
    return {
      line: Effect.flatMap(Queue.take(lines), (line) =>
        typeof line === "string" ? Effect.succeed(line) : Effect.zipRight(Queue.offer(lines, line), Effect.fail(new Error(line.exited)))
      ),
      send: (line) => Effect.sync(() => void child.stdin!.write(`${line}\n`))
    }
  })
