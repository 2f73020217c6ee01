/**
 * Jwt: the one key-import path (JWK, PKCS#8 PEM, CryptoKey, secret), its shared rules (RSA of 2048 bits or more,
 * `use`/`key_ops`, the algorithm by key type and curve, the public-only projection), and sign/verify round trips.
 * Signatures are checked with jose directly, independently of the code under test, besides `Jwt.verify`.
 */
import { describe, expect, it } from "@effect/vitest"
import { Jwt } from "@oauth2/core"
import { Effect, Redacted } from "effect"
import * as fc from "fast-check"
import * as jose from "jose"
import { vi } from "vitest"

// ---------------------------------------------------------------------------------------------------------------------
// keys, generated once
// ---------------------------------------------------------------------------------------------------------------------

interface Pair {
  readonly privateKey: CryptoKey
  readonly publicKey: CryptoKey
  /** The private JWK as exported: no `kid`, `alg` or `use`. */
  readonly jwk: jose.JWK
  readonly publicJwk: jose.JWK
}

const pair = async (alg: string, options: jose.GenerateKeyPairOptions = {}): Promise<Pair> => {
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true, ...options })
  return { privateKey, publicKey, jwk: await jose.exportJWK(privateKey), publicJwk: await jose.exportJWK(publicKey) }
}

const rsa = await pair("RS256")
const p256 = await pair("ES256")
const p384 = await pair("ES384")
const p521 = await pair("ES512")
const ed25519 = await pair("EdDSA", { crv: "Ed25519" })
const rsaEnc = await pair("RSA-OAEP-256")
const ecEnc = await pair("ECDH-ES", { crv: "P-256" })

/** An RSA key of 1024 bits: WebCrypto makes and imports it, this library must refuse it everywhere. */
const weak = await (async () => {
  const generated = await globalThis.crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"]
  )
  const encryption = await globalThis.crypto.subtle.generateKey(
    { name: "RSA-OAEP", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["encrypt", "decrypt"]
  )
  return {
    privateKey: generated.privateKey,
    jwk: await jose.exportJWK(generated.privateKey),
    pem: await jose.exportPKCS8(generated.privateKey),
    encryptionPrivateJwk: await jose.exportJWK(encryption.privateKey),
    encryptionPublicJwk: await jose.exportJWK(encryption.publicKey)
  }
})()

const privateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] as const

/** Every private member value of the test keys: none may appear in an error. */
const secrets: ReadonlyArray<string> = [rsa, p256, ed25519, rsaEnc].flatMap((k) =>
  privateMembers.flatMap((m) => (typeof k.jwk[m] === "string" ? [k.jwk[m] as string] : []))
)

const expectNoKeyMaterial = (error: { readonly message: string }) => {
  for (const secret of secrets) expect(error.message).not.toContain(secret)
}

/** The failure of a key import that must fail: its argument and message. */
const refusal = <A>(effect: Effect.Effect<A, { readonly _tag: string; readonly argument: string; readonly message: string }>) =>
  Effect.map(Effect.flip(effect), (e) => {
    expectNoKeyMaterial(e)
    return { _tag: e._tag, argument: e.argument, message: e.message }
  })

/** Signs with the key under test, then verifies with jose and the given public key (a JWK is imported for the alg). */
const roundTrip = (key: Jwt.SigningKey, publicKey: CryptoKey | Uint8Array | jose.JWK) =>
  Effect.gen(function* () {
    const jws = yield* Jwt.sign({ sub: "alice", n: 1 }, key, { typ: "JWT" })
    const { payload, protectedHeader } = yield* Effect.promise(async () =>
      jose.compactVerify(jws, publicKey instanceof Uint8Array || "type" in publicKey ? publicKey : await jose.importJWK(publicKey, key.alg), {
        algorithms: [key.alg]
      })
    )
    return { header: protectedHeader, claims: JSON.parse(new TextDecoder().decode(payload)) as unknown, jws }
  })

