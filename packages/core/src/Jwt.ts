/**
 * JOSE for OAuth 2.x and OpenID Connect clients: the keys a client signs, encrypts and decrypts with, and the
 * verification of signed (and optionally encrypted) JWTs received from an Authorization Server.
 *
 * Verification rules, shared by ID tokens (`IdToken.validate`) and JWT answers (`JwtResponse`):
 * - the signature is always verified, with an allow-list of `alg` values; `none` only when explicitly allowed;
 * - `HS256`/`HS384`/`HS512` are verified with the client secret only, never with a published key;
 * - any `crit` header is refused (no extension is understood), and so is a key carried by the token itself
 *   (`jwk`, `jku`, `x5u`, `x5c`): keys come only from the Authorization Server's key set;
 * - key selection: by `kid`; without `kid`, the single key that fits the algorithm; several candidates are refused;
 *   a key source asked for an unknown `kid` may refetch its set (the http JWKS cache does, once per cooldown);
 * - an encrypted JWT (JWE) is decrypted with the client's key (`RSA1_5` refused), then must hold a signed JWT.
 *
 * Keys are imported into WebCrypto once: building a key (`signingKey`, `decryptionKey`, ...) imports it; keys of a
 * key set are imported the first time they are used and remembered for that key set.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Jose from "jose"
import * as internal from "./internal/jose.js"
import * as OAuthError from "./OAuthError.js"

type InvalidArgument = OAuthError.InvalidArgument

// ---------------------------------------------------------------------------------------------------------------------
// algorithms
// ---------------------------------------------------------------------------------------------------------------------

/**
 * The JWS algorithms this library signs and verifies with. `EdDSA` and `Ed25519` both mean Ed25519.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.1
 * @see https://www.rfc-editor.org/rfc/rfc8037#section-3.1
 * @since 0.1.0
 * @category models
 */
export type SigningAlgorithm =
  | "RS256"
  | "RS384"
  | "RS512"
  | "PS256"
  | "PS384"
  | "PS512"
  | "ES256"
  | "ES384"
  | "ES512"
  | "EdDSA"
  | "Ed25519"
  | "HS256"
  | "HS384"
  | "HS512"

/**
 * The HMAC JWS algorithms, keyed with the client secret.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.2
 * @since 0.1.0
 * @category models
 */
export type HmacAlgorithm = "HS256" | "HS384" | "HS512"

/**
 * The asymmetric JWS algorithms.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.1
 * @since 0.1.0
 * @category models
 */
export type AsymmetricAlgorithm = Exclude<SigningAlgorithm, HmacAlgorithm>

/**
 * Every supported JWS algorithm.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.1
 * @since 0.1.0
 * @category models
 */
export const signingAlgorithms: ReadonlyArray<SigningAlgorithm> = internal.signingAlgorithms

/**
 * The JWE key management algorithms supported for decryption and encryption. `RSA1_5` is deliberately absent
 * (RFC 8725 3.2).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-4.1
 * @since 0.1.0
 * @category models
 */
export type KeyManagementAlgorithm =
  | "RSA-OAEP"
  | "RSA-OAEP-256"
  | "RSA-OAEP-384"
  | "RSA-OAEP-512"
  | "ECDH-ES"
  | "ECDH-ES+A128KW"
  | "ECDH-ES+A192KW"
  | "ECDH-ES+A256KW"

/**
 * Every supported JWE key management algorithm.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-4.1
 * @since 0.1.0
 * @category models
 */
export const keyManagementAlgorithms: ReadonlyArray<KeyManagementAlgorithm> = internal.keyManagementAlgorithms

/**
 * The JWE content encryption algorithms.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-5.1
 * @since 0.1.0
 * @category models
 */
export type ContentEncryptionAlgorithm =
  | "A128GCM"
  | "A192GCM"
  | "A256GCM"
  | "A128CBC-HS256"
  | "A192CBC-HS384"
  | "A256CBC-HS512"

/**
 * Every supported JWE content encryption algorithm.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-5.1
 * @since 0.1.0
 * @category models
 */
export const contentEncryptionAlgorithms: ReadonlyArray<ContentEncryptionAlgorithm> = internal.contentEncryptionAlgorithms

// ---------------------------------------------------------------------------------------------------------------------
// errors
// ---------------------------------------------------------------------------------------------------------------------

