/**
 * A real `redis-server` for the tests, as a scoped layer: started on a free loopback port (no persistence), ready
 * once it answers PING, killed when the scope closes. `stop` and `start` take it down and bring it back on the same
 * port (an outage).
 */
import { spawn, type ChildProcess } from "node:child_process"
import { createServer, connect } from "node:net"
import { Context, Effect, Layer } from "effect"

export interface RedisServer {
  readonly port: number
  readonly url: string
  /** Kills the server (SIGKILL) and waits for it to exit. */
  readonly stop: Effect.Effect<void>
  /** Starts it again on the same port, and waits for PING. */
  readonly start: Effect.Effect<void>
}

export const RedisServer = Context.GenericTag<RedisServer>("test/RedisServer")

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))))
    })
  })

const ping = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" })
    let answer = ""
    socket.setTimeout(500, () => (socket.destroy(), resolve(false)))
    socket.on("error", () => resolve(false))
    socket.on("connect", () => socket.write("PING\r\n"))
    socket.on("data", (data) => {
      answer += data.toString()
      if (answer.includes("\r\n")) {
        socket.destroy()
        resolve(answer.startsWith("+PONG"))
      }
    })
  })

const waitForPing = async (port: number, child: ChildProcess) => {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`)
    if (await ping(port)) return
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error("redis-server did not answer PING")
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve())))

export const make = Effect.gen(function* () {
  const port = yield* Effect.promise(freePort)
  let child: ChildProcess | undefined
  const start = Effect.promise(async () => {
    const c = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"], {
      stdio: "ignore"
    })
    child = c
    const missing = new Promise<never>((_, reject) =>
      c.once("error", (error) => reject(new Error(`cannot start redis-server (install it, as .ci/run does): ${error.message}`)))
    )
    await Promise.race([waitForPing(port, c), missing])
  })
  const stop = Effect.promise(async () => {
    const c = child
    child = undefined
    if (c === undefined) return
    c.kill("SIGKILL")
    await exited(c)
  })
  yield* Effect.acquireRelease(start, () => stop)
  return { port, url: `redis://127.0.0.1:${port}`, stop, start } satisfies RedisServer
})

export const layer = Layer.scoped(RedisServer, make)
