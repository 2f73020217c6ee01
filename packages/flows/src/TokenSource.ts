/**
 * Self-renewing token sources: ask for a token whenever you need one, and get a valid one.
 *
 * A token source fetches a token on first use, caches it, and renews it when it expires within a leeway (30 seconds
 * by default, or half the token's lifetime when that is shorter, so that short-lived tokens are not renewed at every
 * call): with the refresh token when there is one, falling back to the original grant when the refresh token
 * is refused (`invalid_grant`, or any non-transient 4xx) and that grant can be repeated (client credentials,
 * password, or a program marked with {@link repeatable}); otherwise the first failure is `TokenUnavailable`
 * (`RefreshRefused`). Concurrent callers share one renewal (single-flight): 10,000 fibers asking at once for an expired token
 * cause exactly one token request; if it fails, they all get its error and the next call tries again. A renewal
 * that fails while the token in hand is still valid (inside the leeway) is logged, and the token in hand is used
 * until it really expires.
 *
 * With a `KeyValueStore`, the token survives a restart: it is stored serialized with its absolute expiry
 * (`BearerToken.serialize`) after each renewal, and read back on first use. Tokens are never logged.
 *
 * With a {@link Coordinator} (`@oauth2/redis` makes one on Redis), the token and its renewals are shared by every
 * process of a fleet: one token request for all of them, the refresh token used by one process at a time.
 *
 * @since 0.1.0
 */
import type * as KeyValueStore from "@effect/platform/KeyValueStore"
import type { BearerToken, IdToken, TokenRequest } from "@oauth2/core"
import type { ClientError, OAuthClient } from "@oauth2/http"
import type * as Cause from "effect/Cause"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as errors from "./internal/errors.js"
import * as internal from "./internal/tokenSource.js"

/**
 * The type id of {@link TokenUnavailable}.
 *
 * @since 0.1.0
 * @category type ids
 */
export const TokenUnavailableTypeId: unique symbol = Symbol.for("@oauth2/flows/TokenSource/TokenUnavailable")

/**
 * The type of {@link TokenUnavailableTypeId}.
 *
 * @since 0.1.0
 * @category type ids
 */
export type TokenUnavailableTypeId = typeof TokenUnavailableTypeId

/**
 * No token can be had: start the user's flow again.
 *
 * - `NoGrant`: the source has no usable token and nothing to obtain one with.
 * - `NotRenewable`: its token expired or was invalidated, it has no usable refresh token, and its grant was
 *   single-use.
 * - `RefreshRefused`: the authorization server refused the refresh token (`invalid_grant`, or any other
 *   non-transient 4xx answer such as a bare 400) and the grant cannot be repeated. The server's answer is `cause`.
 *   The dead refresh token is dropped, never sent again.
 * - `BackingOff`: with a {@link Coordinator}, the fleet's renewal failed in another process moments ago, and is not
 *   tried again by every process in turn: each fails at once until the coordinator's back-off ends. What the other
 *   process saw (its error's tag and code) is `cause`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @since 0.1.0
 * @category errors
 */
export interface TokenUnavailable extends Cause.YieldableError {
  readonly [TokenUnavailableTypeId]: TokenUnavailableTypeId
  readonly _tag: "TokenUnavailable"
  readonly reason: "NoGrant" | "NotRenewable" | "RefreshRefused" | "BackingOff"
  readonly message: string
  /** The error that made the token unavailable (the refused refresh's answer), when there is one. */
  readonly cause?: unknown
}

/**
 * Whether a value is a {@link TokenUnavailable}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @since 0.1.0
 * @category guards
 */
export const isTokenUnavailable: (u: unknown) => u is TokenUnavailable = errors.isTokenUnavailable

/**
 * A grant program that may be run again for every renewal, made with {@link repeatable}: one that builds a fresh
 * request each time (e.g. signs a new JWT bearer assertion with a new `jti`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.1
 * @since 0.1.0
 * @category models
 */
export interface RepeatableGrant<E = never> {
  readonly _tag: "RepeatableGrant"
  readonly program: Effect.Effect<BearerToken.BearerToken, E, OAuthClient.OAuthClient>
}

