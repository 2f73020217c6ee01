/**
 * A loopback HTTP listener (node:http, `127.0.0.1`, a free port) that serves an `@effect/platform` `HttpApp`, for
 * tests that need a client-side endpoint the Authorization Server calls (a back-channel logout URI) or a small web
 * backend driven over HTTP. Requests are bridged with `HttpApp.toWebHandler`; `@effect/platform-node` is not needed.
 *
 * The listener starts first (so that its URL can be registered with a `TestServer`), and answers 503 until an app is
 * served with {@link HttpListener.serve}; it closes with its scope.
 *
 * @since 0.1.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/httpListener.js"

/**
 * A running listener.
 *
 * @since 0.1.0
 * @category models
 */
export interface HttpListener {
  /** e.g. `http://127.0.0.1:54321` */
  readonly url: string
  /** Serves `app` from now on (replacing any app served before). */
  readonly serve: <E>(app: HttpApp.Default<E, Scope.Scope>) => Effect.Effect<void>
  /** How many requests arrived so far. */
  readonly requests: Effect.Effect<number>
}

/**
 * Starts a listener in the current scope.
 *
 * @example
 * ```ts
 * import { HttpServerResponse } from "@effect/platform"
 * import { HttpListener } from "@oauth2/testing"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const listener = yield* HttpListener.make
 *   yield* listener.serve(Effect.succeed(HttpServerResponse.text("hello")))
 *   const response = yield* Effect.promise(() => fetch(listener.url))
 *   return response.status // 200
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<HttpListener, never, Scope.Scope> = internal.make
