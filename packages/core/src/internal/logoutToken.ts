/** @internal */
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as LogoutToken from "../LogoutToken.js"
import * as OAuthError from "../OAuthError.js"
import { hasTypeId, isRecord, taggedError } from "./errors.js"
import * as jose from "./jose.js"

/** @internal */
export const InvalidLogoutTokenTypeId: LogoutToken.InvalidLogoutTokenTypeId = Symbol.for(
  "@oauth2/core/LogoutToken/InvalidLogoutToken"
) as LogoutToken.InvalidLogoutTokenTypeId

const InvalidLogoutTokenError = taggedError<"InvalidLogoutToken", LogoutToken.InvalidLogoutToken>("InvalidLogoutToken", InvalidLogoutTokenTypeId)

/** @internal */
export const isInvalidLogoutToken = (u: unknown): u is LogoutToken.InvalidLogoutToken => hasTypeId(u, InvalidLogoutTokenTypeId)

/** @internal */
export const invalidLogoutToken = (reason: LogoutToken.Reason, detail: string, claim?: string): LogoutToken.InvalidLogoutToken =>
  new InvalidLogoutTokenError({
    reason,
    ...(claim === undefined ? {} : { claim }),
    message: `invalid logout token (${reason}): ${detail}`
  })

/** @internal */
export const backchannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout"

/** @internal */
export const defaultMaxAge: Duration.Duration = Duration.minutes(10)

const toUtc = (seconds: number): DateTime.Utc => DateTime.unsafeMake(Math.round(seconds * 1000))

type Failure = Either.Either<never, jose.Failure>

const fail = (reason: LogoutToken.Reason, detail: string, claim?: string): Failure =>
  Either.left(jose.failure(reason as jose.Failure["reason"], detail, claim))

const missing = (claim: string): Failure => fail("MissingClaim", `the '${claim}' claim is missing`, claim)

const notString = (claim: string): Failure => fail("Malformed", `'${claim}' is not a string`, claim)

interface Checked {
  readonly tolerance: number
  readonly maxAge: number
}

const checkOptions = <E>(options: LogoutToken.ValidateOptions<E>): Either.Either<Checked, OAuthError.InvalidArgument> => {
  if (!isRecord(options)) return Either.left(OAuthError.invalidArgument("options", "expected an object"))
  if (typeof options.issuer !== "string" || options.issuer.length === 0) {
    return Either.left(OAuthError.invalidArgument("issuer", "the expected issuer is required"))
  }
  if (typeof options.clientId !== "string" || options.clientId.length === 0) {
    return Either.left(OAuthError.invalidArgument("clientId", "the client id is required"))
  }
  if (options.algorithms !== undefined && (!Array.isArray(options.algorithms) || options.algorithms.length === 0)) {
    return Either.left(OAuthError.invalidArgument("algorithms", "must be a non-empty list"))
  }
  const tolerance = jose.clockTolerance(options.clockTolerance)
  if (Either.isLeft(tolerance)) return Either.left(tolerance.left)
  const maxAge = options.maxAge === undefined ? Option.some(defaultMaxAge) : Duration.decodeUnknown(options.maxAge)
  if (Option.isNone(maxAge) || !Duration.greaterThan(maxAge.value, Duration.zero) || !Duration.isFinite(maxAge.value)) {
    return Either.left(OAuthError.invalidArgument("maxAge", "must be a positive, finite duration"))
  }
  return Either.right({ tolerance: tolerance.right, maxAge: Duration.toSeconds(maxAge.value) })
}

type Mutable<A> = { -readonly [K in keyof A]: A[K] }