/**
 * Marks a grant program as repeatable: the token source runs it again whenever it needs a new token and has no
 * usable refresh token. Only mark programs that obtain a new grant each time (client credentials, a freshly signed
 * JWT bearer assertion); a program that polls a device code, a CIBA request or redeems an authorization code is
 * single-use and must stay unmarked.
 *
 * @example
 * ```ts
 * import { Grants, TokenSource } from "@oauth2/flows"
 * import { Effect } from "effect"
 *
 * declare const signAssertion: Effect.Effect<string> // signs { iss, sub, aud, exp, jti } with your key
 *
 * const source = TokenSource.make({
 *   grant: TokenSource.repeatable(Effect.flatMap(signAssertion, (assertion) => Grants.jwtBearer({ assertion })))
 * })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.1
 * @since 0.1.0
 * @category constructors
 */
export const repeatable: <E>(program: Effect.Effect<BearerToken.BearerToken, E, OAuthClient.OAuthClient>) => RepeatableGrant<E> = internal.repeatable

/**
 * What a token source built on the client may fail with: a token request's errors, {@link TokenUnavailable}, or a
 * refreshed ID token that fails validation (`InvalidIdToken`; `InvalidConfiguration` without an issuer to check it).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @since 0.1.0
 * @category errors
 */
export type TokenSourceError =
  OAuthClient.CallError<"token"> | TokenUnavailable | IdToken.InvalidIdToken | ClientError.InvalidConfiguration | OAuthClient.JwksError

/**
 * A token source.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @since 0.1.0
 * @category models
 */
export interface TokenSource<E = TokenSourceError> {
  /**
   * A token that does not expire within the leeway: the cached one, or a renewed one (one renewal for all concurrent
   * callers). If a renewal fails while the cached token is still valid, the cached token is answered.
   */
  readonly get: Effect.Effect<BearerToken.BearerToken, E>
  /** Renews now, even if the cached token is still valid (joins a renewal in progress). */
  readonly renew: Effect.Effect<BearerToken.BearerToken, E>
  /**
   * Marks the access token as unusable (a resource server answered `invalid_token`): the next {@link TokenSource.get}
   * renews, with the refresh token if there is one. Given a token, only invalidates if it is still the cached one, so
   * that a token renewed meanwhile by another fiber is kept.
   */
  readonly invalidate: (token?: BearerToken.BearerToken) => Effect.Effect<void>
  /** The cached token, if any and not invalidated, without renewing it (it may be expired). */
  readonly current: Effect.Effect<Option.Option<BearerToken.BearerToken>>
}

/**
 * Where a token source keeps its token across restarts.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.3
 * @since 0.1.0
 * @category models
 */
export interface Store {
  readonly store: KeyValueStore.KeyValueStore
  /** The key of this source's token. */
  readonly key: string
}

/**
 * One renewal offered to a {@link Coordinator}: what the token source would do, and what it would take instead.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @since 0.1.0
 * @category models
 */
export interface Renewal<E> {
  /** The token in hand (possibly expired or invalidated), if any. */
  readonly current: BearerToken.BearerToken | undefined
  /**
   * Whether a token found in the shared store may be answered instead of renewing (`now` in epoch milliseconds): it
   * does not expire within the leeway, and it is not the token being replaced (an invalidated one, or the one in hand
   * on `renew`).
   */
  readonly accept: (token: BearerToken.BearerToken, now: number) => boolean
  /**
   * The renewal itself, from a given token: refreshes its refresh token when it has one (else the grant). Pass the
   * freshest token known (the shared one), so that a refresh token rotated by another process is the one used.
   */
  readonly renew: (current: BearerToken.BearerToken | undefined) => Effect.Effect<BearerToken.BearerToken, E>
  /**
   * The error of this renewal when the coordinator answers it without renewing: `BackingOff` (the fleet's renewal just
   * failed elsewhere), `NoGrant` (the shared token was removed: a logout).
   */
  readonly unavailable: (reason: TokenUnavailable["reason"], cause?: unknown) => E
  /**
   * Revokes a token obtained by `renew` that will not be used (the shared token was removed, a logout, while the
   * renewal ran): its refresh token, then its access token. Failures are logged, never raised.
   *
   * @see https://www.rfc-editor.org/rfc/rfc7009#section-2
   */
  readonly revoke: (token: BearerToken.BearerToken) => Effect.Effect<void>
}

/**
 * Shares one token and its renewals between processes (a fleet), given as {@link Options.coordinator}:
 * `@oauth2/redis` makes one. The token source keeps its own cache and its single-flight within the process, and hands
 * each renewal (one at a time per process) to the coordinator, which answers a token renewed by another process
 * when there is one (`accept`), else runs `renew` as the one renewal of the fleet and shares its result. When the
 * shared store is unavailable, a coordinator runs `renew` locally: the source keeps working on its own.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @since 0.1.0
 * @category models
 */
