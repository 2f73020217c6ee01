import { describe, expect, it } from "@effect/vitest"
import { AuthorizationRequest, AuthorizationResponse, Jwt, Params, RequestObject } from "@oauth2/core"
import { Effect, Equal, Redacted, TestClock } from "effect"
import * as jose from "jose"
import { encoder, ISSUER, keyPair, NOW } from "./jwtFixtures.js"

const client = await keyPair("ES256", "client-key")
const server = await keyPair("ECDH-ES", "server-enc", { crv: "P-256", use: "enc" })

const makeRequest = AuthorizationRequest.make({
  authorizationEndpoint: `${ISSUER}/authorize`,
  clientId: "client-1",
  redirectUri: "https://app.example.com/cb",
  scope: "openid profile",
  maxAge: 300,
  acrValues: ["urn:acr:mfa"],
  claims: { id_token: { email: { essential: true } } },
  resource: ["https://api.example.com/a", "https://api.example.com/b"],
  extraParams: { ui_locales: "fr" }
})

const verifyJws = async (jws: string) => {
  const { payload, protectedHeader } = await jose.compactVerify(jws, await jose.importJWK(client.publicJwk, "ES256"))
  return { header: protectedHeader, claims: JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown> }
}

describe("RequestObject.make", () => {
  it.effect("signs every parameter, with its JSON type, into a request object", () =>
    Effect.gen(function* () {
      const request = yield* makeRequest
      const signingKey = yield* Jwt.signingKey(Redacted.make(client.privateJwk))
      const jar = yield* RequestObject.make(request, { signingKey, audience: ISSUER })
      expect(jar._tag).toBe("RequestObjectRequest")
      const url = new URL(jar.url)
      // OpenID Connect Core 6.1: response_type and scope (with openid) outside the object too
      expect([...url.searchParams.keys()]).toEqual(["client_id", "response_type", "scope", "request"])
      expect(url.searchParams.get("response_type")).toBe("code")
      expect(url.searchParams.get("scope")).toBe("openid profile")
      expect(url.searchParams.get("request")).toBe(jar.request)
      const { claims, header } = yield* Effect.promise(() => verifyJws(jar.request))
      expect(header).toEqual({ alg: "ES256", kid: "client-key", typ: "oauth-authz-req+jwt" })
      expect(claims).toMatchObject({
        iss: "client-1",
        aud: ISSUER,
        client_id: "client-1",
        response_type: "code",
        redirect_uri: "https://app.example.com/cb",
        scope: "openid profile",
        state: request.state,
        nonce: request.nonce,
        code_challenge_method: "S256",
        max_age: 300,
        acr_values: "urn:acr:mfa",
        claims: { id_token: { email: { essential: true } } },
        resource: ["https://api.example.com/a", "https://api.example.com/b"],
        ui_locales: "fr"
      })
      expect(claims).not.toHaveProperty("code_verifier")
      expect(claims).not.toHaveProperty("exp")
      // the pending data is kept for the callback and the ID token
      expect(jar.nonce).toBe(request.nonce)
      expect(jar.state).toBe(request.state)
      expect(jar.maxAge).toBe(300)
      expect(jar.codeVerifier).toEqual(request.codeVerifier)
      const restored = yield* AuthorizationRequest.restore(AuthorizationRequest.serialize(jar))
      expect(Equal.equals(restored, jar)).toBe(true)
      const response = yield* AuthorizationResponse.validate(jar, `https://app.example.com/cb?code=c&state=${request.state}`)
      expect(response.nonce).toBe(request.nonce)
    })
  )

  it.effect("adds iat, nbf, exp and jti with a lifetime, from the clock", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW * 1000)
      const signingKey = yield* Jwt.signingKey(client.privateJwk)
      const jar = yield* RequestObject.make(yield* makeRequest, { signingKey, audience: ISSUER, lifetime: "5 minutes", issuer: "custom-iss" })
      const { claims } = yield* Effect.promise(() => verifyJws(jar.request))
      expect(claims).toMatchObject({ iss: "custom-iss", iat: NOW, nbf: NOW, exp: NOW + 300 })
      expect(typeof claims.jti).toBe("string")
      expect((claims.jti as string).length).toBeGreaterThanOrEqual(32)
    })
  )

  it.effect("signs then encrypts to the server's key", () =>
    Effect.gen(function* () {
      const signingKey = yield* Jwt.signingKey(client.privateJwk)
      const encryptionKey = yield* Jwt.encryptionKey(server.publicJwk)
      expect([encryptionKey.alg, encryptionKey.enc, encryptionKey.kid]).toEqual(["ECDH-ES", "A256GCM", "server-enc"])
      const jar = yield* RequestObject.make(yield* makeRequest, { signingKey, audience: ISSUER, encryptionKey })
      expect(jar.request.split(".")).toHaveLength(5)
      const { plaintext, protectedHeader } = yield* Effect.promise(async () =>
        jose.compactDecrypt(jar.request, await jose.importJWK(server.privateJwk, "ECDH-ES"))
      )
      expect(protectedHeader).toMatchObject({ alg: "ECDH-ES", enc: "A256GCM", cty: "JWT", kid: "server-enc" })
      const { claims } = yield* Effect.promise(() => verifyJws(new TextDecoder().decode(plaintext)))
      expect(claims.aud).toBe(ISSUER)
    })
  )

  it.effect("signs with the client secret (HS256)", () =>
    Effect.gen(function* () {
      const secret = "a-client-secret-that-is-long-enough!"
      const signingKey = yield* Jwt.secretKey(Redacted.make(secret))
      const jar = yield* RequestObject.make(yield* makeRequest, { signingKey, audience: ISSUER, type: false })
      const { protectedHeader } = yield* Effect.promise(() => jose.compactVerify(jar.request, encoder.encode(secret)))
      expect(protectedHeader).toEqual({ alg: "HS256" })
    })
  )

  it.effect("refuses what it cannot sign", () =>
    Effect.gen(function* () {
      const signingKey = yield* Jwt.signingKey(client.privateJwk)
      const withIss = yield* AuthorizationRequest.make({ authorizationEndpoint: `${ISSUER}/authorize`, clientId: "c", extraParams: { iss: "x" } })
      expect(yield* Effect.flip(RequestObject.make(withIss, { signingKey, audience: ISSUER }))).toMatchObject({
        _tag: "InvalidArgument",
        argument: "params"
      })
      const request = yield* makeRequest
      expect(yield* Effect.flip(RequestObject.make(request, { signingKey, audience: "" }))).toMatchObject({ argument: "audience" })
      expect(yield* Effect.flip(RequestObject.make(request, { signingKey, audience: ISSUER, lifetime: "10 millis" }))).toMatchObject({
        argument: "lifetime"
      })
      const jar = yield* RequestObject.make(request, { signingKey, audience: ISSUER })
      expect(yield* Effect.flip(RequestObject.make(jar as never, { signingKey, audience: ISSUER }))).toMatchObject({ argument: "request" })
    })
  )
})

