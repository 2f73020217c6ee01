/**
 * OpenID Connect ID tokens, as values. A tagged wrapper distinguishes an ID token from any other JWT or string, so
 * that, for example, a token exchange can infer `subject_token_type` from it.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
 * @since 0.1.0
 */
import { Redacted } from "effect"
import type { BearerToken } from "./BearerToken.js"
import { isRecord } from "./internal/errors.js"

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
 * @since 0.1.0
 * @category constructors
 */
export const fromBearerToken = (token: BearerToken): IdToken | undefined =>
  token.idToken === undefined ? undefined : make(token.idToken)

/**
 * Whether a value is an {@link IdToken}.
 *
 * @since 0.1.0
 * @category guards
 */
export const isIdToken = (u: unknown): u is IdToken => isRecord(u) && u._tag === "IdToken" && Redacted.isRedacted(u.value)