/**
 * Why a JWT was refused. JOSE-level reasons:
 * - `Malformed`: not a compact JWS/JWE, bad base64url or JSON, a header or claim of the wrong type;
 * - `UnexpectedType`: the `typ` header is not the one this kind of JWT must have;
 * - `EncryptionRequired`: a signed JWT where the client registered encryption;
 * - `DecryptionFailed`: no usable decryption key, or decryption failed;
 * - `EncryptionAlgorithmNotAllowed`: JWE `alg`/`enc` unsupported (`RSA1_5`), or not the registered ones;
 * - `AlgorithmNotAllowed`: JWS `alg` outside the allow-list (`none` included), or `HS*` without a client secret;
 * - `UnsupportedCriticalHeader`: a `crit` header;
 * - `EmbeddedKey`: a key carried by the token (`jwk`, `jku`, `x5u`, `x5c`);
 * - `NoMatchingKey`: no key of the Authorization Server fits (`kid` unknown even after a refetch);
 * - `AmbiguousKey`: no `kid` and several keys fit;
 * - `InvalidSignature`.
 *
 * Claim reasons: `MissingClaim` (see `claim`), `IssuerMismatch`, `AudienceMismatch`, `Expired`, `NotYetValid`,
 * `IssuedInFuture`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-7.2
 * @see https://www.rfc-editor.org/rfc/rfc8725#section-3
 * @since 0.1.0
 * @category models
 */
export type Reason =
  | "Malformed"
  | "UnexpectedType"
  | "EncryptionRequired"
  | "DecryptionFailed"
  | "EncryptionAlgorithmNotAllowed"
  | "AlgorithmNotAllowed"
  | "UnsupportedCriticalHeader"
  | "EmbeddedKey"
  | "NoMatchingKey"
  | "AmbiguousKey"
  | "InvalidSignature"
  | "MissingClaim"
  | "IssuerMismatch"
  | "AudienceMismatch"
  | "Expired"
  | "NotYetValid"
  | "IssuedInFuture"

/**
 * A JWT answered by an endpoint (a signed UserInfo answer, a JWT introspection answer, ...) failed verification.
 * The message says what was wrong; it never contains the token.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-7.2
 * @since 0.1.0
 * @category errors
 */
export interface InvalidJwt {
  readonly _tag: "InvalidJwt"
  /** The endpoint whose answer it was. */
  readonly endpoint: OAuthError.Endpoint
  readonly reason: Reason
  /** The claim or header parameter at fault, when there is one. */
  readonly claim?: string
  readonly message: string
}

/**
 * Builds an {@link InvalidJwt}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-7.2
 * @since 0.1.0
 * @category constructors
 */
export const invalidJwt = (
  endpoint: OAuthError.Endpoint,
  reason: Reason,
  detail: string,
  claim?: string
): InvalidJwt =>
  Data.struct({
    _tag: "InvalidJwt" as const,
    endpoint,
    reason,
    ...(claim === undefined ? {} : { claim }),
    message: `invalid JWT from the ${endpoint} endpoint (${reason}): ${detail}`
  })

/**
 * Whether a value is an {@link InvalidJwt}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-7.2
 * @since 0.1.0
 * @category guards
 */
export const isInvalidJwt = (u: unknown): u is InvalidJwt =>
  Predicate.hasProperty(u, "_tag") && u._tag === "InvalidJwt" && Predicate.hasProperty(u, "reason")

// ---------------------------------------------------------------------------------------------------------------------
// keys
// ---------------------------------------------------------------------------------------------------------------------

/**
 * The Authorization Server's public keys: a JWK set, or a function that returns the set for a `kid` (the token's,
 * when it names one). A function may refetch its set when it does not know the `kid` (the `jwks` function of the
 * http client does, no more often than its cooldown).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 * @since 0.1.0
 * @category models
 */
export type KeySet<E = never> =
  | Jose.JSONWebKeySet
  | ((query: { readonly kid?: string }) => Effect.Effect<Jose.JSONWebKeySet, E>)

/**
 * A key to sign JWTs with (request objects): an imported, non-extractable `CryptoKey`, its algorithm and `kid`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-4.1
 * @since 0.1.0
 * @category models
 */
export interface SigningKey {
  readonly _tag: "SigningKey"
  readonly alg: SigningAlgorithm
  /** Sent as the `kid` header, when known. */
  readonly kid?: string
  readonly key: CryptoKey
}

/**
 * A public key of the Authorization Server to encrypt JWTs to (request objects), with the JWE algorithms to use.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7516#section-4.1
 * @since 0.1.0
 * @category models
 */
export interface EncryptionKey {
  readonly _tag: "EncryptionKey"
  readonly alg: KeyManagementAlgorithm
  readonly enc: ContentEncryptionAlgorithm
  readonly kid?: string
  readonly key: CryptoKey
}

