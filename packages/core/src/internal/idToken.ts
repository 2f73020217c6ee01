/** @internal */
import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type { Claims, IdToken, InvalidIdToken, Reason, ValidateOptions } from "../IdToken.js"
import * as OAuthError from "../OAuthError.js"
import { isRecord } from "./errors.js"
import * as jose from "./jose.js"

/** @internal */
export const invalidIdToken = (reason: Reason, detail: string, claim?: string): InvalidIdToken =>
  Data.struct({
    _tag: "InvalidIdToken" as const,
    reason,
    ...(claim === undefined ? {} : { claim }),
    message: `invalid ID token (${reason}): ${detail}`
  })

const fromFailure = (f: jose.Failure): InvalidIdToken => invalidIdToken(f.reason, f.detail, f.claim)

/** Other kinds of JWT an ID token must never be confused with (RFC 8725 3.11). */
const otherTypes = [
  "at+jwt",
  "logout+jwt",
  "token-introspection+jwt",
  "oauth-authz-req+jwt",
  "secevent+jwt",
  "dpop+jwt",
  "jwt-bearer+jwt"
]

const toUtc = (seconds: number): DateTime.Utc => DateTime.unsafeMake(Math.round(seconds * 1000))

const check = (condition: boolean, reason: Reason, detail: string, claim?: string): Either.Either<void, jose.Failure> =>
  condition ? Either.void : Either.left(jose.failure(reason, detail, claim))

const required = <A>(value: A | undefined, claim: string): Either.Either<A, jose.Failure> =>
  value === undefined ? Either.left(jose.failure("MissingClaim", `the '${claim}' claim is missing`, claim)) : Either.right(value)

const unwrap = (u: string | Redacted.Redacted<string>): string => (Redacted.isRedacted(u) ? Redacted.value(u) : u)

const rawValue = (idToken: IdToken | string | Redacted.Redacted<string>): unknown =>
  typeof idToken === "string" ? idToken : Redacted.isRedacted(idToken) ? Redacted.value(idToken) : isRecord(idToken) && Redacted.isRedacted(idToken.value) ? Redacted.value(idToken.value) : undefined

const checkOptions = <E>(options: ValidateOptions<E>): Either.Either<number, OAuthError.InvalidArgument> =>
  Either.gen(function*() {
    if (!isRecord(options)) return yield* Either.left(OAuthError.invalidArgument("options", "expected an object"))
    if (typeof options.issuer !== "string" || options.issuer.length === 0) {
      return yield* Either.left(OAuthError.invalidArgument("issuer", "the expected issuer is required"))
    }
    if (typeof options.clientId !== "string" || options.clientId.length === 0) {
      return yield* Either.left(OAuthError.invalidArgument("clientId", "the client id is required"))
    }
    const maxAge = options.maxAge
    if (maxAge !== undefined && !(typeof maxAge === "number" && Number.isSafeInteger(maxAge) && maxAge >= 0)) {
      return yield* Either.left(OAuthError.invalidArgument("maxAge", "must be a non-negative integer"))
    }
    if (options.algorithms !== undefined && (!Array.isArray(options.algorithms) || options.algorithms.length === 0)) {
      return yield* Either.left(OAuthError.invalidArgument("algorithms", "must be a non-empty list"))
    }
    return yield* jose.clockTolerance(options.clockTolerance)
  })

