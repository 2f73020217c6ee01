/**
 * One member of the demo's fleet (see member.ts): builds a token source shared through Redis (`@oauth2/redis`, an
 * optional peer, imported here only), prints its ready line, waits for `go` on stdin, asks for the token from many
 * fibers at once and prints the result line. Exit code 0 when it could report, 1 when it could not (stdin closing
 * before `go` included: the demo is gone), 2 for a usage error (parameters missing or malformed). Its log lines go to
 * stderr: stdout carries the protocol's lines only.
 */
import { TokenRequest } from "@oauth2/core"
import { OAuthClient, Transport } from "@oauth2/http"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { createHash } from "node:crypto"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import * as member from "./member.js"

const Parameters = Schema.parseJson(
  Schema.Struct({
    redisUrl: Schema.String,
    tokenEndpoint: Schema.String,
    clientId: Schema.String,
    clientSecret: Schema.String,
    scope: Schema.Array(Schema.String),
    resource: Schema.String,
    key: Schema.NonEmptyString,
    keyMaterial: Schema.String,
    fibers: Schema.Int.pipe(Schema.between(1, 10_000))
  })
)

const write = (line: unknown) => Effect.async<void>((resume) => void process.stdout.write(`${JSON.stringify(line)}\n`, () => resume(Effect.void)))

/**
 * Watches stdin from the start: done on a `go` line, failed when stdin closes or ends first (the demo is gone:
 * nothing would ever say `go`). The reader is closed on `go` and with the scope, so that stdin no longer holds the
 * process.
 */
const watchStdin = Effect.acquireRelease(
  Effect.sync(() => {
    const go = Deferred.unsafeMake<void, Error>(FiberId.none)
    const lines = createInterface({ input: process.stdin })
    const close = () => {
      lines.close()
      process.stdin.destroy()
    }
    lines.on("line", (line) => {
      if (line.trim() !== "go") return
      Deferred.unsafeDone(go, Exit.void)
      close()
    })
    lines.once("close", () => Deferred.unsafeDone(go, Exit.fail(new Error("stdin closed before go"))))
    return { go, close }
  }),
  ({ close }) => Effect.sync(close)
)

/** Fails when `go` failed (stdin closed first); otherwise never ends. */
const stdinClosed = (go: Deferred.Deferred<void, Error>) =>
  Effect.flatMap(Effect.exit(Deferred.await(go)), (exit) => (Exit.isFailure(exit) ? exit : Effect.never))

const digest = (token: string) => createHash("sha256").update(token).digest("hex")

const program = (parameters: member.Parameters, go: Deferred.Deferred<void, Error>) =>
  Effect.gen(function* () {
    const { Redis, SharedTokenSource } = yield* Effect.tryPromise({
      try: () => import("@oauth2/redis"),
      catch: (cause) => new Error(`the demo's shared-token row needs @oauth2/redis: ${cause instanceof Error ? cause.message : String(cause)}`)
    })
    const layers = Layer.merge(
      Redis.layer({ url: Redacted.make(parameters.redisUrl) }),
      Layer.provide(
        OAuthClient.layer({
          endpoints: { tokenEndpoint: parameters.tokenEndpoint },
          clientId: parameters.clientId,
          clientSecret: Redacted.make(parameters.clientSecret)
        }),
        Transport.layerFetch({ retry: false })
      )
    )
    return yield* Effect.gen(function* () {
      const source = yield* SharedTokenSource.make({
        key: parameters.key,
        keys: [{ id: "demo", key: Redacted.make(parameters.keyMaterial) }],
        grant: TokenRequest.clientCredentials({ scope: parameters.scope, resource: parameters.resource })
      })
      const ready: member.Ready = {
        ready: { source: fileURLToPath(import.meta.url).endsWith(".ts"), redis: import.meta.resolve("@oauth2/redis") }
      }
      yield* write(ready)
      yield* Deferred.await(go)
      const results = yield* Effect.all(
        Array.from({ length: parameters.fibers }, () => Effect.either(source.get)),
        { concurrency: "unbounded" }
      )
      const tokens = new Set<string>()
      const errors: Array<string> = []
      for (const result of results) {
        if (Either.isRight(result)) tokens.add(digest(Redacted.value(result.right.accessToken)))
        else errors.push(result.left._tag)
      }
      const outcome: member.Result = { result: { tokens: [...tokens], errors } }
      yield* write(outcome)
    }).pipe(Effect.scoped, Effect.provide(layers))
  })

/** Runs the member; the exit code. */
export const main = (args: ReadonlyArray<string>): Effect.Effect<number> => {
  const usage = (message: string) =>
    Effect.sync(() => {
      process.stderr.write(`usage error: ${member.command} is run by \`oauth2 demo\` only: ${message}\n`)
      return 2
    })
  if (args.length > 0) return usage(`unexpected arguments ${args.join(" ")}`)
  const decoded = Schema.decodeUnknownEither(Parameters)(process.env[member.env] ?? "")
  if (Either.isLeft(decoded)) return usage(`${member.env} does not hold its parameters`)
  const parameters = decoded.right
  return Effect.flatMap(watchStdin, ({ go }) => Effect.raceFirst(program(parameters, go), stdinClosed(go))).pipe(
    Effect.scoped,
    Effect.as(0),
    // log lines on stderr: stdout carries the protocol's lines only
    Effect.provide(Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.stringLogger))),
    Effect.catchAllCause((cause) =>
      Cause.isInterruptedOnly(cause)
        ? Effect.interrupt
        : Effect.sync(() => {
            process.stderr.write(`${member.command}: ${Cause.pretty(cause)}\n`)
            return 1
          })
    )
  )
}
