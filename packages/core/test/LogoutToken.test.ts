import { describe, expect, it } from "@effect/vitest"
import { LogoutToken } from "@oauth2/core"
import { ErrorLaws } from "@oauth2/testing"
import { DateTime, Effect, Redacted, TestClock } from "effect"
import * as jose from "jose"
import { CLIENT_ID, ISSUER, keyPair, NOW, signJwt, unsignedJwt, withPayload } from "./jwtFixtures.js"

const rsa = await keyPair("RS256", "rsa-1")
const ec = await keyPair("ES256", "ec-1")
const attacker = await keyPair("RS256", "rsa-1")
const jwks: jose.JSONWebKeySet = { keys: [rsa.publicJwk, ec.publicJwk] }
const event = { "http://schemas.openid.net/event/backchannel-logout": {} }

const logoutClaims = (overrides: Record<string, unknown> = {}): Record<string, unknown> => {
  const base: Record<string, unknown> = {
    iss: ISSUER,
    aud: CLIENT_ID,
    iat: NOW,
    exp: NOW + 120,
    jti: "jti-1",
    sub: "alice",
    sid: "sid-1",
    events: event
  }
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete base[k]
    else base[k] = v
  }
  return base
}

const sign = (overrides: Record<string, unknown> = {}, header: Record<string, unknown> = { typ: "logout+jwt" }, key = rsa) =>
  Effect.promise(() => signJwt(logoutClaims(overrides), key, header))

const base: LogoutToken.ValidateOptions = { issuer: ISSUER, clientId: CLIENT_ID, keys: jwks }

const validate = (token: string | Redacted.Redacted<string>, options: Partial<LogoutToken.ValidateOptions> = {}) =>
  Effect.zipRight(TestClock.setTime(NOW * 1000), LogoutToken.validate(token, { ...base, ...options }))

const refused = (token: string, options: Partial<LogoutToken.ValidateOptions> = {}) =>
  Effect.map(Effect.flip(validate(token, options)), (e) => {
    expect(LogoutToken.isInvalidLogoutToken(e)).toBe(true)
    const error = e as LogoutToken.InvalidLogoutToken
    expect(error.message).not.toContain(token.split(".")[1])
    return error
  })

