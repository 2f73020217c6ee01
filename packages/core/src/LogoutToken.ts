/**
 * OpenID Connect Back-Channel Logout: the logout token an OpenID Provider POSTs to a client's
 * `backchannel_logout_uri` when an end-user's session ends, and its validation.
 *
 * {@link validate} runs the checks of Back-Channel Logout 1.0 section 2.6:
 * - an encrypted token (JWE) is decrypted with the client's keys; the signature is always verified against the
 *   server's keys with an `alg` allow-list (`RS256` by default; `none` is always refused, `HS*` only with the client
 *   secret; see `Jwt` for the JOSE rules);
 * - `typ`, when present, is `logout+jwt`;
 * - `iss` is exactly the expected issuer; `aud` contains the client id (and `azp`, when present, is the client id);
 * - `iat` is present and not in the future, and not older than `maxAge` (10 minutes by default); `exp`, when
 *   present, is in the future (a bounded clock tolerance, 30 s by default, on both; time from `Clock`);
 * - `jti` is present;
 * - `events` is an object whose `http://schemas.openid.net/event/backchannel-logout` member is an object;
 * - `sub` or `sid` (or both) are present;
 * - `nonce` is absent.
 *
 * A `jti` seen before is a replay: refusing it needs memory, which `BackchannelLogout` in `@oauth2/http` keeps
 * (`ReplayCache`) until {@link Claims.acceptedUntil}. Each failure is an {@link InvalidLogoutToken} whose `reason`
 * names the check; the token is never in the message.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#Validation
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import type * as DateTime from "effect/DateTime"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import type * as Redacted from "effect/Redacted"
import * as internal from "./internal/logoutToken.js"
import type * as Jwt from "./Jwt.js"
import type * as OAuthError from "./OAuthError.js"

/**
 * The member of `events` that makes a JWT a logout token.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#LogoutToken
 * @since 0.1.0
 * @category models
 */
export const backchannelLogoutEvent: "http://schemas.openid.net/event/backchannel-logout" =
  internal.backchannelLogoutEvent as "http://schemas.openid.net/event/backchannel-logout"

/**
 * Why a logout token was refused: the JOSE and claim reasons of `Jwt.Reason`, and
 * - `MissingEvent`: `events` has no back-channel logout member, or it is not an object;
 * - `MissingSubject`: neither `sub` nor `sid`;
 * - `NonceForbidden`: the token has a `nonce`;
 * - `Replayed`: its `jti` was seen before (refused by `BackchannelLogout` of `@oauth2/http`).
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#Validation
 * @since 0.1.0
 * @category models
 */
export type Reason = Jwt.Reason | "MissingEvent" | "MissingSubject" | "NonceForbidden" | "Replayed"

/**
 * The type id of {@link InvalidLogoutToken}.
 *
 * @since 0.1.0
 * @category type ids
 */
export const InvalidLogoutTokenTypeId: unique symbol = Symbol.for("@oauth2/core/LogoutToken/InvalidLogoutToken")

/**
 * The type of {@link InvalidLogoutTokenTypeId}.
 *
 * @since 0.1.0
 * @category type ids
 */
export type InvalidLogoutTokenTypeId = typeof InvalidLogoutTokenTypeId

/**
 * A logout token failed validation. `reason` names the failed check, `claim` the claim or header parameter at fault
 * when there is one; the message never contains the token.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#Validation
 * @since 0.1.0
 * @category errors
 */
export interface InvalidLogoutToken extends Cause.YieldableError {
  readonly [InvalidLogoutTokenTypeId]: InvalidLogoutTokenTypeId
  readonly _tag: "InvalidLogoutToken"
  readonly reason: Reason
  readonly claim?: string
  readonly message: string
}

/**
 * Builds an {@link InvalidLogoutToken}.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#Validation
 * @since 0.1.0
 * @category constructors
 */
