import { assert, describe, it } from "@effect/vitest"
import { ErrorLaws, RedisServer } from "@oauth2/testing"
import { Cause, Effect, Exit, Option } from "effect"
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { connect } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** Sends inline commands on one raw connection and returns the first line of each answer (or the connection error). */
const send = (port: number, ...commands: ReadonlyArray<string>) =>
  Effect.promise(
    () =>
      new Promise<ReadonlyArray<string> | string>((resolve) => {
        const socket = connect({ port, host: "127.0.0.1" })
        const answers: Array<string> = []
        let buffer = ""
        socket.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
        socket.on("connect", () => socket.write(commands.map((c) => `${c}\r\n`).join("")))
        socket.on("data", (data: Buffer) => {
          buffer += data.toString("latin1")
          let end: number
          while ((end = buffer.indexOf("\r\n")) >= 0) {
            const line = buffer.slice(0, end)
            buffer = buffer.slice(end + 2)
            // a bulk string's header ($n) is followed by its value: keep the value
            if (/^\$\d+$/.test(line)) continue
            answers.push(line)
          }
          if (answers.length >= commands.length) {
            socket.destroy()
            resolve(answers)
          }
        })
      })
  )

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  assert.isTrue(Exit.isFailure(exit))
  const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
  assert.isTrue(Option.isSome(failure))
  return Option.getOrThrow(failure)
}

describe("RedisServer", () => {
  it.layer(RedisServer.layer())("the layer", (it) => {
    it.effect("answers PING on its loopback port, and comes back empty after an outage", () =>
      Effect.gen(function* () {
        const redis = yield* RedisServer.RedisServer
        assert.strictEqual(redis.url, `redis://127.0.0.1:${redis.port}`)
        assert.deepStrictEqual(yield* send(redis.port, "PING", "SET greeting hello", "GET greeting"), ["+PONG", "+OK", "hello"])

        yield* redis.stop
        assert.strictEqual(yield* send(redis.port, "PING"), "ECONNREFUSED")
        yield* redis.stop // already stopped: nothing to do

        yield* redis.start
        yield* redis.start // already running: nothing to do
        assert.deepStrictEqual(yield* send(redis.port, "PING", "EXISTS greeting"), ["+PONG", ":0"])
      })
    )
  })

  it.live("passes extra arguments to the server", () =>
    Effect.gen(function* () {
      const redis = yield* RedisServer.make({ args: ["--requirepass", "open-sesame"] })
      assert.deepStrictEqual(yield* send(redis.port, "PING"), ["-NOAUTH Authentication required."])
      assert.deepStrictEqual(yield* send(redis.port, "AUTH open-sesame", "PING"), ["+OK", "+PONG"])
    }).pipe(Effect.scoped)
  )

  it.live("is killed when its scope closes", () =>
    Effect.gen(function* () {
      const port = yield* Effect.scoped(Effect.map(RedisServer.make(), (redis) => redis.port))
      assert.strictEqual(yield* send(port, "PING"), "ECONNREFUSED")
    })
  )

  it.live("a missing binary is a RedisServerError NotInstalled", () =>
    Effect.gen(function* () {
      const error = failureOf(yield* Effect.exit(Effect.scoped(RedisServer.make({ command: "/nonexistent/redis-server" }))))
      assert.isTrue(RedisServer.isRedisServerError(error))
      assert.strictEqual(error.reason, "NotInstalled")
      assert.include(error.message, "install Debian's redis-server")
      yield* Effect.promise(() => ErrorLaws.check(error))
    })
  )

  it.live("a server that exits at once is a RedisServerError Exited, with what it printed", () =>
    Effect.gen(function* () {
      const error = failureOf(yield* Effect.exit(Effect.scoped(RedisServer.make({ args: ["--no-such-directive", "1"] }))))
      assert.strictEqual(error.reason, "Exited")
      assert.include(error.message, "no-such-directive")
    })
  )

  it.live("a server that never answers PING is a RedisServerError NotReady after readyTimeout", () =>
    Effect.gen(function* () {
      // a "server" that runs but never listens
      const dir = yield* Effect.acquireRelease(
        Effect.promise(() => mkdtemp(join(tmpdir(), "redis-server-test-"))),
        (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
      )
      const command = join(dir, "silent-server")
      yield* Effect.promise(() => writeFile(command, "#!/bin/sh\necho still loading\nexec sleep 60\n").then(() => chmod(command, 0o755)))
      const error = failureOf(yield* Effect.exit(Effect.scoped(RedisServer.make({ command, readyTimeout: "300 millis" }))))
      assert.strictEqual(error.reason, "NotReady")
      assert.include(error.message, "did not answer PING")
      // with what it printed
      assert.match(error.message, /: still loading$/)
    }).pipe(Effect.scoped)
  )

  /** A redis-server wrapper that reports the port taken on its first `taken` starts (counted in its directory). */
  const takenFirst = (taken: number) =>
    Effect.gen(function* () {
      const dir = yield* Effect.acquireRelease(
        Effect.promise(() => mkdtemp(join(tmpdir(), "redis-server-test-"))),
        (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
      )
      const command = join(dir, "busy-server")
      const script = [
        "#!/bin/sh",
        'here=$(dirname "$0")',
        'echo "$2" >> "$here/ports"',
        `if [ $(wc -l < "$here/ports") -le ${taken} ]; then`,
        '  echo "Warning: Could not create server TCP listening socket 127.0.0.1:$2: bind: Address already in use" >&2',
        "  exit 1",
        "fi",
        'exec redis-server "$@"'
      ].join("\n")
      yield* Effect.promise(() => writeFile(command, `${script}\n`).then(() => chmod(command, 0o755)))
      const ports = Effect.promise(() => readFile(join(dir, "ports"), "utf8").then((text) => text.trim().split("\n").map(Number)))
      return { command, ports }
    })

  it.live("the first start tries another port when the probed one was taken meanwhile", () =>
    Effect.gen(function* () {
      const { command, ports } = yield* takenFirst(2)
      const server = yield* RedisServer.make({ command })
      assert.deepStrictEqual(yield* send(server.port, "PING"), ["+PONG"])
      const tried = yield* ports
      assert.strictEqual(tried.length, 3)
      assert.strictEqual(tried[2], server.port)
      assert.strictEqual(server.url, `redis://127.0.0.1:${server.port}`)
    }).pipe(Effect.scoped)
  )

  it.live("a port taken on every try is a RedisServerError Exited, after a few tries", () =>
    Effect.gen(function* () {
      const { command, ports } = yield* takenFirst(100)
      const error = failureOf(yield* Effect.exit(Effect.scoped(RedisServer.make({ command }))))
      assert.strictEqual(error.reason, "Exited")
      assert.include(error.message, "Address already in use")
      assert.strictEqual((yield* ports).length, 5)
    }).pipe(Effect.scoped)
  )
})
