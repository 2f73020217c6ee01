/**
 * An `HttpClient` authenticated by a token source: every request carries `Authorization: Bearer` with a token from
 * the source (valid: the source renews it before it expires), and when the resource server refuses it with
 * `401` and `WWW-Authenticate: Bearer error="invalid_token"` (revoked, rotated keys, clock skew), the token is
 * invalidated and the request is sent once more with a new one.
 *
 * Built on `Bearer.withToken` of `@oauth2/http`, which refuses an expired token before sending it.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type { Dpop } from "@oauth2/http"
import { Bearer } from "@oauth2/http"
import type * as Effect from "effect/Effect"
import * as internal from "./internal/bearerClient.js"
import type * as TokenSource from "./TokenSource.js"

/**
 * Authenticates every request of a client with a token from `source`; on a `401` answer with
 * `error="invalid_token"`, invalidates that token and retries once (requests with a streamed body are not retried:
 * the stream cannot be sent twice). Any other answer, including a second `401`, is returned as is. The token is only
 * sent over https, or plain http to a loopback address, unless `allowInsecureHttp`.
 *
 * @example
 * ```ts
 * import { FetchHttpClient, HttpClient } from "@effect/platform"
 * import { TokenRequest } from "@oauth2/core"
 * import { BearerClient, TokenSource } from "@oauth2/flows"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const source = yield* TokenSource.make({ grant: TokenRequest.clientCredentials({ scope: "read" }) })
 *   const api = (yield* HttpClient.HttpClient).pipe(BearerClient.authenticate(source), HttpClient.filterStatusOk)
 *   const response = yield* api.get("https://api.example.com/me")
 *   return yield* response.json
 * }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 * @since 0.1.0
 * @category combinators
 */
export const authenticate: {
  <E2>(
    source: TokenSource.TokenSource<E2>,
    options?: Options
  ): <E, R>(
    self: HttpClient.HttpClient.With<E, R>
  ) => HttpClient.HttpClient.With<E | E2 | Bearer.ExpiredAccessToken | HttpClientError.RequestError, R>
  <E, R, E2>(
    self: HttpClient.HttpClient.With<E, R>,
    source: TokenSource.TokenSource<E2>,
    options?: Options
  ): HttpClient.HttpClient.With<E | E2 | Bearer.ExpiredAccessToken | HttpClientError.RequestError, R>
} = internal.authenticate

/**
 * Options of {@link authenticate}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-5.3
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * Send the token over plain http to any host. By default a token goes over https, or plain http to a loopback
   * address only (the transport's rule); any other request fails with a `RequestError` (`InvalidUrl`) unsent.
   */
  readonly allowInsecureHttp?: boolean
  /**
   * DPoP (RFC 9449): `DPoP` tokens go with a fresh proof per request and the server's nonce (see `Bearer.Options.dpop`
   * of `@oauth2/http`); {@link make} takes the `Dpop` service from the context when there is one.
   */
  readonly dpop?: Dpop.Dpop
}

/**
 * A challenge of a `WWW-Authenticate` header: its scheme (lower-cased) and parameters (names lower-cased). The same
 * type as `Bearer.Challenge` of `@oauth2/http`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1
 * @since 0.1.0
 * @category models
 */
export type Challenge = Bearer.Challenge

/**
 * Parses a `WWW-Authenticate` header value into its challenges: a scheme followed by `name=value` or
 * `name="quoted value"` parameters (a `token68` is skipped), challenges separated by commas. Parsing stops at the
 * first thing that is not a challenge; it never fails. The same parser as `Bearer.parseChallenges` of `@oauth2/http`
 * (which the transport uses too).
 *
 * @example
 * ```ts
 * import { BearerClient } from "@oauth2/flows"
 *
 * const [challenge] = BearerClient.parseChallenges(`Bearer error="insufficient_scope", scope="write"`)
 * console.log(challenge?.params.scope) // "write": ask for a token with that scope (step-up)
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 * @since 0.1.0
 * @category encoding
 */
export const parseChallenges: (header: string) => ReadonlyArray<Challenge> = Bearer.parseChallenges

/**
 * Whether an answer is a `401` whose `WWW-Authenticate` has a `Bearer` challenge with `error="invalid_token"`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 * @since 0.1.0
 * @category guards
 */
export const isInvalidToken: (response: HttpClientResponse.HttpClientResponse) => boolean = internal.isInvalidToken

/**
 * The `HttpClient` in context authenticated by the token source in context.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<
  HttpClient.HttpClient.With<HttpClientError.HttpClientError | TokenSource.TokenSourceError | Bearer.ExpiredAccessToken>,
  never,
  HttpClient.HttpClient | TokenSource.TokenSource
> = internal.make
