/**
 * DPoP keys and proofs (RFC 9449 4): the proof's header and claims, the thumbprint, key input rules, and the error.
 */
import { describe, expect, it } from "@effect/vitest"
import { AuthorizationRequest, Dpop } from "@oauth2/core"
import { ErrorLaws } from "@oauth2/testing"
import { Effect, Redacted, TestClock } from "effect"
import * as jose from "jose"

describe("Dpop", () => {
  it.effect(
    "a proof: typ dpop+jwt, the public jwk, a fresh jti, htm upper-cased, htu without query or fragment, iat from the Clock, ath, nonce",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(1_234_567_000)
        const key = yield* Dpop.generate()
        const one = yield* Dpop.proof(key, { method: "post", url: "https://rs.example.com/a/b?c=d#e", accessToken: Redacted.make("AT"), nonce: "n" })
        const two = yield* Dpop.proof(key, { method: "GET", url: "https://rs.example.com/a" })
        const header = jose.decodeProtectedHeader(one)
        expect(header).toEqual({ typ: "dpop+jwt", alg: "ES256", jwk: key.publicJwk })
        expect(key.publicJwk).not.toHaveProperty("d")
        const claims = jose.decodeJwt(one)
        expect(claims).toMatchObject({
          htm: "POST",
          htu: "https://rs.example.com/a/b",
          iat: 1_234_567,
          nonce: "n",
          ath: yield* Dpop.accessTokenHash("AT")
        })
        // ath: base64url SHA-256 of the token (the example of RFC 9449 7.1)
        expect(yield* Dpop.accessTokenHash("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU")).toBe("fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo")
        const other = jose.decodeJwt(two)
        expect(other.jti).not.toBe(claims.jti)
        expect(other).not.toHaveProperty("ath")
        expect(other).not.toHaveProperty("nonce")
        expect(yield* Effect.promise(() => jose.calculateJwkThumbprint(header.jwk!))).toBe(key.thumbprint)
      })
  )

  it("htu is the URL as sent: scheme and host lower-cased, the default port dropped, no query, fragment or credentials", () => {
    expect(Dpop.htu("HTTPS://RS.Example.COM:443/A/b?c=d#e")).toBe("https://rs.example.com/A/b")
    expect(Dpop.htu("https://user:secret@rs.example.com:8443/x#f")).toBe("https://rs.example.com:8443/x")
    expect(Dpop.htu("http://localhost:80?q=1")).toBe("http://localhost/")
    // not an absolute URL: the query and fragment are cut
    expect(Dpop.htu("/relative/path?q=1#f")).toBe("/relative/path")
  })

  it.effect("the user's key: a private JWK, a Redacted JSON JWK, a key pair; a PEM alone or an HMAC/other key is refused", () =>
    Effect.gen(function* () {
      const pair = yield* Effect.promise(() => jose.generateKeyPair("EdDSA", { extractable: true }))
      const fromPair = yield* Dpop.fromKey(pair)
      expect(fromPair.algorithm).toBe("EdDSA")
      const jwk = yield* Effect.promise(() => jose.exportJWK(pair.privateKey))
      const fromJwk = yield* Dpop.fromKey(jwk)
      expect(fromJwk.thumbprint).toBe(fromPair.thumbprint)
      expect((yield* Dpop.fromKey(Redacted.make(JSON.stringify(jwk)))).thumbprint).toBe(fromPair.thumbprint)
      const pem = yield* Effect.promise(() => jose.exportPKCS8(pair.privateKey))
      expect((yield* Effect.flip(Dpop.fromKey(pem, { algorithm: "EdDSA" })))._tag).toBe("InvalidArgument")
      const es384 = yield* Effect.promise(() => jose.generateKeyPair("ES384", { extractable: true }))
      expect((yield* Effect.flip(Dpop.fromKey(es384)))._tag).toBe("InvalidArgument")
    })
  )

  it.effect("a key pair whose halves do not match is refused (non-extractable private keys too)", () =>
    Effect.gen(function* () {
      for (const alg of ["ES256", "EdDSA", "PS256", "RS256"]) {
        const one = yield* Effect.promise(() => jose.generateKeyPair(alg))
        const other = yield* Effect.promise(() => jose.generateKeyPair(alg))
        expect((yield* Dpop.fromKey(one)).algorithm).toBe(alg)
        const mixed = yield* Effect.flip(Dpop.fromKey({ privateKey: one.privateKey, publicKey: other.publicKey }))
        expect(mixed._tag).toBe("InvalidArgument")
        expect(mixed.message).toMatch(/does not match/)
      }
      // a public key without the verify usage is still checked (and accepted when it matches)
      const pair = yield* Effect.promise(() => jose.generateKeyPair("ES256"))
      const raw = yield* Effect.promise(() => crypto.subtle.exportKey("jwk", pair.publicKey))
      const noUsage = yield* Effect.promise(() => crypto.subtle.importKey("jwk", raw, { name: "ECDSA", namedCurve: "P-256" }, true, []))
      expect((yield* Dpop.fromKey({ privateKey: pair.privateKey, publicKey: noUsage })).algorithm).toBe("ES256")
    })
  )

  it.effect("dpop_jkt in an authorization request", () =>
    Effect.gen(function* () {
      const key = yield* Dpop.generate()
      const request = yield* AuthorizationRequest.make({
        authorizationEndpoint: "https://as.example.com/authorize",
        clientId: "c",
        dpopJkt: key.thumbprint
      })
      expect(new URL(request.url).searchParams.get("dpop_jkt")).toBe(key.thumbprint)
      const refused = yield* Effect.flip(
        AuthorizationRequest.make({ authorizationEndpoint: "https://as.example.com/authorize", clientId: "c", extraParams: { dpop_jkt: "x" } })
      )
      expect(refused._tag).toBe("InvalidArgument")
    })
  )

  it("DpopRequired keeps the error laws", async () => {
    const error = Dpop.dpopRequired("token", "the server issued a DPoP-bound token to a request without a proof")
    expect(Dpop.isDpopRequired(error)).toBe(true)
    expect(error._tag).toBe("DpopRequired")
    await ErrorLaws.check(error)
  })
})