/**
 * The client's private key to decrypt JWEs with (encrypted ID tokens, UserInfo and introspection answers). It is
 * imported once per algorithm it serves; the private key itself is not reachable from this value.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7516#section-5.2
 * @since 0.1.0
 * @category models
 */
export interface DecryptionKey {
  readonly _tag: "DecryptionKey"
  /** Used to pick the key when a JWE names a `kid`. */
  readonly kid?: string
  /** The key management algorithms this key decrypts. */
  readonly algorithms: ReadonlyArray<KeyManagementAlgorithm>
}

/**
 * What a private key may be given as: a JWK, a `CryptoKey`, or a string holding a JSON JWK or a PKCS#8 PEM;
 * optionally `Redacted` (e.g. from `Config.redacted`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-4
 * @since 0.1.0
 * @category models
 */
export type PrivateKeyInput = Jose.JWK | CryptoKey | string | Redacted.Redacted<Jose.JWK | CryptoKey | string>

const invalid = (argument: string, message: string): Effect.Effect<never, InvalidArgument> =>
  Effect.fail(OAuthError.invalidArgument(argument, message))

const isCryptoKey = (u: unknown): u is CryptoKey =>
  (typeof CryptoKey !== "undefined" && u instanceof CryptoKey) ||
  (Predicate.hasProperty(u, "algorithm") && Predicate.hasProperty(u, "type") && Predicate.hasProperty(u, "usages") &&
    Predicate.hasProperty(u, "extractable"))

type ParsedKey =
  | { readonly _tag: "Jwk"; readonly jwk: Jose.JWK }
  | { readonly _tag: "CryptoKey"; readonly key: CryptoKey }
  | { readonly _tag: "Pem"; readonly pem: string }

const parseKeyInput = (argument: string, input: unknown): Effect.Effect<ParsedKey, InvalidArgument> => {
  const value: unknown = Redacted.isRedacted(input) ? Redacted.value(input) : input
  if (isCryptoKey(value)) return Effect.succeed({ _tag: "CryptoKey", key: value })
  if (typeof value === "string") {
    const text = value.trim()
    if (text.startsWith("{")) {
      const parsed = Either.try(() => JSON.parse(text) as unknown)
      if (Either.isLeft(parsed) || !Predicate.isRecord(parsed.right)) return invalid(argument, "is not a JSON JWK object")
      return Effect.succeed({ _tag: "Jwk", jwk: parsed.right as Jose.JWK })
    }
    if (text.startsWith("-----BEGIN PRIVATE KEY-----")) return Effect.succeed({ _tag: "Pem", pem: text })
    if (text.startsWith("-----BEGIN")) return invalid(argument, "PEM keys must be PKCS#8 private keys ('-----BEGIN PRIVATE KEY-----')")
    return invalid(argument, "a string must hold a JSON JWK or a PKCS#8 PEM private key")
  }
  if (Predicate.isRecord(value) && typeof value.kty === "string") return Effect.succeed({ _tag: "Jwk", jwk: value as Jose.JWK })
  return invalid(argument, "must be a JWK, a CryptoKey, or a JSON JWK / PKCS#8 PEM string")
}

