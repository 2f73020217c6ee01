import { describe, expect, it, vi } from "@effect/vitest"
import { IdToken, Jwt } from "@oauth2/core"
import { DateTime, Effect, Redacted, TestClock } from "effect"
import * as jose from "jose"
import { createPublicKey } from "node:crypto"
import {
  claims,
  CLIENT_ID,
  encoder,
  encryptJwt,
  ISSUER,
  keyPair,
  nodeHalfHash,
  NOW,
  rsa15Jwe,
  signJwt,
  unsignedJwt,
  withPayload
} from "./jwtFixtures.js"

const rsa = await keyPair("RS256", "rsa-1")
const ec = await keyPair("ES256", "ec-1")
const attacker = await keyPair("RS256", "rsa-1")
const jwks: jose.JSONWebKeySet = { keys: [rsa.publicJwk, ec.publicJwk] }
const clientSecret = Redacted.make("a-client-secret-that-is-long-enough!")

const base: IdToken.ValidateOptions = { issuer: ISSUER, clientId: CLIENT_ID, keys: jwks, nonce: "n-1" }

/** Validates at the test clock's NOW. */
const validate = <E = never>(token: string, options: Partial<IdToken.ValidateOptions<E>> = {}) =>
  Effect.zipRight(TestClock.setTime(NOW * 1000), IdToken.validate(IdToken.make(token), { ...base, ...options } as IdToken.ValidateOptions<E>))

/** The failure of a validation that must fail, with its reason. */
const refused = <E = never>(token: string, options: Partial<IdToken.ValidateOptions<E>> = {}) =>
  Effect.map(Effect.flip(validate(token, options)), (error) => {
    const e = error as { readonly _tag: string; readonly reason?: string; readonly claim?: string; readonly message: string }
    // the token is never echoed
    if (token.length > 16) {
      expect(e.message).not.toContain(token)
      expect(e.message).not.toContain(token.split(".")[1])
    }
    return e
  })

