/** @internal */
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as base64url from "./base64url.js"
import type { BearerToken, DecodeOptions, MakeOptions } from "../BearerToken.js"
import type { InvalidArgument, UnexpectedResponse } from "../OAuthError.js"
import * as OAuthError from "../OAuthError.js"
import { bound, isRecord } from "./errors.js"
import { jsonMembers, toJson as toPlainJson } from "./json.js"
import { expiryMillis, extrasOf, parseSeconds, plainBody } from "./wire.js"

// ---------------------------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------------------------

/**
 * The `extra` of every token without other members. Most answers have none, and an empty object per token is
 * 56 bytes of a token's retained heap; frozen, since it is shared.
 */
const noExtra: Readonly<Record<string, unknown>> = Object.freeze({})

const redact = (s: string | Redacted.Redacted<string>): Redacted.Redacted<string> => (typeof s === "string" ? Redacted.make(s) : s)

/** @internal */
export const make = (options: MakeOptions): BearerToken => ({
  _tag: "BearerToken",
  accessToken: redact(options.accessToken),
  tokenType: options.tokenType ?? "Bearer",
  issuedAt: options.issuedAt,
  ...(options.expiresAt === undefined ? {} : { expiresAt: options.expiresAt }),
  ...(options.refreshToken === undefined ? {} : { refreshToken: redact(options.refreshToken) }),
  ...(options.idToken === undefined ? {} : { idToken: redact(options.idToken) }),
  ...(options.scope === undefined ? {} : { scope: options.scope }),
  ...(options.issuedTokenType === undefined ? {} : { issuedTokenType: options.issuedTokenType }),
  extra: options.extra ?? noExtra
})

const knownMembers: ReadonlySet<string> = new Set([
  "access_token",
  "token_type",
  "expires_in",
  "refresh_token",
  "id_token",
  "scope",
  "issued_token_type"
])

const nonEmpty = (u: unknown): u is string => typeof u === "string" && u.length > 0

/** The members of `body` not in `known`, as {@link extrasOf} keeps them, or {@link noExtra} when there are none. */
const extraMembers = (body: Readonly<Record<string, unknown>>, known: ReadonlySet<string>): Readonly<Record<string, unknown>> =>
  Object.keys(body).every((k) => known.has(k)) ? noExtra : extrasOf(body, known)

/** @internal */
export const decodeAt = (raw: unknown, now: DateTime.Utc, options: DecodeOptions = {}): Either.Either<BearerToken, UnexpectedResponse> => {
  const endpoint = options.endpoint ?? "token"
  const plain = plainBody(raw, endpoint, options.context)
  if (Either.isLeft(plain)) return Either.left(plain.left)
  const body = plain.right
  const fail = (reason: string) => Either.left(OAuthError.unexpectedResponse(endpoint, reason, body, options.context))
  if (!isRecord(body)) return fail(`expected a JSON object, got ${body === null ? "null" : Array.isArray(body) ? "an array" : `a ${typeof body}`}`)
  const { access_token, token_type, expires_in, refresh_token, id_token, scope, issued_token_type } = body
  if (typeof access_token !== "string") return fail(access_token === undefined ? "access_token is missing" : "access_token is not a string")
  if (access_token.length === 0) return fail("access_token is empty")
  if (typeof token_type !== "string" || token_type.length === 0)
    return fail(token_type === undefined ? "token_type is missing" : "token_type is not a non-empty string")
  const expected = options.tokenType === undefined ? "bearer" : options.tokenType
  if (expected !== null && token_type.toLowerCase() !== expected.toLowerCase()) {
    return fail(`token_type is '${bound(token_type, 32)}', expected '${expected}'`)
  }
  let expiresAt: DateTime.Utc | undefined
  if (expires_in !== undefined && expires_in !== null) {
    const seconds = parseSeconds(expires_in)
    if (typeof seconds !== "number") return fail(`expires_in: ${seconds.invalid}`)
    const at = expiryMillis(DateTime.toEpochMillis(now), seconds)
    if (at === undefined) return fail(`expires_in: ${seconds} seconds is out of range`)
    expiresAt = DateTime.unsafeMake(at)
  }
  for (const [name, value] of [
    ["refresh_token", refresh_token],
    ["id_token", id_token],
    ["scope", scope],
    ["issued_token_type", issued_token_type]
  ] as const) {
    if (value !== undefined && value !== null && typeof value !== "string") return fail(`${name} is not a string`)
  }
  const extra = extraMembers(body, knownMembers)
  return Either.right(
    make({
      accessToken: access_token,
      tokenType: token_type,
      issuedAt: now,
      ...(expiresAt === undefined ? {} : { expiresAt }),
      ...(nonEmpty(refresh_token) ? { refreshToken: refresh_token } : {}),
      ...(nonEmpty(id_token) ? { idToken: id_token } : {}),
      ...(typeof scope === "string" ? { scope } : {}),
      ...(nonEmpty(issued_token_type) ? { issuedTokenType: issued_token_type } : {}),
      extra
    })
  )
}