const curveAlgorithm: Readonly<Record<string, AsymmetricAlgorithm>> = { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512" }

const defaultSigningAlgorithm = (jwk: Jose.JWK): AsymmetricAlgorithm | undefined =>
  jwk.kty === "RSA"
    ? "RS256"
    : jwk.kty === "EC" && typeof jwk.crv === "string"
      ? curveAlgorithm[jwk.crv]
      : jwk.kty === "OKP" && jwk.crv === "Ed25519"
        ? "EdDSA"
        : undefined

const cryptoKeySigningAlgorithm = (key: CryptoKey): AsymmetricAlgorithm | undefined => {
  const algorithm = key.algorithm as { readonly name: string; readonly hash?: { readonly name: string }; readonly namedCurve?: string }
  const bits = algorithm.hash?.name.replace("SHA-", "")
  const candidate = algorithm.name === "RSASSA-PKCS1-v1_5"
    ? `RS${bits}`
    : algorithm.name === "RSA-PSS"
      ? `PS${bits}`
      : algorithm.name === "ECDSA"
        ? curveAlgorithm[algorithm.namedCurve ?? ""]
        : algorithm.name === "Ed25519"
          ? "EdDSA"
          : undefined
  return internal.isSigningAlgorithm(candidate) && !candidate.startsWith("HS") ? (candidate as AsymmetricAlgorithm) : undefined
}

const checkKidOption = (kid: unknown): Effect.Effect<string | undefined, InvalidArgument> =>
  kid === undefined
    ? Effect.succeed(undefined)
    : typeof kid === "string" && kid.length > 0
      ? Effect.succeed(kid)
      : invalid("kid", "must be a non-empty string")

const makeSigningKey = (alg: SigningAlgorithm, kid: string | undefined, key: CryptoKey): SigningKey =>
  Object.freeze({ _tag: "SigningKey" as const, alg, ...(kid === undefined ? {} : { kid }), key })

/**
 * Imports a private key to sign JWTs with (request objects, signed CIBA requests). The algorithm is the `alg`
 * option, else the JWK's `alg`, else derived from the key (RSA: `RS256`; EC P-256/P-384/P-521: `ES256`/`ES384`/
 * `ES512`; Ed25519: `EdDSA`); a PKCS#8 PEM needs `alg`. The `kid` is the option, else the JWK's. The key is imported
 * once, non-extractable. Symmetric keys: see {@link secretKey}.
 *
 * @example
 * ```ts
 * import { Jwt } from "@oauth2/core"
 * import { Effect } from "effect"
 * import * as jose from "jose"
 *
 * const program = Effect.gen(function* () {
 *   const { privateKey } = yield* Effect.promise(() => jose.generateKeyPair("ES256", { extractable: true }))
 *   const jwk = yield* Effect.promise(() => jose.exportJWK(privateKey))
 *   const key = yield* Jwt.signingKey({ ...jwk, kid: "client-key-1" })
 *   console.log(key.alg, key.kid) // ES256 client-key-1
 * })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-5.1
 * @since 0.1.0
 * @category constructors
 */
export const signingKey = (
  privateKey: PrivateKeyInput,
  options: { readonly alg?: AsymmetricAlgorithm; readonly kid?: string } = {}
): Effect.Effect<SigningKey, InvalidArgument> =>
  Effect.gen(function*() {
    if (options.alg !== undefined && !(internal.isSigningAlgorithm(options.alg) && !options.alg.startsWith("HS"))) {
      return yield* invalid("alg", `must be one of ${internal.signingAlgorithms.filter((a) => !a.startsWith("HS")).join(", ")}`)
    }
    const kidOption = yield* checkKidOption(options.kid)
    const parsed = yield* parseKeyInput("privateKey", privateKey)
    switch (parsed._tag) {
      case "CryptoKey": {
        const key = parsed.key
        if (key.type !== "private" || !key.usages.includes("sign")) {
          return yield* invalid("privateKey", "must be a private key usable for signing")
        }
        const alg = cryptoKeySigningAlgorithm(key)
        if (alg === undefined) return yield* invalid("privateKey", `a '${key.algorithm.name}' CryptoKey is not supported`)
        if (options.alg !== undefined && !(options.alg === alg || (alg === "EdDSA" && options.alg === "Ed25519"))) {
          return yield* invalid("alg", `'${options.alg}' cannot be used with a CryptoKey imported for ${alg}`)
        }
        return makeSigningKey(options.alg ?? alg, kidOption, key)
      }
      case "Pem": {
        const alg = options.alg
        if (alg === undefined) return yield* invalid("alg", "is required with a PKCS#8 PEM private key")
        const key = yield* Effect.tryPromise({
          try: () => Jose.importPKCS8(parsed.pem, alg, { extractable: false }),
          catch: (e) => OAuthError.invalidArgument("privateKey", `could not be imported for ${alg} (${internal.describe(e)})`)
        })
        return makeSigningKey(alg, kidOption, key)
      }
      case "Jwk": {
        const jwk = parsed.jwk
        if (jwk.kty === "oct") return yield* invalid("privateKey", "is a symmetric key; use Jwt.secretKey")
        if (typeof jwk.d !== "string" || jwk.d.length === 0) return yield* invalid("privateKey", "is a public key (no 'd')")
        if (jwk.use !== undefined && jwk.use !== "sig") return yield* invalid("privateKey", `the JWK 'use' is '${jwk.use}', not 'sig'`)
        if (jwk.kid !== undefined && typeof jwk.kid !== "string") return yield* invalid("privateKey", "the JWK 'kid' must be a string")
        if (kidOption !== undefined && jwk.kid !== undefined && kidOption !== jwk.kid) {
          return yield* invalid("kid", "differs from the JWK's kid")
        }
        const jwkAlg = jwk.alg
        if (jwkAlg !== undefined && !(internal.isSigningAlgorithm(jwkAlg) && !jwkAlg.startsWith("HS"))) {
          return yield* invalid("privateKey", `the JWK 'alg' ${JSON.stringify(jwkAlg)} is not a supported signature algorithm`)
        }
        if (options.alg !== undefined && jwkAlg !== undefined && options.alg !== jwkAlg) {
          return yield* invalid("alg", `'${options.alg}' differs from the JWK's alg '${jwkAlg}'`)
        }
        const alg = options.alg ?? (jwkAlg as AsymmetricAlgorithm | undefined) ?? defaultSigningAlgorithm(jwk)
        if (alg === undefined) return yield* invalid("privateKey", `a ${String(jwk.kty)} key of curve ${String(jwk.crv)} is not supported`)
        const key = yield* Effect.tryPromise({
          try: () => Jose.importJWK(jwk, alg, { extractable: false }),
          catch: (e) => OAuthError.invalidArgument("privateKey", `could not be imported for ${alg} (${internal.describe(e)})`)
        })
        if (!isCryptoKey(key)) return yield* invalid("privateKey", "did not import as an asymmetric key")
        return makeSigningKey(alg, kidOption ?? jwk.kid, key)
      }
    }
  })

/**
 * Imports a client secret as an HMAC key (`HS256` by default) to sign JWTs with: the octets of its UTF-8
 * representation are the key (OpenID Connect Core 10.1). Imported once, non-extractable.
 *
 * @example
 * ```ts
 * import { Jwt } from "@oauth2/core"
 * import { Effect, Redacted } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const key = yield* Jwt.secretKey(Redacted.make("a-long-client-secret-of-32-bytes!"), { alg: "HS256" })
 *   return key.alg // HS256
 * })
 * ```
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#Signing
 * @since 0.1.0
 * @category constructors
 */
export const secretKey = (
  secret: string | Redacted.Redacted<string>,
  options: { readonly alg?: HmacAlgorithm } = {}
): Effect.Effect<SigningKey, InvalidArgument> =>
  Effect.gen(function*() {
    const alg = options.alg ?? "HS256"
    if (alg !== "HS256" && alg !== "HS384" && alg !== "HS512") return yield* invalid("alg", "must be HS256, HS384 or HS512")
    const value: unknown = Redacted.isRedacted(secret) ? Redacted.value(secret) : secret
    if (typeof value !== "string" || value.length === 0) return yield* invalid("secret", "must be a non-empty string")
    const key = yield* Effect.mapError(
      internal.hmacSigningKey(Redacted.isRedacted(secret) ? secret : Redacted.make(value), alg),
      (e) => OAuthError.invalidArgument("secret", `could not be imported as an HMAC key (${e})`)
    )
    return makeSigningKey(alg, undefined, key)
  })

const defaultKeyManagement = (jwk: Jose.JWK): KeyManagementAlgorithm | undefined =>
  jwk.kty === "RSA" ? "RSA-OAEP-256" : jwk.kty === "EC" || (jwk.kty === "OKP" && jwk.crv === "X25519") ? "ECDH-ES" : undefined

const checkKeyManagement = (argument: string, alg: unknown): Effect.Effect<KeyManagementAlgorithm | undefined, InvalidArgument> =>
  alg === undefined
    ? Effect.succeed(undefined)
    : alg === "RSA1_5"
      ? invalid(argument, "RSA1_5 is not supported (RFC 8725 3.2)")
      : internal.isKeyManagementAlgorithm(alg)
        ? Effect.succeed(alg)
        : invalid(argument, `${JSON.stringify(alg)} is not one of ${internal.keyManagementAlgorithms.join(", ")}`)

const publicOnly = (jwk: Jose.JWK): Jose.JWK => {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, oth: _oth, k: _k, ...rest } = jwk as Jose.JWK & Record<string, unknown>
  return rest as Jose.JWK
}