// ---------------------------------------------------------------------------------------------------------------------
// algorithm lists
// ---------------------------------------------------------------------------------------------------------------------

describe("algorithm lists", () => {
  it("the signing algorithms are the asymmetric ones, then the HMAC ones", () => {
    expect(Jwt.asymmetricAlgorithms).toEqual(["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"])
    expect(Jwt.hmacAlgorithms).toEqual(["HS256", "HS384", "HS512"])
    expect(Jwt.signingAlgorithms).toEqual([...Jwt.asymmetricAlgorithms, ...Jwt.hmacAlgorithms])
  })

  it("JWE algorithms: RSA1_5 is not among them", () => {
    expect(Jwt.keyManagementAlgorithms).toEqual([
      "RSA-OAEP",
      "RSA-OAEP-256",
      "RSA-OAEP-384",
      "RSA-OAEP-512",
      "ECDH-ES",
      "ECDH-ES+A128KW",
      "ECDH-ES+A192KW",
      "ECDH-ES+A256KW"
    ])
    expect(Jwt.contentEncryptionAlgorithms).toEqual(["A128GCM", "A192GCM", "A256GCM", "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"])
  })
})

// ---------------------------------------------------------------------------------------------------------------------
// signing keys
// ---------------------------------------------------------------------------------------------------------------------

