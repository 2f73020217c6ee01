/** @internal */
import type * as IdTokenModule from "../IdToken.js"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type { Claims, IdToken, InvalidIdToken, Reason, ValidateOptions } from "../IdToken.js"
import * as OAuthError from "../OAuthError.js"
import { hasTypeId, isRecord, taggedError } from "./errors.js"
import * as jose from "./jose.js"

/** @internal */
export const InvalidIdTokenTypeId: IdTokenModule.InvalidIdTokenTypeId = Symbol.for(
  "@oauth2/core/IdToken/InvalidIdToken"
) as IdTokenModule.InvalidIdTokenTypeId

const InvalidIdTokenError = taggedError<"InvalidIdToken", InvalidIdToken>("InvalidIdToken", InvalidIdTokenTypeId)

/** @internal */
export const isInvalidIdToken = (u: unknown): u is InvalidIdToken => hasTypeId(u, InvalidIdTokenTypeId)

/** @internal */
export const invalidIdToken = (reason: Reason, detail: string, claim?: string): InvalidIdToken =>
  new InvalidIdTokenError({
    reason,
    ...(claim === undefined ? {} : { claim }),
    message: `invalid ID token (${reason}): ${detail}`
  })

const fromFailure = (f: jose.Failure): InvalidIdToken => invalidIdToken(f.reason, f.detail, f.claim)

/** Other kinds of JWT an ID token must never be confused with (RFC 8725 3.11); `typ` values as normalized. */
const otherTypes = ["at+jwt", "logout+jwt", "token-introspection+jwt", "oauth-authz-req+jwt", "secevent+jwt", "dpop+jwt", "jwt-bearer+jwt"]

const toUtc = (seconds: number): DateTime.Utc => DateTime.unsafeMake(Math.round(seconds * 1000))

const unwrap = (u: string | Redacted.Redacted<string>): string => (Redacted.isRedacted(u) ? Redacted.value(u) : u)

const rawValue = (idToken: IdToken | string | Redacted.Redacted<string>): unknown =>
  typeof idToken === "string"
    ? idToken
    : Redacted.isRedacted(idToken)
      ? Redacted.value(idToken)
      : isRecord(idToken) && Redacted.isRedacted(idToken.value)
        ? Redacted.value(idToken.value)
        : undefined

const checkOptions = <E>(options: ValidateOptions<E>): Either.Either<number, OAuthError.InvalidArgument> => {
  if (!isRecord(options)) return Either.left(OAuthError.invalidArgument("options", "expected an object"))
  if (typeof options.issuer !== "string" || options.issuer.length === 0) {
    return Either.left(OAuthError.invalidArgument("issuer", "the expected issuer is required"))
  }
  if (typeof options.clientId !== "string" || options.clientId.length === 0) {
    return Either.left(OAuthError.invalidArgument("clientId", "the client id is required"))
  }
  const maxAge = options.maxAge
  if (maxAge !== undefined && !(typeof maxAge === "number" && Number.isSafeInteger(maxAge) && maxAge >= 0)) {
    return Either.left(OAuthError.invalidArgument("maxAge", "must be a non-negative integer"))
  }
  if (options.algorithms !== undefined && (!Array.isArray(options.algorithms) || options.algorithms.length === 0)) {
    return Either.left(OAuthError.invalidArgument("algorithms", "must be a non-empty list"))
  }
  return jose.clockTolerance(options.clockTolerance)
}

const fail = (reason: Reason, detail: string, claim?: string): Either.Either<never, jose.Failure> => Either.left(jose.failure(reason, detail, claim))

const missing = (claim: string): Either.Either<never, jose.Failure> => fail("MissingClaim", `the '${claim}' claim is missing`, claim)

const notString = (claim: string): Either.Either<never, jose.Failure> => fail("Malformed", `'${claim}' is not a string`, claim)

const notNumericDate = (claim: string): Either.Either<never, jose.Failure> => fail("Malformed", `'${claim}' is not a NumericDate`, claim)

type Mutable<A> = { -readonly [K in keyof A]: A[K] }

/**
 * The claims checks, in order: presence and types, iss, aud, azp, times, nonce, auth_time, acr, continuity. This
 * runs for every ID token: one pass with early returns, and the result built in place.
 */