describe("LogoutToken.validate", () => {
  it.effect("accepts a valid logout token and returns its claims", () =>
    Effect.gen(function* () {
      const claims = yield* validate(yield* sign())
      expect(claims.sub).toBe("alice")
      expect(claims.sid).toBe("sid-1")
      expect(claims.jti).toBe("jti-1")
      expect(claims.aud).toEqual([CLIENT_ID])
      expect(claims.alg).toBe("RS256")
      expect(DateTime.toEpochMillis(claims.expiresAt!)).toBe((NOW + 120) * 1000)
      // kept until exp plus the 30 s tolerance
      expect(DateTime.toEpochMillis(claims.acceptedUntil)).toBe((NOW + 150) * 1000)
    })
  )

  it.effect("accepts a token without typ, with only sub or only sid, without exp, and Redacted input", () =>
    Effect.gen(function* () {
      expect((yield* validate(yield* sign({}, {}))).sub).toBe("alice")
      expect((yield* validate(yield* sign({ sid: undefined }))).sid).toBeUndefined()
      expect((yield* validate(yield* sign({ sub: undefined }))).sub).toBeUndefined()
      const noExp = yield* validate(Redacted.make(yield* sign({ exp: undefined })))
      expect(noExp.expiresAt).toBeUndefined()
      // without exp, the default max age (10 minutes) bounds the replay window
      expect(DateTime.toEpochMillis(noExp.acceptedUntil)).toBe((NOW + 600 + 30) * 1000)
      expect((yield* validate(yield* sign({}, { typ: "application/logout+jwt" }))).jti).toBe("jti-1")
    })
  )

  it.effect("accepts the algorithms of the allow-list only", () =>
    Effect.gen(function* () {
      const es = yield* sign({}, { typ: "logout+jwt" }, ec)
      expect((yield* refused(es)).reason).toBe("AlgorithmNotAllowed")
      expect((yield* validate(es, { algorithms: ["ES256"] })).alg).toBe("ES256")
    })
  )

  const cases: ReadonlyArray<readonly [string, Record<string, unknown>, LogoutToken.Reason, string | undefined]> = [
    ["a wrong iss", { iss: "https://evil.example.com" }, "IssuerMismatch", "iss"],
    ["a wrong aud", { aud: "another-client" }, "AudienceMismatch", "aud"],
    ["a wrong azp", { azp: "another-client" }, "AudienceMismatch", "azp"],
    ["a nonce", { nonce: "n-1" }, "NonceForbidden", "nonce"],
    ["no events", { events: undefined }, "MissingClaim", "events"],
    ["events without the back-channel logout member", { events: { "http://schemas.openid.net/event/other": {} } }, "MissingEvent", "events"],
    [
      "a back-channel logout event that is not an object",
      { events: { "http://schemas.openid.net/event/backchannel-logout": "yes" } },
      "MissingEvent",
      "events"
    ],
    ["events that is not an object", { events: ["x"] }, "Malformed", "events"],
    ["neither sub nor sid", { sub: undefined, sid: undefined }, "MissingSubject", "sub"],
    ["no jti", { jti: undefined }, "MissingClaim", "jti"],
    ["no iat", { iat: undefined }, "MissingClaim", "iat"],
    ["an iat in the future", { iat: NOW + 120, exp: NOW + 240 }, "IssuedInFuture", "iat"],
    ["an iat older than the max age", { iat: NOW - 3600, exp: undefined }, "Expired", "iat"],
    ["an expired exp", { iat: NOW - 200, exp: NOW - 60 }, "Expired", "exp"],
    ["no iss", { iss: undefined }, "MissingClaim", "iss"],
    ["no aud", { aud: undefined }, "MissingClaim", "aud"]
  ]
  for (const [name, overrides, reason, claim] of cases) {
    it.effect(`refuses ${name}`, () =>
      Effect.gen(function* () {
        const e = yield* refused(yield* sign(overrides))
        expect(e.reason).toBe(reason)
        expect(e.claim).toBe(claim)
      })
    )
  }

  it.effect("refuses a typ that is not logout+jwt (an ID token or access token)", () =>
    Effect.gen(function* () {
      for (const typ of ["JWT", "at+jwt", "secevent+jwt"]) {
        const e = yield* refused(yield* sign({}, { typ }))
        expect(e.reason).toBe("UnexpectedType")
        expect(e.claim).toBe("typ")
      }
    })
  )

  it.effect("refuses a bad signature, a key of another party, and alg none even when listed", () =>
    Effect.gen(function* () {
      const token = yield* sign()
      expect((yield* refused(withPayload(token, logoutClaims({ sub: "mallory" })))).reason).toBe("InvalidSignature")
      expect((yield* refused(yield* sign({}, { typ: "logout+jwt" }, attacker))).reason).toBe("InvalidSignature")
      const none = unsignedJwt(logoutClaims(), { typ: "logout+jwt" })
      expect((yield* refused(none)).reason).toBe("AlgorithmNotAllowed")
      expect((yield* refused(none, { algorithms: ["none", "RS256"] })).reason).toBe("AlgorithmNotAllowed")
      expect((yield* refused("not-a-jwt")).reason).toBe("Malformed")
    })
  )

  it.effect("refuses bad options with InvalidArgument", () =>
    Effect.gen(function* () {
      const token = yield* sign()
      const e = yield* Effect.flip(validate(token, { issuer: "" }))
      expect(e._tag).toBe("InvalidArgument")
      const m = yield* Effect.flip(validate(token, { maxAge: 0 }))
      expect(m._tag).toBe("InvalidArgument")
    })
  )

  it("InvalidLogoutToken follows the error laws", async () => {
    const e = LogoutToken.invalidLogoutToken("Replayed", "the jti was seen before", "jti")
    await ErrorLaws.check(e)
    expect(LogoutToken.isInvalidLogoutToken(e)).toBe(true)
    expect(e[LogoutToken.InvalidLogoutTokenTypeId]).toBe(LogoutToken.InvalidLogoutTokenTypeId)
  })
})
