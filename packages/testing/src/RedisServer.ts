/**
 * A real `redis-server` for tests and the demo, as a scoped layer (like the test Authorization Server): Debian's
 * `redis-server` binary started on a free loopback port, without persistence (its files in a temporary directory
 * removed with the scope), ready once it answers `PING`, killed when the scope closes. `stop` and `start` take it down
 * and bring it back on the same port: an outage, for tests of what a client does while Redis is away.
 *
 * The binary is not a dependency of this package: install it (`apt-get install redis-server`); without it, starting
 * fails with a {@link RedisServerError} whose `reason` is `"NotInstalled"`.
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as errors from "./internal/errors.js"
import * as internal from "./internal/redisServer.js"

/**
 * A running server.
 *
 * @since 0.1.0
 * @category models
 */
export interface RedisServer {
  /** The loopback port it listens on (the same across `stop` and `start`). */
  readonly port: number
  /** e.g. `redis://127.0.0.1:54321` */
  readonly url: string
  /** Kills the server (SIGKILL) and waits for it to exit. Nothing is kept: it comes back empty. */
  readonly stop: Effect.Effect<void>
  /**
   * Starts it again on the same port (after `stop`; a no-op while it runs), and waits for `PING`. The port is not
   * held while the server is stopped: when another process took it meanwhile, this fails with a
   * {@link RedisServerError} (`Exited`, "Address already in use"). (The first start, in {@link make}, tries another
   * free port in that case, a few times.)
   */
  readonly start: Effect.Effect<void, RedisServerError>
}

/**
 * Options of {@link make} and {@link layer}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The binary: `redis-server` (looked up on the `PATH`) by default. */
  readonly command?: string
  /**
   * More arguments, after those this module gives (`--port`, `--bind 127.0.0.1`, `--dir` a temporary directory,
   * `--save ""`, `--appendonly no`, `--loglevel warning`), e.g. `["--cluster-enabled", "yes"]` or
   * `["--requirepass", "secret"]`.
   */
  readonly args?: ReadonlyArray<string>
  /** How long to wait for the first `PING` answer: 10 seconds by default. */
  readonly readyTimeout?: Duration.DurationInput
}

/**
 * The server service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export const RedisServer: Context.Tag<RedisServer, RedisServer> = internal.tag

/**
 * The type id of {@link RedisServerError}.
 *
 * @since 0.1.0
 * @category type ids
 */
export const RedisServerErrorTypeId: unique symbol = Symbol.for("@oauth2/testing/RedisServer/RedisServerError")

/**
 * The type of {@link RedisServerErrorTypeId}.
 *
 * @since 0.1.0
 * @category type ids
 */
export type RedisServerErrorTypeId = typeof RedisServerErrorTypeId

/**
 * The server could not be started: the binary is not installed (`NotInstalled`), it exited before it answered
 * (`Exited`: e.g. a wrong argument, or the port taken; `message` ends with what it printed), or it did not answer
 * `PING` in time (`NotReady`; `message` ends with what it printed, bounded).
 *
 * @since 0.1.0
 * @category errors
 */
export interface RedisServerError extends Cause.YieldableError {
  readonly [RedisServerErrorTypeId]: RedisServerErrorTypeId
  readonly _tag: "RedisServerError"
  readonly reason: "NotInstalled" | "Exited" | "NotReady"
  readonly message: string
  readonly cause?: unknown
}

/**
 * Constructs a `RedisServerError`.
 *
 * @since 0.1.0
 * @category errors
 */
export const RedisServerError: (args: {
  readonly reason: RedisServerError["reason"]
  readonly message: string
  readonly cause?: unknown
}) => RedisServerError = errors.redisServerError

/**
 * Whether a value is a `RedisServerError`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isRedisServerError: (u: unknown) => u is RedisServerError = errors.isRedisServerError

/**
 * Starts a server in the current scope; it is killed when the scope closes.
 *
 * @example
 * ```ts
 * import { RedisServer } from "@oauth2/testing"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const redis = yield* RedisServer.make()
 *   yield* redis.stop // an outage
 *   yield* redis.start // back, on the same port
 *   return redis.url // redis://127.0.0.1:<port>
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<RedisServer, RedisServerError, Scope.Scope> = internal.make

/**
 * A scoped layer: the server starts when the layer is built and is killed when its scope closes.
 *
 * @example
 * ```ts
 * import { RedisServer } from "@oauth2/testing"
 * import { Effect } from "effect"
 *
 * const RedisServerLive = RedisServer.layer({ args: ["--maxmemory", "16mb"] })
 *
 * const program = Effect.gen(function* () {
 *   const redis = yield* RedisServer.RedisServer
 *   return redis.url
 * })
 * Effect.runPromise(Effect.provide(program, RedisServerLive)).then(console.log)
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<RedisServer, RedisServerError> => Layer.scoped(RedisServer, make(options))