describe("Jwt.signingKey", () => {
  describe("chooses the algorithm by key type and curve, and signs with it", () => {
    const cases = [
      ["RSA", () => rsa, "RS256"],
      ["EC P-256", () => p256, "ES256"],
      ["EC P-384", () => p384, "ES384"],
      ["EC P-521", () => p521, "ES512"],
      ["OKP Ed25519", () => ed25519, "EdDSA"]
    ] as const
    for (const [name, keys, alg] of cases) {
      it.effect(`${name}: ${alg}`, () =>
        Effect.gen(function* () {
          const { jwk, publicKey } = keys()
          const key = yield* Jwt.signingKey({ ...jwk, kid: "k1" })
          expect(key._tag).toBe("SigningKey")
          expect(key.alg).toBe(alg)
          expect(key.kid).toBe("k1")
          expect(key.key.extractable).toBe(false)
          const { claims, header } = yield* roundTrip(key, publicKey)
          expect(header).toEqual({ typ: "JWT", alg, kid: "k1" })
          expect(claims).toEqual({ sub: "alice", n: 1 })
        })
      )
    }
  })

  it.effect("the alg option, else the JWK's alg, else the default; EdDSA and Ed25519 are the same algorithm", () =>
    Effect.gen(function* () {
      expect((yield* Jwt.signingKey(rsa.jwk, { alg: "PS384" })).alg).toBe("PS384")
      expect((yield* Jwt.signingKey({ ...rsa.jwk, alg: "RS512" })).alg).toBe("RS512")
      expect((yield* Jwt.signingKey({ ...rsa.jwk, alg: "PS256" }, { alg: "PS256" })).alg).toBe("PS256")
      expect((yield* Jwt.signingKey({ ...ed25519.jwk, alg: "EdDSA" }, { alg: "Ed25519" })).alg).toBe("Ed25519")
      expect((yield* Jwt.signingKey(ed25519.privateKey, { alg: "Ed25519" })).alg).toBe("Ed25519")
      const ps = yield* Jwt.signingKey(rsa.jwk, { alg: "PS512" })
      const { header } = yield* roundTrip(ps, rsa.publicJwk)
      expect(header.alg).toBe("PS512")
    })
  )

  it.effect("accepts a JSON string, a Redacted JWK, a PKCS#8 PEM (with alg) and a CryptoKey", () =>
    Effect.gen(function* () {
      const fromJson = yield* Jwt.signingKey(JSON.stringify({ ...p256.jwk, kid: "json" }))
      expect([fromJson.alg, fromJson.kid]).toEqual(["ES256", "json"])
      yield* roundTrip(fromJson, p256.publicKey)

      const fromRedacted = yield* Jwt.signingKey(Redacted.make({ ...p384.jwk, kid: "r" }))
      expect(fromRedacted.alg).toBe("ES384")
      yield* roundTrip(fromRedacted, p384.publicKey)

      const pem = yield* Effect.promise(() => jose.exportPKCS8(rsa.privateKey))
      const fromPem = yield* Jwt.signingKey(Redacted.make(pem), { alg: "PS256", kid: "pem" })
      expect([fromPem.alg, fromPem.kid]).toEqual(["PS256", "pem"])
      expect(fromPem.key.extractable).toBe(false)
      yield* roundTrip(fromPem, rsa.publicJwk)
      expect(yield* refusal(Jwt.signingKey(pem))).toMatchObject({ _tag: "InvalidArgument", argument: "alg" })

      const fromCryptoKey = yield* Jwt.signingKey(p521.privateKey)
      expect([fromCryptoKey.alg, fromCryptoKey.kid]).toEqual(["ES512", undefined])
      yield* roundTrip(fromCryptoKey, p521.publicKey)
    })
  )

  it.effect("takes a CryptoKey's algorithm from the key: RSA hash, RSA-PSS, curve, Ed25519", () =>
    Effect.gen(function* () {
      const generate = (alg: string, options: jose.GenerateKeyPairOptions = {}) => Effect.promise(() => jose.generateKeyPair(alg, options))
      for (const alg of ["RS384", "PS512", "ES384", "EdDSA"] as const) {
        const { privateKey, publicKey } = yield* generate(alg)
        const key = yield* Jwt.signingKey(privateKey)
        expect(key.alg).toBe(alg)
        yield* roundTrip(key, publicKey)
      }
      const rs384 = yield* generate("RS384")
      expect(yield* refusal(Jwt.signingKey(rs384.privateKey, { alg: "RS256" }))).toMatchObject({ argument: "alg" })
      expect(yield* refusal(Jwt.signingKey(p256.privateKey, { alg: "ES384" }))).toMatchObject({ argument: "alg" })
    })
  )

  it.effect("kid: the option, else the JWK's; they must agree and not be empty", () =>
    Effect.gen(function* () {
      expect((yield* Jwt.signingKey({ ...p256.jwk, kid: "a" })).kid).toBe("a")
      expect((yield* Jwt.signingKey(p256.jwk, { kid: "b" })).kid).toBe("b")
      expect((yield* Jwt.signingKey({ ...p256.jwk, kid: "c" }, { kid: "c" })).kid).toBe("c")
      expect((yield* Jwt.signingKey(p256.jwk)).kid).toBe(undefined)
      expect(yield* refusal(Jwt.signingKey({ ...p256.jwk, kid: "a" }, { kid: "b" }))).toMatchObject({ argument: "kid" })
      expect(yield* refusal(Jwt.signingKey(p256.jwk, { kid: "" }))).toMatchObject({ argument: "kid" })
      expect(yield* refusal(Jwt.signingKey({ ...p256.jwk, kid: "" }))).toMatchObject({ argument: "privateKey" })
      expect(yield* refusal(Jwt.signingKey({ ...p256.jwk, kid: 7 } as unknown as jose.JWK))).toMatchObject({ argument: "privateKey" })
    })
  )

  it.effect("refuses an algorithm that is not supported, differs from the JWK's, or does not fit the key", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [Jwt.PrivateKeyInput, { readonly alg?: Jwt.AsymmetricAlgorithm }]> = [
        [rsa.jwk, { alg: "HS256" as Jwt.AsymmetricAlgorithm }],
        [rsa.jwk, { alg: "ES256K" as Jwt.AsymmetricAlgorithm }],
        [{ ...rsa.jwk, alg: "none" }, {}],
        [{ ...rsa.jwk, alg: "RSA-OAEP-256" }, {}],
        [{ ...rsa.jwk, alg: "RS256" }, { alg: "PS256" }],
        [rsa.jwk, { alg: "ES256" }],
        [p256.jwk, { alg: "ES384" }],
        [{ ...p256.jwk, alg: "ES512" }, {}],
        [p256.jwk, { alg: "RS256" }],
        [ed25519.jwk, { alg: "ES256" }]
      ]
      for (const [input, options] of cases) {
        expect(yield* refusal(Jwt.signingKey(input, options))).toMatchObject({ _tag: "InvalidArgument", argument: "alg" })
      }
    })
  )

  it.effect("refuses what cannot sign: a symmetric or public key, an unsupported type or curve, bad input", () =>
    Effect.gen(function* () {
      const hmac = yield* Effect.promise(() => jose.generateSecret("HS256"))
      const x25519 = yield* Effect.promise(() => pair("ECDH-ES", { crv: "X25519" }))
      const cases: ReadonlyArray<Jwt.PrivateKeyInput> = [
        { kty: "oct", k: "c2VjcmV0LXNlY3JldA" },
        rsa.publicJwk,
        rsa.publicKey,
        hmac as CryptoKey,
        rsaEnc.privateKey, // an RSA-OAEP key cannot sign
        x25519.jwk,
        { ...p256.jwk, crv: "secp256k1" },
        { kty: "AKP", alg: "ML-DSA-44", pub: "AAAA", priv: "AAAA" } as jose.JWK,
        { ...p256.jwk, d: "AAAA" },
        "{not json",
        "[1, 2]",
        "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----",
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
        "just text",
        42 as unknown as string,
        { n: "AAAA" } as jose.JWK
      ]
      for (const input of cases) {
        expect(yield* refusal(Jwt.signingKey(input))).toMatchObject({ _tag: "InvalidArgument", argument: "privateKey" })
      }
    })
  )

  it.effect("behaviour change: an RSA key under 2048 bits is refused, as a JWK, a PEM or a CryptoKey", () =>
    Effect.gen(function* () {
      for (const [input, options] of [
        [weak.jwk, {}],
        [Redacted.make({ ...weak.jwk, kid: "w" }), {}],
        [weak.pem, { alg: "RS256" }],
        [weak.privateKey, {}]
      ] as const) {
        const error = yield* refusal(Jwt.signingKey(input, options))
        expect(error).toMatchObject({ _tag: "InvalidArgument", argument: "privateKey" })
        expect(error.message).toContain("at least 2048 bits")
      }
    })
  )

  it.effect("behaviour change: a JWK whose key_ops do not allow 'sign' is refused, as one whose use is not 'sig'", () =>
    Effect.gen(function* () {
      for (const jwk of [
        { ...p256.jwk, key_ops: ["verify"] },
        { ...p256.jwk, key_ops: [] },
        { ...p256.jwk, key_ops: "sign" }
      ]) {
        const error = yield* refusal(Jwt.signingKey(jwk as jose.JWK))
        expect(error).toMatchObject({ argument: "privateKey" })
        expect(error.message).toContain("key_ops")
      }
      expect((yield* refusal(Jwt.signingKey({ ...p256.jwk, use: "enc" }))).message).toContain("'use'")
      expect((yield* Jwt.signingKey({ ...p256.jwk, key_ops: ["sign"], use: "sig" })).alg).toBe("ES256")
    })
  )

  it.effect("a CryptoKey must be private and allowed to sign", () =>
    Effect.gen(function* () {
      const signOnly = yield* Effect.promise(() =>
        globalThis.crypto.subtle.importKey("jwk", p256.jwk as JsonWebKey, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"])
      )
      expect((yield* Jwt.signingKey(signOnly)).alg).toBe("ES256")
      const fake = { type: "private", usages: ["verify"], extractable: false, algorithm: { name: "ECDSA", namedCurve: "P-256" } }
      expect(yield* refusal(Jwt.signingKey(fake as unknown as CryptoKey))).toMatchObject({ argument: "privateKey" })
    })
  )

  it.effect("keeps the public half of a JWK, with kid, alg and use; never a private member", () =>
    Effect.gen(function* () {
      for (const keys of [rsa, p256, ed25519]) {
        const key = yield* Jwt.signingKey({ ...keys.jwk, kid: "pub", key_ops: ["sign"], ext: true })
        expect(key.publicJwk).toEqual({ ...keys.publicJwk, kid: "pub", alg: key.alg, use: "sig" })
        for (const member of privateMembers) expect(key.publicJwk).not.toHaveProperty(member)
        // the published key verifies what the private one signs
        yield* roundTrip(key, key.publicJwk!)
      }
      expect((yield* Jwt.signingKey(p256.privateKey)).publicJwk).toBe(undefined)
    })
  )

  it.effect("the key is imported once, when it is built", () =>
    Effect.gen(function* () {
      const importKey = vi.spyOn(globalThis.crypto.subtle, "importKey")
      try {
        const key = yield* Jwt.signingKey(p256.jwk)
        expect(importKey).toHaveBeenCalledTimes(1)
        yield* Effect.forEach([1, 2, 3], (n) => Jwt.sign({ n }, key))
        expect(importKey).toHaveBeenCalledTimes(1)
      } finally {
        importKey.mockRestore()
      }
    })
  )
})

