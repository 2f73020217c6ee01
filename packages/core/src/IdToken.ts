/**
 * OpenID Connect ID tokens: the encoded value (a tagged wrapper distinguishes an ID token from any other JWT or
 * string, so that, for example, a token exchange can infer `subject_token_type` from it), and its validation.
 *
 * {@link validate} runs every check of OpenID Connect Core 3.1.3.7 a relying party must run, and a few more:
 * - the signature, always (see `Jwt` for the JOSE rules: `alg` allow-list, `none` only from the token endpoint when
 *   registered, `HS*` only with the client secret, no `crit`, no embedded keys, key selection by `kid`);
 * - an encrypted ID token (JWE) is decrypted first with the client's key (`RSA1_5` refused);
 * - `iss` is exactly the expected issuer; `aud` contains the client id; `azp` is required when `aud` has several
 *   values and must be the client id when present; `sub` is present;
 * - `exp` in the future and `iat` not in the future, with a bounded clock tolerance (30 s by default, at most 5 min),
 *   time taken from `Clock`;
 * - `nonce` equals the one sent; `auth_time` is present and within `max_age` when it was requested; `acr` is among
 *   the requested `acr_values`; `at_hash`, `c_hash` and `s_hash`, when present, match the access token, the code and
 *   the state, when those are known (for every algorithm family, EdDSA with Ed25519 hashing with SHA-512);
 * - after a refresh, the new ID token keeps the original `iss` and `sub`.
 *
 * Each failure is an {@link InvalidIdToken} whose `reason` names the check; the token is never in the message.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import type * as DateTime from "effect/DateTime"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { dual } from "effect/Function"
import type { BearerToken } from "./BearerToken.js"
import { isRecord } from "./internal/errors.js"
import * as internal from "./internal/idToken.js"
import type * as Jwt from "./Jwt.js"
import type * as OAuthError from "./OAuthError.js"

/**
 * An encoded ID token (a JWS or JWE compact serialization), kept `Redacted`.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
 * @since 0.1.0
 * @category models
 */
export interface IdToken {
  readonly _tag: "IdToken"
  readonly value: Redacted.Redacted<string>
}

/**
 * Wraps an encoded ID token.
 *
 * @example
 * ```ts
 * import { IdToken } from "@oauth2/core"
 *
 * const idToken = IdToken.make("eyJhbGciOiJSUzI1NiJ9.e30.c2ln")
 * ```
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
 * @since 0.1.0
 * @category constructors
 */
export const make = (value: string | Redacted.Redacted<string>): IdToken => ({
  _tag: "IdToken",
  value: typeof value === "string" ? Redacted.make(value) : value
})

/**
 * The ID token of a token endpoint answer, if it has one.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#TokenResponse
 * @since 0.1.0
 * @category constructors
 */
export const fromBearerToken = (token: BearerToken): IdToken | undefined => (token.idToken === undefined ? undefined : make(token.idToken))

/**
 * Whether a value is an {@link IdToken}.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
 * @since 0.1.0
 * @category guards
 */
export const isIdToken = (u: unknown): u is IdToken => isRecord(u) && u._tag === "IdToken" && Redacted.isRedacted(u.value)

// ---------------------------------------------------------------------------------------------------------------------
// validation
// ---------------------------------------------------------------------------------------------------------------------

/**
 * Why an ID token was refused: the JOSE and claim reasons of `Jwt.Reason`, and
 * - `MissingIdToken`: an OpenID Connect token answer without `id_token`;
 * - `AuthorizedPartyMismatch`: `azp` is not the client id;
 * - `NonceMismatch`: `nonce` is not the one sent (or present when none was sent, or changed by a refresh);
 * - `MaxAgeExceeded`: `auth_time` is older than the requested `max_age`;
 * - `AcrMismatch`: `acr` is not among the requested `acr_values`;
 * - `AtHashMismatch`, `CHashMismatch`, `SHashMismatch`: the hash does not match the access token, the code, the state;
 * - `IssuerChanged`, `SubjectChanged`: a refreshed ID token is not about the same end-user at the same issuer.
 *
 * A required claim that is absent (`iss`, `sub`, `aud`, `exp`, `iat`; `nonce` when one was sent; `azp` with several
 * audiences; `auth_time` with `max_age`; `acr` with `acr_values`) is `MissingClaim`, with the claim in `claim`.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 * @since 0.1.0
 * @category models
 */