/** @internal */
export const decode = (body: unknown, options?: DecodeOptions): Effect.Effect<BearerToken, UnexpectedResponse> =>
  Effect.flatMap(DateTime.now, (now) => decodeAt(body, now, options))

// ---------------------------------------------------------------------------------------------------------------
// guards and getters
// ---------------------------------------------------------------------------------------------------------------

/** @internal */
export const isBearerToken = (u: unknown): u is BearerToken => isRecord(u) && u._tag === "BearerToken" && Redacted.isRedacted(u.accessToken)

/**
 * Whether the arguments of a dual function start with the token (data-first) rather than the other arguments (a
 * `DateTime`, a `DurationInput`, or nothing): by its `_tag` alone, so that a token whose secrets are not `Redacted`
 * (revived by hand from JSON, say) still takes the data-first path it took before these functions were dual.
 */
const dataFirst = (args: IArguments): boolean => isRecord(args[0]) && args[0]._tag === "BearerToken"

/** @internal */
export const isBearer = (self: BearerToken): boolean => self.tokenType.toLowerCase() === "bearer"

/** @internal */
export const isExpiredAt: {
  (now: DateTime.Utc, leeway?: Duration.DurationInput): (self: BearerToken) => boolean
  (self: BearerToken, now: DateTime.Utc, leeway?: Duration.DurationInput): boolean
} = dual(
  dataFirst,
  (self: BearerToken, now: DateTime.Utc, leeway: Duration.DurationInput = Duration.zero): boolean =>
    self.expiresAt !== undefined && DateTime.toEpochMillis(self.expiresAt) - Duration.toMillis(Duration.decode(leeway)) <= DateTime.toEpochMillis(now)
)

/** @internal */
export const isExpired: {
  (leeway?: Duration.DurationInput): (self: BearerToken) => Effect.Effect<boolean>
  (self: BearerToken, leeway?: Duration.DurationInput): Effect.Effect<boolean>
} = dual(dataFirst, (self: BearerToken, leeway?: Duration.DurationInput): Effect.Effect<boolean> =>
  Effect.map(Clock.currentTimeMillis, (now) => isExpiredAt(self, DateTime.unsafeMake(now), leeway))
)

/** @internal */
export const remainingLifetimeAt: {
  (now: DateTime.Utc): (self: BearerToken) => Option.Option<Duration.Duration>
  (self: BearerToken, now: DateTime.Utc): Option.Option<Duration.Duration>
} = dual(2, (self: BearerToken, now: DateTime.Utc): Option.Option<Duration.Duration> =>
  self.expiresAt === undefined
    ? Option.none()
    : Option.some(Duration.millis(Math.max(0, DateTime.toEpochMillis(self.expiresAt) - DateTime.toEpochMillis(now))))
)

/** @internal */
export const remainingLifetime = (self: BearerToken): Effect.Effect<Option.Option<Duration.Duration>> =>
  Effect.map(Clock.currentTimeMillis, (now) => remainingLifetimeAt(self, DateTime.unsafeMake(now)))

/** @internal */
export const scopes = (self: BearerToken): ReadonlyArray<string> =>
  self.scope === undefined ? [] : self.scope.split(" ").filter((s) => s.length > 0)

/** @internal */
export const authorizationHeader = (self: BearerToken): Redacted.Redacted<string> => Redacted.make(`Bearer ${Redacted.value(self.accessToken)}`)

// ---------------------------------------------------------------------------------------------------------------
// encoding
// ---------------------------------------------------------------------------------------------------------------

