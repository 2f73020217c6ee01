/**
 * OpenID Connect Back-Channel Logout for a client: the server POSTs a logout token to the client's
 * `backchannel_logout_uri` when an end-user's session ends; the client validates it and ends its own sessions of
 * that end-user (`sub`) or of that session (`sid`).
 *
 * - {@link validate}: the logout token checked with the client in context (the server's issuer and cached JWKS,
 *   the client id, an `alg` allow-list; see `LogoutToken.validate` of `@oauth2/core` for every rule), then its
 *   `jti` remembered in the {@link ReplayCache}: a second token with the same `jti` is refused (`Replayed`).
 * - {@link handler}: an `@effect/platform` `HttpApp` for the POST: `application/x-www-form-urlencoded` with one
 *   `logout_token`; it calls your `onLogout` hook with the token's claims and answers 200, or 400 with a JSON error
 *   (`invalid_request`), always with `Cache-Control: no-store`. Mount it on a router with `HttpRouter.post`.
 * - {@link ReplayCache}: where seen `jti`s are kept until the token could no longer be accepted; in memory by
 *   default ({@link layerMemory}, bounded), replaceable by a layer (e.g. a shared store for a fleet).
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html
 * @since 0.1.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import type { Jwt, LogoutToken, OAuthError } from "@oauth2/core"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type { InvalidConfiguration } from "./ClientError.js"
import * as internal from "./internal/backchannelLogout.js"
import type * as OAuthClient from "./OAuthClient.js"

/**
 * Remembers the logout tokens already used, by issuer and `jti`.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#Validation
 * @since 0.1.0
 * @category models
 */
export interface ReplayCache {
  /**
   * Records a key until `until`: `true` when it was not known (the token is fresh), `false` when it was (a replay)
   * or when it cannot be recorded (e.g. a bounded store full of live keys): the token is then refused, never
   * accepted unrecorded. Atomic for one key: of two concurrent calls, one only gets `true`.
   */
  readonly remember: (key: string, until: DateTime.Utc) => Effect.Effect<boolean>
  /** Forgets a key (the sessions could not be ended: the server may send the same token again). */
  readonly forget: (key: string) => Effect.Effect<void>
  /** How many keys are remembered. */
  readonly size: Effect.Effect<number>
}

/**
 * The replay cache service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export const ReplayCache: Context.Tag<ReplayCache, ReplayCache> = internal.replayCacheTag

/**
 * Options of the in-memory replay cache.
 *
 * @since 0.1.0
 * @category models
 */
export interface MemoryReplayCacheOptions {
  /**
   * The most keys kept (10,000 by default). When full, expired keys are dropped; when it is still full of live keys,
   * a new key is refused (fail closed): the token is refused (`Replayed`, the handler answers 400 as OpenID Connect
   * Back-Channel Logout 1.0 section 2.8 asks for a failed logout) and the server may send it again later, while a
   * remembered token is never forgotten early, so a flood of valid tokens cannot open a replay window. Memory stays
   * bounded.
   */
  readonly capacity?: number
}

/**
 * An in-memory replay cache: keys are kept until their time (from `Clock`), at most `capacity` of them.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#Validation
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory: (options?: MemoryReplayCacheOptions) => Effect.Effect<ReplayCache> = internal.makeMemoryReplayCache

/**
 * The in-memory replay cache as a layer (one per process: use a shared one for a fleet of servers).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory = (options: MemoryReplayCacheOptions = {}): Layer.Layer<ReplayCache> => internal.layerMemory(options)

/**
 * The `Config` read by {@link layerConfig}: `OAUTH2_LOGOUT_REPLAY_CAPACITY` (an integer, 10,000 by default).
 *
 * @since 0.1.0
 * @category constructors
 */
export const config: Config.Config<MemoryReplayCacheOptions> = internal.config

/**
 * The in-memory replay cache as a layer, from `Config`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (config: Config.Config<MemoryReplayCacheOptions> = internal.config): Layer.Layer<ReplayCache, ConfigError.ConfigError> =>
  internal.layerConfig(config)

/**
 * How logout tokens are checked, besides the client's issuer, id and keys.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#Validation
 * @since 0.1.0
 * @category models
 */