export type Reason =
  | Jwt.Reason
  | "MissingIdToken"
  | "AuthorizedPartyMismatch"
  | "NonceMismatch"
  | "MaxAgeExceeded"
  | "AcrMismatch"
  | "AtHashMismatch"
  | "CHashMismatch"
  | "SHashMismatch"
  | "IssuerChanged"
  | "SubjectChanged"
  | "AudienceChanged"
  | "AuthTimeChanged"

/**
 * The type id of {@link InvalidIdToken}.
 *
 * @since 0.1.0
 * @category type ids
 */
export const InvalidIdTokenTypeId: unique symbol = Symbol.for("@oauth2/core/IdToken/InvalidIdToken")

/**
 * The type of {@link InvalidIdTokenTypeId}.
 *
 * @since 0.1.0
 * @category type ids
 */
export type InvalidIdTokenTypeId = typeof InvalidIdTokenTypeId

/**
 * An ID token failed validation. `reason` names the failed check, `claim` the claim or header parameter at fault
 * when there is one; the message never contains the token.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 * @since 0.1.0
 * @category errors
 */
export interface InvalidIdToken extends Cause.YieldableError {
  readonly [InvalidIdTokenTypeId]: InvalidIdTokenTypeId
  readonly _tag: "InvalidIdToken"
  readonly reason: Reason
  readonly claim?: string
  readonly message: string
}

/**
 * Builds an {@link InvalidIdToken}.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 * @since 0.1.0
 * @category constructors
 */
export const invalidIdToken: (reason: Reason, detail: string, claim?: string) => InvalidIdToken = internal.invalidIdToken

/**
 * Whether a value is an {@link InvalidIdToken}.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 * @since 0.1.0
 * @category guards
 */
export const isInvalidIdToken: (u: unknown) => u is InvalidIdToken = internal.isInvalidIdToken

/**
 * The claims of a validated ID token. Dates are `DateTime.Utc`; `claims` keeps every claim as sent.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
 * @since 0.1.0
 * @category models
 */
export interface Claims {
  /** The issuer (equal to the expected one). */
  readonly iss: string
  /** The end-user's identifier at the issuer. */
  readonly sub: string
  /** The audiences (a single string on the wire becomes a one-element list). */
  readonly aud: ReadonlyArray<string>
  /** `exp`. */
  readonly expiresAt: DateTime.Utc
  /** `iat`. */
  readonly issuedAt: DateTime.Utc
  /** `auth_time`: when the end-user authenticated. */
  readonly authTime?: DateTime.Utc
  readonly nonce?: string
  /** The Authentication Context Class Reference satisfied. */
  readonly acr?: string
  /** Authentication Methods References. */
  readonly amr?: ReadonlyArray<string>
  /** The authorized party. */
  readonly azp?: string
  /** The session id. */
  readonly sid?: string
  /** The JWS algorithm it was signed with (`none` when unsigned). */
  readonly alg: string
  /** Whether it arrived encrypted (a JWE). */
  readonly encrypted: boolean
  /** Every claim, as sent. */
  readonly claims: Readonly<Record<string, unknown>>
}

/**
 * What {@link validate} checks an ID token against. `issuer` and `clientId` are required; the expectations of the
 * authorization request (`nonce`, `maxAge`, `acrValues`) come from the pending request.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 * @since 0.1.0
 * @category models
 */