const checkClaims = <E>(
  c: Readonly<Record<string, unknown>>,
  options: ValidateOptions<E>,
  now: number,
  tolerance: number,
  alg: string,
  encrypted: boolean
): Either.Either<Claims, jose.Failure> => {
  const iss = c.iss
  if (iss === undefined) return missing("iss")
  if (typeof iss !== "string") return notString("iss")
  const sub = c.sub
  if (sub === undefined) return missing("sub")
  if (typeof sub !== "string") return notString("sub")
  if (sub.length === 0) return fail("MissingClaim", "the 'sub' claim is empty", "sub")
  const audClaim = jose.audienceClaim(c)
  if (Either.isLeft(audClaim)) return Either.left(audClaim.left)
  const aud = audClaim.right
  if (aud === undefined) return missing("aud")
  const exp = c.exp
  if (exp !== undefined && !jose.isNumericDate(exp)) return notNumericDate("exp")
  if (exp === undefined) return missing("exp")
  const iat = c.iat
  if (iat !== undefined && !jose.isNumericDate(iat)) return notNumericDate("iat")
  if (iat === undefined) return missing("iat")
  const azp = c.azp
  if (azp !== undefined && typeof azp !== "string") return notString("azp")
  const nonce = c.nonce
  if (nonce !== undefined && typeof nonce !== "string") return notString("nonce")
  const acr = c.acr
  if (acr !== undefined && typeof acr !== "string") return notString("acr")
  const sid = c.sid
  if (sid !== undefined && typeof sid !== "string") return notString("sid")
  const authTime = c.auth_time
  if (authTime !== undefined && !jose.isNumericDate(authTime)) return notNumericDate("auth_time")
  const amr = c.amr
  if (amr !== undefined && !(Array.isArray(amr) && amr.every((a) => typeof a === "string"))) {
    return fail("Malformed", "'amr' is not a list of strings", "amr")
  }

  if (iss !== options.issuer) {
    return fail("IssuerMismatch", `'iss' ${jose.show(iss, 256)} is not the expected issuer ${jose.show(options.issuer, 256)}`, "iss")
  }
  if (!aud.includes(options.clientId)) {
    return fail("AudienceMismatch", `'aud' does not contain the client id ${jose.show(options.clientId, 128)}`, "aud")
  }
  if (aud.length > 1 && azp === undefined) return fail("MissingClaim", "'aud' has several values, so 'azp' is required", "azp")
  if (azp !== undefined && azp !== options.clientId) {
    return fail("AuthorizedPartyMismatch", `'azp' ${jose.show(azp)} is not the client id`, "azp")
  }

  const nbf = c.nbf
  if (nbf !== undefined && !jose.isNumericDate(nbf)) return notNumericDate("nbf")
  const outside = jose.checkTimeWindow(exp, iat, nbf, now, tolerance)
  if (outside !== undefined) return Either.left(outside)

  const previous = options.previous
  if (previous !== undefined) {
    // OpenID Connect Core 12.2: a refreshed ID token keeps the original iss and sub (and nonce, when it has one)
    if (iss !== previous.iss) return fail("IssuerChanged", `'iss' ${jose.show(iss, 256)} differs from the original ID token's`, "iss")
    if (sub !== previous.sub) return fail("SubjectChanged", "'sub' differs from the original ID token's", "sub")
    if (nonce !== undefined && nonce !== previous.nonce) return fail("NonceMismatch", "'nonce' differs from the original ID token's", "nonce")
    // ... the same audience, and the time of the original authentication
    const sameAudience = aud.length === previous.aud.length && aud.every((a) => previous.aud.includes(a))
    if (!sameAudience) return fail("AudienceChanged", "'aud' differs from the original ID token's", "aud")
    if (previous.authTime !== undefined && authTime !== undefined) {
      const original = Math.floor(DateTime.toEpochMillis(previous.authTime) / 1000)
      if (Math.floor(authTime) !== original) return fail("AuthTimeChanged", "'auth_time' differs from the original ID token's", "auth_time")
    }
  } else if (typeof options.nonce === "string") {
    if (nonce === undefined) return fail("MissingClaim", "the request sent a nonce but the 'nonce' claim is missing", "nonce")
    if (nonce !== options.nonce) return fail("NonceMismatch", "'nonce' is not the one sent in the authorization request", "nonce")
  } else if (options.nonce === false) {
    if (nonce !== undefined) return fail("NonceMismatch", "the request sent no nonce but the ID token has one", "nonce")
  }

  if (options.maxAge !== undefined || options.requireAuthTime === true) {
    if (authTime === undefined) return missing("auth_time")
    if (options.maxAge !== undefined) {
      const age = now - authTime
      if (age > options.maxAge + tolerance) {
        return fail("MaxAgeExceeded", `the end-user authenticated ${Math.round(age)} seconds ago, more than max_age ${options.maxAge}`, "auth_time")
      }
    }
  }

  const acrValues = options.acrValues
  if (acrValues !== undefined && acrValues.length > 0) {
    if (acr === undefined) return missing("acr")
    if (!acrValues.includes(acr)) return fail("AcrMismatch", `'acr' ${jose.show(acr)} is not among the requested acr_values`, "acr")
  }

  const claims: Mutable<Claims> = { iss, sub, aud, expiresAt: toUtc(exp), issuedAt: toUtc(iat), alg, encrypted, claims: c }
  if (authTime !== undefined) claims.authTime = toUtc(authTime)
  if (nonce !== undefined) claims.nonce = nonce
  if (acr !== undefined) claims.acr = acr
  if (amr !== undefined) claims.amr = amr as ReadonlyArray<string>
  if (azp !== undefined) claims.azp = azp
  if (sid !== undefined) claims.sid = sid
  return Either.right(claims)
}