/** The claims checks, in order: presence and types, iss, aud, azp, times, nonce, auth_time, acr, continuity. */
const checkClaims = <E>(
  c: Readonly<Record<string, unknown>>,
  options: ValidateOptions<E>,
  now: number,
  tolerance: number
) =>
  Either.gen(function*() {
    const iss = yield* required(yield* jose.stringClaim(c, "iss"), "iss")
    const sub = yield* required(yield* jose.stringClaim(c, "sub"), "sub")
    yield* check(sub.length > 0, "MissingClaim", "the 'sub' claim is empty", "sub")
    const aud = yield* required(yield* jose.audienceClaim(c), "aud")
    yield* required(yield* jose.numericDate(c, "exp"), "exp")
    yield* required(yield* jose.numericDate(c, "iat"), "iat")
    const azp = yield* jose.stringClaim(c, "azp")
    const nonce = yield* jose.stringClaim(c, "nonce")
    const acr = yield* jose.stringClaim(c, "acr")
    const sid = yield* jose.stringClaim(c, "sid")
    const authTime = yield* jose.numericDate(c, "auth_time")
    const amr = c.amr
    if (amr !== undefined && !(Array.isArray(amr) && amr.every((a) => typeof a === "string"))) {
      return yield* Either.left(jose.failure("Malformed", "'amr' is not a list of strings", "amr"))
    }

    yield* check(iss === options.issuer, "IssuerMismatch", `'iss' ${jose.show(iss, 256)} is not the expected issuer ${jose.show(options.issuer, 256)}`, "iss")
    yield* check(aud.includes(options.clientId), "AudienceMismatch", `'aud' does not contain the client id ${jose.show(options.clientId, 128)}`, "aud")
    if (aud.length > 1 && azp === undefined) {
      return yield* Either.left(jose.failure("MissingClaim", "'aud' has several values, so 'azp' is required", "azp"))
    }
    yield* check(azp === undefined || azp === options.clientId, "AuthorizedPartyMismatch", `'azp' ${jose.show(azp)} is not the client id`, "azp")

    const times = yield* jose.checkTimes(c, now, tolerance)

    const previous = options.previous
    if (previous !== undefined) {
      // OpenID Connect Core 12.2: a refreshed ID token keeps the original iss and sub (and nonce, when it has one)
      yield* check(iss === previous.iss, "IssuerChanged", `'iss' ${jose.show(iss, 256)} differs from the original ID token's`, "iss")
      yield* check(sub === previous.sub, "SubjectChanged", "'sub' differs from the original ID token's", "sub")
      yield* check(nonce === undefined || nonce === previous.nonce, "NonceMismatch", "'nonce' differs from the original ID token's", "nonce")
      // ... the same audience, and the time of the original authentication
      const sameAudience = aud.length === previous.aud.length && aud.every((a) => previous.aud.includes(a))
      yield* check(sameAudience, "AudienceChanged", "'aud' differs from the original ID token's", "aud")
      if (previous.authTime !== undefined && authTime !== undefined) {
        const original = Math.floor(DateTime.toEpochMillis(previous.authTime) / 1000)
        yield* check(Math.floor(authTime) === original, "AuthTimeChanged", "'auth_time' differs from the original ID token's", "auth_time")
      }
    } else if (typeof options.nonce === "string") {
      if (nonce === undefined) return yield* Either.left(jose.failure("MissingClaim", "the request sent a nonce but the 'nonce' claim is missing", "nonce"))
      yield* check(nonce === options.nonce, "NonceMismatch", "'nonce' is not the one sent in the authorization request", "nonce")
    } else if (options.nonce === false) {
      yield* check(nonce === undefined, "NonceMismatch", "the request sent no nonce but the ID token has one", "nonce")
    }

    if (options.maxAge !== undefined || options.requireAuthTime === true) {
      const at = yield* required(authTime, "auth_time")
      if (options.maxAge !== undefined) {
        const age = now - at
        yield* check(
          age <= options.maxAge + tolerance,
          "MaxAgeExceeded",
          `the end-user authenticated ${Math.round(age)} seconds ago, more than max_age ${options.maxAge}`,
          "auth_time"
        )
      }
    }

    const acrValues = options.acrValues ?? []
    if (acrValues.length > 0) {
      const value = yield* required(acr, "acr")
      yield* check(acrValues.includes(value), "AcrMismatch", `'acr' ${jose.show(value)} is not among the requested acr_values`, "acr")
    }

    const claims: Omit<Claims, "alg" | "encrypted"> = {
      iss,
      sub,
      aud,
      expiresAt: toUtc(times.exp!),
      issuedAt: toUtc(times.iat!),
      ...(authTime === undefined ? {} : { authTime: toUtc(authTime) }),
      ...(nonce === undefined ? {} : { nonce }),
      ...(acr === undefined ? {} : { acr }),
      ...(amr === undefined ? {} : { amr: amr as ReadonlyArray<string> }),
      ...(azp === undefined ? {} : { azp }),
      ...(sid === undefined ? {} : { sid }),
      claims: c
    }
    return claims
  })

/** `at_hash` / `c_hash`, when the ID token has one and the value it hashes is known. */
const checkHash = (
  c: Readonly<Record<string, unknown>>,
  claim: "at_hash" | "c_hash",
  value: string | Redacted.Redacted<string> | undefined,
  alg: string
): Effect.Effect<void, jose.Failure> =>
  Effect.gen(function*() {
    const hash = yield* jose.stringClaim(c, claim)
    if (hash === undefined || value === undefined || alg === "none") return
    const expected = yield* jose.leftHalfHash(unwrap(value), alg)
    if (hash !== expected) {
      return yield* Effect.fail(
        jose.failure(
          claim === "at_hash" ? "AtHashMismatch" : "CHashMismatch",
          claim === "at_hash" ? "'at_hash' does not match the access token" : "'c_hash' does not match the authorization code",
          claim
        )
      )
    }
  })

/** @internal */
export const validate = <E>(
  idToken: IdToken | string | Redacted.Redacted<string>,
  options: ValidateOptions<E>
): Effect.Effect<Claims, InvalidIdToken | OAuthError.InvalidArgument | E> =>
  Effect.gen(function*() {
    const tolerance = yield* checkOptions(options)
    const raw = rawValue(idToken)
    if (typeof raw !== "string") return yield* Effect.fail(invalidIdToken("Malformed", "expected an encoded ID token"))
    const algorithms = options.algorithms ?? ["RS256"]
    const verified = yield* Effect.mapError(
      jose.verify(raw, {
        algorithms,
        allowUnsigned: options.fromTokenEndpoint === true,
        keys: options.keys,
        clientSecret: options.clientSecret,
        decryptionKeys: jose.decryptionKeyList(options.decryptionKeys),
        encryption: options.encryption,
        forbiddenTypes: otherTypes
      }),
      (e) => (jose.isFailure(e) ? fromFailure(e) : e)
    )
    const now = yield* jose.nowSeconds
    const claims = yield* Either.mapLeft(checkClaims(verified.claims, options, now, tolerance), fromFailure)
    yield* Effect.mapError(checkHash(verified.claims, "at_hash", options.accessToken, verified.alg), fromFailure)
    yield* Effect.mapError(checkHash(verified.claims, "c_hash", options.code, verified.alg), fromFailure)
    return { ...claims, alg: verified.alg, encrypted: verified.encrypted }
  })

/** @internal */
export const leftHalfHash = (value: string | Redacted.Redacted<string>, alg: string): Effect.Effect<string, InvalidIdToken> =>
  Effect.mapError(jose.leftHalfHash(unwrap(value), alg), fromFailure)
