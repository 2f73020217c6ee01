/**
 * The transport: the one service through which every back-channel request to an Authorization Server goes.
 *
 * Three implementations share every rule and one contract test suite:
 * - `NodeTransport.layer` (module `@oauth2/http/NodeTransport`, Node.js only) sends over undici's `request`: the
 *   fastest on Node.js (a whole token call costs less than a bare `fetch` call); not in this barrel, which stays free
 *   of Node built-ins.
 * - {@link layerFetch} (the default everywhere else) calls `fetch` directly and reads the answer in one pass, without
 *   `@effect/platform`'s `HttpClient`. A custom `fetch` (a proxy, instrumentation, a fake in tests) and extra
 *   `RequestInit` fields are options.
 * - {@link layer} runs over the `@effect/platform` `HttpClient` in context, for users who bring platform middleware,
 *   a platform client of their own, or a `FetchHttpClient.RequestInit`.
 *
 * All are safe by default: form posts are `application/x-www-form-urlencoded` UTF-8 and ask for JSON; redirects are
 * never followed; answers over a size limit are refused without being held whole (a declared `Content-Length` is
 * checked first, bytes are counted as they arrive for chunked or compressed answers); each request has a timeout
 * (from the `Clock`, so it runs under `TestClock`) and interruption aborts it; endpoint URLs must be `https` (plain
 * `http` only on loopback or when allowed); transient failures are retried by a `Schedule` only for requests that
 * may be repeated; every call is one span named after its endpoint, without secrets, sent to the tracer you install
 * (with none installed, effect's built-in tracer exports nothing and the span is skipped: it would cost about a quarter
 * of a loopback call).
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as Headers from "@effect/platform/Headers"
import type * as HttpClient from "@effect/platform/HttpClient"
import type { OAuthError, Params } from "@oauth2/core"
import { Url } from "@oauth2/core"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import * as platform from "./internal/httpClientTransport.js"
import * as internal from "./internal/transport.js"
import type { InvalidConfiguration } from "./ClientError.js"
import type { TransportError } from "./TransportError.js"

/**
 * Options of the transport.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The largest answer accepted, in bytes; 1 MiB by default. */
  readonly maxResponseBytes?: number
  /** The longest a request may take, answer read included; 30 seconds by default. */
  readonly timeout?: Duration.DurationInput
  /** Allow plain `http` endpoints on non-loopback hosts (never do this in production). */
  readonly allowInsecureHttp?: boolean
  /**
   * The retry policy for transient failures (transport errors, timeouts, 429, 5xx) of requests that may be repeated;
   * `Retry-After` is honoured (up to one minute). `false` disables retries. Default: 3 retries with exponential
   * backoff from 250 ms.
   */
  readonly retry?: Schedule.Schedule<unknown, RetryInput> | false
  /**
   * Send trace context headers (`traceparent`, `b3`) to the Authorization Server; off by default, since the AS is
   * usually another organisation's service.
   */
  readonly tracePropagation?: boolean
}

/**
 * Options of the fetch transport ({@link layerFetch}, {@link makeFetch}).
 *
 * @since 0.2.0
 * @category models
 */
export interface FetchOptions extends Options {
  /**
   * The `fetch` to call: `globalThis.fetch` (looked up at each call) by default. Give your own for a proxy, an mTLS
   * agent's fetch, instrumentation, or an in-memory fake in tests.
   */
  readonly fetch?: typeof globalThis.fetch
  /**
   * Extra `RequestInit` fields for every request (undici's `dispatcher` for a proxy or a client certificate, ...).
   * `method`, `headers`, `body`, `signal` and `redirect: "manual"` are always the transport's own.
   */
  readonly requestInit?: RequestInit
}

/**
 * What a retry schedule sees of a failed attempt.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryInput {
  readonly error: unknown
  /** The server's `Retry-After`, when it sent one. */
  readonly retryAfter?: Duration.Duration
}

