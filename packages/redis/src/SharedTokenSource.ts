/**
 * One token for a whole fleet: a `TokenSource` of `@oauth2/flows` whose token and renewals are shared through Redis.
 *
 * Every process keeps its own cache and its own single-flight; when the token needs renewing, the process reads the
 * shared entry first (another process may have renewed it already), and otherwise takes a lock (`SET NX PX`, with a
 * random owner value and a TTL) so that one process in the fleet sends the token request. The others wait for its
 * announcement (pub/sub; at most {@link CoordinatorOptions.wait} between looks) and read the stored token. So N
 * processes of M fibers asking for an expired token make one token request.
 *
 * - The lock is released only by its owner (compare and delete, in a script), and extended by it while it renews; a
 *   holder that dies leaves it to expire after {@link CoordinatorOptions.lockTtl}, and another process renews then.
 * - Fencing: a token is stored only if the entry's version is still the one seen when the lock was taken (compared
 *   and incremented atomically, in a script), so a slow holder that lost its lock cannot overwrite a newer token.
 * - Rotating refresh tokens: the refresh token used is the shared one (rotated by whoever renewed last), by the lock's
 *   holder only, and the rotated one is stored with the new access token in the same entry, at once.
 * - A refresh token the server refuses (`invalid_grant`) is removed from the shared entry by the holder (under the
 *   fence, before it releases the lock): no process sends it again, and the fleet then fails (or uses a repeatable
 *   grant) as a source alone does.
 * - Tokens are encrypted at rest with AES-256-GCM (WebCrypto): the envelope names its key id, the first key of
 *   {@link CoordinatorOptions.keys} encrypts and every listed key decrypts (rotation, in two deploys: `[old, new]`
 *   everywhere, then `[new, old]`, then drop `old` once every entry has been renewed). The entry's TTL is the access token's expiry (plus
 *   {@link CoordinatorOptions.refreshTokenRetention} when it has a refresh token). An entry that does not decrypt to
 *   a token (corrupt, foreign, under a dropped key) is ignored, with a warning, and replaced by the next renewal.
 * - A holder that stalls for longer than the lock's TTL takes its lock back if nobody took it meanwhile; if another
 *   process did, it stops extending it (with a warning), and its write is fenced.
 * - The entry outlives a renewal in progress: it is kept at least as long as the lock, so an access token that
 *   expires while its replacement is requested does not take the entry (and the holder's fenced write) with it.
 * - A failed renewal (the server down, the client refused) is not tried again by every waiting process in turn: the
 *   holder leaves the failure (its error's tag and OAuth code) for {@link CoordinatorOptions.failureBackoff}, during
 *   which the others fail at once with `TokenUnavailable` (`BackingOff`); a token in hand that is still valid is
 *   served meanwhile.
 * - Redis unavailable: the source serves its local cache and renews on its own (local single-flight), with one
 *   warning (not one per call), and shares again when Redis answers, without a restart. A refresh token rotated on
 *   its own meanwhile is newer than the shared one: the next shared renewal passes over an entry still carrying the
 *   refresh token this process spent, refreshes with its own, and shares the result.
 * - A renewal interrupted (the source's scope closed) releases its lock at once; every Redis call is bounded by the
 *   lock's TTL. Logs and spans name the key by a digest unless {@link CoordinatorOptions.logKey} names it.
 * - Per-user tokens (`KeyedTokenSource` of `@oauth2/flows` with a coordinator per key): a login (`set`) is shared
 *   at once, in place of the shared token (a renewal in progress elsewhere does not store over it; a login made while
 *   Redis does not answer is put at the process' next renewal, unless a logout came after it); a logout removes the
 *   shared token (and revokes it too when another process rotated it), leaving a tombstone so that no renewal in
 *   progress stores it back (such a renewal revokes what it obtained); every process drops the token it holds for
 *   that key, and its renewals then fail with `NoGrant`, as a source alone does.
 *
 * @since 0.1.0
 */
import type { OAuthClient } from "@oauth2/http"
import type { TokenSource } from "@oauth2/flows"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/sharedTokenSource.js"
import type * as Redis from "./Redis.js"

/**
 * An AES-256 key: 32 bytes in base64 or base64url (`openssl rand -base64 32`), and the id written in the envelopes it
 * seals (1 to 64 letters, digits, `-` or `_`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc5116#section-5.2
 * @since 0.1.0
 * @category models
 */
export interface EncryptionKey {
  readonly id: string
  readonly key: Redacted.Redacted<string>
}

/**
 * Options of {@link coordinator}.
 *
 * @since 0.1.0
 * @category models
 */
