/**
 * `redis-server` as a child process on a free loopback port: spawned, polled with `PING` on a `Schedule` until it
 * answers (or exits, or the time is up), killed with SIGKILL. Its working directory (`--dir`, where a cluster node
 * writes its `nodes.conf`) is a temporary directory removed with the scope.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { spawn, type ChildProcess } from "node:child_process"
import { mkdtemp, rm } from "node:fs/promises"
import { connect, createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type * as RedisServer from "../RedisServer.js"
import { redisServerError } from "./errors.js"

export const tag = Context.GenericTag<RedisServer.RedisServer>("@oauth2/testing/RedisServer")

const liveClock = Clock.make()

/** How many ports the first start tries when the server finds the probed one taken meanwhile. */
const firstStartAttempts = 5

/** How much of the server's output is kept for an error message. */
const outputLimit = 2000

const freePort: Effect.Effect<number, RedisServer.RedisServerError> = Effect.async((resume) => {
  const server = createServer()
  const failed = (cause: unknown) =>
    resume(Effect.fail(redisServerError({ reason: "NotReady", message: "no free loopback port for redis-server", cause })))
  server.once("error", failed)
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    server.close(() => (typeof address === "object" && address !== null ? resume(Effect.succeed(address.port)) : failed(address)))
  })
})

/**
 * One `PING` on a fresh connection: whether the server answers (`+PONG`, or `-NOAUTH` when `args` set a password);
 * false on any connection error.
 */
const ping = (port: number): Effect.Effect<boolean> =>
  Effect.async<boolean>((resume) => {
    const socket = connect({ port, host: "127.0.0.1" })
    let answer = ""
    const done = (ok: boolean) => {
      socket.destroy()
      resume(Effect.succeed(ok))
    }
    socket.on("error", () => done(false))
    socket.on("close", () => done(false))
    socket.on("connect", () => socket.write("PING\r\n"))
    socket.on("data", (data: Buffer) => {
      answer += data.toString("latin1")
      if (answer.includes("\r\n")) done(answer.startsWith("+PONG") || answer.startsWith("-NOAUTH"))
    })
    return Effect.sync(() => socket.destroy())
  })

interface Running {
  readonly child: ChildProcess
  readonly output: () => string
  /** Done when its output streams are closed too (after its exit, what it printed last may still be on the way). */
  readonly closed: Promise<void>
}

const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null

const exited = (child: ChildProcess): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (hasExited(child)) return resume(Effect.void)
    child.once("exit", () => resume(Effect.void))
  })

const kill = (running: Running): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (hasExited(running.child)) return Effect.void
    running.child.kill("SIGKILL")
    return exited(running.child)
  })

const spawnServer = (command: string, args: ReadonlyArray<string>, cwd: string): Effect.Effect<Running, RedisServer.RedisServerError> =>
  Effect.async<Running, RedisServer.RedisServerError>((resume) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-outputLimit)
    }
    child.stdout!.on("data", keep)
    child.stderr!.on("data", keep)
    const closed = new Promise<void>((done) => child.once("close", () => done()))
    child.once("spawn", () => resume(Effect.succeed({ child, output: () => output.trim(), closed })))
    child.once("error", (cause: NodeJS.ErrnoException) =>
      resume(
        Effect.fail(
          cause.code === "ENOENT"
            ? redisServerError({
                reason: "NotInstalled",
                message: `${command} is not installed: install Debian's redis-server (apt-get install redis-server), or give its path as \`command\``,
                cause
              })
            : redisServerError({ reason: "Exited", message: `${command} could not be started: ${cause.message}`, cause })
        )
      )
    )
  })

/**
 * Polls `PING` every 25 ms until it answers; fails as soon as the process exits, or after `timeout`. The process
 * starts in real time, so the wait runs on Effect's live `Clock` even under a `TestClock` (a layer built by
 * `it.layer` or inside `it.effect` would otherwise wait for its first retry forever).
 */
