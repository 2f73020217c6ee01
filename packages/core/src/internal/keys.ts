/**
 * Keys: the one place where key input is parsed, checked and imported into WebCrypto, and where the algorithm lists
 * live (the public types of `Jwt` are derived from them). Every key this library uses comes through here: the keys a
 * client signs with (`Jwt.signingKey`, `Jwt.secretKey`, and through them the client assertions of `ClientAuth`), the
 * keys it encrypts to and decrypts with, and the Authorization Server's published keys it verifies with.
 *
 * The rules, for every path (JWK, PKCS#8 PEM, `CryptoKey`, secret):
 * - an RSA key has a modulus of at least 2048 bits (RFC 7518 3.3, 3.5; jose refuses to use a shorter one anyway);
 * - a JWK's `use` and `key_ops` must allow the operation it is imported for (RFC 7517 4.2, 4.3);
 * - the algorithm is the one asked for, else the JWK's `alg`, else the one the key's type and curve call for;
 *   `EdDSA` and `Ed25519` are the same algorithm for an Ed25519 key;
 * - a published key is imported from its public members only, and a key is published through the same projection,
 *   so a private member (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, `k`, or one this code does not know) never leaves;
 * - an HMAC key is the UTF-8 octets of the client secret (OpenID Connect Core 10.1), which must be valid Unicode;
 * - imported keys are non-extractable, and imported once per owner object and algorithm ({@link importOnce}).
 *
 * The shape follows jose's `key/import`: one function per kind of key, each failing (never throwing) with an
 * `InvalidArgument` that names the argument at fault and never contains key material.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import type * as Jose from "jose"
import { load } from "./joseModule.js"
import type { DecryptionKey, EncryptionKey, SigningKey } from "../Jwt.js"
import * as OAuthError from "../OAuthError.js"

type InvalidArgument = OAuthError.InvalidArgument

const invalid = (argument: string, message: string): Effect.Effect<never, InvalidArgument> =>
  Effect.fail(OAuthError.invalidArgument(argument, message))

/** Bounded text of an unknown failure (jose and WebCrypto messages name the problem, never key material). @internal */
export const describe = (u: unknown): string => {
  const text = u instanceof Error ? u.message : "unknown failure"
  return text.length > 160 ? `${text.slice(0, 160)}…` : text
}

/** A short, printable rendering of a value taken from a key or a token (never key material). @internal */
export const show = (u: unknown, max = 64): string => {
  const text = typeof u === "string" ? u : (JSON.stringify(u) ?? String(u))
  const bounded = text.length > max ? `${text.slice(0, max)}…` : text
  return JSON.stringify(bounded)
}

// ---------------------------------------------------------------------------------------------------------------------
// algorithms: the source of truth of the algorithm types of `Jwt`
// ---------------------------------------------------------------------------------------------------------------------

/**
 * The asymmetric JWS algorithms, in order of preference for a key that fits several. Kept out of the stripped internals: `Jwt`'s public
 * algorithm types are derived from these lists, so their declarations must stay in the published `.d.ts`.
 */
export const asymmetricAlgorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"] as const

/** The HMAC JWS algorithms (kept in the `.d.ts`, see above). */
export const hmacAlgorithms = ["HS256", "HS384", "HS512"] as const

/** Every JWS algorithm (kept in the `.d.ts`, see above). */
export const signingAlgorithms = [...asymmetricAlgorithms, ...hmacAlgorithms] as const

/** The JWE key management algorithms (kept in the `.d.ts`, see above). */
export const keyManagementAlgorithms = [
  "RSA-OAEP",
  "RSA-OAEP-256",
  "RSA-OAEP-384",
  "RSA-OAEP-512",
  "ECDH-ES",
  "ECDH-ES+A128KW",
  "ECDH-ES+A192KW",
  "ECDH-ES+A256KW"
] as const

/** The JWE content encryption algorithms (kept in the `.d.ts`, see above). */
export const contentEncryptionAlgorithms = ["A128GCM", "A192GCM", "A256GCM", "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"] as const

/** @internal */
export type AsymmetricAlgorithm = (typeof asymmetricAlgorithms)[number]
/** @internal */
export type HmacAlgorithm = (typeof hmacAlgorithms)[number]
/** @internal */
export type SigningAlgorithm = (typeof signingAlgorithms)[number]
/** @internal */
export type KeyManagementAlgorithm = (typeof keyManagementAlgorithms)[number]
/** @internal */
export type ContentEncryptionAlgorithm = (typeof contentEncryptionAlgorithms)[number]

const among =
  <A extends string>(list: ReadonlyArray<A>) =>
  (u: unknown): u is A =>
    typeof u === "string" && (list as ReadonlyArray<string>).includes(u)

