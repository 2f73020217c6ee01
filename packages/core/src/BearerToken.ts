/**
 * Tokens answered by a token endpoint, with their absolute expiry.
 *
 * The wire gives a relative `expires_in`; the model keeps the absolute `expiresAt` (issue time from `Clock` plus
 * `expires_in`), so a token read back from a cache or a session still knows when it expires. Access and refresh
 * tokens (and the ID token) are `Redacted`: printing or logging a token never shows them.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { ResponseContext, UnexpectedResponse, InvalidArgument } from "./OAuthError.js"
import * as OAuthError from "./OAuthError.js"
import { bound, isRecord } from "./internal/errors.js"
import { jsonMembers, toJson as toPlainJson } from "./internal/json.js"
import { expiryMillis, extrasOf, parseSeconds, plainBody } from "./internal/wire.js"
import { base64url } from "jose"

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

const knownMembers = new Set(["access_token", "token_type", "expires_in", "refresh_token", "id_token", "scope", "issued_token_type"])

/**
 * Decodes a token endpoint JSON body received at `now` (pure). See {@link decode}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @since 0.1.0
 * @category constructors
 */
export const decodeAt = (
  raw: unknown,
  now: DateTime.Utc,
  options: DecodeOptions = {}
): Either.Either<BearerToken, UnexpectedResponse> => {
  const endpoint = options.endpoint ?? "token"
  const plain = plainBody(raw, endpoint, options.context)
  if (Either.isLeft(plain)) return Either.left(plain.left)
  const body = plain.right
  const fail = (reason: string) => Either.left(OAuthError.unexpectedResponse(endpoint, reason, body, options.context))
  if (!isRecord(body)) return fail(`expected a JSON object, got ${body === null ? "null" : Array.isArray(body) ? "an array" : `a ${typeof body}`}`)
  const { access_token, token_type, expires_in, refresh_token, id_token, scope, issued_token_type } = body
  if (typeof access_token !== "string") return fail(access_token === undefined ? "access_token is missing" : "access_token is not a string")
  if (access_token.length === 0) return fail("access_token is empty")
  if (typeof token_type !== "string" || token_type.length === 0) return fail(token_type === undefined ? "token_type is missing" : "token_type is not a non-empty string")
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
  for (const [name, value] of [["refresh_token", refresh_token], ["id_token", id_token], ["scope", scope], ["issued_token_type", issued_token_type]] as const) {
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

const nonEmpty = (u: unknown): u is string => typeof u === "string" && u.length > 0

/**
 * The `extra` of every token without other members. Most answers have none, and an empty object per token is
 * 56 bytes of a token's retained heap; frozen, since it is shared.
 */
const noExtra: Readonly<Record<string, unknown>> = Object.freeze({})

/** The members of `body` not in `known`, as {@link extrasOf} keeps them, or {@link noExtra} when there are none. */
const extraMembers = (body: Readonly<Record<string, unknown>>, known: ReadonlySet<string>): Readonly<Record<string, unknown>> =>
  Object.keys(body).every((k) => known.has(k)) ? noExtra : extrasOf(body, known)

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
export const decode = (body: unknown, options?: DecodeOptions): Effect.Effect<BearerToken, UnexpectedResponse> =>
  Effect.flatMap(DateTime.now, (now) => decodeAt(body, now, options))

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

const redact = (s: string | Redacted.Redacted<string>): Redacted.Redacted<string> =>
  typeof s === "string" ? Redacted.make(s) : s

/**
 * Builds a token from known values (`tokenType` defaults to `Bearer`).
 *
 * @since 0.1.0
 * @category constructors
 */
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

/**
 * Whether a value is a {@link BearerToken}.
 *
 * @since 0.1.0
 * @category guards
 */
export const isBearerToken = (u: unknown): u is BearerToken =>
  isRecord(u) && u._tag === "BearerToken" && Redacted.isRedacted(u.accessToken)

/**
 * Whether `token_type` is `Bearer`, compared case-insensitively.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-4
 * @since 0.1.0
 * @category guards
 */
export const isBearer = (self: BearerToken): boolean => self.tokenType.toLowerCase() === "bearer"

/**
 * Whether the token is expired at `now`, or will be within `leeway` (so that a token about to expire is renewed
 * before it is refused). A token without expiry never expires.
 *
 * @since 0.1.0
 * @category guards
 */
export const isExpiredAt = (self: BearerToken, now: DateTime.Utc, leeway: Duration.DurationInput = Duration.zero): boolean =>
  self.expiresAt !== undefined &&
  DateTime.toEpochMillis(self.expiresAt) - Duration.toMillis(Duration.decode(leeway)) <= DateTime.toEpochMillis(now)

/**
 * Whether the token is expired now (time from `Clock`), or will be within `leeway`.
 *
 * @example
 * ```ts
 * import { BearerToken } from "@oauth2/core"
 * import { DateTime, Effect } from "effect"
 *
 * const token = BearerToken.make({ accessToken: "at", issuedAt: DateTime.unsafeMake(0), expiresAt: DateTime.unsafeMake(60_000) })
 * const renewSoon: Effect.Effect<boolean> = BearerToken.isExpired(token, "30 seconds")
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isExpired = (self: BearerToken, leeway: Duration.DurationInput = Duration.zero): Effect.Effect<boolean> =>
  Effect.map(Clock.currentTimeMillis, (now) => isExpiredAt(self, DateTime.unsafeMake(now), leeway))

/**
 * The time left before expiry at `now` (zero once expired); `None` for a token without expiry.
 *
 * @since 0.1.0
 * @category getters
 */
export const remainingLifetimeAt = (self: BearerToken, now: DateTime.Utc): Option.Option<Duration.Duration> =>
  self.expiresAt === undefined
    ? Option.none()
    : Option.some(Duration.millis(Math.max(0, DateTime.toEpochMillis(self.expiresAt) - DateTime.toEpochMillis(now))))

/**
 * The time left before expiry (time from `Clock`; zero once expired); `None` for a token without expiry.
 *
 * @since 0.1.0
 * @category getters
 */
export const remainingLifetime = (self: BearerToken): Effect.Effect<Option.Option<Duration.Duration>> =>
  Effect.map(Clock.currentTimeMillis, (now) => remainingLifetimeAt(self, DateTime.unsafeMake(now)))

/**
 * The granted scopes as a list (empty when the server sent no `scope`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 * @since 0.1.0
 * @category getters
 */
export const scopes = (self: BearerToken): ReadonlyArray<string> =>
  self.scope === undefined ? [] : self.scope.split(" ").filter((s) => s.length > 0)

/**
 * The `Authorization` header value for this token: `Bearer <access_token>`, still redacted.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 * @since 0.1.0
 * @category getters
 */
export const authorizationHeader = (self: BearerToken): Redacted.Redacted<string> =>
  Redacted.make(`Bearer ${Redacted.value(self.accessToken)}`)

/**
 * The token as the JSON object a token endpoint would answer at `now` (`expires_in` recomputed from the absolute
 * expiry). Reveals the secrets: only for sending or storing.
 *
 * @since 0.1.0
 * @category encoding
 */
export const toJson = (self: BearerToken, now: DateTime.Utc): Record<string, unknown> => ({
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
})

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
const decodeSerialized = Schema.decodeUnknownEither(Serialized)
const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder("utf-8", { fatal: true })

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

/**
 * Restores a token serialized with {@link serialize}. Anything else (including a value that is not a string, or
 * `extra` members nested deeper than 64 levels) gives an `InvalidArgument`, never a throw.
 *
 * @since 0.1.0
 * @category encoding
 */
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

const noMembers: ReadonlySet<string> = new Set()