describe("Jwt keys", () => {
  it.effect("derives algorithms and refuses unusable keys", () =>
    Effect.gen(function* () {
      const rsa = yield* Effect.promise(() => keyPair("RS256", "r"))
      const { alg: _a, ...rsaNoAlg } = rsa.privateJwk
      expect((yield* Jwt.signingKey(rsaNoAlg)).alg).toBe("RS256")
      expect((yield* Jwt.signingKey(rsaNoAlg, { alg: "PS256" })).alg).toBe("PS256")
      expect((yield* Jwt.signingKey(JSON.stringify(client.privateJwk))).alg).toBe("ES256")
      expect(yield* Effect.flip(Jwt.signingKey(client.publicJwk))).toMatchObject({ _tag: "InvalidArgument", argument: "privateKey" })
      expect(yield* Effect.flip(Jwt.signingKey(client.privateJwk, { alg: "RS256" }))).toMatchObject({ argument: "alg" })
      expect(yield* Effect.flip(Jwt.signingKey("not a key"))).toMatchObject({ argument: "privateKey" })
      expect(yield* Effect.flip(Jwt.encryptionKey(client.publicJwk))).toMatchObject({ argument: "jwk" })
      expect(yield* Effect.flip(Jwt.encryptionKey({ ...server.publicJwk, alg: "RSA1_5" }))).toMatchObject({ argument: "jwk" })
      expect(yield* Effect.flip(Jwt.decryptionKey(server.publicJwk))).toMatchObject({ argument: "privateKey" })
      const decryption = yield* Jwt.decryptionKey(server.privateJwk)
      expect(decryption).toEqual({ _tag: "DecryptionKey", kid: "server-enc", algorithms: ["ECDH-ES"] })
      // the private key is not reachable from the value
      expect(JSON.stringify(decryption)).not.toContain(String(server.privateJwk.d))
      expect(Jwt.isDecryptionKey(decryption)).toBe(true)
      expect(Jwt.isDecryptionKey({ ...decryption })).toBe(false)
    })
  )
})

describe("RequestObject.backchannel", () => {
  it.effect("signs a CIBA authentication request with iat, nbf, exp and jti", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW * 1000)
      const signingKey = yield* Jwt.signingKey(client.privateJwk)
      const params = yield* RequestObject.backchannel(
        { scope: "openid email", loginHint: "alice", bindingMessage: "W4SCT", requestedExpiry: 120, userCode: Redacted.make("1234") },
        { signingKey, clientId: "client-1", audience: ISSUER }
      )
      expect(params.map(([n]) => n)).toEqual(["request"])
      const { claims, header } = yield* Effect.promise(() => verifyJws(Params.unwrap(params[0]![1])))
      expect(header).toEqual({ alg: "ES256", kid: "client-key" })
      expect(claims).toMatchObject({
        iss: "client-1",
        aud: ISSUER,
        scope: "openid email",
        login_hint: "alice",
        binding_message: "W4SCT",
        requested_expiry: 120,
        user_code: "1234",
        iat: NOW,
        nbf: NOW,
        exp: NOW + 300
      })
      expect(typeof claims.jti).toBe("string")
      // the request is validated like an unsigned one
      expect(
        yield* Effect.flip(RequestObject.backchannel({ scope: "email", loginHint: "a" }, { signingKey, clientId: "c", audience: ISSUER }))
      ).toMatchObject({ _tag: "InvalidArgument", argument: "scope" })
    })
  )
})
