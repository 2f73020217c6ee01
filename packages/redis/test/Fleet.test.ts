/**
 * Several processes (fleet/child.ts, each with many fibers) sharing one token through a real redis-server, against
 * a counting token endpoint in this process.
 */
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted, type Scope } from "effect"
import * as Fleet from "./fleet/spawn.js"
import * as RedisServer from "./redisServer.js"
import { key1 } from "./support.js"
import * as TokenEndpoint from "./tokenEndpoint.js"

const TestLayer = Layer.merge(RedisServer.layer, TokenEndpoint.layer)

const live = <A, E>(name: string, body: () => Effect.Effect<A, E, RedisServer.RedisServer | TokenEndpoint.TokenEndpoint | Scope.Scope>) =>
  it.live(name, () => Effect.scoped(Effect.provide(body(), TestLayer)), 180_000)

/** Starts fleet processes, killed when the scope closes. */
const fleet = (count: number, env: Record<string, string>) =>
  Effect.gen(function* () {
    const server = yield* RedisServer.RedisServer
    const endpoint = yield* TokenEndpoint.TokenEndpoint
    const members = Array.from({ length: count }, () =>
      Fleet.start({ REDIS_URL: server.url, TOKEN_ENDPOINT: endpoint.url, KEY_MATERIAL: Redacted.value(key1.key), ...env })
    )
    yield* Effect.addFinalizer(() => Effect.sync(() => Fleet.killAll(members)))
    yield* Effect.promise(() => Promise.all(members.map((m) => m.ready)))
    return members
  })

const until = (condition: () => boolean) =>
  Effect.promise(async () => {
    while (!condition()) await new Promise((r) => setTimeout(r, 10))
  })

describe("a fleet of processes", () => {
  beforeAll(() => Fleet.bundle(), 120_000)

  live("4 processes x 250 fibers on an expired token: exactly one token request, one token for all", () =>
    Effect.gen(function* () {
      const endpoint = yield* TokenEndpoint.TokenEndpoint
      const members = yield* fleet(4, { KEY: "fleet-cc", FIBERS: "250" })
      for (const m of members) m.go()
      const results = yield* Effect.promise(() => Promise.all(members.map((m) => m.result)))
      expect(endpoint.requests.map((r) => r.grantType)).toEqual(["client_credentials"])
      expect(results.map((r) => [r.ok, r.errors.length])).toEqual(members.map(() => [250, 0]))
      expect(new Set(results.flatMap((r) => r.tokens))).toEqual(new Set(["AT-1"]))
    })
  )

  live("rotating refresh tokens: 3 processes, one refresh request with the refresh token, every process gets its answer", () =>
    Effect.gen(function* () {
      const endpoint = yield* TokenEndpoint.TokenEndpoint
      endpoint.seed("RT-0")
      const members = yield* fleet(3, { KEY: "fleet-rt", FIBERS: "100", REFRESH_TOKEN: "RT-0" })
      for (const m of members) m.go()
      const results = yield* Effect.promise(() => Promise.all(members.map((m) => m.result)))
      expect(endpoint.requests.map((r) => [r.grantType, r.refreshToken])).toEqual([["refresh_token", "RT-0"]])
      expect(results.flatMap((r) => r.errors)).toEqual([])
      expect(new Set(results.flatMap((r) => r.tokens))).toEqual(new Set(["AT-1"]))
    })
  )

  live("Redis stopped mid-renewal and restarted: no caller of either process sees an error, one warning per process", () =>
    Effect.gen(function* () {
      const server = yield* RedisServer.RedisServer
      const endpoint = yield* TokenEndpoint.TokenEndpoint
      endpoint.settings.expiresIn = 2 // renewed about every second (half its lifetime)
      const members = yield* fleet(2, { KEY: "fleet-outage", FIBERS: "20", LOOP: "1" })
      for (const m of members) m.go()
      yield* until(() => endpoint.requests.length >= 1)
      const held = endpoint.requests.length + 1
      endpoint.settings.hold.add(held)
      yield* until(() => endpoint.requests.length >= held) // a renewal in flight
      yield* server.stop
      endpoint.release()
      const during = endpoint.requests.length
      yield* until(() => endpoint.requests.length >= during + 2) // renewals made while Redis is down
      yield* server.start
      const after = endpoint.requests.length
      yield* until(() => endpoint.requests.length >= after + 2) // renewals after it is back
      for (const m of members) m.stop()
      const results = yield* Effect.promise(() => Promise.all(members.map((m) => m.result)))
      expect(results.flatMap((r) => r.errors)).toEqual([])
      expect(results.every((r) => r.ok > 0)).toBe(true)
      // the outage was seen (and said once per process at most)
      expect(members.some((m) => m.output().includes("Redis is unavailable"))).toBe(true)
      for (const m of members) expect(m.output().split("Redis is unavailable").length - 1).toBeLessThanOrEqual(1)
    })
  )

  live("the lock holder killed (SIGKILL) mid-renewal: another process renews after the lock's TTL", () =>
    Effect.gen(function* () {
      const endpoint = yield* TokenEndpoint.TokenEndpoint
      endpoint.settings.hold.add(1)
      const env = { KEY: "fleet-kill", LOCK_TTL: "1000", WAIT: "200" }
      const [holder] = yield* fleet(1, { ...env, FIBERS: "1" })
      holder!.go()
      yield* until(() => endpoint.requests.length === 1)
      const others = yield* fleet(2, { ...env, FIBERS: "50" })
      for (const m of others) m.go()
      holder!.process.kill("SIGKILL")
      const results = yield* Effect.promise(() => Promise.all(others.map((m) => m.result)))
      expect(results.flatMap((r) => r.errors)).toEqual([])
      expect(endpoint.requests).toHaveLength(2)
      expect(new Set(results.flatMap((r) => r.tokens))).toEqual(new Set(["AT-1"]))
    })
  )
})