export interface ValidateOptions {
  /** The accepted signature algorithms (the client's `id_token_signed_response_alg`); `["RS256"]` by default. */
  readonly algorithms?: ReadonlyArray<string> | undefined
  /** The client registered encrypted ID tokens: logout tokens are then JWEs too. */
  readonly encryption?: Jwt.Encryption | undefined
  /** The client's decryption key(s), for encrypted logout tokens. */
  readonly decryptionKeys?: Jwt.DecryptionKey | ReadonlyArray<Jwt.DecryptionKey> | undefined
  /** The tolerance on `iat` and `exp`: 30 seconds by default. */
  readonly clockTolerance?: Duration.DurationInput | undefined
  /** How old a logout token may be: 10 minutes by default (how long its `jti` is remembered, at most). */
  readonly maxAge?: Duration.DurationInput | undefined
}

/**
 * What {@link validate} may fail with: the token refused (`InvalidLogoutToken`, `Replayed` included), bad options,
 * a client without issuer, or the server's keys that could not be fetched.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#Validation
 * @since 0.1.0
 * @category errors
 */
export type ValidateError = LogoutToken.InvalidLogoutToken | OAuthError.InvalidArgument | InvalidConfiguration | OAuthClient.JwksError

/**
 * Validates a logout token with the client in context and refuses a replayed `jti`; the `jti` is then remembered.
 *
 * @example
 * ```ts
 * import { BackchannelLogout } from "@oauth2/http"
 * import { Effect } from "effect"
 *
 * declare const logoutToken: string
 * const program = BackchannelLogout.validate(logoutToken).pipe(
 *   Effect.map((claims) => ({ sub: claims.sub, sid: claims.sid })),
 *   Effect.catchTag("InvalidLogoutToken", (e) => Effect.fail(`refused: ${e.reason}`))
 * )
 * ```
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#Validation
 * @since 0.1.0
 * @category combinators
 */
export const validate: (
  logoutToken: string | Redacted.Redacted<string>,
  options?: ValidateOptions
) => Effect.Effect<LogoutToken.Claims, ValidateError, OAuthClient.OAuthClient | ReplayCache> = internal.validate

/**
 * Options of {@link handler}.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#BCRequest
 * @since 0.1.0
 * @category models
 */
export interface HandlerOptions<E = never> extends ValidateOptions {
  /**
   * Ends the client's sessions the token names: every session of `sub` when there is no `sid`, else the session
   * `sid` (of `sub`, when given). A failure answers 400 and forgets the `jti`, so that the server may retry.
   */
  readonly onLogout: (claims: LogoutToken.Claims) => Effect.Effect<void, E>
}

/**
 * The handler of the back-channel logout POST, as an `HttpApp` (resolved once with the client and the replay cache
 * in context): 405 for another method, 400 (`invalid_request` JSON) for a body that is not a form with exactly one
 * `logout_token`, a token refused, or a failing `onLogout`; 200 when the sessions were ended. Every answer has
 * `Cache-Control: no-store`.
 *
 * @example
 * ```ts
 * import { HttpRouter } from "@effect/platform"
 * import { BackchannelLogout } from "@oauth2/http"
 * import { Effect } from "effect"
 *
 * declare const endSessions: (by: { readonly sub?: string | undefined; readonly sid?: string | undefined }) => Effect.Effect<void>
 *
 * const router = Effect.map(
 *   BackchannelLogout.handler({ onLogout: (claims) => endSessions({ sub: claims.sub, sid: claims.sid }) }),
 *   (logout) => HttpRouter.empty.pipe(HttpRouter.post("/backchannel-logout", logout))
 * )
 * ```
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#BCResponse
 * @since 0.1.0
 * @category constructors
 */
export const handler: <E = never>(
  options: HandlerOptions<E>
) => Effect.Effect<HttpApp.Default<never, never>, never, OAuthClient.OAuthClient | ReplayCache> = internal.handler