/**
 * Imports a public key of the Authorization Server (a JWK of its key set with `use: "enc"`, or any public JWK) to
 * encrypt JWTs to. The key management algorithm is the `alg` option, else the JWK's `alg`, else `RSA-OAEP-256` for
 * RSA and `ECDH-ES` for EC and X25519 keys; `enc` is `A256GCM` by default. `RSA1_5` is refused.
 *
 * @example
 * ```ts
 * import { Jwt } from "@oauth2/core"
 * import { Effect } from "effect"
 * import type { JWK } from "jose"
 *
 * declare const serverEncryptionJwk: JWK // from the server's JWKS, use "enc"
 * const program = Effect.gen(function* () {
 *   const key = yield* Jwt.encryptionKey(serverEncryptionJwk, { enc: "A128GCM" })
 *   return [key.alg, key.enc]
 * })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7516#section-5.1
 * @since 0.1.0
 * @category constructors
 */
export const encryptionKey = (
  jwk: Jose.JWK,
  options: { readonly alg?: KeyManagementAlgorithm; readonly enc?: ContentEncryptionAlgorithm } = {}
): Effect.Effect<EncryptionKey, InvalidArgument> =>
  Effect.gen(function*() {
    if (!Predicate.isRecord(jwk) || typeof jwk.kty !== "string") return yield* invalid("jwk", "must be a JWK")
    if (jwk.use !== undefined && jwk.use !== "enc") return yield* invalid("jwk", `the JWK 'use' is '${jwk.use}', not 'enc'`)
    const optionAlg = yield* checkKeyManagement("alg", options.alg)
    const jwkAlg = yield* checkKeyManagement("jwk", jwk.alg)
    if (optionAlg !== undefined && jwkAlg !== undefined && optionAlg !== jwkAlg) {
      return yield* invalid("alg", `'${optionAlg}' differs from the JWK's alg '${jwkAlg}'`)
    }
    const alg = optionAlg ?? jwkAlg ?? defaultKeyManagement(jwk)
    if (alg === undefined) return yield* invalid("jwk", `no key management algorithm for a ${jwk.kty} key`)
    const enc = options.enc ?? "A256GCM"
    if (!internal.isContentEncryptionAlgorithm(enc)) {
      return yield* invalid("enc", `must be one of ${internal.contentEncryptionAlgorithms.join(", ")}`)
    }
    const key = yield* Effect.tryPromise({
      try: () => Jose.importJWK(publicOnly(jwk), alg),
      catch: (e) => OAuthError.invalidArgument("jwk", `could not be imported for ${alg} (${internal.describe(e)})`)
    })
    if (!isCryptoKey(key)) return yield* invalid("jwk", "did not import as an asymmetric key")
    return Object.freeze({
      _tag: "EncryptionKey" as const,
      alg,
      enc,
      ...(typeof jwk.kid === "string" ? { kid: jwk.kid } : {}),
      key
    })
  })

