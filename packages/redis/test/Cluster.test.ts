/**
 * `@oauth2/redis` on a real Redis Cluster of one node (`redis-server --cluster-enabled yes`, every slot assigned to
 * it), through ioredis' `Cluster` and `Redis.layerClient`: shared token sources, their Lua scripts (the entry and the
 * lock in one slot), the announcements on pub/sub, and subscriptions made while the cluster is down. Also what
 * `subscribe` promises: once it returns, Redis has the subscription.
 */
import { describe, expect, it } from "@effect/vitest"
import { TokenRequest } from "@oauth2/core"
import { Redis, SharedTokenSource } from "@oauth2/redis"
import { RedisServer } from "@oauth2/testing"
import { Context, Effect, Fiber, Layer, Schedule, type Scope } from "effect"
import { Cluster, Redis as IORedis } from "ioredis"
import { accessToken, clientLayer, expired, key1 } from "./support.js"
import * as TokenEndpoint from "./tokenEndpoint.js"

const grant = TokenRequest.clientCredentials({ scope: "read" })

/** A plain connection that waits for the server (offline queue, no limit on retries), closed with the scope. */
const admin = (port: number) =>
  Effect.acquireRelease(
    Effect.sync(() => new IORedis({ host: "127.0.0.1", port, maxRetriesPerRequest: null, retryStrategy: () => 25 }).on("error", () => {})),
    (c) => Effect.sync(() => c.disconnect())
  )

/** Waits until the node serves every slot: the first start assigns them all, a restart finds them in its config file. */
const slotsServed = (port: number) =>
  Effect.scoped(
    Effect.gen(function* () {
      const c = yield* admin(port)
      const info = Effect.promise(() => c.call("CLUSTER", "INFO") as Promise<string>)
      if ((yield* info).includes("cluster_slots_assigned:0")) yield* Effect.promise(() => c.call("CLUSTER", "ADDSLOTSRANGE", "0", "16383"))
      yield* Effect.repeat(info, { schedule: Schedule.spaced("25 millis"), until: (text) => text.includes("cluster_state:ok") })
    })
  ).pipe(Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => new Error("the cluster node did not become ready") }), Effect.orDie)

/**
 * A cluster node of its own (`@oauth2/testing`'s RedisServer: a free loopback port, no persistence, killed with the
 * scope), its cluster config file in the server's temporary directory (removed with the scope), so that the slots
 * stay across `stop` and `start`. Ready once CLUSTER INFO says ok.
 */
const clusterServer = Effect.gen(function* () {
  const server = yield* Effect.orDie(
    RedisServer.make({
      // a node that never met another does not know its address: announced, CLUSTER SLOTS names it (ioredis needs it)
      args: ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-announce-ip", "127.0.0.1"]
    })
  )
  yield* slotsServed(server.port)
  return { port: server.port, stop: server.stop, start: Effect.zipRight(Effect.orDie(server.start), slotsServed(server.port)) }
})

interface ClusterServer extends Effect.Effect.Success<typeof clusterServer> {}
const ClusterServer = Context.GenericTag<ClusterServer>("test/ClusterServer")

/** A Cluster connection as the docs say: fail fast at the cluster level, `Redis.defaults` for the node connections. */
const clusterLayer = (port: number) =>
  Redis.layerClient(() => new Cluster([{ host: "127.0.0.1", port }], { enableOfflineQueue: false, redisOptions: Redis.defaults }))

/** A shared source (a process): its own Cluster connection and client, built in the current scope. */
const source = (options: Omit<SharedTokenSource.Options<never>, "keys">) =>
  Effect.gen(function* () {
    const server = yield* ClusterServer
    const endpoint = yield* TokenEndpoint.TokenEndpoint
    const context = yield* Layer.build(Layer.merge(clusterLayer(server.port), clientLayer(endpoint.url)))
    return yield* Effect.provide(SharedTokenSource.make({ keys: [key1], ...options }), context)
  })

/** Waits (polling) until `check` holds. */
const eventually = (check: Effect.Effect<boolean>) => Effect.repeat(check, { schedule: Schedule.spaced("10 millis"), until: (ok) => ok })

const TestLayer = Layer.merge(Layer.scoped(ClusterServer, clusterServer), TokenEndpoint.layer)

/** A test on the real clock with a cluster node and a token endpoint of its own; 20 s, below the sources' 30 s `wait`. */
const live = <A, E>(name: string, body: () => Effect.Effect<A, E, ClusterServer | TokenEndpoint.TokenEndpoint | Scope.Scope>) =>
  it.live(name, () => Effect.scoped(Effect.provide(body(), TestLayer)), 20_000)