/**
 * A back-channel request.
 *
 * @since 0.1.0
 * @category models
 */
export interface Request<E extends OAuthError.Endpoint = OAuthError.Endpoint, A = never> {
  readonly endpoint: E
  /** `PUT` and `DELETE` serve client registration management (RFC 7592). */
  readonly method: "GET" | "POST" | "PUT" | "DELETE"
  readonly url: string
  /** Form parameters: the body of a POST. */
  readonly params?: Params.Params
  /** A JSON body (sent as `application/json`, e.g. client metadata, RFC 7591) instead of form parameters. */
  readonly json?: unknown
  /** Extra headers; secret ones stay `Redacted` until sent. */
  readonly headers?: Readonly<Record<string, string | Redacted.Redacted<string>>>
  /** The `Accept` header; `application/json` by default. */
  readonly accept?: string
  /**
   * Whether transient failures may be retried: true only for idempotent calls (discovery, JWKS, userinfo,
   * introspection, revocation) and repeatable grants (client credentials). Never for a code, refresh token, device
   * code or CIBA poll.
   */
  readonly retry: boolean
  /**
   * Client authentication, run before each attempt (so that a retried request carries a fresh client assertion,
   * with a new `jti` and a new expiry): it receives the request's params and headers and returns them authenticated.
   */
  readonly authenticate?: (request: {
    readonly params: Params.Params
    readonly headers: Readonly<Record<string, string | Redacted.Redacted<string>>>
  }) => Effect.Effect<{ readonly params: Params.Params; readonly headers: Readonly<Record<string, string | Redacted.Redacted<string>>> }, A>
  /**
   * Called with the status and headers of every answer of every attempt, error answers included, before it is
   * classified (how DPoP remembers the server's `DPoP-Nonce`).
   */
  readonly onResponse?: (response: { readonly status: number; readonly headers: Headers.Headers }) => void
}

/**
 * A successful (2xx) answer, read whole (within the size limit).
 *
 * @since 0.1.0
 * @category models
 */
export interface Response {
  readonly status: number
  readonly headers: Headers.Headers
  /** The media type, lower-cased, without parameters. */
  readonly contentType: string | undefined
  readonly body: string
}

/**
 * The transport service: its interface is also the identifier of its tag.
 *
 * @since 0.1.0
 * @category models
 */
export interface Transport {
  /**
   * Sends a request. A 2xx answer succeeds; an OAuth error answer (JSON body, or `WWW-Authenticate` for bearer
   * endpoints) fails with its `OAuthError` tag; any other answer with `UnexpectedResponse`; a redirect, a timeout,
   * an oversized answer or a network failure with a `TransportError`.
   */
  readonly send: <E extends OAuthError.Endpoint, A = never>(
    request: Request<E, A>
  ) => Effect.Effect<Response, TransportError | OAuthError.ErrorOf<E> | OAuthError.UnexpectedResponse | A>
  /** Checks an endpoint URL against the transport's rules (absolute `https`, or `http` on loopback or when allowed). */
  readonly validateUrl: (field: string, url: string) => Either.Either<URL, InvalidConfiguration>
  /** The options in force. */
  readonly options: Required<Omit<Options, "retry">> & { readonly retry: Schedule.Schedule<unknown, RetryInput> | false }
}

