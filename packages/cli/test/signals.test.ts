/**
 * The `oauth2` executable (from the sources, under tsx's loader) ended by a signal: the program is interrupted, its
 * finalizers run (the demo's redis-server and its temporary directory are gone), and the exit code is the shells'
 * one for the signal. And the demo's hidden member ends (exit 1) when its stdin closes before `go`.
 */
import { describe, expect, it } from "@effect/vitest"
import { spawn, type ChildProcess } from "node:child_process"
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from "node:fs"
import { createServer, type Socket } from "node:net"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import * as member from "../src/internal/member.js"
import { unreachableMember } from "./members.js"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..")
const bin = join(root, "packages/cli/src/bin.ts")

interface Run {
  readonly child: ChildProcess
  readonly ended: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly stderr: string }>
}

const oauth2 = (args: ReadonlyArray<string>, env: Record<string, string> = {}, stdin: "ignore" | "pipe" = "ignore"): Run => {
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=@oauth2/source", bin, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: [stdin, "pipe", "pipe"]
  })
  let stderr = ""
  child.stderr!.on("data", (chunk) => (stderr += String(chunk)))
  child.stdout!.resume()
  return { child, ended: new Promise((done) => child.once("close", (code, signal) => done({ code, signal, stderr }))) }
}

/** A TCP server that accepts connections and never answers: a command talking to it waits until interrupted. */
const silentServer = () =>
  new Promise<{ readonly url: string; readonly connected: Promise<void>; readonly close: () => void }>((ready) => {
    const sockets: Array<Socket> = []
    let connected!: () => void
    const first = new Promise<void>((done) => (connected = done))
    const server = createServer((socket) => {
      sockets.push(socket)
      connected()
    })
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      ready({
        url: `http://127.0.0.1:${port}/`,
        connected: first,
        close: () => {
          for (const s of sockets) s.destroy()
          server.close()
        }
      })
    })
  })

const until = async (condition: () => boolean, what: string, timeout: number) => {
  for (let waited = 0; !condition(); waited += 100) {
    if (waited > timeout) throw new Error(`timed out waiting for ${what}`)
    await new Promise((done) => setTimeout(done, 100))
  }
}

/** Whether a process runs in `dir` (redis-server rewrites its command line, not its working directory). */
const runningIn = (dir: string) =>
  readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .some((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/cwd`).startsWith(dir)
      } catch {
        return false
      }
    })

describe("the oauth2 executable and signals", () => {
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143]
  ] as const) {
    it(`${signal} interrupts the command: exit code ${code}`, async () => {
      const server = await silentServer()
      try {
        const run = oauth2(["discover", "--allow-insecure-http", server.url])
        await server.connected
        run.child.kill(signal)
        const ended = await run.ended
        expect({ code: ended.code, signal: ended.signal }).toEqual({ code, signal: null })
      } finally {
        server.close()
      }
    }, 60_000)
  }

  it("SIGTERM during the demo: the redis-server and its temporary directory are removed, exit code 143", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "oauth2-signals-"))
    try {
      const run = oauth2(["demo"], { TMPDIR: tmp })
      const redisDirs = () => readdirSync(tmp).filter((d) => d.startsWith("oauth2-redis-"))
      let dir: string | undefined
      await until(
        () => {
          dir = redisDirs()[0]
          return dir !== undefined && runningIn(join(tmp, dir))
        },
        "the demo's redis-server",
        150_000
      )
      run.child.kill("SIGTERM")
      const ended = await run.ended
      expect({ code: ended.code, signal: ended.signal }).toEqual({ code: 143, signal: null })
      expect(redisDirs()).toEqual([])
      expect(runningIn(join(tmp, dir!))).toBe(false)
    } finally {
      rmSync(tmp, { recursive: true, force: true })
    }
  }, 200_000)

  it("the demo's member ends with exit code 1 when its stdin closes before go (Redis unreachable)", async () => {
    const parameters = unreachableMember(1)
    const run = oauth2([member.command], { [member.env]: JSON.stringify(parameters) })
    const ended = await run.ended
    expect(ended.code, ended.stderr).toBe(1)
    expect(ended.stderr).toContain("stdin closed before go")
  }, 60_000)
})