/** After each `subscribe` returns, a PUBLISH from another connection reaches it (at once, without sleeping first). */
const subscribedOnReturn = (redis: Redis.Redis, publisher: IORedis) =>
  Effect.gen(function* () {
    for (let i = 0; i < 50; i++) {
      const channel = `{subscribe-test}:${i}`
      const received: Array<string> = []
      const first = yield* Effect.fork(redis.subscribe(channel, (message) => received.push(`first ${message}`)))
      yield* Effect.yieldNow()
      // a second listener of a channel whose SUBSCRIBE is under way waits for it too
      yield* redis.subscribe(channel, (message) => received.push(`second ${message}`))
      expect(yield* Effect.promise(() => publisher.publish(channel, "one"))).toBe(1)
      yield* Fiber.join(first)
      yield* eventually(Effect.sync(() => received.length === 2))
      expect(received.sort()).toEqual(["first one", "second one"])
    }
  })

describe("Redis Cluster (one node)", () => {
  live("subscribe returns once Redis confirmed the subscription: a PUBLISH right after it is delivered (Cluster and single node)", () =>
    Effect.gen(function* () {
      const server = yield* ClusterServer
      const publisher = yield* admin(server.port)
      const cluster = Context.get(yield* Layer.build(clusterLayer(server.port)), Redis.Redis)
      yield* Effect.scoped(subscribedOnReturn(cluster, publisher))
      const single = Context.get(yield* Layer.build(Redis.layer({ host: "127.0.0.1", port: server.port })), Redis.Redis)
      yield* Effect.scoped(subscribedOnReturn(single, publisher))
    })
  )

  live("two processes of 100 fibers on an expired token: one token request; the waiter is woken by the announcement", () =>
    Effect.gen(function* () {
      const server = yield* ClusterServer
      const endpoint = yield* TokenEndpoint.TokenEndpoint
      const stats = yield* admin(server.port)
      const key = "fleet"
      // a lost announcement would leave the second process waiting 30 s (the lock outlives the test)
      const options = { key, grant, token: expired(), wait: "30 seconds", lockTtl: "60 seconds" } as const
      const [first, second] = yield* Effect.all([source(options), source(options)])
      endpoint.settings.hold.add(1)
      const firsts = yield* Effect.fork(
        Effect.all(
          Array.from({ length: 100 }, () => first.get),
          { concurrency: "unbounded" }
        )
      )
      yield* eventually(Effect.sync(() => endpoint.requests.length === 1))
      // the second process reads the entry and fails to take the lock (one script call), then waits for the
      // announcement
      const scriptCalls = Effect.map(
        Effect.promise(() => stats.info("commandstats")),
        (text) => [...text.matchAll(/cmdstat_eval(?:sha)?:calls=(\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0)
      )
      const before = yield* scriptCalls
      const seconds = yield* Effect.fork(
        Effect.all(
          Array.from({ length: 100 }, () => second.get),
          { concurrency: "unbounded" }
        )
      )
      yield* eventually(Effect.map(scriptCalls, (calls) => calls >= before + 1))
      endpoint.release()
      const tokens = [...(yield* Fiber.join(firsts)), ...(yield* Fiber.join(seconds))]
      expect(endpoint.requests.length).toBe(1)
      expect(new Set(tokens.map(accessToken))).toEqual(new Set(["AT-1"]))
      // the scripts wrote the entry (version 1) and released the lock, both keys in the slot of the `{fleet}` tag
      const entryKey = `oauth2:token:{${key}}`
      expect(yield* Effect.promise(() => stats.hget(entryKey, "v"))).toBe("1")
      expect(yield* Effect.promise(() => stats.exists(`${entryKey}:lock`))).toBe(0)
      const slot = (name: string) => Effect.promise(() => stats.call("CLUSTER", "KEYSLOT", name))
      expect(yield* slot(`${entryKey}:lock`)).toBe(yield* slot(entryKey))
      // without a common tag, a script on two keys is refused by the cluster
      const crossSlot = yield* Effect.promise(() => stats.eval("return 1", 2, "oauth2:a", "oauth2:b").then(String, String))
      expect(crossSlot).toContain("CROSSSLOT")
    })
  )

  live("while the cluster is down: the connection is made, a command fails at once, a subscription is made when it is back", () =>
    Effect.gen(function* () {
      const server = yield* ClusterServer
      yield* server.stop
      const redis = Context.get(yield* Layer.build(clusterLayer(server.port)), Redis.Redis)
      const failed = yield* Effect.promise(() => redis.client.get("x").then(() => "answered", String))
      expect(failed).toContain("enableOfflineQueue")
      const received: Array<string> = []
      yield* redis.subscribe("{outage}:renewed", (message) => received.push(message))
      yield* server.start
      const publisher = yield* admin(server.port)
      // published until it arrives: the subscription made while the cluster was down must reach Redis
      yield* Effect.repeat(
        Effect.promise(() => publisher.publish("{outage}:renewed", "back")),
        { schedule: Schedule.spaced("50 millis"), until: () => received.length > 0 }
      )
      expect(received[0]).toBe("back")
    })
  )
})