// ---------------------------------------------------------------------------------------------------------------------
// secrets
// ---------------------------------------------------------------------------------------------------------------------

describe("Jwt.secretKey", () => {
  const secret = "a-client-secret-of-32-bytes-long!"

  for (const alg of ["HS256", "HS384", "HS512"] as const) {
    it.effect(`${alg}: the UTF-8 octets of the secret, verified by jose and by Jwt.verify`, () =>
      Effect.gen(function* () {
        const key = yield* Jwt.secretKey(Redacted.make(secret), { alg })
        expect([key.alg, key.kid, key.publicJwk]).toEqual([alg, undefined, undefined])
        expect(key.key.extractable).toBe(false)
        const { jws } = yield* roundTrip(key, new TextEncoder().encode(secret))
        const verified = yield* Jwt.verify(jws, { endpoint: "userinfo", algorithms: [alg], clientSecret: Redacted.make(secret) })
        expect(verified.claims).toEqual({ sub: "alice", n: 1 })
      })
    )
  }

  it.effect("HS256 by default; a non-ASCII secret is keyed by its UTF-8 octets", () =>
    Effect.gen(function* () {
      const key = yield* Jwt.secretKey("sécret-🔑-de-32-octets-au-moins!")
      expect(key.alg).toBe("HS256")
      yield* roundTrip(key, new TextEncoder().encode("sécret-🔑-de-32-octets-au-moins!"))
    })
  )

  it.effect("imported once per Redacted secret", () =>
    Effect.gen(function* () {
      const redacted = Redacted.make(secret)
      const first = yield* Jwt.secretKey(redacted)
      const second = yield* Jwt.secretKey(redacted)
      expect(second.key).toBe(first.key)
      expect((yield* Jwt.secretKey(redacted, { alg: "HS512" })).key).not.toBe(first.key)
    })
  )

  it.effect("refuses an empty secret and a non-HMAC alg; behaviour change: a lone surrogate (no UTF-8 octets)", () =>
    Effect.gen(function* () {
      expect(yield* refusal(Jwt.secretKey(""))).toMatchObject({ _tag: "InvalidArgument", argument: "secret" })
      expect(yield* refusal(Jwt.secretKey(Redacted.make("")))).toMatchObject({ argument: "secret" })
      expect(yield* refusal(Jwt.secretKey(secret, { alg: "RS256" as Jwt.HmacAlgorithm }))).toMatchObject({ argument: "alg" })
      const surrogate = yield* refusal(Jwt.secretKey(`${secret}\uD800`))
      expect(surrogate).toMatchObject({ argument: "secret" })
      expect(surrogate.message).toContain("surrogate")
      // a well-formed pair is fine
      expect((yield* Jwt.secretKey(`${secret}\uD83D\uDD11`)).alg).toBe("HS256")
    })
  )
})