export interface ValidateOptions<E = never> extends Jwt.VerificationKeys<E> {
  /** The expected issuer identifier, compared as an exact string. */
  readonly issuer: string
  /** The client id: `aud` must contain it, `azp` must equal it. */
  readonly clientId: string
  /**
   * The accepted signature algorithms: the client's registered `id_token_signed_response_alg`; `["RS256"]` by
   * default. Add `"none"` only if the client registered `none`: it is then accepted from the token endpoint only.
   */
  readonly algorithms?: ReadonlyArray<string> | undefined
  /** Whether the ID token came directly from the token endpoint (the only place an unsigned one may come from). */
  readonly fromTokenEndpoint?: boolean | undefined
  /** The encryption the client registered (`id_token_encrypted_response_alg`/`_enc`): the ID token must be a JWE. */
  readonly encryption?: Jwt.Encryption | undefined
  /**
   * The nonce sent in the authorization request: `nonce` must be equal. `false`: none was sent, the ID token must
   * have none. `undefined`: not checked.
   */
  readonly nonce?: string | false | undefined
  /** The `max_age` sent, in seconds: `auth_time` must be present and not older. */
  readonly maxAge?: number | undefined
  /** Require `auth_time` even without `max_age` (the client registered `require_auth_time`). */
  readonly requireAuthTime?: boolean | undefined
  /** The `acr_values` sent: `acr` must be one of them. */
  readonly acrValues?: ReadonlyArray<string> | undefined
  /** The access token issued with the ID token: checked against `at_hash` when present. */
  readonly accessToken?: string | Redacted.Redacted<string> | undefined
  /** The authorization code redeemed: checked against `c_hash` when present. */
  readonly code?: string | Redacted.Redacted<string> | undefined
  /**
   * The `state` of the authorization response: checked against `s_hash` when present (OpenID Connect Core 3.3.2.11,
   * FAPI 1.0 Advanced 5.2.2.1).
   *
   * @see https://openid.net/specs/openid-financial-api-part-2-1_0.html#authorization-server
   */
  readonly state?: string | undefined
  /** The tolerance on `exp`, `iat`, `nbf` and `auth_time`: 30 seconds by default, at most 5 minutes. */
  readonly clockTolerance?: Duration.DurationInput | undefined
  /**
   * The claims of the original ID token, when validating a refreshed one: `iss` and `sub` must not change, and a
   * `nonce` must be the original one. `nonce` is then not checked against the request.
   */
  readonly previous?: Claims | undefined
}

/**
 * Validates an ID token (see the module rules) and returns its claims. Time comes from `Clock`, so `TestClock`
 * drives it. Failures are {@link InvalidIdToken}, or `InvalidArgument` for bad options; a failing key source fails
 * with its own error.
 *
 * @example
 * ```ts
 * import { IdToken } from "@oauth2/core"
 * import { Effect } from "effect"
 * import type { JSONWebKeySet } from "jose"
 *
 * declare const encoded: string
 * declare const jwks: JSONWebKeySet
 * const program = Effect.gen(function* () {
 *   const claims = yield* IdToken.validate(IdToken.make(encoded), {
 *     issuer: "https://as.example.com",
 *     clientId: "my-client",
 *     keys: jwks,
 *     nonce: "n-0S6_WzA2Mj",
 *     maxAge: 300
 *   })
 *   return claims.sub
 * }).pipe(
 *   Effect.catchTag("InvalidIdToken", (e) => Effect.fail(`refused: ${e.reason}`))
 * )
 * ```
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 * @see https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokenResponse
 * @since 0.1.0
 * @category combinators
 */
export const validate: {
  <E = never>(
    options: ValidateOptions<E>
  ): (self: IdToken | string | Redacted.Redacted<string>) => Effect.Effect<Claims, InvalidIdToken | OAuthError.InvalidArgument | E>
  <E = never>(
    self: IdToken | string | Redacted.Redacted<string>,
    options: ValidateOptions<E>
  ): Effect.Effect<Claims, InvalidIdToken | OAuthError.InvalidArgument | E>
} = dual(2, internal.validate)

/**
 * The `at_hash` / `c_hash` of a value for a JWS algorithm: the left-most half of its hash (the algorithm's hash;
 * SHA-512 for EdDSA), base64url-encoded. An algorithm without a hash (`none`, unknown) is `AlgorithmNotAllowed`.
 *
 * @example
 * ```ts
 * import { IdToken } from "@oauth2/core"
 * import { Effect } from "effect"
 *
 * // OpenID Connect Core A.3: the at_hash of this access token with RS256 is 77QmUPtjPfzWtF2AnpK9RQ
 * const atHash = IdToken.leftHalfHash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y", "RS256")
 * ```
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#CodeIDToken
 * @since 0.1.0
 * @category constructors
 */
export const leftHalfHash: (value: string | Redacted.Redacted<string>, alg: string) => Effect.Effect<string, InvalidIdToken> = internal.leftHalfHash