const rsaOaep: ReadonlyArray<KeyManagementAlgorithm> = ["RSA-OAEP", "RSA-OAEP-256", "RSA-OAEP-384", "RSA-OAEP-512"]
const ecdh: ReadonlyArray<KeyManagementAlgorithm> = ["ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW"]

const cryptoKeyDecryption = (key: CryptoKey): ReadonlyArray<KeyManagementAlgorithm> => {
  const algorithm = key.algorithm as { readonly name: string; readonly hash?: { readonly name: string } }
  if (algorithm.name === "RSA-OAEP") {
    const hash = algorithm.hash?.name
    return hash === "SHA-1" ? ["RSA-OAEP"] : hash === "SHA-256" ? ["RSA-OAEP-256"] : hash === "SHA-384" ? ["RSA-OAEP-384"] : hash === "SHA-512" ? ["RSA-OAEP-512"] : []
  }
  return algorithm.name === "ECDH" || algorithm.name === "X25519" ? ecdh : []
}

/**
 * Imports the client's private key to decrypt JWEs with (encrypted ID tokens, UserInfo or introspection answers).
 * The algorithm is the `alg` option, else the JWK's `alg` (the client's registered `*_encrypted_response_alg`);
 * without either, every algorithm of the key's family (RSA-OAEP*, ECDH-ES*). `RSA1_5` is refused. The key is checked
 * and imported now, once per algorithm it serves.
 *
 * @example
 * ```ts
 * import { Jwt } from "@oauth2/core"
 * import { Effect, Redacted } from "effect"
 * import type { JWK } from "jose"
 *
 * declare const privateJwk: Redacted.Redacted<JWK> // e.g. from Config.redacted, alg "RSA-OAEP-256"
 * const program = Effect.gen(function* () {
 *   const key = yield* Jwt.decryptionKey(privateJwk)
 *   return key.algorithms // ["RSA-OAEP-256"]
 * })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7516#section-5.2
 * @since 0.1.0
 * @category constructors
 */
