/**
 * The UserInfo endpoint of OpenID Connect: its JSON answer, a set of claims about the end user. Signed or encrypted
 * JWT answers are verified by `JwtResponse.userInfo`, then decoded here.
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import type * as DateTime from "effect/DateTime"
import type * as Either from "effect/Either"
import * as internal from "./internal/userInfo.js"
import type { ResponseContext, UnexpectedResponse } from "./OAuthError.js"

/**
 * The `address` claim.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AddressClaim
 * @since 0.1.0
 * @category models
 */
export interface Address {
  readonly formatted?: string
  readonly streetAddress?: string
  readonly locality?: string
  readonly region?: string
  readonly postalCode?: string
  readonly country?: string
}

/**
 * A UserInfo answer. `sub` is always there; the standard claims are typed loosely: a claim of an unexpected type
 * (a number as `name`, say) is left out of the typed members rather than failing the answer, and `"true"` /
 * `"false"` strings (sent by some servers) count as booleans, `updated_at` may be a numeric date or an ISO 8601
 * string. `claims` keeps every claim exactly as sent.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#StandardClaims
 * @since 0.1.0
 * @category models
 */
export interface UserInfo {
  /** The subject: the end user's identifier at the issuer. */
  readonly sub: string
  readonly name?: string
  readonly givenName?: string
  readonly familyName?: string
  readonly middleName?: string
  readonly nickname?: string
  readonly preferredUsername?: string
  readonly profile?: string
  readonly picture?: string
  readonly website?: string
  readonly email?: string
  readonly emailVerified?: boolean
  readonly gender?: string
  readonly birthdate?: string
  readonly zoneinfo?: string
  readonly locale?: string
  readonly phoneNumber?: string
  readonly phoneNumberVerified?: boolean
  readonly address?: Address
  /** `updated_at`: when the end user's information was last updated. */
  readonly updatedAt?: DateTime.Utc
  /** Every claim as sent, standard ones included. */
  readonly claims: Readonly<Record<string, unknown>>
}

/**
 * The type id of {@link MismatchingSubject}.
 *
 * @since 0.1.0
 * @category type ids
 */
export const MismatchingSubjectTypeId: unique symbol = Symbol.for("@oauth2/core/UserInfo/MismatchingSubject")

/**
 * The type of {@link MismatchingSubjectTypeId}.
 *
 * @since 0.1.0
 * @category type ids
 */
export type MismatchingSubjectTypeId = typeof MismatchingSubjectTypeId

/**
 * The `sub` of a UserInfo answer is not the one expected (the `sub` of the ID token): the answer must not be used.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfoResponse
 * @since 0.1.0
 * @category errors
 */
export interface MismatchingSubject extends Cause.YieldableError {
  readonly [MismatchingSubjectTypeId]: MismatchingSubjectTypeId
  readonly _tag: "MismatchingSubject"
  readonly expected: string
  readonly received: string
  readonly message: string
}

/**
 * Whether a value is a {@link MismatchingSubject}.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfoResponse
 * @since 0.1.0
 * @category guards
 */
export const isMismatchingSubject: (u: unknown) => u is MismatchingSubject = internal.isMismatchingSubject

/**
 * Decodes a UserInfo answer (HTTP 200 JSON body). Only `sub` is required (a non-empty string); a body that is not a
 * JSON object or lacks `sub` fails with `UnexpectedResponse`.
 *
 * @example
 * ```ts
 * import { UserInfo } from "@oauth2/core"
 * import { Either } from "effect"
 *
 * const result = UserInfo.decode({ sub: "248289761001", name: "Jane Doe", email_verified: true, "https://example.com/roles": ["admin"] })
 * if (Either.isRight(result)) console.log(result.right.name, result.right.claims["https://example.com/roles"])
 * ```
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfoResponse
 * @since 0.1.0
 * @category constructors
 */
export const decode: (raw: unknown, context?: ResponseContext) => Either.Either<UserInfo, UnexpectedResponse> = internal.decode

/**
 * Encodes a UserInfo answer back to its JSON form: its claims, as sent. `decode(encode(u))` gives `u` back.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfoResponse
 * @since 0.1.0
 * @category encoding
 */
export const encode: (self: UserInfo) => Record<string, unknown> = internal.encode

/**
 * Checks that the answer is about the expected end user: its `sub` must equal `expected` (the `sub` of the ID
 * token), compared exactly. Otherwise fails with `MismatchingSubject`, as the answer may be substituted.
 *
 * @example
 * ```ts
 * import { UserInfo } from "@oauth2/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const info = yield* UserInfo.decode({ sub: "248289761001", email: "jane@example.com" })
 *   yield* UserInfo.checkSubject(info, "248289761001")
 * })
 * ```
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfoResponse
 * @since 0.1.0
 * @category combinators
 */
export const checkSubject: {
  (expected: string): (self: UserInfo) => Either.Either<UserInfo, MismatchingSubject>
  (self: UserInfo, expected: string): Either.Either<UserInfo, MismatchingSubject>
} = internal.checkSubject
