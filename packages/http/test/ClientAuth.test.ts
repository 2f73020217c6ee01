import { assert, describe, it } from "@effect/vitest"
import { Jwt, Params } from "@oauth2/core"
import * as ClientAuth from "@oauth2/http/ClientAuth"
import { Effect, Exit, Inspectable, Redacted, TestClock } from "effect"
import * as fc from "fast-check"
import * as jose from "jose"
import { inspect } from "node:util"
import { vi } from "vitest"

const tokenUrl = "https://as.example.com/oauth/token"
const issuer = "https://as.example.com"

const request = (overrides: Partial<ClientAuth.AuthRequest> = {}): ClientAuth.AuthRequest => ({
  url: tokenUrl,
  endpoint: "token",
  params: [["grant_type", "client_credentials"]],
  headers: {},
  ...overrides
})

const header = (req: ClientAuth.AuthRequest, name: string): string | undefined => {
  const value = req.headers[name]
  return value === undefined ? undefined : typeof value === "string" ? value : Redacted.value(value)
}

const decodeBasic = (value: string): string => Buffer.from(value.replace(/^Basic /, ""), "base64").toString("utf8")

/** Every way a value can end up in a log. */
const renderings = (u: unknown): ReadonlyArray<string> => [
  String(u),
  JSON.stringify(u),
  Inspectable.format(u),
  inspect(u, { depth: 10 }),
  `${Inspectable.toStringUnknown(u)}`
]

const expectNoSecret = (u: unknown, ...secrets: ReadonlyArray<string>) => {
  for (const text of renderings(u)) {
    for (const secret of secrets) assert.notInclude(text, secret)
  }
}

// 2026-01-01T00:00:00.000Z
const now = 1_767_225_600_000
const nowSeconds = now / 1000

const assertionOf = (req: ClientAuth.AuthRequest): string => {
  const value = Params.getAll(req.params, "client_assertion")
  assert.strictEqual(value.length, 1)
  assert.isTrue(Redacted.isRedacted(value[0]), "the assertion is redacted")
  return Params.unwrap(value[0]!)
}

const verify = (jwt: string, key: jose.CryptoKey | Uint8Array | jose.JWK, alg: string, audience: string) =>
  Effect.promise(async () => {
    const k = key instanceof Uint8Array || "type" in key ? key : await jose.importJWK(key as jose.JWK, alg)
    return jose.jwtVerify(jwt, k, { algorithms: [alg], audience, currentDate: new Date(now), typ: "JWT" })
  })

const keyPair = (alg: string, options: jose.GenerateKeyPairOptions = {}) =>
  Effect.promise(async () => {
    const pair = await jose.generateKeyPair(alg, { extractable: true, ...options })
    const jwk = await jose.exportJWK(pair.privateKey)
    return { ...pair, jwk }
  })