/** @internal */
export const isSigningAlgorithm: (u: unknown) => u is SigningAlgorithm = among(signingAlgorithms)
/** @internal */
export const isAsymmetricAlgorithm: (u: unknown) => u is AsymmetricAlgorithm = among(asymmetricAlgorithms)
/** @internal */
export const isHmacAlgorithm: (u: unknown) => u is HmacAlgorithm = among(hmacAlgorithms)
/** @internal */
export const isKeyManagementAlgorithm: (u: unknown) => u is KeyManagementAlgorithm = among(keyManagementAlgorithms)
/** @internal */
export const isContentEncryptionAlgorithm: (u: unknown) => u is ContentEncryptionAlgorithm = among(contentEncryptionAlgorithms)

/** Whether two JWS algorithms are the same: equal, or `EdDSA` and `Ed25519` (both Ed25519, RFC 9864). @internal */
export const sameSigningAlgorithm = (a: string, b: string): boolean =>
  a === b || ((a === "EdDSA" || a === "Ed25519") && (b === "EdDSA" || b === "Ed25519"))

/**
 * The key each asymmetric algorithm needs (its `kty` and, for curves, its `crv`) and the WebCrypto key it is imported
 * as (`name`, and `hash` for RSA): the one table behind the algorithm chosen by curve or type, the algorithm of a
 * `CryptoKey`, and the keys of a set that fit a token's `alg`.
 */
