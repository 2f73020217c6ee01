/**
 * Tokens answered by a token endpoint, with their absolute expiry.
 *
 * The wire gives a relative `expires_in`; the model keeps the absolute `expiresAt` (issue time from `Clock` plus
 * `expires_in`), so a token read back from a cache or a session still knows when it expires. Access and refresh
 * tokens (and the ID token) are `Redacted`: printing or logging a token never shows them.
 *
 * @since 0.1.0
 */
import type * as DateTime from "effect/DateTime"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as internal from "./internal/bearerToken.js"
import type * as OAuthError from "./OAuthError.js"
import type { InvalidArgument, ResponseContext, UnexpectedResponse } from "./OAuthError.js"

/**
 * A token endpoint answer.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @since 0.1.0
 * @category models
 */
export interface BearerToken {
  readonly _tag: "BearerToken"
  /** `access_token`. */
  readonly accessToken: Redacted.Redacted<string>
  /** `token_type` as sent (`Bearer`, `DPoP`, `N_A`, ...); compare with {@link isBearer}. */
  readonly tokenType: string
  /** When the token was received (from `Clock`). */
  readonly issuedAt: DateTime.Utc
  /** Absolute expiry: `issuedAt + expires_in`; absent when the server sent no `expires_in`. */
  readonly expiresAt?: DateTime.Utc
  /** `refresh_token`. */
  readonly refreshToken?: Redacted.Redacted<string>
  /** `id_token` (OpenID Connect), still encoded. */
  readonly idToken?: Redacted.Redacted<string>
  /** `scope`, space-separated, when sent. */
  readonly scope?: string
  /** `issued_token_type` (RFC 8693 token exchange). */
  readonly issuedTokenType?: string
  /** Every other member of the answer, as sent (one shared, frozen empty record when there is none). */
  readonly extra: Readonly<Record<string, unknown>>
}

/**
 * Options of {@link decode}.
 *
 * @since 0.1.0
 * @category models
 */
export interface DecodeOptions {
  /**
   * The `token_type` to require, compared case-insensitively; `"bearer"` by default. `null` accepts any type
   * (token exchange may answer `N_A`).
   */
  readonly tokenType?: string | null
  /** The endpoint named in errors; `"token"` by default. */
  readonly endpoint?: OAuthError.Endpoint
  /** Where the body came from, for errors. */
  readonly context?: ResponseContext
}

/**
 * Decodes a token endpoint JSON body received at `now` (pure). See {@link decode}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @since 0.1.0
 * @category constructors
 */
export const decodeAt: (raw: unknown, now: DateTime.Utc, options?: DecodeOptions) => Either.Either<BearerToken, UnexpectedResponse> =
  internal.decodeAt

/**
 * Decodes a token endpoint JSON body into a {@link BearerToken}, taking the issue time from `Clock`.
 *
 * Requires an object with a non-empty string `access_token` and a `token_type` equal to `Bearer` (case-insensitive,
 * see {@link DecodeOptions}); `expires_in`, when present and not `null`, must be a non-negative whole number of seconds
 * (RFC 6749 A.14), sent as a number or a string of digits, as for every other endpoint's lifetime.
 * Any other member is kept in `extra`. Every failure is an `UnexpectedResponse` whose excerpt never shows a token,
 * including a body that is not a plain JSON value (a bigint, a Proxy, a throwing getter) or that nests deeper than
 * 64 levels: such an answer is refused as a whole rather than kept and later failing to serialize.
 *
 * @example
 * ```ts
 * import { BearerToken } from "@oauth2/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const token = yield* BearerToken.decode({ access_token: "at", token_type: "Bearer", expires_in: 3600 })
 *   const expired = yield* BearerToken.isExpired(token, "30 seconds")
 *   return expired
 * })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @since 0.1.0
 * @category constructors
 */
export const decode: (body: unknown, options?: DecodeOptions) => Effect.Effect<BearerToken, UnexpectedResponse> = internal.decode

/**
 * The fields of {@link make}: secrets given as strings are wrapped in `Redacted`.
 *
 * @since 0.1.0
 * @category models
 */
export interface MakeOptions {
  readonly accessToken: string | Redacted.Redacted<string>
  readonly tokenType?: string
  readonly issuedAt: DateTime.Utc
  readonly expiresAt?: DateTime.Utc
  readonly refreshToken?: string | Redacted.Redacted<string>
  readonly idToken?: string | Redacted.Redacted<string>
  readonly scope?: string
  readonly issuedTokenType?: string
  readonly extra?: Readonly<Record<string, unknown>>
}

/**
 * Builds a token from known values (`tokenType` defaults to `Bearer`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: MakeOptions) => BearerToken = internal.make

/**
 * Whether a value is a {@link BearerToken}.
 *
 * @since 0.1.0
 * @category guards
 */
export const isBearerToken: (u: unknown) => u is BearerToken = internal.isBearerToken

/**
 * Whether `token_type` is `Bearer`, compared case-insensitively.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-4
 * @since 0.1.0
 * @category guards
 */