export const decryptionKey = (
  privateKey: PrivateKeyInput,
  options: { readonly alg?: KeyManagementAlgorithm; readonly kid?: string } = {}
): Effect.Effect<DecryptionKey, InvalidArgument> =>
  Effect.gen(function*() {
    const optionAlg = yield* checkKeyManagement("alg", options.alg)
    const kidOption = yield* checkKidOption(options.kid)
    const parsed = yield* parseKeyInput("privateKey", privateKey)
    let algorithms: ReadonlyArray<KeyManagementAlgorithm>
    let importFor: (alg: KeyManagementAlgorithm) => Promise<CryptoKey | Uint8Array>
    let kid = kidOption
    switch (parsed._tag) {
      case "CryptoKey": {
        const key = parsed.key
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
        const pem = parsed.pem
        importFor = (alg) => Jose.importPKCS8(pem, alg, { extractable: false })
        break
      }
      case "Jwk": {
        const jwk = parsed.jwk
        if (typeof jwk.d !== "string" || jwk.d.length === 0) return yield* invalid("privateKey", "is a public key (no 'd')")
        if (jwk.use !== undefined && jwk.use !== "enc") return yield* invalid("privateKey", `the JWK 'use' is '${jwk.use}', not 'enc'`)
        if (jwk.kid !== undefined && typeof jwk.kid !== "string") return yield* invalid("privateKey", "the JWK 'kid' must be a string")
        if (kid !== undefined && jwk.kid !== undefined && kid !== jwk.kid) return yield* invalid("kid", "differs from the JWK's kid")
        kid = kid ?? jwk.kid
        const jwkAlg = yield* checkKeyManagement("privateKey", jwk.alg)
        if (optionAlg !== undefined && jwkAlg !== undefined && optionAlg !== jwkAlg) {
          return yield* invalid("alg", `'${optionAlg}' differs from the JWK's alg '${jwkAlg}'`)
        }
        const family = jwk.kty === "RSA" ? rsaOaep : jwk.kty === "EC" || (jwk.kty === "OKP" && jwk.crv === "X25519") ? ecdh : []
        if (family.length === 0) return yield* invalid("privateKey", `a ${String(jwk.kty)} key cannot decrypt JWEs`)
        const chosen = optionAlg ?? jwkAlg
        if (chosen !== undefined && !family.includes(chosen)) {
          return yield* invalid("alg", `'${chosen}' cannot be used with a ${String(jwk.kty)} key`)
        }
        algorithms = chosen === undefined ? family : [chosen]
        importFor = (alg) => Jose.importJWK(jwk, alg, { extractable: false })
        break
      }
    }
    const value: DecryptionKey = Object.freeze({
      _tag: "DecryptionKey" as const,
      ...(kid === undefined ? {} : { kid }),
      algorithms
    })
    const importer = (alg: KeyManagementAlgorithm) => internal.importOnce(value, alg, () => importFor(alg))
    // import now: a key that cannot be used fails here, not at the first token
    yield* Effect.mapError(importer(algorithms[0]!), (e) =>
      OAuthError.invalidArgument("privateKey", `could not be imported for ${algorithms[0]} (${e})`))
    return internal.registerDecryptionKey(value, importer)
  })

/**
 * Whether a value is a {@link DecryptionKey} built by {@link decryptionKey}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7516#section-5.2
 * @since 0.1.0
 * @category guards
 */
export const isDecryptionKey: (u: unknown) => u is DecryptionKey = internal.isRegisteredDecryptionKey

// ---------------------------------------------------------------------------------------------------------------------
// verification
// ---------------------------------------------------------------------------------------------------------------------

/**
 * The keys a verification may use: the Authorization Server's key set, the client secret (for `HS*` only), the
 * client's decryption keys.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8725#section-3.1
 * @since 0.1.0
 * @category models
 */
export interface VerificationKeys<E = never> {
  readonly keys?: KeySet<E> | undefined
  /** The client secret: the only key `HS256`/`HS384`/`HS512` tokens are verified with. */
  readonly clientSecret?: Redacted.Redacted<string> | undefined
  readonly decryptionKeys?: DecryptionKey | ReadonlyArray<DecryptionKey> | undefined
}

/**
 * The encryption a client registered (`*_encrypted_response_alg` / `_enc`): tokens must then be JWEs, with these
 * algorithms when given.
 *
 * @see https://openid.net/specs/openid-connect-registration-1_0.html#ClientMetadata
 * @since 0.1.0
 * @category models
 */
export interface Encryption {
  readonly alg?: KeyManagementAlgorithm | undefined
  readonly enc?: ContentEncryptionAlgorithm | undefined
}

/**
 * Options of {@link verify}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-7.2
 * @since 0.1.0
 * @category models
 */
