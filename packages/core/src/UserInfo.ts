/**
 * The UserInfo endpoint of OpenID Connect: its JSON answer, a set of claims about the end user. Signed or encrypted
 * JWT answers are verified by `JwtResponse.userInfo`, then decoded here.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { dual } from "effect/Function"
import type { ResponseContext, UnexpectedResponse } from "./OAuthError.js"
import { jsonObjectDecoder } from "./internal/decode.js"
import { isRecord, unexpectedResponse } from "./internal/errors.js"
import { toJson } from "./internal/json.js"

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
 * The `sub` of a UserInfo answer is not the one expected (the `sub` of the ID token): the answer must not be used.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfoResponse
 * @since 0.1.0
 * @category errors
 */
export interface MismatchingSubject {
  readonly _tag: "MismatchingSubject"
  readonly expected: string
  readonly received: string
  readonly message: string
}

const Wire = Schema.Struct({ sub: Schema.NonEmptyString })
const decodeWire = jsonObjectDecoder(Wire, "userinfo")

const text = (u: unknown): string | undefined => (typeof u === "string" ? u : undefined)
const flag = (u: unknown): boolean | undefined =>
  typeof u === "boolean" ? u : u === "true" ? true : u === "false" ? false : undefined
const instant = (u: unknown): DateTime.Utc | undefined => {
  if (typeof u === "number") {
    return Number.isFinite(u) && u >= 0 ? Option.getOrUndefined(DateTime.make(Math.round(u * 1000))) : undefined
  }
  if (typeof u === "string") {
    if (/^[0-9]{1,16}$/.test(u)) return instant(Number(u))
    if (/^\d{4}-\d{2}-\d{2}T/.test(u)) return Option.getOrUndefined(DateTime.make(u))
  }
  return undefined
}

const definedOnly = (o: Record<string, unknown>): any => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v
  return out
}

const address = (u: unknown): Address | undefined => {
  if (!isRecord(u)) return undefined
  return definedOnly({
    formatted: text(u.formatted),
    streetAddress: text(u.street_address),
    locality: text(u.locality),
    region: text(u.region),
    postalCode: text(u.postal_code),
    country: text(u.country)
  })
}

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
export const decode = (raw: unknown, context?: ResponseContext): Either.Either<UserInfo, UnexpectedResponse> => {
  const plain = toJson(raw)
  if (Either.isLeft(plain)) return Either.left(unexpectedResponse("userinfo", plain.left, raw, context))
  const body = plain.right
  return Either.map(decodeWire(body, context), ({ sub }) => {
    const c = body as Record<string, unknown>
    const claims: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(c)) {
      Object.defineProperty(claims, k, { value: v, enumerable: true, writable: true, configurable: true })
    }
    return {
      sub,
      ...definedOnly({
        name: text(c.name),
        givenName: text(c.given_name),
        familyName: text(c.family_name),
        middleName: text(c.middle_name),
        nickname: text(c.nickname),
        preferredUsername: text(c.preferred_username),
        profile: text(c.profile),
        picture: text(c.picture),
        website: text(c.website),
        email: text(c.email),
        emailVerified: flag(c.email_verified),
        gender: text(c.gender),
        birthdate: text(c.birthdate),
        zoneinfo: text(c.zoneinfo),
        locale: text(c.locale),
        phoneNumber: text(c.phone_number),
        phoneNumberVerified: flag(c.phone_number_verified),
        address: address(c.address),
        updatedAt: instant(c.updated_at)
      }),
      claims
    }
  })
}

/**
 * Encodes a UserInfo answer back to its JSON form: its claims, as sent. `decode(encode(u))` gives `u` back.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfoResponse
 * @since 0.1.0
 * @category encoding
 */
export const encode = (self: UserInfo): Record<string, unknown> => ({ ...self.claims })

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
} = dual(2, (self: UserInfo, expected: string): Either.Either<UserInfo, MismatchingSubject> =>
  self.sub === expected
    ? Either.right(self)
    : Either.left(
      Data.struct({
        _tag: "MismatchingSubject" as const,
        expected,
        received: self.sub,
        message: `userinfo 'sub' ${JSON.stringify(self.sub.slice(0, 256))} is not the expected ${JSON.stringify(expected.slice(0, 256))}`
      })
    ))
