/** @internal */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { NodeInspectSymbol } from "effect/Inspectable"
import * as Redacted from "effect/Redacted"
import type * as Jose from "jose"
import * as base64url from "./base64url.js"
import { load } from "./joseModule.js"
import type * as Dpop from "../Dpop.js"
import * as OAuthError from "../OAuthError.js"
import { hasTypeId, isRecord, taggedError } from "./errors.js"
import { describe, publicKeyMaterial, signingKey } from "./keys.js"
import { randomToken } from "./random.js"

type InvalidArgument = OAuthError.InvalidArgument

/** @internal */
export const algorithms = ["ES256", "EdDSA", "PS256", "RS256"] as const

/** The WebCrypto parameters that generate a key for each algorithm. */
const generation: Record<Dpop.Algorithm, RsaHashedKeyGenParams | EcKeyGenParams | Algorithm> = {
  ES256: { name: "ECDSA", namedCurve: "P-256" },
  EdDSA: { name: "Ed25519" },
  PS256: { name: "RSA-PSS", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
  RS256: { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }
}

const isAlgorithm = (u: unknown): u is Dpop.Algorithm => typeof u === "string" && (algorithms as ReadonlyArray<string>).includes(u)

const invalid = (argument: string, message: string) => OAuthError.invalidArgument(argument, message)

const rendering = (self: Dpop.DpopKey) => ({ _tag: "DpopKey", algorithm: self.algorithm, thumbprint: self.thumbprint })

/** The key's value: the private key and its exportable form are not enumerable, and no rendering shows them. */
const makeKey = (algorithm: Dpop.Algorithm, publicJwk: Jose.JWK, thumbprint: string, privateKey: CryptoKey, exportable: boolean): Dpop.DpopKey => {
  const key = {
    _tag: "DpopKey",
    algorithm,
    publicJwk: Object.freeze(publicJwk),
    thumbprint,
    toJSON(this: Dpop.DpopKey) {
      return rendering(this)
    },
    toString(this: Dpop.DpopKey) {
      return `DpopKey(${this.algorithm}, ${this.thumbprint})`
    },
    [NodeInspectSymbol](this: Dpop.DpopKey) {
      return rendering(this)
    }
  } as Record<string | symbol, unknown>
  Object.defineProperty(key, "privateKey", { value: privateKey, enumerable: false })
  Object.defineProperty(key, "exportable", { value: exportable, enumerable: false })
  return Object.freeze(key) as unknown as Dpop.DpopKey
}

const withThumbprint = (
  algorithm: Dpop.Algorithm,
  publicJwk: Jose.JWK,
  privateKey: CryptoKey,
  exportable: boolean
): Effect.Effect<Dpop.DpopKey, InvalidArgument> =>
  Effect.tryPromise({
    try: () => load().then((J) => J.calculateJwkThumbprint(publicJwk, "sha256")),
    catch: (e) => invalid("key", `has no JWK thumbprint (${describe(e)})`)
  }).pipe(Effect.map((thumbprint) => makeKey(algorithm, publicJwk, thumbprint, privateKey, exportable)))

/** @internal */
export const generate = (options: Dpop.GenerateOptions = {}): Effect.Effect<Dpop.DpopKey, InvalidArgument> =>
  Effect.gen(function* () {
    const algorithm = options.algorithm ?? "ES256"
    if (!isAlgorithm(algorithm)) return yield* Effect.fail(invalid("algorithm", `must be one of ${algorithms.join(", ")}`))
    const exportable = options.extractable === true
    const pair = yield* Effect.tryPromise({
      try: () => globalThis.crypto.subtle.generateKey(generation[algorithm], exportable, ["sign", "verify"]) as Promise<CryptoKeyPair>,
      catch: (e) => invalid("algorithm", `could not generate a ${algorithm} key (${describe(e)})`)
    })
    return yield* fromPair(pair, algorithm, exportable)
  })

const fromPair = (pair: CryptoKeyPair, algorithm: Dpop.Algorithm, exportable: boolean): Effect.Effect<Dpop.DpopKey, InvalidArgument> =>
  Effect.flatMap(
    Effect.tryPromise({
      try: () => load().then((J) => J.exportJWK(pair.publicKey)),
      catch: (e) => invalid("publicKey", `could not be exported (${describe(e)})`)
    }),
    (jwk) => withThumbprint(algorithm, publicKeyMaterial(jwk), pair.privateKey, exportable)
  )

const encoder = new TextEncoder()

const probe = encoder.encode("dpop key pair probe")

/**
 * The two halves of a key pair belong together: a probe signed with the private key verifies with the public one
 * (imported again from its JWK, so that a public CryptoKey without the `verify` usage is checked too).
 */
const checkPair = (privateKey: CryptoKey, alg: string, publicJwk: Jose.JWK): Effect.Effect<void, InvalidArgument> =>
  Effect.flatMap(
    Effect.tryPromise({
      try: () =>
        load().then(async (J) => {
          const jws = await new J.CompactSign(probe).setProtectedHeader({ alg }).sign(privateKey)
          const publicKey = await J.importJWK({ ...publicJwk, alg }, alg)
          return J.compactVerify(jws, publicKey).then(
            () => true,
            () => false
          )
        }),
      catch: (e) => invalid("key", `the key pair could not be checked (${describe(e)})`)
    }),
    (matches) => (matches ? Effect.void : Effect.fail(invalid("key", "the key pair's public key does not match its private key")))
  )

/** The algorithm of a signing key, when DPoP allows it (`Ed25519` is `EdDSA`). */
const dpopAlgorithm = (alg: string): Dpop.Algorithm | undefined => (alg === "Ed25519" ? "EdDSA" : isAlgorithm(alg) ? alg : undefined)

const isKeyPair = (u: unknown): u is CryptoKeyPair =>
  isRecord(u) && isRecord(u.privateKey) && isRecord(u.publicKey) && typeof (u.privateKey as { type?: unknown }).type === "string"

/** @internal */
export const fromKey = (input: Dpop.KeyInput, options: { readonly algorithm?: Dpop.Algorithm } = {}): Effect.Effect<Dpop.DpopKey, InvalidArgument> =>
  Effect.gen(function* () {
    if (options.algorithm !== undefined && !isAlgorithm(options.algorithm)) {
      return yield* Effect.fail(invalid("algorithm", `must be one of ${algorithms.join(", ")}`))
    }
    if (isKeyPair(input)) {
      const signing = yield* signingKey(input.privateKey, options.algorithm === undefined ? {} : { alg: options.algorithm })
      const algorithm = dpopAlgorithm(signing.alg)
      if (algorithm === undefined)
        return yield* Effect.fail(invalid("key", `'${signing.alg}' is not a DPoP algorithm here (${algorithms.join(", ")})`))
      const key = yield* fromPair(input, algorithm, input.privateKey.extractable)
      yield* checkPair(signing.key, signing.alg, key.publicJwk)
      return key
    }
    const signing = yield* signingKey(input, options.algorithm === undefined ? {} : { alg: options.algorithm })
    const algorithm = dpopAlgorithm(signing.alg)
    if (algorithm === undefined) return yield* Effect.fail(invalid("key", `'${signing.alg}' is not a DPoP algorithm here (${algorithms.join(", ")})`))
    if (signing.publicJwk === undefined) {
      return yield* Effect.fail(invalid("key", "a private CryptoKey alone has no public key: give the key pair ({ privateKey, publicKey }) or a JWK"))
    }
    return yield* withThumbprint(algorithm, publicKeyMaterial(signing.publicJwk), signing.key, false)
  })

/** @internal */
export const isDpopKey = (u: unknown): u is Dpop.DpopKey => isRecord(u) && u._tag === "DpopKey" && typeof u.thumbprint === "string"

/** @internal */
export const exportKey = (key: Dpop.DpopKey): Effect.Effect<Redacted.Redacted<string>, InvalidArgument> => {
  const { exportable, privateKey } = key as Dpop.DpopKey & { readonly exportable: boolean; readonly privateKey: CryptoKey }
  if (!exportable || !privateKey.extractable) {
    return Effect.fail(invalid("key", "was generated or imported non-extractable: generate it with { extractable: true } to persist it"))
  }
  return Effect.tryPromise({
    try: () => load().then((J) => J.exportJWK(privateKey)),
    catch: (e) => invalid("key", `could not be exported (${describe(e)})`)
  }).pipe(Effect.map((jwk) => Redacted.make(JSON.stringify({ ...jwk, alg: key.algorithm }))))
}

/** @internal */
export const accessTokenHash = (accessToken: string | Redacted.Redacted<string>): Effect.Effect<string> =>
  Effect.promise(() =>
    globalThis.crypto.subtle.digest("SHA-256", encoder.encode(typeof accessToken === "string" ? accessToken : Redacted.value(accessToken)))
  ).pipe(Effect.map((digest) => base64url.encode(new Uint8Array(digest))))

/** @internal */
export const htu = (url: string): string => {
  // the URL as it is sent (host lower-cased, default port dropped), without query, fragment or credentials
  try {
    const parsed = new URL(url)
    parsed.search = ""
    parsed.hash = ""
    parsed.username = ""
    parsed.password = ""
    return parsed.href
  } catch {
    const end = url.search(/[?#]/)
    return end === -1 ? url : url.slice(0, end)
  }
}

/** @internal */
export const proof = (key: Dpop.DpopKey, request: Dpop.ProofRequest): Effect.Effect<string, InvalidArgument> =>
  Effect.gen(function* () {
    const iat = Math.floor((yield* Clock.currentTimeMillis) / 1000)
    const jti = yield* randomToken(16)
    const ath = request.accessToken === undefined ? undefined : yield* accessTokenHash(request.accessToken)
    const claims: Record<string, unknown> = { jti, htm: request.method.toUpperCase(), htu: htu(request.url), iat }
    if (ath !== undefined) claims.ath = ath
    if (request.nonce !== undefined) claims.nonce = request.nonce
    const privateKey = (key as Dpop.DpopKey & { readonly privateKey: CryptoKey }).privateKey
    return yield* Effect.tryPromise({
      try: () =>
        load().then((J) =>
          new J.CompactSign(encoder.encode(JSON.stringify(claims)))
            .setProtectedHeader({ typ: "dpop+jwt", alg: key.algorithm, jwk: key.publicJwk })
            .sign(privateKey)
        ),
      catch: (e) => invalid("key", `could not sign the DPoP proof (${describe(e)})`)
    })
  })

// ---------------------------------------------------------------------------------------------------------------------
// errors
// ---------------------------------------------------------------------------------------------------------------------

/** @internal */
export const DpopRequiredTypeId: Dpop.DpopRequiredTypeId = Symbol.for("@oauth2/core/Dpop/DpopRequired") as Dpop.DpopRequiredTypeId

const DpopRequiredError = taggedError<"DpopRequired", Dpop.DpopRequired>("DpopRequired", DpopRequiredTypeId)

/** @internal */
export const isDpopRequired = (u: unknown): u is Dpop.DpopRequired => hasTypeId(u, DpopRequiredTypeId)

/** @internal */
export const dpopRequired = (endpoint: OAuthError.Endpoint, message: string): Dpop.DpopRequired =>
  new DpopRequiredError({ endpoint, message: `${endpoint}: ${message}` })

/** Whether a token answer's `token_type` is `DPoP` (case-insensitive). @internal */
export const isDpopTokenType = (tokenType: unknown): boolean => typeof tokenType === "string" && tokenType.toLowerCase() === "dpop"