export interface VerifyOptions<E = never> extends VerificationKeys<E> {
  /** The endpoint the JWT came from, for errors. */
  readonly endpoint: OAuthError.Endpoint
  /** The accepted `alg` values; `["RS256"]` by default. `none` is accepted only with `allowUnsigned`. */
  readonly algorithms?: ReadonlyArray<string> | undefined
  /** Accept an unsigned (`alg: none`) JWT when `algorithms` contains `none`. Default `false`. */
  readonly allowUnsigned?: boolean | undefined
  /** Require encryption (see {@link Encryption}). */
  readonly encryption?: Encryption | undefined
  /** The `typ` the JWT must have (compared case-insensitively, `application/` prefix ignored). */
  readonly type?: string | undefined
}

/**
 * A verified JWT: its protected header and its claims (not checked beyond their JSON form).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-5.2
 * @since 0.1.0
 * @category models
 */
export interface Verified {
  readonly header: Readonly<Record<string, unknown>>
  readonly claims: Readonly<Record<string, unknown>>
  /** Whether the JWT was encrypted (a JWE holding the signed JWT). */
  readonly encrypted: boolean
}

/**
 * Verifies a compact JWT (see the module rules): decrypts a JWE, checks the header, selects the key and verifies
 * the signature. Claims are parsed, not checked: check `iss`, `aud` and times yourself, or use `IdToken.validate` /
 * `JwtResponse`. Failures are {@link InvalidJwt}; a failing key source fails with its own error.
 *
 * @example
 * ```ts
 * import { Jwt } from "@oauth2/core"
 * import { Effect } from "effect"
 * import type { JSONWebKeySet } from "jose"
 *
 * declare const jwt: string
 * declare const jwks: JSONWebKeySet
 * const program = Effect.gen(function* () {
 *   const { header, claims } = yield* Jwt.verify(jwt, { endpoint: "userinfo", algorithms: ["ES256"], keys: jwks })
 *   return [header.kid, claims.sub]
 * })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-7.2
 * @see https://www.rfc-editor.org/rfc/rfc8725#section-3.1
 * @since 0.1.0
 * @category combinators
 */
export const verify = <E = never>(
  jwt: string | Redacted.Redacted<string>,
  options: VerifyOptions<E>
): Effect.Effect<Verified, InvalidJwt | E> =>
  Effect.map(
    Effect.mapError(
      internal.verify(Redacted.isRedacted(jwt) ? Redacted.value(jwt) : jwt, {
        algorithms: options.algorithms ?? ["RS256"],
        allowUnsigned: options.allowUnsigned === true,
        keys: options.keys,
        clientSecret: options.clientSecret,
        decryptionKeys: internal.decryptionKeyList(options.decryptionKeys),
        encryption: options.encryption,
        types: options.type === undefined ? undefined : [options.type]
      }),
      // verification only yields JOSE reasons
      (e) => (internal.isFailure(e) ? invalidJwt(options.endpoint, e.reason as Reason, e.detail, e.claim) : e)
    ),
    ({ claims, encrypted, header }) => ({ header, claims, encrypted })
  )

// ---------------------------------------------------------------------------------------------------------------------
// signing and encryption
// ---------------------------------------------------------------------------------------------------------------------

/**
 * Signs claims into a compact JWS with a {@link SigningKey} (`alg` and `kid` from the key). `header` adds header
 * parameters such as `typ`. A signing failure is an `InvalidArgument` for `signingKey`.
 *
 * @example
 * ```ts
 * import { Jwt } from "@oauth2/core"
 * import { Effect } from "effect"
 *
 * declare const key: Jwt.SigningKey
 * const program = Jwt.sign({ iss: "my-client", aud: "https://as.example.com" }, key, { typ: "JWT" })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-5.1
 * @since 0.1.0
 * @category constructors
 */
export const sign = (
  claims: Readonly<Record<string, unknown>>,
  key: SigningKey,
  header?: Readonly<Record<string, unknown>>
): Effect.Effect<string, InvalidArgument> => internal.sign(claims, key, header)

/**
 * Encrypts a compact JWS to an {@link EncryptionKey} (a nested JWT, `cty: "JWT"`): sign, then encrypt.
 *
 * @example
 * ```ts
 * import { Jwt } from "@oauth2/core"
 * import { Effect } from "effect"
 *
 * declare const signing: Jwt.SigningKey
 * declare const serverKey: Jwt.EncryptionKey
 * const program = Effect.flatMap(Jwt.sign({ iss: "my-client" }, signing), (jws) => Jwt.encrypt(jws, serverKey))
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-5.2
 * @since 0.1.0
 * @category constructors
 */
export const encrypt = (jws: string, key: EncryptionKey): Effect.Effect<string, InvalidArgument> => internal.encrypt(jws, key)