describe("IdToken.validate", () => {
  it.effect("accepts a valid ID token and returns its claims", () =>
    Effect.gen(function* () {
      const token = yield* Effect.promise(() => signJwt(claims({ auth_time: NOW - 10, acr: "urn:acr:mfa", amr: ["pwd", "otp"], sid: "s1" }), rsa))
      const result = yield* validate(token, { maxAge: 60, acrValues: ["urn:acr:mfa"] })
      expect(result.sub).toBe("alice")
      expect(result.iss).toBe(ISSUER)
      expect(result.aud).toEqual([CLIENT_ID])
      expect(result.nonce).toBe("n-1")
      expect(result.acr).toBe("urn:acr:mfa")
      expect(result.amr).toEqual(["pwd", "otp"])
      expect(result.sid).toBe("s1")
      expect(result.alg).toBe("RS256")
      expect(result.encrypted).toBe(false)
      expect(DateTime.toEpochMillis(result.expiresAt)).toBe((NOW + 300) * 1000)
      expect(DateTime.toEpochMillis(result.authTime!)).toBe((NOW - 10) * 1000)
      // accepts the raw string and a Redacted too, and is pipeable
      yield* TestClock.setTime(NOW * 1000)
      yield* IdToken.validate(token, base)
      yield* IdToken.validate(Redacted.make(token), base)
      yield* Effect.succeed(IdToken.make(token)).pipe(Effect.flatMap(IdToken.validate(base)))
    })
  )

  describe("signature and algorithms", () => {
    it.effect("refuses a forged signature (payload changed, signature kept)", () =>
      Effect.gen(function* () {
        const token = yield* Effect.promise(() => signJwt(claims(), rsa))
        const e = yield* refused(withPayload(token, claims({ sub: "mallory" })))
        expect(e).toMatchObject({ _tag: "InvalidIdToken", reason: "InvalidSignature" })
      })
    )

    it.effect("refuses a token signed by another key with the same kid", () =>
      Effect.gen(function* () {
        const token = yield* Effect.promise(() => signJwt(claims(), attacker))
        expect(yield* refused(token)).toMatchObject({ reason: "InvalidSignature" })
      })
    )

    it.effect("refuses alg none unless registered and from the token endpoint", () =>
      Effect.gen(function* () {
        const token = unsignedJwt(claims())
        expect(yield* refused(token)).toMatchObject({ reason: "AlgorithmNotAllowed", claim: "alg" })
        // registered, but not from the token endpoint
        expect(yield* refused(token, { algorithms: ["none"] })).toMatchObject({ reason: "AlgorithmNotAllowed" })
        // from the token endpoint, but not registered
        expect(yield* refused(token, { fromTokenEndpoint: true })).toMatchObject({ reason: "AlgorithmNotAllowed" })
        // both: accepted
        const ok = yield* validate(token, { algorithms: ["none"], fromTokenEndpoint: true })
        expect(ok.alg).toBe("none")
        // an unsigned token must have an empty signature
        expect(yield* refused(`${token}AAAA`, { algorithms: ["none"], fromTokenEndpoint: true })).toMatchObject({ reason: "Malformed" })
      })
    )

    it.effect("refuses an HS256 token keyed with the RSA public key, and verifies HS* with the client secret only", () =>
      Effect.gen(function* () {
        const pem = createPublicKey({ key: rsa.publicJwk as import("node:crypto").JsonWebKey, format: "jwk" })
          .export({ type: "spki", format: "pem" })
          .toString()
        for (const secret of [encoder.encode(pem), encoder.encode(JSON.stringify(rsa.publicJwk))]) {
          const token = yield* Effect.promise(() => signJwt(claims(), { alg: "HS256", kid: "rsa-1", privateKey: secret }))
          // not in the allow-list
          expect(yield* refused(token)).toMatchObject({ reason: "AlgorithmNotAllowed" })
          // in the allow-list, but the client has no secret: never tried with a published key
          expect(yield* refused(token, { algorithms: ["RS256", "HS256"] })).toMatchObject({ reason: "AlgorithmNotAllowed" })
          // with the client secret: the signature does not verify
          expect(yield* refused(token, { algorithms: ["RS256", "HS256"], clientSecret })).toMatchObject({ reason: "InvalidSignature" })
        }
        const good = yield* Effect.promise(() => signJwt(claims(), { alg: "HS256", privateKey: encoder.encode(Redacted.value(clientSecret)) }))
        expect((yield* validate(good, { algorithms: ["HS256"], clientSecret })).alg).toBe("HS256")
      })
    )

    it.effect("refuses an algorithm outside the allow-list, even with a valid signature", () =>
      Effect.gen(function* () {
        const token = yield* Effect.promise(() => signJwt(claims(), ec))
        expect(yield* refused(token)).toMatchObject({ reason: "AlgorithmNotAllowed" })
        yield* validate(token, { algorithms: ["RS256", "ES256"] })
      })
    )

    it.effect("refuses an unknown crit header", () =>
      Effect.gen(function* () {
        const token = yield* Effect.promise(() =>
          signJwt(claims(), rsa, { crit: ["urn:example:ext"], "urn:example:ext": true }, { crit: { "urn:example:ext": true } })
        )
        expect(yield* refused(token)).toMatchObject({ reason: "UnsupportedCriticalHeader", claim: "crit" })
      })
    )

    it.effect("never trusts a key embedded in the header", () =>
      Effect.gen(function* () {
        const evil = yield* Effect.promise(() => keyPair("RS256", "evil"))
        const { kid: _kid, ...jwk } = evil.publicJwk
        // signed by the attacker, with the attacker's key embedded and no kid
        const token = yield* Effect.promise(() => signJwt(claims(), { alg: "RS256", privateKey: evil.privateKey }, { jwk }))
        expect(yield* refused(token, { keys: { keys: [rsa.publicJwk] } })).toMatchObject({ reason: "EmbeddedKey", claim: "jwk" })
        for (const header of [{ jku: "https://evil.example/jwks" }, { x5u: "https://evil.example/cert" }, { x5c: ["MIIB"] }]) {
          const other = yield* Effect.promise(() => signJwt(claims(), rsa, header))
          expect(yield* refused(other)).toMatchObject({ reason: "EmbeddedKey" })
        }
      })
    )

    it.effect("refuses other kinds of JWT (typ)", () =>
      Effect.gen(function* () {
        const token = yield* Effect.promise(() => signJwt(claims(), rsa, { typ: "at+jwt" }))
        expect(yield* refused(token)).toMatchObject({ reason: "UnexpectedType", claim: "typ" })
        yield* validate(yield* Effect.promise(() => signJwt(claims(), rsa, { typ: "JWT" })))
      })
    )

    it.effect("refuses malformed tokens without echoing them", () =>
      Effect.gen(function* () {
        for (const token of [
          "",
          "abc",
          "a.b",
          "a.b.c.d",
          "!!.e30.c2ln",
          `${jose.base64url.encode("[]")}.e30.c2ln`,
          `${jose.base64url.encode('{"alg":"RS256"}')}.bm90IGpzb24.c2ln`
        ]) {
          expect(yield* refused(token)).toMatchObject({
            _tag: "InvalidIdToken",
            reason: expect.stringMatching(/Malformed|InvalidSignature|NoMatchingKey|AmbiguousKey/)
          })
        }
        expect(yield* refused("a.b")).toMatchObject({ reason: "Malformed" })
      })
    )
  })

  describe("key selection", () => {
    it.effect("uses the single key when the token names no kid", () =>
      Effect.gen(function* () {
        const token = yield* Effect.promise(() => signJwt(claims(), { alg: "RS256", privateKey: rsa.privateKey }))
        const { kid: _kid, ...noKid } = rsa.publicJwk
        yield* validate(token, { keys: { keys: [noKid, ec.publicJwk] } })
        yield* validate(token, { keys: { keys: [rsa.publicJwk] } })
      })
    )

    it.effect("refuses a token without kid when several keys fit", () =>
      Effect.gen(function* () {
        const other = yield* Effect.promise(() => keyPair("RS256", "rsa-2"))
        const token = yield* Effect.promise(() => signJwt(claims(), { alg: "RS256", privateKey: rsa.privateKey }))
        expect(yield* refused(token, { keys: { keys: [rsa.publicJwk, other.publicJwk] } })).toMatchObject({ reason: "AmbiguousKey" })
      })
    )

    it.effect("refuses a kid the key set does not have", () =>
      Effect.gen(function* () {
        const token = yield* Effect.promise(() => signJwt(claims(), { ...rsa, kid: "unknown" }))
        expect(yield* refused(token)).toMatchObject({ reason: "NoMatchingKey", claim: "kid" })
        expect(yield* refused(token, { keys: undefined })).toMatchObject({ reason: "NoMatchingKey" })
      })
    )

    it.effect("asks the key source for the token's kid (a rotated key is found after one refetch)", () =>
      Effect.gen(function* () {
        const rotated = yield* Effect.promise(() => keyPair("RS256", "rsa-new"))
        const queries: Array<string | undefined> = []
        let fetched: jose.JSONWebKeySet = jwks
        const source = (query: { readonly kid?: string }) =>
          Effect.sync(() => {
            queries.push(query.kid)
            // a cache that refetches when it does not know the kid
            if (query.kid !== undefined && !fetched.keys.some((k) => k.kid === query.kid)) fetched = { keys: [rsa.publicJwk, rotated.publicJwk] }
            return fetched
          })
        yield* validate(yield* Effect.promise(() => signJwt(claims(), rotated)), { keys: source })
        expect(queries).toEqual(["rsa-new"])
        yield* validate(yield* Effect.promise(() => signJwt(claims(), { alg: "RS256", privateKey: rsa.privateKey })), {
          keys: { keys: [rsa.publicJwk] }
        })
      })
    )

    it.effect("skips keys meant for encryption or another algorithm", () =>
      Effect.gen(function* () {
        const token = yield* Effect.promise(() => signJwt(claims(), { alg: "RS256", privateKey: rsa.privateKey }))
        const { kid: _kid, ...noKid } = rsa.publicJwk
        const asEnc = { ...noKid, use: "enc", kid: "e" }
        const asPs = { ...noKid, alg: "PS256", kid: "p" }
        yield* validate(token, { keys: { keys: [asEnc, asPs, { ...noKid, kid: "s" }] } })
        expect(yield* refused(token, { keys: { keys: [asEnc, asPs] } })).toMatchObject({ reason: "NoMatchingKey" })
      })
    )

    it.effect("a failing key source fails with its own error", () =>
      Effect.gen(function* () {
        const token = yield* Effect.promise(() => signJwt(claims(), rsa))
        const e = yield* Effect.flip(validate(token, { keys: () => Effect.fail({ _tag: "JwksDown" as const }) }))
        expect(e).toEqual({ _tag: "JwksDown" })
      })
    )
  })

  describe("key import", () => {
    it.effect("imports each key of a key set once, however many tokens it verifies", () =>
      Effect.gen(function* () {
        const first = yield* Effect.promise(() => keyPair("RS256", "once-rsa"))
        const second = yield* Effect.promise(() => keyPair("ES256", "once-ec"))
        const set: jose.JSONWebKeySet = { keys: [first.publicJwk, second.publicJwk] }
        const tokens = yield* Effect.promise(() => Promise.all([1, 2, 3].map((i) => signJwt(claims({ sub: `user-${i}` }), first))))
        const ecToken = yield* Effect.promise(() => signJwt(claims(), second))
        // every import of a verification key goes through WebCrypto's importKey
        const importKey = vi.spyOn(globalThis.crypto.subtle, "importKey")
        yield* Effect.gen(function* () {
          for (const token of tokens) yield* validate(token, { keys: set })
          expect(importKey).toHaveBeenCalledTimes(1)
          // the same set from a key source (a JWKS cache entry answers the same object every time)
          for (const token of tokens) yield* validate(token, { keys: () => Effect.succeed(set) })
          expect(importKey).toHaveBeenCalledTimes(1)
          // the other key of the set is imported at its first use, once
          yield* validate(ecToken, { keys: set, algorithms: ["ES256"] })
          yield* validate(ecToken, { keys: set, algorithms: ["ES256"] })
          expect(importKey).toHaveBeenCalledTimes(2)
          // a new set (new key objects, as after a refetch) is imported again
          yield* validate(tokens[0]!, { keys: { keys: [{ ...first.publicJwk }] } })
          expect(importKey).toHaveBeenCalledTimes(3)
        }).pipe(Effect.ensuring(Effect.sync(() => importKey.mockRestore())))
      })
    )

    it.effect("verifies every supported algorithm with WebCrypto, and refuses a forged payload for each", () =>
      Effect.gen(function* () {
        const asymmetric = [
          ["RS256", {}],
          ["RS384", {}],
          ["RS512", {}],
          ["PS256", {}],
          ["PS384", {}],
          ["PS512", {}],
          ["ES256", {}],
          ["ES384", {}],
          ["ES512", {}],
          ["EdDSA", { crv: "Ed25519" }],
          ["Ed25519", {}]
        ] as const
        for (const [alg, options] of asymmetric) {
          const key = yield* Effect.promise(() => keyPair(alg, `all-${alg}`, options))
          const keys = { keys: [key.publicJwk] }
          const token = yield* Effect.promise(() => signJwt(claims(), key))
          expect((yield* validate(token, { keys, algorithms: [alg] })).alg).toBe(alg)
          const forged = withPayload(token, claims({ sub: "mallory" }))
          expect(yield* refused(forged, { keys, algorithms: [alg] })).toMatchObject({ reason: "InvalidSignature" })
        }
        for (const alg of ["HS256", "HS384", "HS512"] as const) {
          const token = yield* Effect.promise(() => signJwt(claims(), { alg, privateKey: encoder.encode(Redacted.value(clientSecret)) }))
          expect((yield* validate(token, { algorithms: [alg], clientSecret })).alg).toBe(alg)
          const forged = withPayload(token, claims({ sub: "mallory" }))
          expect(yield* refused(forged, { algorithms: [alg], clientSecret })).toMatchObject({ reason: "InvalidSignature" })
        }
      })
    )

    it.effect("refuses RSA keys shorter than 2048 bits", () =>
      Effect.gen(function* () {
        // jose does not sign with such a key: WebCrypto does
        const short = yield* Effect.promise(() =>
          globalThis.crypto.subtle.generateKey(
            { name: "RSASSA-PKCS1-v1_5", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
            true,
            ["sign", "verify"]
          )
        )
        const publicJwk = yield* Effect.promise(() => jose.exportJWK(short.publicKey))
        const signingInput = `${jose.base64url.encode(JSON.stringify({ alg: "RS256", kid: "short" }))}.${jose.base64url.encode(JSON.stringify(claims()))}`
        const signature = yield* Effect.promise(() =>
          globalThis.crypto.subtle.sign("RSASSA-PKCS1-v1_5", short.privateKey, encoder.encode(signingInput))
        )
        const token = `${signingInput}.${jose.base64url.encode(new Uint8Array(signature))}`
        const keys = { keys: [{ ...publicJwk, kid: "short", alg: "RS256", use: "sig" }] }
        expect(yield* refused(token, { keys })).toMatchObject({ reason: "NoMatchingKey", claim: "kid" })
      })
    )
  })

  describe("claims", () => {
    const cases: ReadonlyArray<readonly [string, Record<string, unknown>, Partial<IdToken.ValidateOptions>, string, string | undefined]> = [
      ["wrong iss", { iss: "https://evil.example.com" }, {}, "IssuerMismatch", "iss"],
      ["iss with a trailing slash", { iss: `${ISSUER}/` }, {}, "IssuerMismatch", "iss"],
      ["missing iss", { iss: undefined }, {}, "MissingClaim", "iss"],
      ["wrong aud", { aud: "other-client" }, {}, "AudienceMismatch", "aud"],
      ["missing aud", { aud: undefined }, {}, "MissingClaim", "aud"],
      ["several aud without azp", { aud: [CLIENT_ID, "other"] }, {}, "MissingClaim", "azp"],
      ["several aud with another azp", { aud: [CLIENT_ID, "other"], azp: "other" }, {}, "AuthorizedPartyMismatch", "azp"],
      ["azp of another client", { azp: "other" }, {}, "AuthorizedPartyMismatch", "azp"],
      ["missing sub", { sub: undefined }, {}, "MissingClaim", "sub"],
      ["empty sub", { sub: "" }, {}, "MissingClaim", "sub"],
      ["missing exp", { exp: undefined }, {}, "MissingClaim", "exp"],
      ["missing iat", { iat: undefined }, {}, "MissingClaim", "iat"],
      ["wrong nonce", { nonce: "n-2" }, {}, "NonceMismatch", "nonce"],
      ["missing nonce", { nonce: undefined }, {}, "MissingClaim", "nonce"],
      ["a nonce when none was sent", {}, { nonce: false }, "NonceMismatch", "nonce"],
      ["expired", { exp: NOW - 31 }, {}, "Expired", "exp"],
      ["expired, no tolerance", { exp: NOW - 1 }, { clockTolerance: 0 }, "Expired", "exp"],
      ["issued in the future", { iat: NOW + 31 }, {}, "IssuedInFuture", "iat"],
      ["not yet valid", { nbf: NOW + 31 }, {}, "NotYetValid", "nbf"],
      ["auth_time beyond max_age", { auth_time: NOW - 331 }, { maxAge: 300 }, "MaxAgeExceeded", "auth_time"],
      ["no auth_time with max_age", {}, { maxAge: 300 }, "MissingClaim", "auth_time"],
      ["no auth_time when required", {}, { requireAuthTime: true }, "MissingClaim", "auth_time"],
      ["acr not requested", { acr: "urn:acr:pwd" }, { acrValues: ["urn:acr:mfa", "urn:acr:hw"] }, "AcrMismatch", "acr"],
      ["no acr with acr_values", {}, { acrValues: ["urn:acr:mfa"] }, "MissingClaim", "acr"],
      ["exp of the wrong type", { exp: "soon" }, {}, "Malformed", "exp"],
      ["aud of the wrong type", { aud: [1] }, {}, "Malformed", "aud"],
      ["amr of the wrong type", { amr: "pwd" }, {}, "Malformed", "amr"]
    ]
    for (const [name, overrides, options, reason, claim] of cases) {
      it.effect(`refuses ${name}: ${reason}`, () =>
        Effect.gen(function* () {
          const token = yield* Effect.promise(() => signJwt(claims(overrides), rsa))
          const e = yield* refused(token, options)
          expect(e).toMatchObject({ _tag: "InvalidIdToken", reason, ...(claim === undefined ? {} : { claim }) })
        })
      )
    }

    it.effect("tolerates clock skew up to the tolerance, and bounds the tolerance", () =>
      Effect.gen(function* () {
        yield* validate(yield* Effect.promise(() => signJwt(claims({ exp: NOW - 29, iat: NOW + 29, nbf: NOW + 29 }), rsa)))
        yield* validate(yield* Effect.promise(() => signJwt(claims({ auth_time: NOW - 329 }), rsa)), { maxAge: 300 })
        yield* validate(yield* Effect.promise(() => signJwt(claims({ exp: NOW - 100 }), rsa)), { clockTolerance: "2 minutes" })
        const token = yield* Effect.promise(() => signJwt(claims(), rsa))
        expect(yield* Effect.flip(validate(token, { clockTolerance: "10 minutes" }))).toMatchObject({
          _tag: "InvalidArgument",
          argument: "clockTolerance"
        })
        expect(yield* Effect.flip(validate(token, { maxAge: -1 }))).toMatchObject({ _tag: "InvalidArgument", argument: "maxAge" })
        expect(yield* Effect.flip(validate(token, { issuer: "" }))).toMatchObject({ _tag: "InvalidArgument", argument: "issuer" })
      })
    )

    it.effect("follows the test clock", () =>
      Effect.gen(function* () {
        const token = yield* Effect.promise(() => signJwt(claims(), rsa))
        yield* validate(token)
        yield* TestClock.adjust("331 seconds")
        const e = yield* Effect.flip(IdToken.validate(token, base))
        expect(e).toMatchObject({ reason: "Expired" })
      })
    )

    it.effect("accepts several audiences with azp equal to the client id", () =>
      Effect.gen(function* () {
        const token = yield* Effect.promise(() => signJwt(claims({ aud: ["other", CLIENT_ID], azp: CLIENT_ID }), rsa))
        expect((yield* validate(token)).aud).toEqual(["other", CLIENT_ID])
      })
    )

    it.effect("does not check the nonce when not asked to", () =>
      Effect.gen(function* () {
        yield* validate(yield* Effect.promise(() => signJwt(claims({ nonce: "whatever" }), rsa)), { nonce: undefined })
        yield* validate(yield* Effect.promise(() => signJwt(claims({ nonce: undefined }), rsa)), { nonce: false })
      })
    )
  })

  describe("at_hash and c_hash", () => {
    const accessToken = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"
    const code = "Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk"

    it.effect("computes the OpenID Connect example values", () =>
      Effect.gen(function* () {
        expect(yield* IdToken.leftHalfHash(accessToken, "RS256")).toBe("77QmUPtjPfzWtF2AnpK9RQ")
        expect(yield* IdToken.leftHalfHash(code, "RS256")).toBe("LDktKdoQak3Pk0cnXxCltA")
        expect(yield* Effect.flip(IdToken.leftHalfHash(code, "none"))).toMatchObject({ reason: "AlgorithmNotAllowed" })
      })
    )

    const families = [
      ["RS256", {}, "sha256"],
      ["PS384", {}, "sha384"],
      ["RS512", {}, "sha512"],
      ["ES256", {}, "sha256"],
      ["ES384", {}, "sha384"],
      ["ES512", {}, "sha512"],
      ["EdDSA", { crv: "Ed25519" }, "sha512"],
      ["Ed25519", {}, "sha512"]
    ] as const
    for (const [alg, options, hash] of families) {
      it.effect(`checks at_hash and c_hash with ${alg} (${hash})`, () =>
        Effect.gen(function* () {
          const key = yield* Effect.promise(() => keyPair(alg, `k-${alg}`, options))
          const keys = { keys: [key.publicJwk] }
          const ok = yield* Effect.promise(() => signJwt(claims({ at_hash: nodeHalfHash(accessToken, hash), c_hash: nodeHalfHash(code, hash) }), key))
          yield* validate(ok, { keys, algorithms: [alg], accessToken: Redacted.make(accessToken), code })
          // the hash of another value, or with another hash function, is refused
          const wrongHash = hash === "sha256" ? "sha512" : "sha256"
          const badAt = yield* Effect.promise(() => signJwt(claims({ at_hash: nodeHalfHash(accessToken, wrongHash) }), key))
          expect(yield* refused(badAt, { keys, algorithms: [alg], accessToken })).toMatchObject({ reason: "AtHashMismatch", claim: "at_hash" })
          const badC = yield* Effect.promise(() => signJwt(claims({ c_hash: nodeHalfHash("another-code", hash) }), key))
          expect(yield* refused(badC, { keys, algorithms: [alg], code })).toMatchObject({ reason: "CHashMismatch", claim: "c_hash" })
        })
      )
    }

    it.effect("checks s_hash against the state when both are known (OIDC Core 3.3.2.11, FAPI)", () =>
      Effect.gen(function* () {
        const state = "af0ifjsldkj"
        const ok = yield* Effect.promise(() => signJwt(claims({ s_hash: nodeHalfHash(state, "sha256") }), rsa))
        yield* validate(ok, { state })
        // without a known state, s_hash is not checked
        yield* validate(yield* Effect.promise(() => signJwt(claims({ s_hash: "not-the-hash" }), rsa)))
        const bad = yield* Effect.promise(() => signJwt(claims({ s_hash: nodeHalfHash("another-state", "sha256") }), rsa))
        expect(yield* refused(bad, { state })).toMatchObject({ reason: "SHashMismatch", claim: "s_hash" })
        const malformed = yield* Effect.promise(() => signJwt(claims({ s_hash: 42 }), rsa))
        expect(yield* refused(malformed, { state })).toMatchObject({ reason: "Malformed", claim: "s_hash" })
      })
    )

    it.effect("checks at_hash with HS512 (the client secret)", () =>
      Effect.gen(function* () {
        const key = { alg: "HS512", privateKey: encoder.encode(Redacted.value(clientSecret)) }
        const ok = yield* Effect.promise(() => signJwt(claims({ at_hash: nodeHalfHash(accessToken, "sha512") }), key))
        yield* validate(ok, { algorithms: ["HS512"], clientSecret, accessToken })
        const bad = yield* Effect.promise(() => signJwt(claims({ at_hash: nodeHalfHash(accessToken, "sha256") }), key))
        expect(yield* refused(bad, { algorithms: ["HS512"], clientSecret, accessToken })).toMatchObject({ reason: "AtHashMismatch" })
      })
    )
  })

  describe("encrypted ID tokens", () => {
    it.effect("decrypts a JWE with the client's key, then validates the signed ID token inside", () =>
      Effect.gen(function* () {
        const client = yield* Effect.promise(() => keyPair("RSA-OAEP-256", "enc-1", { use: "enc" }))
        const decryptionKey = yield* Jwt.decryptionKey(Redacted.make(client.privateJwk))
        const jws = yield* Effect.promise(() => signJwt(claims(), rsa))
        const jwe = yield* Effect.promise(() => encryptJwt(jws, client.publicJwk, "RSA-OAEP-256", "A256GCM", { kid: "enc-1" }))
        const result = yield* validate(jwe, { decryptionKeys: decryptionKey, encryption: { alg: "RSA-OAEP-256", enc: "A256GCM" } })
        expect(result.encrypted).toBe(true)
        expect(result.sub).toBe("alice")
        // a signed but not encrypted ID token is refused when the client registered encryption
        expect(yield* refused(jws, { decryptionKeys: decryptionKey, encryption: { alg: "RSA-OAEP-256" } })).toMatchObject({
          reason: "EncryptionRequired"
        })
        // another enc than the registered one
        expect(yield* refused(jwe, { decryptionKeys: decryptionKey, encryption: { enc: "A128GCM" } })).toMatchObject({
          reason: "EncryptionAlgorithmNotAllowed"
        })
        // no decryption key, or the wrong one
        expect(yield* refused(jwe)).toMatchObject({ reason: "DecryptionFailed" })
        const other = yield* Effect.promise(() => keyPair("RSA-OAEP-256", "enc-1", { use: "enc" }))
        expect(yield* refused(jwe, { decryptionKeys: yield* Jwt.decryptionKey(other.privateJwk) })).toMatchObject({ reason: "DecryptionFailed" })
        // the signed token inside is validated as usual
        const forged = yield* Effect.promise(() =>
          encryptJwt(withPayload(jws, claims({ sub: "mallory" })), client.publicJwk, "RSA-OAEP-256", "A256GCM")
        )
        expect(yield* refused(forged, { decryptionKeys: decryptionKey })).toMatchObject({ reason: "InvalidSignature" })
      })
    )

    it.effect("decrypts ECDH-ES JWEs", () =>
      Effect.gen(function* () {
        const client = yield* Effect.promise(() => keyPair("ECDH-ES+A256KW", "ecdh-1", { use: "enc" }))
        const decryptionKey = yield* Jwt.decryptionKey(client.privateJwk)
        const jws = yield* Effect.promise(() => signJwt(claims(), ec))
        const jwe = yield* Effect.promise(() => encryptJwt(jws, client.publicJwk, "ECDH-ES+A256KW", "A128CBC-HS256"))
        yield* validate(jwe, { decryptionKeys: [decryptionKey], algorithms: ["ES256"] })
      })
    )

    it.effect("refuses RSA1_5 key encryption", () =>
      Effect.gen(function* () {
        const client = yield* Effect.promise(() => keyPair("RSA-OAEP", "enc-1", { use: "enc" }))
        const { alg: _alg, ...anyAlg } = client.privateJwk
        const decryptionKey = yield* Jwt.decryptionKey(anyAlg)
        const jwe = rsa15Jwe(yield* Effect.promise(() => signJwt(claims(), rsa)), client.publicJwk)
        const e = yield* refused(jwe, { decryptionKeys: decryptionKey })
        expect(e).toMatchObject({ reason: "EncryptionAlgorithmNotAllowed", claim: "alg" })
        expect(e.message).toContain("RSA1_5 key encryption is refused")
        // and cannot be configured
        expect(yield* Effect.flip(Jwt.decryptionKey(client.privateJwk, { alg: "RSA1_5" as Jwt.KeyManagementAlgorithm }))).toMatchObject({
          _tag: "InvalidArgument"
        })
      })
    )
  })

  describe("refresh", () => {
    it.effect("a refreshed ID token keeps iss and sub (and nonce)", () =>
      Effect.gen(function* () {
        const original = yield* validate(yield* Effect.promise(() => signJwt(claims(), rsa)))
        // same end-user, new iat: accepted; the request nonce is not checked, the original one is
        yield* validate(yield* Effect.promise(() => signJwt(claims({ iat: NOW + 5 }), rsa)), { previous: original, nonce: "other" })
        yield* validate(yield* Effect.promise(() => signJwt(claims({ nonce: undefined }), rsa)), { previous: original })
        expect(yield* refused(yield* Effect.promise(() => signJwt(claims({ sub: "bob" }), rsa)), { previous: original })).toMatchObject({
          reason: "SubjectChanged",
          claim: "sub"
        })
        expect(yield* refused(yield* Effect.promise(() => signJwt(claims({ nonce: "n-9" }), rsa)), { previous: original })).toMatchObject({
          reason: "NonceMismatch"
        })
        const elsewhere = { ...original, iss: "https://old-issuer.example.com" }
        expect(yield* refused(yield* Effect.promise(() => signJwt(claims(), rsa)), { previous: elsewhere })).toMatchObject({
          reason: "IssuerChanged",
          claim: "iss"
        })
        // OpenID Connect Core 12.2: the same audience, and the time of the original authentication
        expect(
          yield* refused(yield* Effect.promise(() => signJwt(claims({ aud: [CLIENT_ID, "other"], azp: CLIENT_ID }), rsa)), { previous: original })
        ).toMatchObject({ reason: "AudienceChanged", claim: "aud" })
        const withAuthTime = yield* validate(yield* Effect.promise(() => signJwt(claims({ auth_time: NOW - 60 }), rsa)))
        yield* validate(yield* Effect.promise(() => signJwt(claims({ auth_time: NOW - 60, iat: NOW + 5 }), rsa)), { previous: withAuthTime })
        expect(yield* refused(yield* Effect.promise(() => signJwt(claims({ auth_time: NOW }), rsa)), { previous: withAuthTime })).toMatchObject({
          reason: "AuthTimeChanged",
          claim: "auth_time"
        })
      })
    )
  })
})