const waitReady = (
  command: string,
  port: number,
  running: Running,
  timeout: Duration.Duration
): Effect.Effect<void, RedisServer.RedisServerError> => {
  type Failure = Either.Either<RedisServer.RedisServerError, "NotYet">
  const attempt = Effect.suspend((): Effect.Effect<void, Failure> => {
    if (hasExited(running.child)) {
      // what it printed last (e.g. "Address already in use"), read once its output is closed (a moment at most)
      return Effect.flatMap(
        Effect.ignore(
          Effect.timeout(
            Effect.promise(() => running.closed),
            Duration.seconds(1)
          )
        ),
        () => {
          const output = running.output()
          return Effect.fail<Failure>(
            Either.right(
              redisServerError({
                reason: "Exited",
                message: `${command} exited (${running.child.exitCode ?? running.child.signalCode}) before it answered PING${output === "" ? "" : `: ${output}`}`
              })
            )
          )
        }
      )
    }
    return Effect.flatMap(Effect.timeoutTo(ping(port), { duration: Duration.millis(500), onTimeout: () => false, onSuccess: (ok) => ok }), (ok) =>
      ok ? Effect.void : Effect.fail<Failure>(Either.left("NotYet"))
    )
  })
  return attempt.pipe(
    Effect.retry({ schedule: Schedule.spaced(Duration.millis(25)), while: Either.isLeft }),
    Effect.timeoutFail({
      duration: timeout,
      onTimeout: (): Failure => {
        const output = running.output()
        return Either.right(
          redisServerError({
            reason: "NotReady",
            message: `${command} did not answer PING on port ${port} within ${Duration.format(timeout)}${output === "" ? "" : `: ${output}`}`
          })
        )
      }
    }),
    Effect.mapError((e) =>
      Either.isRight(e) ? e.right : redisServerError({ reason: "NotReady", message: `${command} did not answer PING on port ${port}` })
    ),
    Effect.withClock(liveClock)
  )
}

export const make = (options: RedisServer.Options = {}): Effect.Effect<RedisServer.RedisServer, RedisServer.RedisServerError, Scope.Scope> =>
  Effect.gen(function* () {
    const command = options.command ?? "redis-server"
    const timeout = Duration.decode(options.readyTimeout ?? Duration.seconds(10))
    const dir = yield* Effect.acquireRelease(
      Effect.promise(() => mkdtemp(join(tmpdir(), "oauth2-redis-"))),
      (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
    )
    const argsOn = (port: number) => [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--save",
      "",
      "--appendonly",
      "no",
      "--loglevel",
      "warning",
      ...(options.args ?? [])
    ]
    let port = 0
    let current: Running | undefined
    const stop = Effect.suspend(() => {
      const running = current
      current = undefined
      return running === undefined ? Effect.void : kill(running)
    })
    // the wait is interruptible even inside `acquireRelease` (its timeout interrupts the polling); a start that fails
    // or is interrupted kills what it spawned
    const start = Effect.suspend(() => {
      if (current !== undefined && !hasExited(current.child)) return Effect.void
      const on = port
      return Effect.flatMap(spawnServer(command, argsOn(on), dir), (running) => {
        current = running
        return Effect.onError(Effect.interruptible(waitReady(command, on, running, timeout)), () => stop)
      })
    })
    // the free port is probed, then bound by the server: another listener may take it in between, so the first start
    // tries again on another port when the server reports the address in use
    const first = Effect.suspend(() => {
      const attempt = (left: number): Effect.Effect<void, RedisServer.RedisServerError> =>
        Effect.flatMap(freePort, (free) => {
          port = free
          return Effect.catchIf(
            start,
            (e) => left > 1 && e.reason === "Exited" && e.message.includes("Address already in use"),
            () => attempt(left - 1)
          )
        })
      return attempt(firstStartAttempts)
    })
    yield* Effect.acquireRelease(first, () => stop)
    const server: RedisServer.RedisServer = { port, url: `redis://127.0.0.1:${port}`, stop, start }
    return server
  })