describe("ClientAuth", () => {
  describe("client_secret_basic", () => {
    it.effect("form-encodes id and secret before base64 (RFC 6749 2.3.1)", () =>
      Effect.gen(function* () {
        const auth = yield* ClientAuth.clientSecretBasic({
          clientId: "my client:1/é",
          clientSecret: Redacted.make("p@ss w:rd+%é")
        })
        const req = yield* auth.authenticate(request())
        assert.isTrue(Redacted.isRedacted(req.headers.authorization), "the header is redacted")
        const expected = `Basic ${Buffer.from("my+client%3A1%2F%C3%A9:p%40ss+w%3Ard%2B%25%C3%A9", "ascii").toString("base64")}`
        assert.strictEqual(header(req, "authorization"), expected)
        assert.deepStrictEqual(req.params, [["grant_type", "client_credentials"]])
        assert.strictEqual(auth.method, "client_secret_basic")
        assert.strictEqual(auth._tag, "ClientSecretBasic")
      })
    )

    it.effect("plain ASCII and WHATWG form-encoding of reserved characters", () =>
      Effect.gen(function* () {
        const simple = yield* ClientAuth.clientSecretBasic({ clientId: "client_id", clientSecret: "client_secret" })
        const req = yield* simple.authenticate(request())
        assert.strictEqual(header(req, "authorization"), "Basic Y2xpZW50X2lkOmNsaWVudF9zZWNyZXQ=")
        const marks = yield* ClientAuth.clientSecretBasic({ clientId: "a~b!c'd(e)f*g-h_i.j", clientSecret: "x" })
        const req2 = yield* marks.authenticate(request())
        assert.strictEqual(decodeBasic(header(req2, "authorization")!), "a%7Eb%21c%27d%28e%29f*g-h_i.j:x")
      })
    )

    it.effect("raw encoding skips form-encoding", () =>
      Effect.gen(function* () {
        const auth = yield* ClientAuth.clientSecretBasic({
          clientId: "my client",
          clientSecret: "p@ss w:rd+%é",
          encoding: "raw"
        })
        const req = yield* auth.authenticate(request())
        assert.strictEqual(header(req, "authorization"), `Basic ${Buffer.from("my client:p@ss w:rd+%é", "utf8").toString("base64")}`)
        const colon = yield* Effect.flip(ClientAuth.clientSecretBasic({ clientId: "a:b", clientSecret: "s", encoding: "raw" }))
        assert.strictEqual(colon._tag, "InvalidArgument")
        assert.strictEqual(colon.argument, "clientId")
      })
    )

    it.effect.prop(
      "id and secret round-trip through the header for any Unicode text",
      [fc.fullUnicodeString({ minLength: 1 }), fc.fullUnicodeString({ minLength: 1 })],
      ([clientId, clientSecret]) =>
        Effect.gen(function* () {
          const auth = yield* ClientAuth.clientSecretBasic({ clientId, clientSecret })
          const decoded = decodeBasic(header(yield* auth.authenticate(request()), "authorization")!)
          const [id, secret, ...rest] = decoded.split(":")
          assert.strictEqual(rest.length, 0, "form-encoding escapes every ':'")
          const form = (s: string) => decodeURIComponent(s.replace(/\+/g, " "))
          assert.strictEqual(form(id!), clientId)
          assert.strictEqual(form(secret!), clientSecret)
        })
    )

    it.effect.prop(
      "raw encoding: the header decodes to id:secret exactly (the first ':' separates them)",
      [fc.fullUnicodeString({ minLength: 1 }).filter((s) => !s.includes(":")), fc.fullUnicodeString({ minLength: 1 })],
      ([clientId, clientSecret]) =>
        Effect.gen(function* () {
          const auth = yield* ClientAuth.clientSecretBasic({ clientId, clientSecret, encoding: "raw" })
          const decoded = decodeBasic(header(yield* auth.authenticate(request()), "authorization")!)
          const at = decoded.indexOf(":")
          assert.strictEqual(decoded.slice(0, at), clientId)
          assert.strictEqual(decoded.slice(at + 1), clientSecret)
        })
    )

    it.effect.prop(
      "any strings, lone surrogates and empty ones included: a header that decodes back, or an InvalidArgument",
      [fc.string({ unit: "binary", maxLength: 12 }), fc.string({ unit: "binary", maxLength: 12 }), fc.constantFrom("form" as const, "raw" as const)],
      ([clientId, clientSecret, encoding]) =>
        Effect.gen(function* () {
          const made = yield* Effect.either(ClientAuth.clientSecretBasic({ clientId, clientSecret, encoding }))
          if (made._tag === "Left") {
            assert.strictEqual(made.left._tag, "InvalidArgument")
            return
          }
          const decoded = decodeBasic(header(yield* made.right.authenticate(request()), "authorization")!)
          const form = (s: string) => (encoding === "raw" ? s : decodeURIComponent(s.replace(/\+/g, " ")))
          const at = decoded.indexOf(":")
          assert.strictEqual(form(decoded.slice(0, at)), clientId)
          assert.strictEqual(form(decoded.slice(at + 1)), clientSecret)
        })
    )

    it.effect("refuses a request that already has an Authorization header", () =>
      Effect.gen(function* () {
        const auth = yield* ClientAuth.clientSecretBasic({ clientId: "c", clientSecret: "s" })
        const error = yield* Effect.flip(auth.authenticate(request({ headers: { Authorization: "Bearer x" } })))
        assert.strictEqual(error._tag, "ClientAuthError")
        assert.strictEqual(error.reason, "ConflictingCredentials")
        assert.strictEqual(error.endpoint, "token")
      })
    )
  })

  describe("client_secret_post and none", () => {
    it.effect("client_secret_post adds client_id and a redacted client_secret", () =>
      Effect.gen(function* () {
        const auth = yield* ClientAuth.clientSecretPost({ clientId: "my client", clientSecret: Redacted.make("s e+c%ré") })
        const req = yield* auth.authenticate(request())
        assert.strictEqual(Params.encode(req.params), "grant_type=client_credentials&client_id=my+client&client_secret=s+e%2Bc%25r%C3%A9")
        assert.isTrue(Redacted.isRedacted(Params.getAll(req.params, "client_secret")[0]))
        assert.deepStrictEqual(req.headers, {})
        expectNoSecret(req, "s e+c%ré")
      })
    )

    it.effect("none sends only client_id", () =>
      Effect.gen(function* () {
        const auth = yield* ClientAuth.none({ clientId: "spa" })
        const req = yield* auth.authenticate(
          request({
            params: [
              ["grant_type", "authorization_code"],
              ["code", "abc"]
            ]
          })
        )
        assert.strictEqual(Params.encode(req.params), "grant_type=authorization_code&code=abc&client_id=spa")
        assert.deepStrictEqual(req.headers, {})
        assert.strictEqual(auth.method, "none")
      })
    )

    it.effect("keeps one client_id when the request has the same one, refuses another one or other credentials", () =>
      Effect.gen(function* () {
        const auth = yield* ClientAuth.clientSecretPost({ clientId: "c", clientSecret: "s" })
        const same = yield* auth.authenticate(request({ params: [["client_id", "c"]] }))
        assert.strictEqual(Params.encode(same.params), "client_id=c&client_secret=s")
        const other = yield* Effect.flip(auth.authenticate(request({ params: [["client_id", "d"]] })))
        assert.strictEqual(other.reason, "ConflictingCredentials")
        const twice = yield* Effect.flip(auth.authenticate(request({ params: [["client_assertion", "x"]] })))
        assert.strictEqual(twice.reason, "ConflictingCredentials")
      })
    )
  })

  describe("client_secret_jwt", () => {
    const secret = "a-client-secret-that-is-long-enough-for-hs512-0123456789abcdefghijklmnopqrstuvwxyz"

    for (const alg of ["HS256", "HS384", "HS512"] as const) {
      it.effect(`${alg} assertion verifies with the secret, times from the Clock`, () =>
        Effect.gen(function* () {
          yield* TestClock.setTime(now + 999)
          const auth = yield* ClientAuth.clientSecretJwt({ clientId: "my-client", clientSecret: Redacted.make(secret), alg })
          const req = yield* auth.authenticate(request())
          assert.strictEqual(Params.get(req.params, "client_id"), "my-client")
          assert.strictEqual(Params.get(req.params, "client_assertion_type"), ClientAuth.assertionType)
          const { payload, protectedHeader } = yield* verify(assertionOf(req), new TextEncoder().encode(secret), alg, tokenUrl)
          assert.deepStrictEqual(protectedHeader, { alg, typ: "JWT" })
          assert.strictEqual(payload.iss, "my-client")
          assert.strictEqual(payload.sub, "my-client")
          assert.strictEqual(payload.aud, tokenUrl)
          assert.strictEqual(payload.iat, nowSeconds)
          assert.strictEqual(payload.exp, nowSeconds + 60)
          assert.isString(payload.jti)
          assert.deepStrictEqual(Object.keys(payload).sort(), ["aud", "exp", "iat", "iss", "jti", "sub"])
        })
      )
    }

    it.effect("lifetime, fresh jti on every call, audience issuer or fixed", () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(now)
        const auth = yield* ClientAuth.clientSecretJwt({
          clientId: "c",
          clientSecret: secret,
          lifetime: "5 minutes",
          audience: "issuer"
        })
        const key = new TextEncoder().encode(secret)
        const a = yield* verify(assertionOf(yield* auth.authenticate(request({ issuer }))), key, "HS256", issuer)
        const b = yield* verify(assertionOf(yield* auth.authenticate(request({ issuer }))), key, "HS256", issuer)
        assert.strictEqual(a.payload.exp, nowSeconds + 300)
        assert.notStrictEqual(a.payload.jti, b.payload.jti)
        assert.isAtLeast(a.payload.jti!.length, 22, "at least 16 random bytes, base64url")

        const missing = yield* Effect.flip(auth.authenticate(request()))
        assert.strictEqual(missing.reason, "MissingIssuer")

        const fixed = yield* ClientAuth.clientSecretJwt({ clientId: "c", clientSecret: secret, audience: "urn:my-as" })
        yield* verify(assertionOf(yield* fixed.authenticate(request())), key, "HS256", "urn:my-as")
      })
    )

    it.effect("clock moves, assertions follow", () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(now)
        const auth = yield* ClientAuth.clientSecretJwt({ clientId: "c", clientSecret: secret })
        yield* TestClock.adjust("90 seconds")
        const jwt = assertionOf(yield* auth.authenticate(request()))
        const payload = jose.decodeJwt(jwt)
        assert.strictEqual(payload.iat, nowSeconds + 90)
        assert.strictEqual(payload.exp, nowSeconds + 150)
      })
    )
  })

  describe("private_key_jwt", () => {
    const cases = [
      { alg: "RS256", options: {} },
      { alg: "PS256", options: {} },
      { alg: "ES256", options: {} },
      { alg: "ES384", options: {} },
      { alg: "EdDSA", options: {} }
    ] as const

    for (const { alg, options } of cases) {
      it.effect(`${alg} assertion verifies with the public key`, () =>
        Effect.gen(function* () {
          yield* TestClock.setTime(now)
          const { jwk, publicKey } = yield* keyPair(alg, options)
          const auth = yield* ClientAuth.privateKeyJwt({
            clientId: "my-client",
            privateKey: { ...jwk, kid: "k1", alg },
            lifetime: "2 minutes"
          })
          assert.strictEqual(auth.alg, alg)
          assert.strictEqual(auth.kid, "k1")
          const req = yield* auth.authenticate(request())
          assert.strictEqual(Params.get(req.params, "client_id"), "my-client")
          assert.strictEqual(Params.get(req.params, "client_assertion_type"), ClientAuth.assertionType)
          const { payload, protectedHeader } = yield* verify(assertionOf(req), publicKey, alg, tokenUrl)
          assert.deepStrictEqual(protectedHeader, { alg, kid: "k1", typ: "JWT" })
          assert.strictEqual(payload.iss, "my-client")
          assert.strictEqual(payload.sub, "my-client")
          assert.strictEqual(payload.iat, nowSeconds)
          assert.strictEqual(payload.exp, nowSeconds + 120)
          // the public JWK is ready to register, and verifies too
          assert.isDefined(auth.publicJwk)
          assert.isUndefined(auth.publicJwk!.d)
          assert.strictEqual(auth.publicJwk!.kid, "k1")
          yield* verify(assertionOf(req), auth.publicJwk!, alg, tokenUrl)
        })
      )
    }

    it.effect("derives alg from the key when neither the JWK nor the options say", () =>
      Effect.gen(function* () {
        const rsa = yield* keyPair("PS256")
        const rsaJwk = { ...rsa.jwk, kid: "r" }
        delete rsaJwk.alg
        assert.strictEqual((yield* ClientAuth.privateKeyJwt({ clientId: "c", privateKey: rsaJwk })).alg, "RS256")
        assert.strictEqual((yield* ClientAuth.privateKeyJwt({ clientId: "c", privateKey: rsaJwk, alg: "PS384" })).alg, "PS384")
        const ec = yield* keyPair("ES384")
        assert.strictEqual((yield* ClientAuth.privateKeyJwt({ clientId: "c", privateKey: ec.jwk, kid: "e" })).alg, "ES384")
        const ed = yield* keyPair("Ed25519")
        assert.strictEqual((yield* ClientAuth.privateKeyJwt({ clientId: "c", privateKey: ed.jwk, kid: "d" })).alg, "EdDSA")
      })
    )

    it.effect("accepts a CryptoKey, a JSON string, a PKCS#8 PEM and Redacted input", () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(now)
        const pair = yield* Effect.promise(() => jose.generateKeyPair("ES256")) // non-extractable private key
        const fromKey = yield* ClientAuth.privateKeyJwt({ clientId: "c", privateKey: pair.privateKey, kid: "k" })
        assert.strictEqual(fromKey.alg, "ES256")
        assert.isUndefined(fromKey.publicJwk)
        yield* verify(assertionOf(yield* fromKey.authenticate(request())), pair.publicKey, "ES256", tokenUrl)

        const rsa = yield* keyPair("RS256")
        const json = yield* ClientAuth.privateKeyJwt({
          clientId: "c",
          privateKey: Redacted.make(JSON.stringify({ ...rsa.jwk, kid: "j" }))
        })
        yield* verify(assertionOf(yield* json.authenticate(request())), rsa.publicKey, "RS256", tokenUrl)

        const pem = yield* Effect.promise(() => jose.exportPKCS8(rsa.privateKey))
        const fromPem = yield* ClientAuth.privateKeyJwt({ clientId: "c", privateKey: Redacted.make(pem), alg: "PS256", kid: "p" })
        const rsaPublicJwk = yield* Effect.promise(() => jose.exportJWK(rsa.publicKey))
        yield* verify(assertionOf(yield* fromPem.authenticate(request())), rsaPublicJwk, "PS256", tokenUrl)
        const noAlg = yield* Effect.flip(ClientAuth.privateKeyJwt({ clientId: "c", privateKey: pem, kid: "p" }))
        assert.strictEqual(noAlg.argument, "alg")
      })
    )

    it.effect("imports the key once: authenticating 100 times imports nothing", () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(now)
        const { jwk, publicKey } = yield* keyPair("ES256")
        const importKey = vi.spyOn(globalThis.crypto.subtle, "importKey")
        try {
          const pkJwt = yield* ClientAuth.privateKeyJwt({ clientId: "c", privateKey: { ...jwk, kid: "k" } })
          const csJwt = yield* ClientAuth.clientSecretJwt({ clientId: "c", clientSecret: "a-secret-of-some-length" })
          assert.strictEqual(importKey.mock.calls.length, 2, "one import per construction")
          importKey.mockClear()
          const jwts = yield* Effect.forEach(
            Array.from({ length: 100 }, (_, i) => i),
            (i) => Effect.map((i % 2 === 0 ? pkJwt : csJwt).authenticate(request()), assertionOf)
          )
          assert.strictEqual(importKey.mock.calls.length, 0, "no import while authenticating")
          assert.strictEqual(new Set(jwts.map((jwt) => jose.decodeJwt(jwt).jti)).size, 100)
          yield* verify(jwts[98]!, publicKey, "ES256", tokenUrl)
        } finally {
          importKey.mockRestore()
        }
      })
    )

    it.effect("refuses bad keys and options with InvalidArgument, without throwing", () =>
      Effect.gen(function* () {
        const rsa = yield* keyPair("RS256")
        const ec = yield* keyPair("ES256")
        const hmac = yield* Effect.promise(() => jose.generateSecret("HS256"))
        const weakKey = yield* Effect.promise(() =>
          globalThis.crypto.subtle.generateKey(
            { name: "RSASSA-PKCS1-v1_5", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
            true,
            ["sign", "verify"]
          )
        )
        const weak = { jwk: yield* Effect.promise(() => jose.exportJWK(weakKey.privateKey)) }
        const rsaJwk = { ...rsa.jwk, kid: "r", alg: "RS256" }
        const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rsaPublic } = rsaJwk

        const bad: ReadonlyArray<readonly [string, ClientAuth.PrivateKeyJwtOptions]> = [
          ["privateKey", { clientId: "c", privateKey: { kty: "oct", k: "c2VjcmV0LXNlY3JldA", kid: "o" } }],
          ["privateKey", { clientId: "c", privateKey: rsaPublic }],
          ["privateKey", { clientId: "c", privateKey: rsa.publicKey, kid: "k" }],
          ["privateKey", { clientId: "c", privateKey: hmac as jose.CryptoKey, kid: "k" }],
          ["kid", { clientId: "c", privateKey: { ...rsa.jwk } }],
          ["kid", { clientId: "c", privateKey: rsa.privateKey, alg: "RS256" }],
          ["kid", { clientId: "c", privateKey: rsaJwk, kid: "other" }],
          ["alg", { clientId: "c", privateKey: rsaJwk, alg: "HS256" as ClientAuth.AsymmetricAlgorithm }],
          ["alg", { clientId: "c", privateKey: rsaJwk, alg: "ES256K" as ClientAuth.AsymmetricAlgorithm }],
          ["alg", { clientId: "c", privateKey: { ...rsaJwk, alg: "none" } }],
          ["alg", { clientId: "c", privateKey: rsaJwk, alg: "PS256" }],
          ["alg", { clientId: "c", privateKey: { ...rsa.jwk, kid: "r" }, alg: "ES256" }],
          ["alg", { clientId: "c", privateKey: { ...ec.jwk, kid: "e" }, alg: "ES384" }],
          ["alg", { clientId: "c", privateKey: ec.privateKey, alg: "RS256", kid: "e" }],
          ["privateKey", { clientId: "c", privateKey: { ...ec.jwk, kid: "e", use: "enc" } }],
          ["privateKey", { clientId: "c", privateKey: { ...ec.jwk, kid: "e", key_ops: ["verify"] } }],
          ["privateKey", { clientId: "c", privateKey: { ...ec.jwk, kid: "e", d: "AAAA" } }],
          ["privateKey", { clientId: "c", privateKey: { ...weak.jwk, kid: "w" } }],
          ["privateKey", { clientId: "c", privateKey: weakKey.privateKey, kid: "w" }],
          ["privateKey", { clientId: "c", privateKey: "{not json", kid: "k" }],
          ["privateKey", { clientId: "c", privateKey: "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----", kid: "k" }],
          ["privateKey", { clientId: "c", privateKey: 42 as unknown as string, kid: "k" }],
          ["clientId", { clientId: "", privateKey: rsaJwk }],
          ["lifetime", { clientId: "c", privateKey: rsaJwk, lifetime: 0 }],
          ["lifetime", { clientId: "c", privateKey: rsaJwk, lifetime: Infinity }],
          ["audience", { clientId: "c", privateKey: rsaJwk, audience: "" }]
        ]
        for (const [argument, options] of bad) {
          const exit = yield* Effect.exit(ClientAuth.privateKeyJwt(options))
          assert.isTrue(Exit.isFailure(exit), `${argument}: must fail`)
          const error = yield* Effect.flip(ClientAuth.privateKeyJwt(options))
          assert.strictEqual(error._tag, "InvalidArgument")
          assert.strictEqual(error.argument, argument, error.message)
          expectNoSecret(error, rsa.jwk.d!, ec.jwk.d!, "c2VjcmV0LXNlY3JldA")
        }
      })
    )

    it.effect("imports through Jwt.signingKey: the same key, alg and public JWK; client auth adds only the required kid", () =>
      Effect.gen(function* () {
        const { jwk } = yield* keyPair("ES384")
        const input = { ...jwk, kid: "k", key_ops: ["sign"], ext: true, x5c: ["MIIB"] }
        const auth = yield* ClientAuth.privateKeyJwt({ clientId: "c", privateKey: input })
        const key = yield* Jwt.signingKey(input)
        assert.strictEqual(auth.alg, key.alg)
        assert.strictEqual(auth.kid, key.kid)
        assert.deepStrictEqual(auth.publicJwk, key.publicJwk)
        assert.deepStrictEqual(auth.publicJwk, { kty: "EC", crv: "P-384", x: jwk.x!, y: jwk.y!, kid: "k", alg: "ES384", use: "sig", x5c: ["MIIB"] })
        // Jwt.signingKey allows a key without kid; private_key_jwt does not
        assert.isUndefined((yield* Jwt.signingKey(jwk)).kid)
        assert.strictEqual((yield* Effect.flip(ClientAuth.privateKeyJwt({ clientId: "c", privateKey: jwk }))).argument, "kid")
        // an empty JWK kid is refused by the shared rules
        assert.strictEqual((yield* Effect.flip(ClientAuth.privateKeyJwt({ clientId: "c", privateKey: { ...jwk, kid: "" } }))).argument, "privateKey")
      })
    )

    it.effect("a signing failure is a ClientAuthError, not a defect", () =>
      Effect.gen(function* () {
        const fake = { type: "private", usages: ["sign"], extractable: false, algorithm: { name: "ECDSA", namedCurve: "P-256" } }
        const auth = yield* ClientAuth.privateKeyJwt({ clientId: "c", privateKey: fake as unknown as jose.CryptoKey, kid: "k" })
        const error = yield* Effect.flip(auth.authenticate(request({ endpoint: "revocation" })))
        assert.strictEqual(error._tag, "ClientAuthError")
        assert.strictEqual(error.reason, "SigningFailed")
        assert.strictEqual(error.endpoint, "revocation")
        assert.isTrue(ClientAuth.isClientAuthError(error))
      })
    )
  })

  describe("configuration errors", () => {
    it.effect("empty or invalid ids, secrets, algs and methods", () =>
      Effect.gen(function* () {
        const failures = [
          ClientAuth.clientSecretBasic({ clientId: "", clientSecret: "s" }),
          ClientAuth.clientSecretBasic({ clientId: "c", clientSecret: "" }),
          ClientAuth.clientSecretBasic({ clientId: "c", clientSecret: "s", encoding: "base64" as "raw" }),
          ClientAuth.clientSecretPost({ clientId: "c", clientSecret: Redacted.make("") }),
          ClientAuth.clientSecretPost({ clientId: "c\uD800", clientSecret: "s" }),
          ClientAuth.clientSecretJwt({ clientId: "c", clientSecret: "" }),
          ClientAuth.clientSecretJwt({ clientId: "c", clientSecret: "s", alg: "RS256" as "HS256" }),
          ClientAuth.clientSecretJwt({ clientId: "c", clientSecret: "s", lifetime: "0 seconds" }),
          ClientAuth.none({ clientId: "" }),
          ClientAuth.custom({ clientId: "c", method: "", authenticate: Effect.succeed }),
          ClientAuth.make({ method: "attest_jwt_client_auth" } as unknown as ClientAuth.MakeOptions)
        ]
        const expected = [
          "clientId",
          "clientSecret",
          "encoding",
          "clientSecret",
          "clientId",
          "clientSecret",
          "alg",
          "lifetime",
          "clientId",
          "method",
          "method"
        ]
        const errors = yield* Effect.forEach(failures, Effect.flip)
        assert.deepStrictEqual(
          errors.map((e) => e.argument),
          expected
        )
        for (const e of errors) assert.strictEqual(e._tag, "InvalidArgument")
      })
    )
  })

  describe("custom and make", () => {
    it.effect("custom methods run the user's function", () =>
      Effect.gen(function* () {
        const auth = yield* ClientAuth.custom({
          clientId: "c",
          method: "tls_client_auth",
          authenticate: (req) => Effect.succeed({ ...req, params: Params.concat(req.params, [["client_id", "c"]]) })
        })
        assert.strictEqual(auth._tag, "Custom")
        assert.strictEqual(auth.method, "tls_client_auth")
        const req = yield* auth.authenticate(request())
        assert.strictEqual(Params.encode(req.params), "grant_type=client_credentials&client_id=c")
        const failing = yield* ClientAuth.custom({
          clientId: "c",
          method: "x",
          authenticate: (req) => Effect.fail(ClientAuth.clientAuthError({ method: "x", endpoint: req.endpoint, message: "no" }))
        })
        const error = yield* Effect.flip(failing.authenticate(request()))
        assert.strictEqual(error.reason, "Custom")
      })
    )

    it.effect("make selects by method name", () =>
      Effect.gen(function* () {
        const auth = yield* ClientAuth.make({ method: "client_secret_basic", clientId: "c", clientSecret: "s" })
        assert.strictEqual(auth._tag, "ClientSecretBasic")
        assert.isTrue(ClientAuth.isClientAuth(auth))
        assert.isFalse(ClientAuth.isClientAuth({ _tag: "ClientSecretBasic" }))
        const jwt = yield* ClientAuth.make({ method: "client_secret_jwt", clientId: "c", clientSecret: "s" })
        assert.strictEqual(jwt.method, "client_secret_jwt")
      })
    )
  })

  describe("secrets never render", () => {
    it.effect("values, requests and errors", () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(now)
        const secret = "TOP-SECRET-VALUE-1234567890"
        const { jwk } = yield* keyPair("ES256")
        const rsa = yield* keyPair("RS256")
        const auths: ReadonlyArray<ClientAuth.ClientAuth> = [
          yield* ClientAuth.clientSecretBasic({ clientId: "c", clientSecret: secret }),
          yield* ClientAuth.clientSecretBasic({ clientId: "c", clientSecret: secret, encoding: "raw" }),
          yield* ClientAuth.clientSecretPost({ clientId: "c", clientSecret: Redacted.make(secret) }),
          yield* ClientAuth.clientSecretJwt({ clientId: "c", clientSecret: secret }),
          yield* ClientAuth.privateKeyJwt({ clientId: "c", privateKey: { ...jwk, kid: "k" } }),
          yield* ClientAuth.privateKeyJwt({ clientId: "c", privateKey: Redacted.make({ ...rsa.jwk, kid: "r" }) })
        ]
        const basicCredentials = Buffer.from(`c:${secret}`).toString("base64")
        const material = [secret, basicCredentials, jwk.d!, rsa.jwk.d!, rsa.jwk.p!]
        for (const auth of auths) {
          expectNoSecret(auth, ...material)
          assert.include(String(auth), auth.method)
          assert.include(JSON.stringify(auth), '"clientId":"c"')
          const req = yield* auth.authenticate(request({ issuer }))
          const assertions = Params.getAll(req.params, "client_assertion").map(Params.unwrap)
          expectNoSecret(req, ...material, ...assertions)
          const error = yield* Effect.flip(auth.authenticate(req))
          expectNoSecret(error, ...material, ...assertions)
        }
        const invalid = yield* Effect.flip(ClientAuth.clientSecretJwt({ clientId: "c", clientSecret: secret, alg: "HS1" as "HS256" }))
        expectNoSecret(invalid, secret)
      })
    )
  })
})