/**
 * The transport service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export const Transport: Context.Tag<Transport, Transport> = internal.tag

/**
 * The default retry policy: 3 retries, exponential backoff from 250 ms.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultRetry: Schedule.Schedule<unknown, RetryInput> = internal.defaultRetry

/**
 * Builds the fetch transport (see {@link layerFetch}).
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeFetch: (options?: FetchOptions) => Transport = internal.makeFetch

/**
 * The transport over `fetch`: the default. It calls `fetch` directly and reads each answer in one pass, without
 * `@effect/platform`'s `HttpClient`; a custom `fetch` or extra `RequestInit` fields (a proxy `dispatcher`, a client
 * certificate) are options.
 *
 * @example
 * ```ts
 * import { Transport } from "@oauth2/http"
 *
 * const TransportLive = Transport.layerFetch({ timeout: "10 seconds", maxResponseBytes: 256 * 1024 })
 *
 * // an in-memory server for tests: any function with fetch's signature
 * const TransportTest = Transport.layerFetch({
 *   fetch: async () => Response.json({ access_token: "a", token_type: "Bearer", expires_in: 60 })
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFetch = (options?: FetchOptions): Layer.Layer<Transport> => internal.layerFetch(options)

/**
 * The fetch transport with options read from `Config`: `OAUTH2_TIMEOUT` (a duration), `OAUTH2_MAX_RESPONSE_BYTES`,
 * `OAUTH2_ALLOW_INSECURE_HTTP`, under an optional prefix via `Config.nested`.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerFetchConfig = (config: Config.Config<Options> = internal.config): Layer.Layer<Transport, ConfigError.ConfigError> =>
  internal.layerFetchConfig(config)

/**
 * Builds the transport over the `@effect/platform` `HttpClient` in context (see {@link layer}). If a
 * `FetchHttpClient.RequestInit` is in context (a proxy dispatcher, a client certificate), it is kept, with
 * `redirect: "manual"` added.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<Transport, never, HttpClient.HttpClient> = platform.make

/**
 * The transport as a layer over the `@effect/platform` `HttpClient` in context: for platform middleware or a
 * platform client of your own. It follows the same rules as {@link layerFetch}; reading the answer through the
 * platform's body stream costs more per call.
 *
 * @example
 * ```ts
 * import { Transport } from "@oauth2/http"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer } from "effect"
 *
 * const TransportLive = Transport.layer({ timeout: "10 seconds", maxResponseBytes: 256 * 1024 }).pipe(
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<Transport, never, HttpClient.HttpClient> => platform.layer(options)

/**
 * The `HttpClient` transport with options read from `Config` (the names of {@link layerFetchConfig}).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<Options> = internal.config
): Layer.Layer<Transport, ConfigError.ConfigError, HttpClient.HttpClient> => platform.layerConfig(config)

/**
 * The `Config` read by {@link layerFetchConfig} and {@link layerConfig}: `OAUTH2_TIMEOUT` (a duration),
 * `OAUTH2_MAX_RESPONSE_BYTES`, `OAUTH2_ALLOW_INSECURE_HTTP`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const config: Config.Config<Options> = internal.config

/**
 * Sends a request with the transport in context.
 *
 * @since 0.1.0
 * @category combinators
 */
export const send = <E extends OAuthError.Endpoint, A = never>(
  request: Request<E, A>
): Effect.Effect<Response, TransportError | OAuthError.ErrorOf<E> | OAuthError.UnexpectedResponse | A, Transport> => internal.send(request)

/**
 * Parses a successful answer as a JSON value; a body that is not JSON is an `UnexpectedResponse`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const json: (endpoint: OAuthError.Endpoint, response: Response) => Either.Either<unknown, OAuthError.UnexpectedResponse> = internal.json

/**
 * Whether a URL's host is a loopback host (`localhost`, `127.0.0.0/8`, `[::1]`; not a name that only starts like one,
 * such as `127.evil.com`): where the transport accepts plain `http` without `allowInsecureHttp`. The same rule as
 * `Url.isLoopback` of `@oauth2/core`, which it is.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 * @since 0.1.0
 * @category guards
 */
export const isLoopback: (url: URL) => boolean = Url.isLoopback

/**
 * The fetch client, re-exported for convenience: `Transport.layer(...)` over `FetchHttpClient.layer`.
 *
 * @since 0.1.0
 * @category layers
 */
export const fetchLayer: Layer.Layer<HttpClient.HttpClient> = FetchHttpClient.layer
