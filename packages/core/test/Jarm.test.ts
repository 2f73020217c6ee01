/**
 * JwtResponse.authorization (JARM): a signed or signed-then-encrypted response JWT becomes the callback parameters;
 * everything else is an InvalidJwt with its reason.
 */
import { assert, describe, it } from "@effect/vitest"
import { AuthorizationRequest, AuthorizationResponse, Jwt, JwtResponse } from "@oauth2/core"
import { Effect, TestClock } from "effect"
import * as jose from "jose"

const issuer = "https://as.example.com"
const clientId = "client-1"

const keys = Effect.promise(async () => {
  const signing = await jose.generateKeyPair("ES256", { extractable: true })
  const encryption = await jose.generateKeyPair("ECDH-ES", { extractable: true })
  const publicJwk = { ...(await jose.exportJWK(signing.publicKey)), kid: "k1", alg: "ES256", use: "sig" }
  return { signing, encryption, jwks: { keys: [publicJwk] } }
})

const sign = (key: CryptoKey, claims: jose.JWTPayload, alg = "ES256") =>
  Effect.promise(() => new jose.SignJWT(claims).setProtectedHeader({ alg, kid: "k1" }).sign(key))

const at = 1_700_000_000

describe("JwtResponse.authorization (JARM)", () => {
  it.effect("a signed response gives the parameters; an encrypted one is decrypted first; the callback checks follow", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(at * 1000)
      const { encryption, jwks, signing } = yield* keys
      const claims = { iss: issuer, aud: clientId, exp: at + 60, iat: at, code: "c-1", state: "s-1" }
      const signed = yield* sign(signing.privateKey, claims)
      const params = yield* JwtResponse.authorization(signed, { issuer, clientId, keys: jwks, algorithms: ["ES256"] })
      assert.deepStrictEqual(Object.fromEntries(params), { iss: issuer, code: "c-1", state: "s-1" })

      const encrypted = yield* Effect.promise(() =>
        new jose.CompactEncrypt(new TextEncoder().encode(signed))
          .setProtectedHeader({ alg: "ECDH-ES", enc: "A256GCM", cty: "JWT" })
          .encrypt(encryption.publicKey)
      )
      const decryptionKey = yield* Jwt.decryptionKey(yield* Effect.promise(() => jose.exportJWK(encryption.privateKey)), { alg: "ECDH-ES" })
      const decrypted = yield* JwtResponse.authorization(encrypted, {
        issuer,
        clientId,
        keys: jwks,
        algorithms: ["ES256"],
        decryptionKeys: [decryptionKey],
        encryption: { alg: "ECDH-ES", enc: "A256GCM" }
      })
      assert.strictEqual(decrypted.get("code"), "c-1")
      // a response that should have been encrypted and was not
      const plain = yield* Effect.flip(
        JwtResponse.authorization(signed, {
          issuer,
          clientId,
          keys: jwks,
          algorithms: ["ES256"],
          decryptionKeys: [decryptionKey],
          encryption: { alg: "ECDH-ES" }
        })
      )
      assert.strictEqual(Jwt.isInvalidJwt(plain) && plain.reason, "EncryptionRequired")

      const pending = yield* AuthorizationRequest.make({ authorizationEndpoint: `${issuer}/authorize`, clientId, state: "s-1", issuer })
      const response = yield* AuthorizationResponse.validate(pending, params)
      assert.strictEqual(response._tag, "AuthorizationResponse")
    })
  )

  it.effect("refused: an algorithm outside the list, a missing exp, another issuer or audience, expired", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(at * 1000)
      const { jwks, signing } = yield* keys
      const options = { issuer, clientId, keys: jwks, algorithms: ["PS256"] }
      const base = { iss: issuer, aud: clientId, exp: at + 60, code: "c" }
      const reason = (claims: jose.JWTPayload, algorithms = ["ES256"]) =>
        Effect.flatMap(sign(signing.privateKey, claims), (jwt) =>
          Effect.map(Effect.flip(JwtResponse.authorization(jwt, { ...options, algorithms })), (e) => (Jwt.isInvalidJwt(e) ? e.reason : e._tag))
        )
      assert.strictEqual(yield* reason(base, ["PS256"]), "AlgorithmNotAllowed")
      const { exp: _exp, ...withoutExp } = base
      assert.strictEqual(yield* reason(withoutExp), "MissingClaim")
      assert.strictEqual(yield* reason({ ...base, iss: "https://evil.example.com" }), "IssuerMismatch")
      assert.strictEqual(yield* reason({ ...base, aud: "someone-else" }), "AudienceMismatch")
      assert.strictEqual(yield* reason({ ...base, exp: at - 3600 }), "Expired")
      const unsigned = `${Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")}.${Buffer.from(JSON.stringify(base)).toString("base64url")}.`
      const none = yield* Effect.flip(JwtResponse.authorization(unsigned, { ...options, algorithms: ["ES256", "none"] }))
      assert.isTrue(Jwt.isInvalidJwt(none))
    })
  )
})