/** The checks that need no hashing, run while the signature is being verified: the claims, the types of the hashes. */
const checkIdToken = <E>(token: jose.Verified, options: ValidateOptions<E>, now: number, tolerance: number): Either.Either<Claims, jose.Failure> => {
  const checked = checkClaims(token.claims, options, now, tolerance, token.alg, token.encrypted)
  if (Either.isLeft(checked)) return checked
  const c = token.claims
  if (c.at_hash !== undefined && typeof c.at_hash !== "string") return notString("at_hash")
  if (c.c_hash !== undefined && typeof c.c_hash !== "string") return notString("c_hash")
  if (c.s_hash !== undefined && typeof c.s_hash !== "string") return notString("s_hash")
  return checked
}

const hashMismatch = {
  at_hash: ["AtHashMismatch", "'at_hash' does not match the access token"],
  c_hash: ["CHashMismatch", "'c_hash' does not match the authorization code"],
  s_hash: ["SHashMismatch", "'s_hash' does not match the state"]
} as const

/** `at_hash` / `c_hash` / `s_hash`, when the ID token has one and the value it hashes is known. */
const checkHash = (
  c: Readonly<Record<string, unknown>>,
  claim: "at_hash" | "c_hash" | "s_hash",
  value: string | Redacted.Redacted<string> | undefined,
  alg: string
): Effect.Effect<void, jose.Failure> => {
  const hash = jose.stringClaim(c, claim)
  if (Either.isLeft(hash)) return Effect.fail(hash.left)
  if (hash.right === undefined || value === undefined || alg === "none") return Effect.void
  const expected = hash.right
  return Effect.flatMap(jose.leftHalfHash(unwrap(value), alg), (actual) =>
    actual === expected ? Effect.void : Effect.fail(jose.failure(hashMismatch[claim][0], hashMismatch[claim][1], claim))
  )
}

/** The default allow-list: RS256, the algorithm every OpenID provider supports. */
const defaultAlgorithms: ReadonlyArray<string> = ["RS256"]

const mapFailure = <E>(e: jose.Failure | E): InvalidIdToken | E => (jose.isFailure(e) ? fromFailure(e) : e)

/**
 * Validates an ID token. The work that does not depend on the token is done once elsewhere (keys are imported once
 * per key object, the allow-lists are constants); per token: one parse, one signature verification, one pass over
 * the claims, and a hash only when `at_hash` / `c_hash` / `s_hash` must be checked.
 * @internal
 */
export const validate = <E>(
  idToken: IdToken | string | Redacted.Redacted<string>,
  options: ValidateOptions<E>
): Effect.Effect<Claims, InvalidIdToken | OAuthError.InvalidArgument | E> => {
  const tolerance = checkOptions(options)
  if (Either.isLeft(tolerance)) return Effect.fail(tolerance.left)
  const raw = rawValue(idToken)
  if (typeof raw !== "string") return Effect.fail(invalidIdToken("Malformed", "expected an encoded ID token"))
  const config: jose.VerifyConfig<E> = {
    algorithms: options.algorithms ?? defaultAlgorithms,
    allowUnsigned: options.fromTokenEndpoint === true,
    keys: options.keys,
    clientSecret: options.clientSecret,
    decryptionKeys: jose.decryptionKeyList(options.decryptionKeys),
    encryption: options.encryption,
    forbiddenTypes: otherTypes
  }
  return Effect.clockWith((clock) => {
    // the time of the validation, read first: the claims are then checked while the signature is being verified
    const now = clock.unsafeCurrentTimeMillis() / 1000
    const verified = jose.verifyWith(raw, config, (token) => checkIdToken(token, options, now, tolerance.right))
    return Effect.flatMap(Effect.mapError(verified, mapFailure), (claims) => {
      const c = claims.claims
      const atHash = options.accessToken !== undefined && c.at_hash !== undefined
      const cHash = options.code !== undefined && c.c_hash !== undefined
      const sHash = options.state !== undefined && c.s_hash !== undefined
      if (!atHash && !cHash && !sHash) return Effect.succeed(claims)
      return Effect.as(
        Effect.mapError(
          Effect.all(
            [
              checkHash(c, "at_hash", options.accessToken, claims.alg),
              checkHash(c, "c_hash", options.code, claims.alg),
              checkHash(c, "s_hash", options.state, claims.alg)
            ],
            { discard: true }
          ),
          fromFailure
        ),
        claims
      )
    })
  })
}

/** @internal */
export const leftHalfHash = (value: string | Redacted.Redacted<string>, alg: string): Effect.Effect<string, InvalidIdToken> =>
  Effect.mapError(jose.leftHalfHash(unwrap(value), alg), fromFailure)
