/**
 * Calling resource servers with an access token: an `HttpClient` middleware that adds `Authorization: Bearer` from
 * an effect producing a `BearerToken`.
 *
 * The effect is run for every request, so it can be a cached, self-renewing token source (see `@oauth2/flows`). A
 * token that is already expired is refused with {@link ExpiredAccessToken} before anything is sent. The token is
 * sent by the same rule as the authorization server's transport: over https, or plain http to a loopback address
 * only (`allowInsecureHttp` lifts this); any other request fails with the platform's `RequestError` (reason
 * `InvalidUrl`) before the token is read.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type { BearerToken } from "@oauth2/core"
import type * as Cause from "effect/Cause"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { Dpop } from "./Dpop.js"
import * as internal from "./internal/bearer.js"
import * as errors from "./internal/errors.js"
import * as challenge from "./internal/challenge.js"

/**
 * The type id of {@link ExpiredAccessToken}.
 *
 * @since 0.1.0
 * @category type ids
 */
export const ExpiredAccessTokenTypeId: unique symbol = Symbol.for("@oauth2/http/Bearer/ExpiredAccessToken")

/**
 * The type of {@link ExpiredAccessTokenTypeId}.
 *
 * @since 0.1.0
 * @category type ids
 */
export type ExpiredAccessTokenTypeId = typeof ExpiredAccessTokenTypeId

/**
 * The access token was expired (within the leeway) when a request was about to be sent with it.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 * @since 0.1.0
 * @category errors
 */
export interface ExpiredAccessToken extends Cause.YieldableError {
  readonly [ExpiredAccessTokenTypeId]: ExpiredAccessTokenTypeId
  readonly _tag: "ExpiredAccessToken"
  /** The request's method and URL (no query: it might hold secrets). */
  readonly request: string
  readonly message: string
}

/**
 * Whether a value is an {@link ExpiredAccessToken}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 * @since 0.1.0
 * @category guards
 */
export const isExpiredAccessToken: (u: unknown) => u is ExpiredAccessToken = errors.isExpiredAccessToken

/**
 * Options of {@link withToken}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** A token expiring within this leeway is refused too; zero by default. */
  readonly leeway?: Duration.DurationInput
  /**
   * Send the token over plain http to any host, not only to loopback addresses (a test network, a sidecar on a
   * private link). `false` by default: a bearer token over cleartext can be stolen and replayed by anyone on the path.
   */
  readonly allowInsecureHttp?: boolean
  /**
   * DPoP (RFC 9449): a `DPoP` token is sent as `Authorization: DPoP <token>` with a fresh proof for each request, the
   * server's `DPoP-Nonce` is remembered, and a 401 `use_dpop_nonce` challenge is answered by one more request with
   * it. A `Bearer` token is still sent as `Bearer`. Without this option a `DPoP` token is not sent at all (never
   * downgraded to `Bearer`): the request fails with a `RequestError` (reason `Encode`).
   *
   * @see https://www.rfc-editor.org/rfc/rfc9449#section-7
   */
  readonly dpop?: Dpop
}

/**
 * Adds `Authorization: Bearer <access token>` to every request of a client, taking the token from `token` each time.
 * The request fails with the token effect's error, with {@link ExpiredAccessToken} if the token is expired, or with a
 * `RequestError` (`InvalidUrl`) if the URL is plain http to a non-loopback host (see {@link Options.allowInsecureHttp}), or
 * (`Encode`) if the token is a `DPoP` token and no DPoP key is given (see {@link Options.dpop}).
 *
 * @example
 * ```ts
 * import { FetchHttpClient, HttpClient } from "@effect/platform"
 * import { BearerToken } from "@oauth2/core"
 * import { Bearer } from "@oauth2/http"
 * import { DateTime, Effect } from "effect"
 *
 * const token = BearerToken.make({ accessToken: "at", issuedAt: DateTime.unsafeMake(0) })
 *
 * const program = Effect.gen(function* () {
 *   const api = (yield* HttpClient.HttpClient).pipe(Bearer.withToken(Effect.succeed(token)), HttpClient.filterStatusOk)
 *   const response = yield* api.get("https://api.example.com/me")
 *   return yield* response.json
 * }).pipe(Effect.provide(FetchHttpClient.layer))
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 * @since 0.1.0
 * @category combinators
 */
export const withToken: {
  <E2, R2>(
    token: Effect.Effect<BearerToken.BearerToken, E2, R2>,
    options?: Options
  ): <E, R>(self: HttpClient.HttpClient.With<E, R>) => HttpClient.HttpClient.With<E | E2 | ExpiredAccessToken | HttpClientError.RequestError, R | R2>
  <E, R, E2, R2>(
    self: HttpClient.HttpClient.With<E, R>,
    token: Effect.Effect<BearerToken.BearerToken, E2, R2>,
    options?: Options
  ): HttpClient.HttpClient.With<E | E2 | ExpiredAccessToken | HttpClientError.RequestError, R | R2>
} = internal.withToken

/**
 * Builds an {@link ExpiredAccessToken}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const expiredAccessToken: (request: string) => ExpiredAccessToken = errors.expiredAccessToken

/**
 * A challenge of a `WWW-Authenticate` header: its scheme (lower-cased) and parameters (names lower-cased). The
 * parameters object has no prototype: a parameter the server did not send reads `undefined`, whatever its name.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1
 * @since 0.1.0
 * @category models
 */
export interface Challenge {
  readonly scheme: string
  readonly params: Readonly<Record<string, string>>
}

/**
 * Parses a `WWW-Authenticate` header value into its challenges: a scheme followed by `name=value` or
 * `name="quoted value"` parameters (or a `token68`, skipped), challenges separated by commas. A parameter sent twice
 * keeps its first value; `__proto__` and `constructor` are ordinary names. Parsing stops at the first thing that is
 * not a challenge and returns the challenges before it; it never fails. The transport reads OAuth errors answered
 * without a JSON body (`Bearer error="invalid_token"`) with it, and so does `BearerClient` of `@oauth2/flows`.
 *
 * @example
 * ```ts
 * import { Bearer } from "@oauth2/http"
 *
 * const [challenge] = Bearer.parseChallenges(`Bearer error="insufficient_scope", scope="write"`)
 * console.log(challenge?.params.scope) // "write": ask for a token with that scope (step-up)
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 * @since 0.1.0
 * @category encoding
 */
export const parseChallenges: (header: string) => ReadonlyArray<Challenge> = challenge.parseChallenges