export const invalidLogoutToken: (reason: Reason, detail: string, claim?: string) => InvalidLogoutToken = internal.invalidLogoutToken

/**
 * Whether a value is an {@link InvalidLogoutToken}.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#Validation
 * @since 0.1.0
 * @category guards
 */
export const isInvalidLogoutToken: (u: unknown) => u is InvalidLogoutToken = internal.isInvalidLogoutToken

/**
 * The claims of a validated logout token.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#LogoutToken
 * @since 0.1.0
 * @category models
 */
export interface Claims {
  readonly iss: string
  readonly aud: ReadonlyArray<string>
  /** The end-user whose sessions end (all of them, when there is no `sid`). */
  readonly sub?: string
  /** The session that ends (the `sid` of the session's ID token). */
  readonly sid?: string
  /** The token's unique identifier: a second token with the same one is a replay. */
  readonly jti: string
  /** `iat`. */
  readonly issuedAt: DateTime.Utc
  /** `exp`, when present. */
  readonly expiresAt?: DateTime.Utc
  /**
   * The last moment this token would still be accepted (`exp`, or `iat` + `maxAge`, whichever is first, plus the
   * clock tolerance): a replay cache must remember its `jti` until then, and may forget it after.
   */
  readonly acceptedUntil: DateTime.Utc
  /** The JWS algorithm it was signed with. */
  readonly alg: string
  /** Whether it arrived encrypted. */
  readonly encrypted: boolean
  /** Every claim, as sent. */
  readonly claims: Readonly<Record<string, unknown>>
}

/**
 * What {@link validate} checks a logout token against.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#Validation
 * @since 0.1.0
 * @category models
 */
export interface ValidateOptions<E = never> extends Jwt.VerificationKeys<E> {
  /** The expected issuer identifier, compared as an exact string. */
  readonly issuer: string
  /** The client id: `aud` must contain it. */
  readonly clientId: string
  /** The accepted signature algorithms (the client's `id_token_signed_response_alg`); `["RS256"]` by default. */
  readonly algorithms?: ReadonlyArray<string> | undefined
  /** The encryption the client registered for ID tokens: logout tokens must then be JWEs. */
  readonly encryption?: Jwt.Encryption | undefined
  /** The tolerance on `iat` and `exp`: 30 seconds by default, at most 5 minutes. */
  readonly clockTolerance?: Duration.DurationInput | undefined
  /** How old (`iat`) a logout token may be: 10 minutes by default. Bounds how long a replay cache keeps a `jti`. */
  readonly maxAge?: Duration.DurationInput | undefined
}

/**
 * Validates a logout token (see the module rules) and returns its claims. Failures are {@link InvalidLogoutToken},
 * or `InvalidArgument` for bad options; a failing key source fails with its own error.
 *
 * @example
 * ```ts
 * import { LogoutToken } from "@oauth2/core"
 * import { Effect } from "effect"
 * import type { JSONWebKeySet } from "jose"
 *
 * declare const logoutToken: string // the logout_token of the POST
 * declare const jwks: JSONWebKeySet
 * const program = LogoutToken.validate(logoutToken, { issuer: "https://as.example.com", clientId: "my-client", keys: jwks }).pipe(
 *   Effect.map((claims) => ({ sub: claims.sub, sid: claims.sid })),
 *   Effect.catchTag("InvalidLogoutToken", (e) => Effect.fail(`refused: ${e.reason}`))
 * )
 * ```
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#Validation
 * @since 0.1.0
 * @category combinators
 */
export const validate: {
  <E = never>(
    options: ValidateOptions<E>
  ): (self: string | Redacted.Redacted<string>) => Effect.Effect<Claims, InvalidLogoutToken | OAuthError.InvalidArgument | E>
  <E = never>(
    self: string | Redacted.Redacted<string>,
    options: ValidateOptions<E>
  ): Effect.Effect<Claims, InvalidLogoutToken | OAuthError.InvalidArgument | E>
} = dual(2, internal.validate)