// ---------------------------------------------------------------------------------------------------------------------
// encryption and decryption keys
// ---------------------------------------------------------------------------------------------------------------------

describe("Jwt.encryptionKey and Jwt.decryptionKey", () => {
  it.effect("RSA-OAEP-256 for RSA, ECDH-ES for EC, A256GCM: a nested JWT decrypts and verifies", () =>
    Effect.gen(function* () {
      const signing = yield* Jwt.signingKey({ ...p256.jwk, kid: "sig" })
      for (const [keys, alg] of [
        [rsaEnc, "RSA-OAEP-256"],
        [ecEnc, "ECDH-ES"]
      ] as const) {
        const encryption = yield* Jwt.encryptionKey({ ...keys.publicJwk, kid: "enc" })
        expect([encryption.alg, encryption.enc, encryption.kid]).toEqual([alg, "A256GCM", "enc"])
        const decryption = yield* Jwt.decryptionKey({ ...keys.jwk, kid: "enc" })
        expect(Jwt.isDecryptionKey(decryption)).toBe(true)
        expect(decryption.kid).toBe("enc")
        const jwe = yield* Effect.flatMap(Jwt.sign({ sub: "bob" }, signing), (jws) => Jwt.encrypt(jws, encryption))
        expect(jwe.split(".")).toHaveLength(5)
        const verified = yield* Jwt.verify(jwe, {
          endpoint: "userinfo",
          algorithms: ["ES256"],
          keys: { keys: [signing.publicJwk!] },
          decryptionKeys: decryption,
          encryption: { alg }
        })
        expect([verified.claims, verified.encrypted, verified.header.kid]).toEqual([{ sub: "bob" }, true, "sig"])
      }
    })
  )

  it.effect("an encryption key given with its private members is imported from its public members only", () =>
    Effect.gen(function* () {
      const encryption = yield* Jwt.encryptionKey({ ...rsaEnc.jwk, alg: "RSA-OAEP-256" })
      expect(encryption.key.type).toBe("public")
    })
  )

  it.effect("decryption: every algorithm of the key's family unless one is named", () =>
    Effect.gen(function* () {
      expect((yield* Jwt.decryptionKey(rsaEnc.jwk)).algorithms).toEqual(["RSA-OAEP", "RSA-OAEP-256", "RSA-OAEP-384", "RSA-OAEP-512"])
      expect((yield* Jwt.decryptionKey(ecEnc.jwk)).algorithms).toEqual(["ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW"])
      expect((yield* Jwt.decryptionKey(rsaEnc.jwk, { alg: "RSA-OAEP-256" })).algorithms).toEqual(["RSA-OAEP-256"])
      expect((yield* Jwt.decryptionKey(rsaEnc.privateKey)).algorithms).toEqual(["RSA-OAEP-256"])
      const pem = yield* Effect.promise(() => jose.exportPKCS8(rsaEnc.privateKey))
      expect(yield* Jwt.decryptionKey(pem, { alg: "RSA-OAEP-256", kid: "p" })).toMatchObject({ kid: "p", algorithms: ["RSA-OAEP-256"] })
    })
  )

  it.effect("refuses RSA1_5, keys for signing, public keys; a key's use or key_ops that forbid it", () =>
    Effect.gen(function* () {
      expect(yield* refusal(Jwt.encryptionKey({ ...rsaEnc.publicJwk, alg: "RSA1_5" }))).toMatchObject({ argument: "jwk" })
      expect(yield* refusal(Jwt.encryptionKey(rsaEnc.publicJwk, { alg: "RSA1_5" as Jwt.KeyManagementAlgorithm }))).toMatchObject({ argument: "alg" })
      expect(yield* refusal(Jwt.encryptionKey({ ...rsaEnc.publicJwk, use: "sig" }))).toMatchObject({ argument: "jwk" })
      expect(yield* refusal(Jwt.encryptionKey({ ...rsaEnc.publicJwk, key_ops: ["verify"] }))).toMatchObject({ argument: "jwk" })
      expect(yield* refusal(Jwt.encryptionKey(ed25519.publicJwk))).toMatchObject({ argument: "jwk" })
      expect((yield* Jwt.encryptionKey({ ...rsaEnc.publicJwk, key_ops: ["wrapKey"] })).alg).toBe("RSA-OAEP-256")
      expect(yield* refusal(Jwt.decryptionKey(rsaEnc.publicJwk))).toMatchObject({ argument: "privateKey" })
      expect(yield* refusal(Jwt.decryptionKey({ ...rsaEnc.jwk, use: "sig" }))).toMatchObject({ argument: "privateKey" })
      expect(yield* refusal(Jwt.decryptionKey({ ...rsaEnc.jwk, key_ops: ["sign"] }))).toMatchObject({ argument: "privateKey" })
      expect(yield* refusal(Jwt.decryptionKey(p256.privateKey))).toMatchObject({ argument: "privateKey" })
      expect(yield* refusal(Jwt.decryptionKey(ed25519.jwk))).toMatchObject({ argument: "privateKey" })
      expect(yield* refusal(Jwt.decryptionKey(rsaEnc.jwk, { alg: "ECDH-ES" }))).toMatchObject({ argument: "alg" })
      expect(yield* refusal(Jwt.decryptionKey({ ...rsaEnc.jwk, kid: "a" }, { kid: "b" }))).toMatchObject({ argument: "kid" })
    })
  )

  it.effect("behaviour change: an RSA key under 2048 bits is refused when the key is built, not at the first token", () =>
    Effect.gen(function* () {
      const encryption = yield* refusal(Jwt.encryptionKey(weak.encryptionPublicJwk, { alg: "RSA-OAEP-256" }))
      expect(encryption).toMatchObject({ argument: "jwk" })
      expect(encryption.message).toContain("at least 2048 bits")
      const decryption = yield* refusal(Jwt.decryptionKey(weak.encryptionPrivateJwk, { alg: "RSA-OAEP-256" }))
      expect(decryption).toMatchObject({ argument: "privateKey" })
      expect(decryption.message).toContain("at least 2048 bits")
    })
  )

  it.effect("behaviour change: key_ops that allow nothing ([]) are refused for an encryption key", () =>
    Effect.gen(function* () {
      expect(yield* refusal(Jwt.encryptionKey({ ...rsaEnc.publicJwk, key_ops: [] }))).toMatchObject({ argument: "jwk" })
    })
  )
})