export interface Coordinator {
  /** Runs one renewal for the whole fleet (see {@link Renewal}); never fails with the store's errors. */
  readonly renew: <E>(renewal: Renewal<E>) => Effect.Effect<BearerToken.BearerToken, E>
  /**
   * The token was invalidated (a resource server refused it): the shared copy, if it is still this token, reads as
   * expired from now on (its refresh token kept).
   */
  readonly invalidate: (token: BearerToken.BearerToken) => Effect.Effect<void>
  /** The shared token as it is, without renewing it (none when there is none, or the store is unavailable). */
  readonly current?: Effect.Effect<Option.Option<BearerToken.BearerToken>>
  /**
   * Shares a token obtained outside a renewal (an end-user's login: `KeyedTokenSource.set`), in place of the shared
   * one; a renewal in progress elsewhere does not store its token over it.
   */
  readonly put?: (token: BearerToken.BearerToken) => Effect.Effect<void>
  /**
   * Removes the shared token (a logout: `KeyedTokenSource.logout`) and answers it, so that it can be revoked; a
   * renewal in progress elsewhere does not store its token back, and later renewals fail with `NoGrant` until a new
   * token is put.
   */
  readonly remove?: Effect.Effect<Option.Option<BearerToken.BearerToken>>
  /**
   * Registers what to do when the shared token is removed (a logout in another process): the token source made with
   * this coordinator drops the token it holds, so that it is not served until it expires. Kept for the
   * coordinator's life (a coordinator serves one token source).
   */
  readonly onRemoved?: (listener: () => void) => Effect.Effect<void>
}

/**
 * Parameters of the refresh requests of a token source.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @since 0.1.0
 * @category models
 */
export interface RefreshOptions {
  /** A narrower scope than the original grant's. */
  readonly scope?: string | ReadonlyArray<string>
  /** Resource indicators (RFC 8707). */
  readonly resource?: string | ReadonlyArray<string>
  readonly extra?: TokenRequest.Extra
}

/**
 * Options of {@link make}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @since 0.1.0
 * @category models
 */
export interface Options<E = never> {
  /**
   * How to obtain a new token: a token request sent with the client (repeated when it can be: client credentials
   * and password, see `TokenRequest.isRepeatable`; a single-use one, like an authorization code, is sent once), or
   * a program, which may use the client. A program is single-use (run once: it may poll a device code or a CIBA
   * request, which cannot be redeemed twice) unless marked with {@link repeatable}.
   */
  readonly grant?: TokenRequest.TokenRequest | Effect.Effect<BearerToken.BearerToken, E, OAuthClient.OAuthClient> | RepeatableGrant<E>
  /** A token already obtained (from a device, CIBA or authorization code flow): used until it expires, then refreshed. */
  readonly token?: BearerToken.BearerToken
  /** Renew a token that expires within this leeway (or half its lifetime, if shorter); 30 seconds by default. */
  readonly leeway?: Duration.DurationInput
  /**
   * Parameters of refresh requests (`scope`, `resource`, `extra`), or `false` never to refresh. By default the refresh
   * token is used whenever there is one.
   */
  readonly refresh?: false | RefreshOptions
  /** Keep the token in a `KeyValueStore` (serialized, with its absolute expiry). */
  readonly store?: Store
  /**
   * Share the token and its renewals with other processes (one token request for the whole fleet), e.g. through
   * Redis with `@oauth2/redis`. The coordinator keeps the token: {@link Options.store} is not used with one.
   */
  readonly coordinator?: Coordinator
  /**
   * Validate the ID token of each refresh answer that has one (`client.refresh` of `@oauth2/http`: signature,
   * issuer, audience, `iat`/`exp`, `at_hash`, and the `iss` and `sub` of {@link Options.idToken} or of the previous
   * refresh kept), and of the answer to a token request {@link Options.grant} (`client.validateToken`; its claims are
   * kept for the refreshes): `true` by default. `false` takes ID tokens unchecked: only for a source whose ID token
   * nobody reads.
   *
   * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
   */
  readonly validateIdToken?: boolean
  /**
   * The claims of the validated ID token that came with {@link Options.token} (the `idToken` of
   * `client.authorizationCode`'s answer): a refreshed ID token must be about the same end-user (`sub`, `iss`).
   */
  readonly idToken?: IdToken.Claims
}

/**
 * The token source service (one per application; build more with {@link make}).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @since 0.1.0
 * @category tags
 */