/** @internal */
export const toJson: {
  (now: DateTime.Utc): (self: BearerToken) => Record<string, unknown>
  (self: BearerToken, now: DateTime.Utc): Record<string, unknown>
} = dual(2, (self: BearerToken, now: DateTime.Utc): Record<string, unknown> => ({
  ...self.extra,
  access_token: Redacted.value(self.accessToken),
  token_type: self.tokenType,
  ...(self.expiresAt === undefined
    ? {}
    : { expires_in: Math.max(0, Math.floor((DateTime.toEpochMillis(self.expiresAt) - DateTime.toEpochMillis(now)) / 1000)) }),
  ...(self.refreshToken === undefined ? {} : { refresh_token: Redacted.value(self.refreshToken) }),
  ...(self.idToken === undefined ? {} : { id_token: Redacted.value(self.idToken) }),
  ...(self.scope === undefined ? {} : { scope: self.scope }),
  ...(self.issuedTokenType === undefined ? {} : { issued_token_type: self.issuedTokenType })
}))

const Serialized = Schema.Struct({
  v: Schema.Literal(1),
  access_token: Schema.NonEmptyString,
  token_type: Schema.NonEmptyString,
  issued_at: Schema.Number.pipe(Schema.finite()),
  expires_at: Schema.optional(Schema.Number.pipe(Schema.finite())),
  refresh_token: Schema.optional(Schema.String),
  id_token: Schema.optional(Schema.String),
  scope: Schema.optional(Schema.String),
  issued_token_type: Schema.optional(Schema.String),
  extra: Schema.Record({ key: Schema.String, value: Schema.Unknown })
})
// compiled at the first use, not when the module is imported
let decodeSerializedParser: ReturnType<typeof Schema.decodeUnknownEither<typeof Serialized.Type, typeof Serialized.Encoded>> | undefined
const decodeSerialized = (u: unknown) => (decodeSerializedParser ??= Schema.decodeUnknownEither(Serialized))(u)
const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder("utf-8", { fatal: true })
const noMembers: ReadonlySet<string> = new Set()

/** @internal */
export const serialize = (self: BearerToken): string =>
  base64url.encode(
    textEncoder.encode(
      JSON.stringify({
        v: 1,
        access_token: Redacted.value(self.accessToken),
        token_type: self.tokenType,
        issued_at: DateTime.toEpochMillis(self.issuedAt),
        ...(self.expiresAt === undefined ? {} : { expires_at: DateTime.toEpochMillis(self.expiresAt) }),
        ...(self.refreshToken === undefined ? {} : { refresh_token: Redacted.value(self.refreshToken) }),
        ...(self.idToken === undefined ? {} : { id_token: Redacted.value(self.idToken) }),
        ...(self.scope === undefined ? {} : { scope: self.scope }),
        ...(self.issuedTokenType === undefined ? {} : { issued_token_type: self.issuedTokenType }),
        extra: jsonMembers(self.extra)
      })
    )
  )

/** @internal */
export const deserialize = (serialized: string): Either.Either<BearerToken, InvalidArgument> => {
  const invalid = (why: string) => Either.left(OAuthError.invalidArgument("serialized", `not a serialized BearerToken (${why})`))
  if (typeof serialized !== "string") return invalid("not a string")
  if (serialized.length > 1_000_000) return invalid("too long")
  let json: unknown
  try {
    json = JSON.parse(textDecoder.decode(base64url.decode(serialized)))
  } catch {
    return invalid("not base64url JSON")
  }
  // a hand-made string may nest its extra members deeper than any decoded answer: same bound as decoding
  if (Either.isLeft(toPlainJson(json))) return invalid("nested too deeply")
  const decoded = decodeSerialized(json)
  if (Either.isLeft(decoded)) return invalid("unexpected content")
  const s = decoded.right
  const time = (ms: number) => DateTime.make(ms)
  const issuedAt = time(s.issued_at)
  const expiresAt = s.expires_at === undefined ? Option.none() : time(s.expires_at)
  if (Option.isNone(issuedAt) || (s.expires_at !== undefined && Option.isNone(expiresAt))) return invalid("date out of range")
  return Either.right(
    make({
      accessToken: s.access_token,
      tokenType: s.token_type,
      issuedAt: issuedAt.value,
      ...(Option.isSome(expiresAt) ? { expiresAt: DateTime.toUtc(expiresAt.value) } : {}),
      ...(s.refresh_token === undefined ? {} : { refreshToken: s.refresh_token }),
      ...(s.id_token === undefined ? {} : { idToken: s.id_token }),
      ...(s.scope === undefined ? {} : { scope: s.scope }),
      ...(s.issued_token_type === undefined ? {} : { issuedTokenType: s.issued_token_type }),
      extra: extraMembers(s.extra, noMembers)
    })
  )
}