/** The checks of Back-Channel Logout 1.0 section 2.6 after the signature's: one pass, early returns. */
const checkClaims = <E>(
  token: jose.Verified,
  options: LogoutToken.ValidateOptions<E>,
  now: number,
  checked: Checked
): Either.Either<LogoutToken.Claims, jose.Failure> => {
  const typ = token.header.typ
  // explicit typing (section 2.4, RFC 8725 3.11): when present, it says this is a logout token
  if (typ !== undefined && (typeof typ !== "string" || typ.toLowerCase().replace(/^application\//, "") !== "logout+jwt")) {
    return fail("UnexpectedType", `the 'typ' header is ${jose.show(typ)}, expected "logout+jwt"`, "typ")
  }
  const c = token.claims
  const iss = c.iss
  if (iss === undefined) return missing("iss")
  if (typeof iss !== "string") return notString("iss")
  const audClaim = jose.audienceClaim(c)
  if (Either.isLeft(audClaim)) return Either.left(audClaim.left)
  const aud = audClaim.right
  if (aud === undefined) return missing("aud")
  const iat = c.iat
  if (iat === undefined) return missing("iat")
  if (!jose.isNumericDate(iat)) return fail("Malformed", "'iat' is not a NumericDate", "iat")
  const exp = c.exp
  if (exp !== undefined && !jose.isNumericDate(exp)) return fail("Malformed", "'exp' is not a NumericDate", "exp")
  const jti = c.jti
  if (jti === undefined) return missing("jti")
  if (typeof jti !== "string") return notString("jti")
  if (jti.length === 0 || jti.length > 512) return fail("Malformed", "'jti' must have 1 to 512 characters", "jti")
  const sub = c.sub
  if (sub !== undefined && (typeof sub !== "string" || sub.length === 0)) return fail("Malformed", "'sub' is not a non-empty string", "sub")
  const sid = c.sid
  if (sid !== undefined && (typeof sid !== "string" || sid.length === 0)) return fail("Malformed", "'sid' is not a non-empty string", "sid")
  const azp = c.azp
  if (azp !== undefined && typeof azp !== "string") return notString("azp")

  if (iss !== options.issuer) {
    return fail("IssuerMismatch", `'iss' ${jose.show(iss, 256)} is not the expected issuer ${jose.show(options.issuer, 256)}`, "iss")
  }
  if (!aud.includes(options.clientId)) {
    return fail("AudienceMismatch", `'aud' does not contain the client id ${jose.show(options.clientId, 128)}`, "aud")
  }
  if (azp !== undefined && azp !== options.clientId) return fail("AudienceMismatch", "'azp' is not the client id", "azp")

  const outside = jose.checkTimeWindow(exp, iat, undefined, now, checked.tolerance)
  if (outside !== undefined) return Either.left(outside)
  // a logout token is used at once: an old one (without exp, or with a far exp) is a replay the cache no longer knows
  if (iat < now - checked.maxAge - checked.tolerance) {
    return fail("Expired", `issued ${Math.round(now - iat)} seconds ago, more than the accepted ${checked.maxAge}`, "iat")
  }

  const events = c.events
  if (events === undefined) return missing("events")
  if (!isRecord(events)) return fail("Malformed", "'events' is not a JSON object", "events")
  const event = events[backchannelLogoutEvent]
  if (event === undefined) return fail("MissingEvent", `'events' has no member ${backchannelLogoutEvent}`, "events")
  if (!isRecord(event)) return fail("MissingEvent", `the ${backchannelLogoutEvent} member of 'events' is not a JSON object`, "events")
  if (sub === undefined && sid === undefined) return fail("MissingSubject", "the logout token has neither 'sub' nor 'sid'", "sub")
  // section 2.4: a nonce is prohibited, so that a logout token cannot be used as an ID token
  if (c.nonce !== undefined) return fail("NonceForbidden", "a logout token must not have a 'nonce'", "nonce")

  // the last moment this token would still be accepted: the replay cache must remember its jti until then
  const acceptedUntil = Math.min(exp ?? Number.POSITIVE_INFINITY, iat + checked.maxAge) + checked.tolerance
  const claims: Mutable<LogoutToken.Claims> = {
    iss,
    aud,
    jti,
    issuedAt: toUtc(iat),
    acceptedUntil: toUtc(acceptedUntil),
    alg: token.alg,
    encrypted: token.encrypted,
    claims: c
  }
  if (exp !== undefined) claims.expiresAt = toUtc(exp)
  if (typeof sub === "string") claims.sub = sub
  if (typeof sid === "string") claims.sid = sid
  return Either.right(claims)
}

const defaultAlgorithms: ReadonlyArray<string> = ["RS256"]

/** @internal */
export const validate = <E>(
  logoutToken: string | Redacted.Redacted<string>,
  options: LogoutToken.ValidateOptions<E>
): Effect.Effect<LogoutToken.Claims, LogoutToken.InvalidLogoutToken | OAuthError.InvalidArgument | E> => {
  const checked = checkOptions(options)
  if (Either.isLeft(checked)) return Effect.fail(checked.left)
  const raw = Redacted.isRedacted(logoutToken) ? Redacted.value(logoutToken) : logoutToken
  if (typeof raw !== "string" || raw.length === 0) return Effect.fail(invalidLogoutToken("Malformed", "expected an encoded logout token"))
  const config: jose.VerifyConfig<E> = {
    // never unsigned: `none` is refused whatever the allow-list says
    algorithms: (options.algorithms ?? defaultAlgorithms).filter((alg) => alg !== "none"),
    allowUnsigned: false,
    keys: options.keys,
    clientSecret: options.clientSecret,
    decryptionKeys: jose.decryptionKeyList(options.decryptionKeys),
    encryption: options.encryption
  }
  return Effect.clockWith((clock) => {
    const now = clock.unsafeCurrentTimeMillis() / 1000
    return Effect.mapError(
      jose.verifyWith(raw, config, (token) => checkClaims(token, options, now, checked.right)),
      (e): LogoutToken.InvalidLogoutToken | E => (jose.isFailure(e) ? invalidLogoutToken(e.reason as LogoutToken.Reason, e.detail, e.claim) : e)
    )
  })
}