export interface CoordinatorOptions {
  /** The token's name in Redis, shared by the processes that share the token (e.g. the client id and scope). */
  readonly key: string
  /** The encryption keys: the first encrypts, all decrypt (key rotation). */
  readonly keys: ReadonlyArray<EncryptionKey>
  /** Prefix of the Redis keys: `oauth2:token:` by default (the entry is `<prefix>{<key>}`). */
  readonly prefix?: string
  /**
   * The lock's TTL: the holder extends it every third of it while it renews, so a holder that dies (or stalls that
   * long) is replaced after at most this long. 10 seconds by default.
   */
  readonly lockTtl?: Duration.DurationInput
  /** The longest wait between two looks at the entry while another process renews (pub/sub wakes sooner): 1 second by default. */
  readonly wait?: Duration.DurationInput
  /** How long an entry with a refresh token is kept beyond its access token's expiry: 30 days by default. */
  readonly refreshTokenRetention?: Duration.DurationInput
  /**
   * How long the other processes fail at once (`TokenUnavailable` with reason `BackingOff`) after the fleet's renewal
   * failed in one process (the server down, the client refused), instead of each sending the failing request in
   * turn: 1 second by default. A process whose token in hand is still valid keeps using it meanwhile.
   */
  readonly failureBackoff?: Duration.DurationInput
  /**
   * What logs and spans name the token (`oauth2.redis.key`): a digest of {@link CoordinatorOptions.key} by default
   * (`#1a2b3c4d`), since a key may be a secret (a session id). Name it when it is not (e.g. `"billing:read"`).
   */
  readonly logKey?: string
}

/**
 * Options of {@link make}: a token source's and the coordinator's.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options<E = never> extends TokenSource.Options<E>, CoordinatorOptions {}

/**
 * The coordinator alone, to give as `coordinator` to `TokenSource.make` of `@oauth2/flows`. Fails with a
 * `ConfigError` when a key is not 32 bytes of base64, ids repeat, or there is no key; when `key` is empty; or when
 * `lockTtl`, `wait` or `refreshTokenRetention` is not a finite duration above zero.
 *
 * @since 0.1.0
 * @category constructors
 */
export const coordinator: (
  options: CoordinatorOptions
) => Effect.Effect<TokenSource.Coordinator, ConfigError.ConfigError, Redis.Redis | Scope.Scope> = internal.coordinator

/**
 * A token source shared through Redis (see the module's documentation).
 *
 * @example
 * ```ts
 * import { TokenRequest } from "@oauth2/core"
 * import { Redis, SharedTokenSource } from "@oauth2/redis"
 * import { Config, Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const keys = yield* SharedTokenSource.keysConfig() // OAUTH2_REDIS_KEYS="2026-11:<base64 of 32 bytes>"
 *   const source = yield* SharedTokenSource.make({ key: "billing-api", keys, grant: TokenRequest.clientCredentials({ scope: "read" }) })
 *   return yield* source.get // one token request for the whole fleet
 * }).pipe(Effect.scoped, Effect.provide(Redis.layerConfig()))
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @since 0.1.0
 * @category constructors
 */
export const make: <E = never>(
  options: Options<E>
) => Effect.Effect<
  TokenSource.TokenSource<E | TokenSource.TokenSourceError>,
  ConfigError.ConfigError,
  OAuthClient.OAuthClient | Redis.Redis | Scope.Scope
> = internal.make

/**
 * A shared token source as the `TokenSource` layer of `@oauth2/flows`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options<never>
): Layer.Layer<TokenSource.TokenSource, ConfigError.ConfigError, OAuthClient.OAuthClient | Redis.Redis> => internal.layer(options)

/**
 * The encryption keys from `Config`: `id:key` pairs separated by commas, the first encrypting
 * (`OAUTH2_REDIS_KEYS="2026-11:BASE64,2026-05:BASE64"`), read redacted.
 *
 * @since 0.1.0
 * @category constructors
 */
export const keysConfig: (name?: string) => Config.Config<ReadonlyArray<EncryptionKey>> = internal.keysConfig

/**
 * Options of {@link layerConfig}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConfigOptions extends Omit<CoordinatorOptions, "keys"> {
  /** The token source's options: `TokenSource.config` of `@oauth2/flows` by default (client credentials from `OAUTH2_*`). */
  readonly config?: Config.Config<TokenSource.Options<never>>
  /** The keys: {@link keysConfig} by default (`OAUTH2_REDIS_KEYS`). */
  readonly keys?: Config.Config<ReadonlyArray<EncryptionKey>>
}

/**
 * A shared client credentials token source from `Config` (environment variables by default).
 *
 * @example
 * ```ts
 * import { OAuthClient, Transport } from "@oauth2/http"
 * import { Redis, SharedTokenSource } from "@oauth2/redis"
 * import { Layer } from "effect"
 *
 * // OAUTH2_ISSUER, OAUTH2_CLIENT_ID, OAUTH2_CLIENT_SECRET, OAUTH2_SCOPE, OAUTH2_REDIS_KEYS, REDIS_URL
 * const TokenSourceLive = SharedTokenSource.layerConfig({ key: "billing-api" }).pipe(
 *   Layer.provide(OAuthClient.layerConfig()),
 *   Layer.provide(Transport.layerFetch()),
 *   Layer.provide(Redis.layerConfig())
 * )
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: ConfigOptions
): Layer.Layer<TokenSource.TokenSource, ConfigError.ConfigError, OAuthClient.OAuthClient | Redis.Redis> => internal.layerConfig(options)