export const TokenSource: Context.Tag<TokenSource, TokenSource> = internal.tag

/**
 * The default leeway: 30 seconds.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @since 0.1.0
 * @category models
 */
export const defaultLeeway: Duration.Duration = internal.defaultLeeway

/**
 * Builds a token source on the client in context. Renewals run in the current scope, so a caller interrupted while
 * waiting does not cancel a renewal other callers wait for.
 *
 * @example
 * ```ts
 * import { TokenRequest } from "@oauth2/core"
 * import { TokenSource } from "@oauth2/flows"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const source = yield* TokenSource.make({
 *     grant: TokenRequest.clientCredentials({ scope: "read", audience: "https://api.example.com" }),
 *     leeway: "1 minute"
 *   })
 *   const token = yield* source.get // fetched once, then cached and renewed before it expires
 *   return token.scope
 * }).pipe(Effect.scoped)
 * ```
 *
 * @example
 * ```ts
 * import { KeyValueStore } from "@effect/platform"
 * import { TokenRequest } from "@oauth2/core"
 * import { TokenSource } from "@oauth2/flows"
 * import { Effect, Layer } from "effect"
 *
 * // a token that survives restarts: stored (with its absolute expiry) in a KeyValueStore
 * const TokenSourceLive = Layer.scoped(
 *   TokenSource.TokenSource,
 *   Effect.flatMap(KeyValueStore.KeyValueStore, (store) =>
 *     TokenSource.make({ grant: TokenRequest.clientCredentials({ scope: "read" }), store: { store, key: "api-token" } })
 *   )
 * )
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @since 0.1.0
 * @category constructors
 */
export const make: <E = never>(
  options: Options<E>
) => Effect.Effect<TokenSource<E | TokenSourceError>, never, OAuthClient.OAuthClient | Scope.Scope> = internal.make

/**
 * Builds a {@link TokenUnavailable}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @since 0.1.0
 * @category constructors
 */
export const tokenUnavailable: (reason: TokenUnavailable["reason"], cause?: unknown) => TokenUnavailable = errors.tokenUnavailable

/**
 * The token source as a layer, on the client in context.
 *
 * @example
 * ```ts
 * import { TokenRequest } from "@oauth2/core"
 * import { TokenSource } from "@oauth2/flows"
 * import { OAuthClient, Transport } from "@oauth2/http"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * const ClientLive = OAuthClient.layer({
 *   clientId: "my-client",
 *   clientSecret: Redacted.make("my-secret"),
 *   endpoints: { tokenEndpoint: "https://as.example.com/oauth/token" }
 * }).pipe(Layer.provide(Transport.layerFetch()))
 * const TokenSourceLive = TokenSource.layer({ grant: TokenRequest.clientCredentials({ scope: "read" }) }).pipe(
 *   Layer.provide(ClientLive)
 * )
 *
 * const program = Effect.flatMap(TokenSource.TokenSource, (source) => source.get).pipe(Effect.provide(TokenSourceLive))
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options<never>): Layer.Layer<TokenSource, never, OAuthClient.OAuthClient> => internal.layer(options)

/**
 * The `Config` read by {@link layerConfig}: a client credentials source with `OAUTH2_SCOPE`, `OAUTH2_AUDIENCE` and
 * `OAUTH2_RESOURCE` (space-separated lists, optional) and `OAUTH2_TOKEN_LEEWAY` (a duration, 30 seconds by default).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 * @since 0.1.0
 * @category constructors
 */
export const config: Config.Config<Options<never>> = internal.config

/**
 * A client credentials token source as a layer, from `Config` (environment variables by default).
 *
 *
 * @example
 * ```ts
 * import { TokenSource } from "@oauth2/flows"
 * import { OAuthClient, Transport } from "@oauth2/http"
 * import { Layer } from "effect"
 *
 * // OAUTH2_ISSUER, OAUTH2_CLIENT_ID, OAUTH2_CLIENT_SECRET, OAUTH2_SCOPE, OAUTH2_AUDIENCE, OAUTH2_TOKEN_LEEWAY
 * const TokenSourceLive = TokenSource.layerConfig().pipe(
 *   Layer.provide(OAuthClient.layerConfig()),
 *   Layer.provide(Transport.layerFetch())
 * )
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<Options<never>> = internal.config
): Layer.Layer<TokenSource, ConfigError.ConfigError, OAuthClient.OAuthClient> => internal.layerConfig(config)
