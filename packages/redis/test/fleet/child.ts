/**
 * One process of a fleet (bundled and run by Fleet.test.ts and bench/redis/run.mjs): builds a shared
 * token source, says `ready`, waits for `go` on stdin, then asks for a token from FIBERS fibers at once and prints
 * one JSON line: how many got a token, the errors, the distinct access tokens, and each fiber's milliseconds.
 *
 * Environment: REDIS_URL, TOKEN_ENDPOINT, KEY, KEY_MATERIAL (base64 of 32 bytes), FIBERS, LOCK_TTL (ms), WAIT (ms),
 * REFRESH_TOKEN (start with an expired token carrying it; otherwise with an expired token and client credentials),
 * WARMUP (renew a token for another key this many times first, so that the measured round runs warm), LOOP (ask every 20 ms until
 * `stop` on stdin, and print the sum), ALONE (a `TokenSource` without Redis: each process renews on its own, the
 * benchmark's baseline), TRANSPORT (`node`, the default: NodeTransport; `fetch`: Transport.layerFetch).
 */
import { BearerToken, TokenRequest } from "@oauth2/core"
import { TokenSource } from "@oauth2/flows"
import { OAuthClient, Transport } from "@oauth2/http"
import * as NodeTransport from "@oauth2/http/NodeTransport"
import { Redis, SharedTokenSource } from "@oauth2/redis"
import { DateTime, Effect, Either, Layer, Redacted } from "effect"
import { createInterface } from "node:readline"
import { performance } from "node:perf_hooks"

const env = process.env
const fibers = Number(env["FIBERS"] ?? "100")
const refreshToken = env["REFRESH_TOKEN"]

let onStop: () => void = () => {}
const stop = new Promise<void>((resolve) => (onStop = resolve))
const go = new Promise<void>((resolve) => {
  const lines = createInterface({ input: process.stdin })
  lines.on("line", (line) => {
    if (line.trim() === "go") resolve()
    if (line.trim() === "stop") onStop()
  })
})

const expired = BearerToken.make({
  accessToken: "expired",
  issuedAt: DateTime.unsafeMake(0),
  expiresAt: DateTime.unsafeMake(1000),
  ...(refreshToken === undefined ? {} : { refreshToken })
})

const layers = Layer.merge(
  Redis.layer({ url: env["REDIS_URL"]!, retryStrategy: () => 50 }),
  OAuthClient.layer({ endpoints: { tokenEndpoint: env["TOKEN_ENDPOINT"]! }, clientId: "fleet", clientSecret: Redacted.make("secret") }).pipe(
    Layer.provide(env["TRANSPORT"] === "fetch" ? Transport.layerFetch({ retry: false }) : NodeTransport.layer({ retry: false })),
    Layer.orDie
  )
)

/** A shared source on a key (or, with ALONE, a source of this process only). */
const make = (key: string) => {
  const grant = refreshToken === undefined ? { grant: TokenRequest.clientCredentials({ scope: "read" }) } : {}
  return env["ALONE"] !== undefined
    ? TokenSource.make({ token: expired, ...grant })
    : SharedTokenSource.make({
        key,
        keys: [{ id: "k1", key: Redacted.make(env["KEY_MATERIAL"]!) }],
        token: expired,
        ...grant,
        lockTtl: Number(env["LOCK_TTL"] ?? "10000"),
        wait: Number(env["WAIT"] ?? "1000")
      })
}

const program = Effect.gen(function* () {
  const source = yield* make(env["KEY"]!)
  // the code paths, the connections and Redis' script cache warm, on a key of their own: WARMUP renewals
  const warmup = Number(env["WARMUP"] ?? "0")
  if (warmup > 0) {
    const warm = yield* make(`${env["KEY"]!}-warmup`)
    for (let i = 0; i < warmup; i++) {
      if (i > 0) yield* warm.invalidate()
      yield* Effect.all(
        Array.from({ length: fibers }, () => warm.get),
        { concurrency: "unbounded", discard: true }
      )
    }
  }
  process.stdout.write("ready\n")
  yield* Effect.promise(() => go)
  const started = performance.now()
  if (env["LOOP"] !== undefined) {
    // until `stop`: FIBERS gets at once every 20 ms
    let stopped = false
    void stop.then(() => (stopped = true))
    const errors: Array<string> = []
    const tokens = new Set<string>()
    let ok = 0
    while (!stopped) {
      const round = yield* Effect.all(
        Array.from({ length: fibers }, () => Effect.either(source.get)),
        { concurrency: "unbounded" }
      )
      for (const result of round) {
        if (Either.isRight(result)) {
          ok++
          tokens.add(Redacted.value(result.right.accessToken))
        } else errors.push(String(result.left._tag))
      }
      yield* Effect.sleep("20 millis")
    }
    process.stdout.write(JSON.stringify({ ok, errors, tokens: [...tokens], millis: [] }) + "\n")
    return
  }
  const results = yield* Effect.all(
    Array.from({ length: fibers }, () => Effect.either(source.get).pipe(Effect.map((result) => ({ result, millis: performance.now() - started })))),
    { concurrency: "unbounded" }
  )
  const tokens = new Set<string>()
  const errors: Array<string> = []
  for (const { result } of results) {
    if (Either.isRight(result)) tokens.add(Redacted.value(result.right.accessToken))
    else errors.push(String(result.left._tag))
  }
  process.stdout.write(
    JSON.stringify({
      ok: results.length - errors.length,
      errors,
      tokens: [...tokens],
      // the start signal's time, on the clock the benchmark reads too
      startedAt: performance.timeOrigin + started,
      millis: results.map((r) => Math.round(r.millis * 1000) / 1000)
    }) + "\n"
  )
}).pipe(Effect.scoped, Effect.provide(layers))

Effect.runPromise(program).then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${String(error)}\n`)
    process.exit(1)
  }
)