describe("ClientAuth.fromRegistration", () => {
  it.effect("builds the registered method, and refuses a missing credential or an unknown method", () =>
    Effect.gen(function* () {
      const secret = Redacted.make("a-long-shared-secret-for-hmac-0123456789")
      for (const method of ["client_secret_basic", "client_secret_post", "client_secret_jwt"] as const) {
        const auth = yield* ClientAuth.fromRegistration({ clientId: "c", tokenEndpointAuthMethod: method, clientSecret: secret })
        assert.strictEqual(auth.method, method)
      }
      assert.strictEqual((yield* ClientAuth.fromRegistration({ clientId: "c", tokenEndpointAuthMethod: "none" })).method, "none")
      const { privateKey } = yield* Effect.promise(() => jose.generateKeyPair("ES256", { extractable: true }))
      const privateJwk = { ...(yield* Effect.promise(() => jose.exportJWK(privateKey))), kid: "k1", alg: "ES256" }
      const pkj = yield* ClientAuth.fromRegistration({
        clientId: "c",
        tokenEndpointAuthMethod: "private_key_jwt",
        privateJwk: Redacted.make(privateJwk)
      })
      assert.strictEqual(pkj.method, "private_key_jwt")
      assert.containSubset(yield* Effect.flip(ClientAuth.fromRegistration({ clientId: "c", tokenEndpointAuthMethod: "client_secret_post" })), {
        _tag: "InvalidArgument",
        argument: "clientSecret"
      })
      assert.containSubset(yield* Effect.flip(ClientAuth.fromRegistration({ clientId: "c", tokenEndpointAuthMethod: "private_key_jwt" })), {
        argument: "privateJwk"
      })
      assert.containSubset(yield* Effect.flip(ClientAuth.fromRegistration({ clientId: "c", tokenEndpointAuthMethod: "attest_jwt_client_auth" })), {
        argument: "tokenEndpointAuthMethod"
      })
    })
  )
})
