/**
 * An in-memory network for unit tests: a fake `HttpClient` (for `Transport.layer`, `Bearer.withToken`, the flows'
 * API and bearer clients) and a fake `fetch` (for `Transport.layerFetch`). A function of yours answers each request,
 * every request is recorded, and a connection reset or an answer that never comes can be simulated. Nothing listens
 * on a socket: use it where the real server of `TestServer` would be too slow or cannot misbehave the way you
 * need.
 *
 * @example
 * ```ts
 * import { Transport } from "@oauth2/http"
 * import { FakeHttp } from "@oauth2/testing"
 * import { Effect, Layer } from "effect"
 *
 * const http = FakeHttp.make((request) =>
 *   request.form.get("grant_type") === "client_credentials"
 *     ? FakeHttp.json({ access_token: "AT", token_type: "Bearer", expires_in: 3600 })
 *     : FakeHttp.json({ error: "unsupported_grant_type" }, 400)
 * )
 * const transport = Transport.layer({ retry: false }).pipe(Layer.provide(http.layer))
 * // ... run the program with `transport`, then look at `http.seen`
 * const program = Effect.sync(() => http.seen.length)
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type { Fault } from "./Fault.js"
import * as internal from "./internal/fakeHttp.js"

/**
 * A request as the fake network saw it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Request {
  readonly method: string
  /** The absolute URL, query included. */
  readonly url: string
  /** The headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>
  /** The body as text (empty for a streamed or multipart body). */
  readonly body: string
  /** The body read as a form (`application/x-www-form-urlencoded`). */
  readonly form: URLSearchParams
}

/**
 * A request the fake `HttpClient` received, with the time it arrived.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientRequest extends Request {
  /** When it arrived, in milliseconds, by the `Clock` of the fiber that sent it (the `TestClock` in `it.effect`). */
  readonly at: number
}

/**
 * An answer: a web `Response`, or `"reset"` for a connection reset before any answer (a transport failure, which
 * the transport may retry).
 *
 * @since 0.1.0
 * @category models
 */
export type Answer = Response | "reset"

/**
 * Answers the `index`-th request (from 0). An `Effect` answer is run when the request arrives: `Effect.never` is a
 * server that never answers, `Effect.as(Effect.sleep("10 seconds"), response)` a slow one.
 *
 * @since 0.1.0
 * @category models
 */
export type Respond<R extends Request> = (request: R, index: number) => Answer | Effect.Effect<Answer>

/**
 * A fake `HttpClient`, as a value and as a layer, and the requests it received in order.
 *
 * @since 0.1.0
 * @category models
 */
export interface FakeClient {
  readonly seen: ReadonlyArray<ClientRequest>
  readonly client: HttpClient.HttpClient
  readonly layer: Layer.Layer<HttpClient.HttpClient>
}

/**
 * A fake `fetch`, the requests it received in order, and the URLs of the requests aborted while their answer was
 * pending (a timeout, an interruption).
 *
 * @since 0.1.0
 * @category models
 */
export interface FakeFetch {
  readonly seen: ReadonlyArray<Request>
  readonly aborted: ReadonlyArray<string>
  readonly fetch: typeof globalThis.fetch
}

/**
 * A fake `HttpClient` answering with `respond`. A `"reset"` answer fails the request with the platform's
 * `RequestError` (reason `Transport`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (respond: Respond<ClientRequest>) => FakeClient = internal.make

/**
 * A fake `fetch` answering with `respond`, for `Transport.layerFetch({ fetch })`. A `"reset"` answer rejects as
 * undici does for a reset connection (`TypeError: fetch failed`, cause `ECONNRESET`); an `Effect` answer still
 * pending when the request's signal aborts is abandoned and recorded in `aborted`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeFetch: (respond: Respond<Request>) => FakeFetch = internal.makeFetch

/**
 * A JSON answer: `application/json`, status 200 unless given, extra headers added.
 *
 * @since 0.1.0
 * @category constructors
 */
export const json: (body: unknown, status?: number, headers?: Readonly<Record<string, string>>) => Response = internal.json

/**
 * The answer of a canned {@link Fault}: the same outages and error answers as `TestServer.failNext`, from the fake.
 *
 * @example
 * ```ts
 * import { Fault, FakeHttp } from "@oauth2/testing"
 *
 * const http = FakeHttp.make(() => FakeHttp.fromFault(Fault.oauthError("invalid_client")))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromFault: (fault: Fault) => Response = internal.fromFault