// ---------------------------------------------------------------------------------------------------------------------
// the public projection
// ---------------------------------------------------------------------------------------------------------------------

describe("Jwt.publicJwk", () => {
  it("keeps the public key members and metadata of RSA, EC and OKP keys, nothing else", () => {
    const x5c = ["MIIB"]
    expect(Jwt.publicJwk({ ...rsa.jwk, kid: "r", alg: "RS256", use: "sig", key_ops: ["sign"], ext: true, x5c })).toEqual({
      kty: "RSA",
      n: rsa.publicJwk.n,
      e: rsa.publicJwk.e,
      kid: "r",
      alg: "RS256",
      use: "sig",
      x5c
    })
    expect(Jwt.publicJwk(p256.jwk)).toEqual(p256.publicJwk)
    expect(Jwt.publicJwk(ed25519.jwk)).toEqual(ed25519.publicJwk)
    expect(Jwt.publicJwk({ kty: "oct", k: "c2VjcmV0", kid: "s" })).toEqual({ kty: "oct", kid: "s" })
    // a member of a key type not known here (AKP's private 'priv') is left out too
    expect(Jwt.publicJwk({ kty: "AKP", alg: "ML-DSA-44", pub: "AAAA", priv: "BBBB" } as jose.JWK)).toEqual({ kty: "AKP", alg: "ML-DSA-44" })
  })

  it("never lets a private member through, whatever else the JWK holds", () => {
    const allowed = new Set(["kty", "crv", "x", "y", "n", "e", "kid", "alg", "use", "x5u", "x5c", "x5t", "x5t#S256"])
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 })),
        fc.constantFrom(rsa.jwk, p256.jwk, ed25519.jwk),
        (extra, jwk) => {
          const projected = Jwt.publicJwk({ ...extra, ...jwk } as jose.JWK)
          for (const member of Object.keys(projected)) expect(allowed.has(member)).toBe(true)
          for (const member of privateMembers) expect(Object.hasOwn(projected, member)).toBe(false)
          expect(projected.kty).toBe(jwk.kty)
        }
      )
    )
  })
})