const shapes: {
  readonly [A in AsymmetricAlgorithm]: { readonly kty: string; readonly crv?: string; readonly name: string; readonly hash?: string }
} = {
  RS256: { kty: "RSA", name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
  RS384: { kty: "RSA", name: "RSASSA-PKCS1-v1_5", hash: "SHA-384" },
  RS512: { kty: "RSA", name: "RSASSA-PKCS1-v1_5", hash: "SHA-512" },
  PS256: { kty: "RSA", name: "RSA-PSS", hash: "SHA-256" },
  PS384: { kty: "RSA", name: "RSA-PSS", hash: "SHA-384" },
  PS512: { kty: "RSA", name: "RSA-PSS", hash: "SHA-512" },
  ES256: { kty: "EC", crv: "P-256", name: "ECDSA" },
  ES384: { kty: "EC", crv: "P-384", name: "ECDSA" },
  ES512: { kty: "EC", crv: "P-521", name: "ECDSA" },
  EdDSA: { kty: "OKP", crv: "Ed25519", name: "Ed25519" },
  Ed25519: { kty: "OKP", crv: "Ed25519", name: "Ed25519" }
}

/** Whether a JWK's `kty` and `crv` are those `alg` needs. @internal */
export const fitsKey = (jwk: { readonly kty?: unknown; readonly crv?: unknown }, alg: AsymmetricAlgorithm): boolean => {
  const shape = shapes[alg]
  return jwk.kty === shape.kty && (shape.crv === undefined || jwk.crv === shape.crv)
}

/**
 * The signature algorithm a JWK calls for when nothing else says: the first algorithm that fits it (RSA: `RS256`;
 * EC P-256/P-384/P-521: `ES256`/`ES384`/`ES512`; OKP Ed25519: `EdDSA`). `undefined` for any other key.
 * @internal
 */
export const defaultSigningAlgorithm = (jwk: { readonly kty?: unknown; readonly crv?: unknown }): AsymmetricAlgorithm | undefined =>
  asymmetricAlgorithms.find((alg) => fitsKey(jwk, alg))

/** The JWS algorithm a WebCrypto key was imported for, when it is one this library signs with. @internal */
export const cryptoKeySigningAlgorithm = (key: CryptoKey): AsymmetricAlgorithm | undefined => {
  const algorithm = key.algorithm as { readonly name: string; readonly hash?: { readonly name?: string }; readonly namedCurve?: string }
  return asymmetricAlgorithms.find((alg) => {
    const shape = shapes[alg]
    return (
      shape.name === algorithm.name &&
      (shape.hash === undefined || shape.hash === algorithm.hash?.name) &&
      (shape.crv === undefined || shape.name !== "ECDSA" || shape.crv === algorithm.namedCurve)
    )
  })
}

/** "RSA", "EC P-256", ...: a key's type for messages. */
const keyKind = (jwk: { readonly kty?: unknown; readonly crv?: unknown }): string =>
  `${String(jwk.kty)}${typeof jwk.crv === "string" ? ` ${jwk.crv}` : ""}`

// ---------------------------------------------------------------------------------------------------------------------
// rules shared by every key
// ---------------------------------------------------------------------------------------------------------------------

/** The smallest RSA modulus accepted, in bits (as jose: RFC 7518 3.3, 3.5). @internal */
export const minRsaBits = 2048

/** Why an imported key is too weak to use (an RSA modulus under {@link minRsaBits}), or `undefined`. @internal */
export const weakness = (key: CryptoKey): string | undefined => {
  const modulusLength = (key.algorithm as { readonly modulusLength?: unknown }).modulusLength
  return typeof modulusLength === "number" && modulusLength < minRsaBits
    ? `RSA keys must be at least ${minRsaBits} bits (this one has ${modulusLength})`
    : undefined
}

/** What a key is imported for. @internal */
export type Operation = "sign" | "verify" | "encrypt" | "decrypt"

const operationUse: { readonly [O in Operation]: "sig" | "enc" } = { sign: "sig", verify: "sig", encrypt: "enc", decrypt: "enc" }

/** The `key_ops` values (RFC 7517 4.3) that allow each operation; key agreement counts for JWE key management. */
const operationKeyOps: { readonly [O in Operation]: ReadonlyArray<string> } = {
  sign: ["sign"],
  verify: ["verify"],
  encrypt: ["encrypt", "wrapKey", "deriveKey", "deriveBits"],
  decrypt: ["decrypt", "unwrapKey", "deriveKey", "deriveBits"]
}

/**
 * Whether a JWK's `use` and `key_ops` allow an operation (absent members allow every operation). Allocates nothing:
 * the key selection of every verification runs it.
 * @internal
 */
export const allowsOperation = (jwk: { readonly use?: unknown; readonly key_ops?: unknown }, operation: Operation): boolean => {
  if (jwk.use !== undefined && jwk.use !== operationUse[operation]) return false
  const keyOps = jwk.key_ops
  if (keyOps === undefined) return true
  if (!Array.isArray(keyOps)) return false
  const allowed = operationKeyOps[operation]
  for (let i = 0; i < allowed.length; i++) if (keyOps.includes(allowed[i])) return true
  return false
}

/** Why a JWK's `use` or `key_ops` forbid an operation, or `undefined` when they allow it. @internal */
export const usageProblem = (jwk: { readonly use?: unknown; readonly key_ops?: unknown }, operation: Operation): string | undefined => {
  if (allowsOperation(jwk, operation)) return undefined
  const use = operationUse[operation]
  if (jwk.use !== undefined && jwk.use !== use) return `the JWK 'use' is ${show(jwk.use)}, not '${use}'`
  const allowed = operationKeyOps[operation]
  return `the JWK 'key_ops' do not allow '${operation}'${allowed.length > 1 ? ` (one of ${allowed.join(", ")})` : ""}`
}

/** The members of a JWK that hold public key material (RFC 7518 6.2.1, 6.3.1; RFC 8037 2). */
const publicKeyMembers = ["kty", "crv", "x", "y", "n", "e"] as const

/** The members of a JWK that describe it and are public (RFC 7517 4.2-4.9), kept when a key is published. */
const publicMetadataMembers = ["kid", "alg", "use", "x5u", "x5c", "x5t", "x5t#S256"] as const

const pick = (jwk: Readonly<Record<string, unknown>>, members: ReadonlyArray<string>, out: Record<string, unknown>) => {
  for (const member of members) if (jwk[member] !== undefined) out[member] = jwk[member]
  return out
}

/**
 * The public key material of a JWK only (`kty`, `crv`, `x`, `y`, `n`, `e`): what a published key is imported from,
 * so a key set that (wrongly) carries private members never imports them.
 * @internal
 */
export const publicKeyMaterial = (jwk: Jose.JWK): Jose.JWK => pick(jwk, publicKeyMembers, {}) as Jose.JWK

/**
 * The public projection of a JWK, to publish: its public key material and its public metadata (`kid`, `alg`, `use`,
 * the `x5*` members). Every other member is left out: the private ones (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, `k`,
 * and those of key types this code does not know), `key_ops` and `ext` (which describe the private key).
 * @internal
 */
export const publicJwk = (jwk: Jose.JWK): Jose.JWK => pick(jwk, publicMetadataMembers, pick(jwk, publicKeyMembers, {})) as Jose.JWK

// ---------------------------------------------------------------------------------------------------------------------
// key input
// ---------------------------------------------------------------------------------------------------------------------

/** Whether a value is a WebCrypto key (or looks like one: a key from another realm). @internal */
export const isCryptoKey = (u: unknown): u is CryptoKey =>
  (typeof CryptoKey !== "undefined" && u instanceof CryptoKey) ||
  (Predicate.hasProperty(u, "algorithm") &&
    Predicate.hasProperty(u, "type") &&
    Predicate.hasProperty(u, "usages") &&
    Predicate.hasProperty(u, "extractable"))

/** A private key input, told apart. @internal */
export type KeyInput =
  | { readonly _tag: "Jwk"; readonly jwk: Jose.JWK }
  | { readonly _tag: "CryptoKey"; readonly key: CryptoKey }
  | { readonly _tag: "Pem"; readonly pem: string }

const isJwk = (u: unknown): u is Jose.JWK => Predicate.isRecord(u) && typeof u.kty === "string"

/**
 * Tells a private key input apart (`Jwt.PrivateKeyInput`, optionally `Redacted`): a `CryptoKey`, a JWK, or a string
 * holding a JSON JWK or a PKCS#8 PEM. Failures name `argument` and never quote the input.
 * @internal
 */
export const parseKeyInput = (argument: string, input: unknown): Either.Either<KeyInput, InvalidArgument> => {
  const value: unknown = Redacted.isRedacted(input) ? Redacted.value(input) : input
  const refuse = (message: string) => Either.left(OAuthError.invalidArgument(argument, message))
  if (isCryptoKey(value)) return Either.right({ _tag: "CryptoKey", key: value })
  if (typeof value === "string") {
    const text = value.trim()
    if (text.startsWith("{")) {
      const parsed = Either.try(() => JSON.parse(text) as unknown)
      if (Either.isLeft(parsed)) return refuse("is not valid JSON")
      return isJwk(parsed.right) ? Either.right({ _tag: "Jwk", jwk: parsed.right }) : refuse("is not a JSON JWK object (no 'kty')")
    }
    if (text.startsWith("-----BEGIN PRIVATE KEY-----")) return Either.right({ _tag: "Pem", pem: text })
    if (text.startsWith("-----BEGIN PUBLIC KEY-----") || text.startsWith("-----BEGIN CERTIFICATE-----")) {
      return refuse("is a public key or a certificate, not a private key")
    }
    if (text.startsWith("-----BEGIN")) {
      return refuse("PEM keys must be PKCS#8 private keys ('-----BEGIN PRIVATE KEY-----'); convert PKCS#1/SEC1 keys first")
    }
    return refuse("a string must hold a JSON JWK or a PKCS#8 PEM private key")
  }
  if (isJwk(value)) return Either.right({ _tag: "Jwk", jwk: value })
  return refuse("must be a JWK, a CryptoKey, or a JSON JWK / PKCS#8 PEM string")
}

/** A `kid` option: absent, or a non-empty string. */
const checkKidOption = (kid: unknown): Effect.Effect<string | undefined, InvalidArgument> =>
  kid === undefined
    ? Effect.succeed(undefined)
    : typeof kid === "string" && kid.length > 0
      ? Effect.succeed(kid)
      : invalid("kid", "must be a non-empty string")

/** The `kid` of a key: the option, else the JWK's (a non-empty string when present); both must agree. */
const resolveKid = (argument: string, option: string | undefined, jwk: Jose.JWK): Effect.Effect<string | undefined, InvalidArgument> => {
  if (jwk.kid !== undefined && (typeof jwk.kid !== "string" || jwk.kid.length === 0)) {
    return invalid(argument, "the JWK 'kid' must be a non-empty string")
  }
  if (option !== undefined && jwk.kid !== undefined && option !== jwk.kid) {
    return invalid("kid", `${show(option)} differs from the JWK's kid ${show(jwk.kid)}`)
  }
  return Effect.succeed(option ?? jwk.kid)
}

/** A private JWK: it has its private member `d`, and `use`/`key_ops` allow `operation`. */
const checkPrivateJwk = (argument: string, jwk: Jose.JWK, operation: Operation): Effect.Effect<void, InvalidArgument> => {
  if (jwk.kty === "oct") {
    return invalid(argument, "is a symmetric ('oct') key, not a private key (HMAC keys are made from the client secret)")
  }
  if (typeof jwk.d !== "string" || jwk.d.length === 0) return invalid(argument, "is a public key (no 'd'), not a private key")
  const problem = usageProblem(jwk, operation)
  return problem === undefined ? Effect.void : invalid(argument, problem)
}

/** Refuses an imported key that is too weak (see {@link weakness}). */
const checkStrength = (argument: string, key: CryptoKey): Effect.Effect<CryptoKey, InvalidArgument> => {
  const problem = weakness(key)
  return problem === undefined ? Effect.succeed(key) : invalid(argument, problem)
}

const importFailure = (argument: string, alg: string) => (e: unknown) =>
  OAuthError.invalidArgument(argument, `could not be imported for ${alg} (${describe(e)})`)

// ---------------------------------------------------------------------------------------------------------------------
// import, once per key object
// ---------------------------------------------------------------------------------------------------------------------

const importedKeys = new WeakMap<object, Map<string, CryptoKey>>()

/**
 * Imports a key for an algorithm, once: the result is remembered for the owner object (a JWK of a key set, a
 * `Redacted` client secret, a decryption key) and that algorithm. A failed import is not remembered.
 * @internal
 */
export const importOnce = (owner: object, alg: string, make: () => Promise<CryptoKey | Uint8Array>): Effect.Effect<CryptoKey, string> =>
  Effect.suspend(() => {
    const hit = importedKeys.get(owner)?.get(alg)
    if (hit !== undefined) return Effect.succeed(hit)
    return Effect.flatMap(Effect.tryPromise({ try: make, catch: describe }), (key) => {
      if (key instanceof Uint8Array) return Effect.fail("not an asymmetric key")
      const problem = weakness(key)
      if (problem !== undefined) return Effect.fail(problem)
      let byAlg = importedKeys.get(owner)
      if (byAlg === undefined) {
        byAlg = new Map()
        importedKeys.set(owner, byAlg)
      }
      // two fibers that imported at once keep the first key
      const first = byAlg.get(alg)
      if (first !== undefined) return Effect.succeed(first)
      byAlg.set(alg, key)
      return Effect.succeed(key)
    })
  })

/** The key imported for `owner` and `alg` by {@link importOnce}, if it was imported. @internal */
export const importedKey = (owner: object, alg: string): CryptoKey | undefined => importedKeys.get(owner)?.get(alg)

/** Imports the public half of a published JWK for a JWS algorithm (its strength is checked by {@link importOnce}). @internal */
export const importPublicJwk = (jwk: Jose.JWK, alg: AsymmetricAlgorithm): Promise<CryptoKey | Uint8Array> =>
  load().then((J) => J.importJWK(publicKeyMaterial(jwk), alg))

const hmacHash: { readonly [A in HmacAlgorithm]: string } = { HS256: "SHA-256", HS384: "SHA-384", HS512: "SHA-512" }

/**
 * The HMAC key of a client secret for `alg`: the octets of its UTF-8 representation (OpenID Connect Core 10.1),
 * imported once per `Redacted` secret, algorithm and usage, non-extractable.
 * @internal
 */
export const hmacKey = (secret: Redacted.Redacted<string>, alg: HmacAlgorithm, usage: "sign" | "verify"): Effect.Effect<CryptoKey, string> =>
  importOnce(secret, `${alg}/${usage}`, () =>
    globalThis.crypto.subtle.importKey("raw", new TextEncoder().encode(Redacted.value(secret)), { name: "HMAC", hash: hmacHash[alg] }, false, [usage])
  )

// ---------------------------------------------------------------------------------------------------------------------
// signing keys
// ---------------------------------------------------------------------------------------------------------------------

const makeSigningKey = (alg: SigningAlgorithm, kid: string | undefined, key: CryptoKey, publicJwk?: Jose.JWK): SigningKey =>
  Object.freeze({
    _tag: "SigningKey" as const,
    alg,
    ...(kid === undefined ? {} : { kid }),
    key,
    ...(publicJwk === undefined ? {} : { publicJwk: Object.freeze(publicJwk) })
  })

const unsupportedSigningAlg = (argument: string, alg: unknown) =>
  invalid(argument, `${show(alg)} is not a supported signature algorithm (one of ${asymmetricAlgorithms.join(", ")})`)

/** An `alg` option of a private key: absent, or an asymmetric JWS algorithm. */
const checkSigningAlgOption = (alg: unknown): Effect.Effect<AsymmetricAlgorithm | undefined, InvalidArgument> =>
  alg === undefined || isAsymmetricAlgorithm(alg) ? Effect.succeed(alg) : unsupportedSigningAlg("alg", alg)

/** A `CryptoKey` that can sign: private, usable for signing, of a supported algorithm (that `alg` agrees with), strong. */
const signingCryptoKey = (
  key: CryptoKey,
  alg: AsymmetricAlgorithm | undefined,
  kid: string | undefined
): Effect.Effect<SigningKey, InvalidArgument> => {
  if (key.type === "secret") {
    return invalid("privateKey", "is a symmetric (secret) CryptoKey, not a private key (HMAC keys are made from the client secret)")
  }
  if (key.type !== "private") return invalid("privateKey", "is a public key, not a private key")
  if (!Array.isArray(key.usages) || !key.usages.includes("sign")) return invalid("privateKey", "the CryptoKey's usages do not include 'sign'")
  const keyAlg = cryptoKeySigningAlgorithm(key)
  if (keyAlg === undefined) return invalid("privateKey", `a '${String(key.algorithm?.name)}' CryptoKey cannot sign JWTs here`)
  if (alg !== undefined && !sameSigningAlgorithm(alg, keyAlg)) {
    return invalid("alg", `'${alg}' cannot be used with a CryptoKey imported for ${keyAlg}`)
  }
  return Effect.as(checkStrength("privateKey", key), makeSigningKey(alg ?? keyAlg, kid, key))
}

/** A private JWK that can sign: see the module rules. Its public half (with `kid`, `alg`, `use: "sig"`) is kept. */
const signingJwk = (
  jwk: Jose.JWK,
  optionAlg: AsymmetricAlgorithm | undefined,
  kidOption: string | undefined
): Effect.Effect<SigningKey, InvalidArgument> =>
  Effect.gen(function* () {
    yield* checkPrivateJwk("privateKey", jwk, "sign")
    const fallback = defaultSigningAlgorithm(jwk)
    if (fallback === undefined) {
      return yield* invalid(
        "privateKey",
        jwk.kty === "EC" || jwk.kty === "OKP"
          ? `${jwk.kty} curve ${show(jwk.crv)} is not supported (${jwk.kty === "EC" ? "P-256, P-384, P-521" : "Ed25519"})`
          : `key type ${show(jwk.kty)} is not supported (RSA, EC or OKP)`
      )
    }
    const kid = yield* resolveKid("privateKey", kidOption, jwk)
    const jwkAlg = jwk.alg
    if (jwkAlg !== undefined && !isAsymmetricAlgorithm(jwkAlg)) return yield* unsupportedSigningAlg("alg", jwkAlg)
    if (optionAlg !== undefined && jwkAlg !== undefined && !sameSigningAlgorithm(optionAlg, jwkAlg)) {
      return yield* invalid("alg", `'${optionAlg}' differs from the JWK's alg '${jwkAlg}'`)
    }
    const alg = optionAlg ?? jwkAlg ?? fallback
    if (!fitsKey(jwk, alg)) return yield* invalid("alg", `'${alg}' cannot be used with this ${keyKind(jwk)} key`)
    const key = yield* Effect.tryPromise({
      try: () => load().then((J) => J.importJWK(jwk, alg, { extractable: false })),
      catch: importFailure("privateKey", alg)
    })
    if (!isCryptoKey(key)) return yield* invalid("privateKey", "did not import as an asymmetric key")
    yield* checkStrength("privateKey", key)
    const published = { ...publicJwk(jwk), ...(kid === undefined ? {} : { kid }), alg, use: "sig" }
    return makeSigningKey(alg, kid, key, published)
  })

/**
 * Imports a private key to sign JWTs with (`Jwt.signingKey`; client assertions of `ClientAuth.privateKeyJwt`): a JWK,
 * a PKCS#8 PEM (with `alg`) or a `CryptoKey`, under the rules of this module.
 * @internal
 */
export const signingKey = (
  privateKey: unknown,
  options: { readonly alg?: unknown; readonly kid?: unknown } = {}
): Effect.Effect<SigningKey, InvalidArgument> =>
  Effect.gen(function* () {
    const alg = yield* checkSigningAlgOption(options.alg)
    const kid = yield* checkKidOption(options.kid)
    const parsed = parseKeyInput("privateKey", privateKey)
    if (Either.isLeft(parsed)) return yield* Effect.fail(parsed.left)
    const input = parsed.right
    switch (input._tag) {
      case "CryptoKey":
        return yield* signingCryptoKey(input.key, alg, kid)
      case "Pem": {
        if (alg === undefined) return yield* invalid("alg", "is required with a PKCS#8 PEM private key")
        const key = yield* Effect.tryPromise({
          try: () => load().then((J) => J.importPKCS8(input.pem, alg, { extractable: false })),
          catch: importFailure("privateKey", alg)
        })
        return yield* signingCryptoKey(key, alg, kid)
      }
      case "Jwk":
        return yield* signingJwk(input.jwk, alg, kid)
    }
  })

// With the `u` flag a well-formed surrogate pair is one code point, so this only matches lone surrogates, which
// cannot be encoded as UTF-8 (TextEncoder would silently replace them with U+FFFD, and sign with another key).
const loneSurrogate = /\p{Cs}/u

/** Why a client secret cannot key an HMAC: not a non-empty string, or not valid Unicode (a lone surrogate). @internal */
export const secretProblem = (value: unknown): string | undefined =>
  typeof value !== "string" || value.length === 0
    ? "must be a non-empty string"
    : loneSurrogate.test(value)
      ? "contains a lone UTF-16 surrogate (not valid Unicode, so it has no UTF-8 octets)"
      : undefined

/**
 * Imports a client secret as an HMAC signing key (`Jwt.secretKey`; assertions of `ClientAuth.clientSecretJwt`).
 * @internal
 */
export const secretKey = (
  secret: string | Redacted.Redacted<string>,
  options: { readonly alg?: unknown } = {}
): Effect.Effect<SigningKey, InvalidArgument> =>
  Effect.gen(function* () {
    const alg = options.alg ?? "HS256"
    if (!isHmacAlgorithm(alg)) return yield* invalid("alg", `must be one of ${hmacAlgorithms.join(", ")}`)
    const value: unknown = Redacted.isRedacted(secret) ? Redacted.value(secret) : secret
    const problem = secretProblem(value)
    if (problem !== undefined) return yield* invalid("secret", problem)
    const key = yield* Effect.mapError(hmacKey(Redacted.isRedacted(secret) ? secret : Redacted.make(value as string), alg, "sign"), (e) =>
      OAuthError.invalidArgument("secret", `could not be imported as an HMAC key (${e})`)
    )
    return makeSigningKey(alg, undefined, key)
  })

// ---------------------------------------------------------------------------------------------------------------------
// encryption and decryption keys
// ---------------------------------------------------------------------------------------------------------------------

const checkKeyManagement = (argument: string, alg: unknown): Effect.Effect<KeyManagementAlgorithm | undefined, InvalidArgument> =>
  alg === undefined
    ? Effect.succeed(undefined)
    : alg === "RSA1_5"
      ? invalid(argument, "RSA1_5 is not supported (RFC 8725 3.2)")
      : isKeyManagementAlgorithm(alg)
        ? Effect.succeed(alg)
        : invalid(argument, `${show(alg)} is not one of ${keyManagementAlgorithms.join(", ")}`)

const rsaOaep: ReadonlyArray<KeyManagementAlgorithm> = ["RSA-OAEP", "RSA-OAEP-256", "RSA-OAEP-384", "RSA-OAEP-512"]
const ecdh: ReadonlyArray<KeyManagementAlgorithm> = ["ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW"]

/** The key management algorithms a JWK's type and curve can serve (RSA: RSA-OAEP*; EC, X25519: ECDH-ES*). */
const keyManagementFamily = (jwk: Jose.JWK): ReadonlyArray<KeyManagementAlgorithm> =>
  jwk.kty === "RSA" ? rsaOaep : jwk.kty === "EC" || (jwk.kty === "OKP" && jwk.crv === "X25519") ? ecdh : []

/** The key management algorithm a JWK calls for when nothing else says: `RSA-OAEP-256` for RSA, `ECDH-ES` for EC/X25519. */
const defaultKeyManagement = (jwk: Jose.JWK): KeyManagementAlgorithm | undefined => (jwk.kty === "RSA" ? "RSA-OAEP-256" : keyManagementFamily(jwk)[0])

/** The key management algorithms a WebCrypto key was imported for. */
const cryptoKeyDecryption = (key: CryptoKey): ReadonlyArray<KeyManagementAlgorithm> => {
  const algorithm = key.algorithm as { readonly name: string; readonly hash?: { readonly name: string } }
  if (algorithm.name === "RSA-OAEP") {
    const hash = algorithm.hash?.name
    return hash === "SHA-1"
      ? ["RSA-OAEP"]
      : hash === "SHA-256"
        ? ["RSA-OAEP-256"]
        : hash === "SHA-384"
          ? ["RSA-OAEP-384"]
          : hash === "SHA-512"
            ? ["RSA-OAEP-512"]
            : []
  }
  return algorithm.name === "ECDH" || algorithm.name === "X25519" ? ecdh : []
}

/**
 * Imports a public key of the Authorization Server to encrypt JWTs to (`Jwt.encryptionKey`), from its public key
 * material only.
 * @internal
 */
export const encryptionKey = (
  jwk: Jose.JWK,
  options: { readonly alg?: unknown; readonly enc?: unknown } = {}
): Effect.Effect<EncryptionKey, InvalidArgument> =>
  Effect.gen(function* () {
    if (!isJwk(jwk)) return yield* invalid("jwk", "must be a JWK")
    const problem = usageProblem(jwk, "encrypt")
    if (problem !== undefined) return yield* invalid("jwk", problem)
    const optionAlg = yield* checkKeyManagement("alg", options.alg)
    const jwkAlg = yield* checkKeyManagement("jwk", jwk.alg)
    if (optionAlg !== undefined && jwkAlg !== undefined && optionAlg !== jwkAlg) {
      return yield* invalid("alg", `'${optionAlg}' differs from the JWK's alg '${jwkAlg}'`)
    }
    const alg = optionAlg ?? jwkAlg ?? defaultKeyManagement(jwk)
    if (alg === undefined) return yield* invalid("jwk", `no key management algorithm for a ${String(jwk.kty)} key`)
    const enc = options.enc ?? "A256GCM"
    if (!isContentEncryptionAlgorithm(enc)) return yield* invalid("enc", `must be one of ${contentEncryptionAlgorithms.join(", ")}`)
    const key = yield* Effect.tryPromise({
      try: () => load().then((J) => J.importJWK(publicKeyMaterial(jwk), alg)),
      catch: importFailure("jwk", alg)
    })
    if (!isCryptoKey(key)) return yield* invalid("jwk", "did not import as an asymmetric key")
    yield* checkStrength("jwk", key)
    return Object.freeze({
      _tag: "EncryptionKey" as const,
      alg,
      enc,
      ...(typeof jwk.kid === "string" ? { kid: jwk.kid } : {}),
      key
    })
  })

/** Decryption keys built by {@link decryptionKey}, with their import function (the private key stays here). */
const decryptors = new WeakMap<DecryptionKey, (alg: KeyManagementAlgorithm) => Effect.Effect<CryptoKey, string>>()

/** The import function of a decryption key built by {@link decryptionKey}. @internal */
export const decryptorOf = (key: DecryptionKey): ((alg: KeyManagementAlgorithm) => Effect.Effect<CryptoKey, string>) | undefined =>
  decryptors.get(key)

/** Whether a value is a decryption key built by {@link decryptionKey}. @internal */
export const isDecryptionKey = (u: unknown): u is DecryptionKey => typeof u === "object" && u !== null && decryptors.has(u as DecryptionKey)

/**
 * Imports the client's private key to decrypt JWEs with (`Jwt.decryptionKey`): checked and imported now, for its first
 * algorithm, then once per algorithm it serves.
 * @internal
 */
export const decryptionKey = (
  privateKey: unknown,
  options: { readonly alg?: unknown; readonly kid?: unknown } = {}
): Effect.Effect<DecryptionKey, InvalidArgument> =>
  Effect.gen(function* () {
    const optionAlg = yield* checkKeyManagement("alg", options.alg)
    let kid = yield* checkKidOption(options.kid)
    const parsed = parseKeyInput("privateKey", privateKey)
    if (Either.isLeft(parsed)) return yield* Effect.fail(parsed.left)
    const input = parsed.right
    let algorithms: ReadonlyArray<KeyManagementAlgorithm>
    let importFor: (alg: KeyManagementAlgorithm) => Promise<CryptoKey | Uint8Array>
    switch (input._tag) {
      case "CryptoKey": {
        const key = input.key
        if (key.type !== "private") return yield* invalid("privateKey", "must be a private key")
        const supported = cryptoKeyDecryption(key)
        if (supported.length === 0) return yield* invalid("privateKey", `a '${key.algorithm.name}' CryptoKey cannot decrypt JWEs`)
        if (optionAlg !== undefined && !supported.includes(optionAlg)) {
          return yield* invalid("alg", `'${optionAlg}' cannot be used with this CryptoKey`)
        }
        algorithms = optionAlg === undefined ? supported : [optionAlg]
        importFor = () => Promise.resolve(key)
        break
      }
      case "Pem": {
        if (optionAlg === undefined) return yield* invalid("alg", "is required with a PKCS#8 PEM private key")
        algorithms = [optionAlg]
        const pem = input.pem
        importFor = (alg) => load().then((J) => J.importPKCS8(pem, alg, { extractable: false }))
        break
      }
      case "Jwk": {
        const jwk = input.jwk
        yield* checkPrivateJwk("privateKey", jwk, "decrypt")
        kid = yield* resolveKid("privateKey", kid, jwk)
        const jwkAlg = yield* checkKeyManagement("privateKey", jwk.alg)
        if (optionAlg !== undefined && jwkAlg !== undefined && optionAlg !== jwkAlg) {
          return yield* invalid("alg", `'${optionAlg}' differs from the JWK's alg '${jwkAlg}'`)
        }
        const family = keyManagementFamily(jwk)
        if (family.length === 0) return yield* invalid("privateKey", `a ${keyKind(jwk)} key cannot decrypt JWEs`)
        const chosen = optionAlg ?? jwkAlg
        if (chosen !== undefined && !family.includes(chosen)) {
          return yield* invalid("alg", `'${chosen}' cannot be used with a ${keyKind(jwk)} key`)
        }
        algorithms = chosen === undefined ? family : [chosen]
        importFor = (alg) => load().then((J) => J.importJWK(jwk, alg, { extractable: false }))
        break
      }
    }
    const value: DecryptionKey = Object.freeze({
      _tag: "DecryptionKey" as const,
      ...(kid === undefined ? {} : { kid }),
      algorithms
    })
    const importer = (alg: KeyManagementAlgorithm) => importOnce(value, alg, () => importFor(alg))
    // import now: a key that cannot be used fails here, not at the first token
    yield* Effect.mapError(importer(algorithms[0]!), (e) =>
      OAuthError.invalidArgument("privateKey", `could not be imported for ${algorithms[0]} (${e})`)
    )
    decryptors.set(value, importer)
    return value
  })
