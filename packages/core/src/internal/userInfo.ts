/** @internal */
import type * as UserInfoModule from "../UserInfo.js"
import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { ResponseContext, UnexpectedResponse } from "../OAuthError.js"
import type { Address, MismatchingSubject, UserInfo } from "../UserInfo.js"
import { jsonObjectDecoder } from "./decode.js"
import { hasTypeId, isRecord, taggedError, unexpectedResponse } from "./errors.js"
import { toJson } from "./json.js"

const Wire = Schema.Struct({ sub: Schema.NonEmptyString })
const decodeWire = jsonObjectDecoder(Wire, "userinfo")

const text = (u: unknown): string | undefined => (typeof u === "string" ? u : undefined)
const flag = (u: unknown): boolean | undefined => (typeof u === "boolean" ? u : u === "true" ? true : u === "false" ? false : undefined)
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

/** @internal */
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

/** @internal */
export const encode = (self: UserInfo): Record<string, unknown> => ({ ...self.claims })

/** @internal */
export const MismatchingSubjectTypeId: UserInfoModule.MismatchingSubjectTypeId = Symbol.for(
  "@oauth2/core/UserInfo/MismatchingSubject"
) as UserInfoModule.MismatchingSubjectTypeId

const MismatchingSubjectError = taggedError<"MismatchingSubject", MismatchingSubject>("MismatchingSubject", MismatchingSubjectTypeId)

/** @internal */
export const isMismatchingSubject = (u: unknown): u is MismatchingSubject => hasTypeId(u, MismatchingSubjectTypeId)

/** @internal */
export const checkSubject: {
  (expected: string): (self: UserInfo) => Either.Either<UserInfo, MismatchingSubject>
  (self: UserInfo, expected: string): Either.Either<UserInfo, MismatchingSubject>
} = dual(2, (self: UserInfo, expected: string): Either.Either<UserInfo, MismatchingSubject> =>
  self.sub === expected
    ? Either.right(self)
    : Either.left(
        new MismatchingSubjectError({
          expected,
          received: self.sub,
          message: `userinfo 'sub' ${JSON.stringify(self.sub.slice(0, 256))} is not the expected ${JSON.stringify(expected.slice(0, 256))}`
        })
      )
)