export const isBearer: (self: BearerToken) => boolean = internal.isBearer

/**
 * Whether the token is expired at `now`, or will be within `leeway` (so that a token about to expire is renewed
 * before it is refused). A token without expiry never expires. Data-first or data-last (pipeable).
 *
 * @example
 * ```ts
 * import { BearerToken } from "@oauth2/core"
 * import { DateTime, pipe } from "effect"
 *
 * const token = BearerToken.make({ accessToken: "at", issuedAt: DateTime.unsafeMake(0), expiresAt: DateTime.unsafeMake(60_000) })
 * const now = DateTime.unsafeMake(45_000)
 * console.log(BearerToken.isExpiredAt(token, now)) // false
 * console.log(pipe(token, BearerToken.isExpiredAt(now, "30 seconds"))) // true
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isExpiredAt: {
  (now: DateTime.Utc, leeway?: Duration.DurationInput): (self: BearerToken) => boolean
  (self: BearerToken, now: DateTime.Utc, leeway?: Duration.DurationInput): boolean
} = internal.isExpiredAt

/**
 * Whether the token is expired now (time from `Clock`), or will be within `leeway`. Data-first or data-last
 * (pipeable).
 *
 * @example
 * ```ts
 * import { BearerToken } from "@oauth2/core"
 * import { DateTime, Effect } from "effect"
 *
 * const token = BearerToken.make({ accessToken: "at", issuedAt: DateTime.unsafeMake(0), expiresAt: DateTime.unsafeMake(60_000) })
 * const renewSoon: Effect.Effect<boolean> = BearerToken.isExpired(token, "30 seconds")
 * const expired: Effect.Effect<boolean> = Effect.succeed(token).pipe(Effect.flatMap(BearerToken.isExpired()))
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isExpired: {
  (leeway?: Duration.DurationInput): (self: BearerToken) => Effect.Effect<boolean>
  (self: BearerToken, leeway?: Duration.DurationInput): Effect.Effect<boolean>
} = internal.isExpired

/**
 * The time left before expiry at `now` (zero once expired); `None` for a token without expiry. Data-first or
 * data-last (pipeable).
 *
 * @since 0.1.0
 * @category getters
 */
export const remainingLifetimeAt: {
  (now: DateTime.Utc): (self: BearerToken) => Option.Option<Duration.Duration>
  (self: BearerToken, now: DateTime.Utc): Option.Option<Duration.Duration>
} = internal.remainingLifetimeAt

/**
 * The time left before expiry (time from `Clock`; zero once expired); `None` for a token without expiry.
 *
 * @since 0.1.0
 * @category getters
 */
export const remainingLifetime: (self: BearerToken) => Effect.Effect<Option.Option<Duration.Duration>> = internal.remainingLifetime

/**
 * The granted scopes as a list (empty when the server sent no `scope`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 * @since 0.1.0
 * @category getters
 */
export const scopes: (self: BearerToken) => ReadonlyArray<string> = internal.scopes

/**
 * The `Authorization` header value for this token: `Bearer <access_token>`, still redacted.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 * @since 0.1.0
 * @category getters
 */
export const authorizationHeader: (self: BearerToken) => Redacted.Redacted<string> = internal.authorizationHeader

/**
 * The token as the JSON object a token endpoint would answer at `now` (`expires_in` recomputed from the absolute
 * expiry). Reveals the secrets: only for sending or storing. Data-first or data-last (pipeable).
 *
 * @since 0.1.0
 * @category encoding
 */
export const toJson: {
  (now: DateTime.Utc): (self: BearerToken) => Record<string, unknown>
  (self: BearerToken, now: DateTime.Utc): Record<string, unknown>
} = internal.toJson

/**
 * Serializes a token to a compact URL-safe string (base64url JSON) that {@link deserialize} restores without losing
 * the absolute expiry. The string contains the secrets: store it where you would store the token. Total: an `extra`
 * member that is not a JSON value (a bigint, a function, a cycle, nesting deeper than 64 levels, which a token made
 * with {@link make} may hold; a decoded answer never does) is left out rather than thrown on.
 *
 * @example
 * ```ts
 * import { BearerToken } from "@oauth2/core"
 * import { DateTime, Either } from "effect"
 *
 * const token = BearerToken.make({ accessToken: "at", issuedAt: DateTime.unsafeMake(0) })
 * const restored = BearerToken.deserialize(BearerToken.serialize(token))
 * console.log(Either.isRight(restored)) // true
 * ```
 *
 * @since 0.1.0
 * @category encoding
 */
export const serialize: (self: BearerToken) => string = internal.serialize

/**
 * Restores a token serialized with {@link serialize}. Anything else (including a value that is not a string, or
 * `extra` members nested deeper than 64 levels) gives an `InvalidArgument`, never a throw.
 *
 * @since 0.1.0
 * @category encoding
 */
export const deserialize: (serialized: string) => Either.Either<BearerToken, InvalidArgument> = internal.deserialize