// ---------------------------------------------------------------------------------------------------------------------
// verification with published keys: the same rules
// ---------------------------------------------------------------------------------------------------------------------

describe("Jwt.verify with a key set", () => {
  const verifyWith = (jws: string, keys: ReadonlyArray<jose.JWK>, alg: string) =>
    Jwt.verify(jws, { endpoint: "userinfo", algorithms: [alg], keys: { keys: [...keys] } })

  it.effect("round trip for every asymmetric algorithm, with the key picked by kid", () =>
    Effect.gen(function* () {
      const cases = [
        [rsa, "RS384"],
        [rsa, "PS256"],
        [p384, "ES384"],
        [p521, "ES512"],
        [ed25519, "EdDSA"],
        [ed25519, "Ed25519"]
      ] as const
      for (const [keys, alg] of cases) {
        const key = yield* Jwt.signingKey({ ...keys.jwk, kid: alg }, { alg })
        const jws = yield* Jwt.sign({ sub: alg }, key)
        const verified = yield* verifyWith(jws, [key.publicJwk!, { ...p256.publicJwk, kid: "other" }], alg)
        expect(verified.claims).toEqual({ sub: alg })
        expect(verified.header).toEqual({ alg, kid: alg })
      }
    })
  )

  it.effect("a published key that (wrongly) carries private members verifies from its public members", () =>
    Effect.gen(function* () {
      const key = yield* Jwt.signingKey({ ...p256.jwk, kid: "k" })
      const jws = yield* Jwt.sign({ sub: "alice" }, key)
      expect((yield* verifyWith(jws, [{ ...p256.jwk, kid: "k" }], "ES256")).claims).toEqual({ sub: "alice" })
    })
  )

  it.effect("a published key refused by the shared rules is no match: RSA under 2048 bits, key_ops or use", () =>
    Effect.gen(function* () {
      const signed = yield* Effect.promise(() =>
        new jose.CompactSign(new TextEncoder().encode("{}")).setProtectedHeader({ alg: "ES256", kid: "k" }).sign(p256.privateKey)
      )
      for (const published of [
        { ...p256.publicJwk, kid: "k", key_ops: ["sign"] },
        { ...p256.publicJwk, kid: "k", use: "enc" }
      ]) {
        expect(yield* Effect.flip(verifyWith(signed, [published], "ES256"))).toMatchObject({ _tag: "InvalidJwt", reason: "NoMatchingKey" })
      }
      const weakPublic: jose.JWK = { kty: "RSA", n: weak.jwk.n!, e: weak.jwk.e!, kid: "w" }
      const weakSigned = `${jose.base64url.encode(JSON.stringify({ alg: "RS256", kid: "w" }))}.${jose.base64url.encode("{}")}.AAAA`
      const error = yield* Effect.flip(verifyWith(weakSigned, [weakPublic], "RS256"))
      expect(error).toMatchObject({ _tag: "InvalidJwt", reason: "NoMatchingKey" })
      expect(error.message).toContain("2048")
    })
  )
})
