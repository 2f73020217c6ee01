/**
 * Tokens per user: one self-renewing token source per key (a user id, a session id), for a web backend that holds
 * many end-users' tokens.
 *
 * Each key has its own `TokenSource` (see that module): its token is renewed before it expires with its refresh
 * token, concurrent callers of one key share one renewal (single-flight), and keys renew independently of one
 * another. A key gets its token with {@link KeyedTokenSource.set} (after the end-user's login: the authorization
 * code's answer and its validated ID token claims), or from the `KeyValueStore` given as `store` (the same store
 * interface as `TokenSource`, one entry per key under `prefix`), read on first use.
 *
 * Memory stays bounded: at most `capacity` sources (least recently used ones go first) and, with `idleTimeout`,
 * none unused for longer (time from `Clock`); a source renewing its token is kept until its renewal ends (so that its
 * refresh token is not sent twice), beyond `capacity` if need be. An evicted key with a store is restored from it on next use; without
 * a store, its end-user must log in again. {@link KeyedTokenSource.logout} revokes the key's tokens (RFC 7009: the
 * refresh token, which ends the grant, then the access token) and forgets them, in memory and in the store.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 * @since 0.1.0
 */
import type * as KeyValueStore from "@effect/platform/KeyValueStore"
import type { BearerToken, IdToken, OAuthError } from "@oauth2/core"
import type { OAuthClient } from "@oauth2/http"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/keyedTokenSource.js"
import type * as TokenSource from "./TokenSource.js"

/**
 * Options of {@link make}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The most keys kept in memory (10,000 by default); the least recently used go first. */
  readonly capacity?: number
  /** Forget a key unused for this long (none by default). */
  readonly idleTimeout?: Duration.DurationInput
  /** Where each key's token is kept across restarts and evictions (serialized, with its absolute expiry). */
  readonly store?: KeyValueStore.KeyValueStore
  /** The prefix of the store's keys: `"oauth2:token:"` by default. */
  readonly prefix?: string
  /** The renewal leeway of every source (see `TokenSource.Options.leeway`). */
  readonly leeway?: Duration.DurationInput
  /** Refresh parameters of every source, or `false` never to refresh (see `TokenSource.Options.refresh`). */
  readonly refresh?: false | TokenSource.RefreshOptions
  /** Validate refreshed ID tokens (`true` by default; see `TokenSource.Options.validateIdToken`). */
  readonly validateIdToken?: boolean
  /**
   * A coordinator for each key's source, to share its token and renewals with other processes (see
   * `TokenSource.Options.coordinator`; `SharedTokenSource.coordinator` of `@oauth2/redis` with a key per user). It is
   * made in a scope of the key's own, closed when the key leaves memory (evicted, idle, replaced by `set`, logged
   * out; after its renewal in progress), which releases what it holds (e.g. a Redis subscription). The coordinator
   * keeps the token: `store` is not used with one. `set` shares the login's token through it (`Coordinator.put`),
   * `logout` removes the shared token (`Coordinator.remove`, also revoking it when another process rotated it), and
   * `current` of a key not in memory reads the shared one (`Coordinator.current`): for a key with no source in
   * memory, a coordinator is made for the operation and released after it.
   */
  readonly coordinator?: (key: string) => Effect.Effect<TokenSource.Coordinator, never, Scope.Scope>
}

/**
 * The keyed token source.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @since 0.1.0
 * @category models
 */
export interface KeyedTokenSource {
  /**
   * A valid token for a key (renewed when needed; one renewal for all concurrent callers of the key). A key without
   * a token (never set, logged out, evicted without a store) fails with `TokenUnavailable` (`NoGrant`).
   */
  readonly get: (key: string) => Effect.Effect<BearerToken.BearerToken, TokenSource.TokenSourceError>
  /** Renews a key's token now (joins a renewal in progress). */
  readonly renew: (key: string) => Effect.Effect<BearerToken.BearerToken, TokenSource.TokenSourceError>
  /**
   * Marks a key's access token as unusable (an API answered `invalid_token`): the next `get` renews. A key not in
   * memory is read from the store first, so that its stored token is the one marked.
   */
  readonly invalidate: (key: string, token?: BearerToken.BearerToken) => Effect.Effect<void>
  /** The token source of a key. */
  readonly source: (key: string) => Effect.Effect<TokenSource.TokenSource>
  /**
   * Gives a key its token (after a login), with the claims of its validated ID token (refreshed ID tokens must then
   * be about the same end-user); replaces the key's source, and stores the token.
   */
  readonly set: (
    key: string,
    token: BearerToken.BearerToken,
    options?: { readonly idToken?: IdToken.Claims }
  ) => Effect.Effect<TokenSource.TokenSource>
  /** The token in hand for a key (in memory, else in the store), without renewing it. */
  readonly current: (key: string) => Effect.Effect<Option.Option<BearerToken.BearerToken>>
  /** Drops a key's source from memory (its stored token stays). */
  readonly evict: (key: string) => Effect.Effect<void>
  /**
   * Logs a key out: forgets its token (memory and store), then revokes its refresh token and its access token
   * (RFC 7009). Both revocations are tried; the first failure is the result. The token revoked is the one in hand,
   * even an invalidated one, else the stored one; a renewal in progress is awaited (its token is not stored) and its
   * token revoked instead, since it may carry a rotated refresh token.
   *
   * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
   */
  readonly logout: (key: string) => Effect.Effect<void, OAuthClient.CallError<"revocation"> | OAuthError.InvalidArgument>
  /** How many keys are in memory. */
  readonly size: Effect.Effect<number>
  /** The keys in memory, least recently used first. */
  readonly keys: Effect.Effect<ReadonlyArray<string>>
}

/**
 * The keyed token source service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export const KeyedTokenSource: Context.Tag<KeyedTokenSource, KeyedTokenSource> = internal.tag

/**
 * Builds a keyed token source on the client in context; renewals run in the current scope.
 *
 * @example
 * ```ts
 * import { KeyedTokenSource } from "@oauth2/flows"
 * import type { OAuthClient } from "@oauth2/http"
 * import { Effect } from "effect"
 *
 * const program = (sessionId: string, login: OAuthClient.ValidatedToken) =>
 *   Effect.gen(function* () {
 *     const tokens = yield* KeyedTokenSource.make({ capacity: 50_000, idleTimeout: "8 hours" })
 *     yield* tokens.set(sessionId, login.token, login.idToken === undefined ? {} : { idToken: login.idToken })
 *     const token = yield* tokens.get(sessionId) // renewed with its refresh token when it expires
 *     yield* tokens.logout(sessionId) // revoked and forgotten
 *     return token
 *   }).pipe(Effect.scoped)
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<KeyedTokenSource, never, OAuthClient.OAuthClient | Scope.Scope> = internal.make

/**
 * The keyed token source as a layer, on the client in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<KeyedTokenSource, never, OAuthClient.OAuthClient> => internal.layer(options)

/**
 * The `Config` read by {@link layerConfig}: `OAUTH2_SESSION_CAPACITY` (10,000 by default),
 * `OAUTH2_SESSION_IDLE_TIMEOUT` (a duration, optional) and `OAUTH2_TOKEN_LEEWAY` (30 seconds by default).
 *
 * @since 0.1.0
 * @category constructors
 */
export const config: Config.Config<Options> = internal.config

/**
 * The keyed token source as a layer, from `Config` (environment variables by default).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<Options> = internal.config
): Layer.Layer<KeyedTokenSource, ConfigError.ConfigError, OAuthClient.OAuthClient> => internal.layerConfig(config)
