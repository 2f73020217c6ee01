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
 * key set are imported the first time they are used and remembered for that key set. Every key, whatever its form
 * (JWK, PKCS#8 PEM, `CryptoKey`, secret) and whatever it is for, goes through the same rules:
 * - an RSA key has a modulus of at least 2048 bits;
 * - a JWK's `use` and `key_ops` must allow what the key is imported for (`sig`/`sign` to sign, `enc` to encrypt or
 *   decrypt);
 * - the algorithm is the one asked for, else the JWK's `alg`, else the one the key's type and curve call for;
 * - only the public members of a published key are imported, and {@link publicJwk} publishes the same ones;
 * - an HMAC key is the UTF-8 octets of the client secret, which must be valid Unicode.
 *
 * `ClientAuth.privateKeyJwt` and `ClientAuth.clientSecretJwt` (in `@oauth2/http`) import their keys with
 * {@link signingKey} and {@link secretKey}.
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import type * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type * as Jose from "jose"
import * as jose from "./internal/jose.js"
import * as internal from "./internal/jwt.js"
import * as keys from "./internal/keys.js"
import type * as OAuthError from "./OAuthError.js"

type InvalidArgument = OAuthError.InvalidArgument

// ---------------------------------------------------------------------------------------------------------------------
// algorithms
// ---------------------------------------------------------------------------------------------------------------------

// The lists are the source of truth (`internal/keys.ts`); each type is derived from its list.

/**
 * The JWS algorithms this library signs and verifies with: {@link AsymmetricAlgorithm} and {@link HmacAlgorithm}.
 * `EdDSA` and `Ed25519` both mean Ed25519.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.1
 * @see https://www.rfc-editor.org/rfc/rfc8037#section-3.1
 * @since 0.1.0
 * @category models
 */
export type SigningAlgorithm = (typeof keys.signingAlgorithms)[number]

/**
 * The HMAC JWS algorithms, keyed with the client secret: `HS256`, `HS384`, `HS512`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.2
 * @since 0.1.0
 * @category models
 */
export type HmacAlgorithm = (typeof keys.hmacAlgorithms)[number]

/**
 * The asymmetric JWS algorithms: `RS256`/`RS384`/`RS512`, `PS256`/`PS384`/`PS512` (RSA), `ES256`/`ES384`/`ES512`
 * (EC P-256/P-384/P-521), `EdDSA` and its fully-specified name `Ed25519` (OKP Ed25519, RFC 9864).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.1
 * @see https://www.rfc-editor.org/rfc/rfc8037#section-3.1
 * @since 0.1.0
 * @category models
 */
export type AsymmetricAlgorithm = (typeof keys.asymmetricAlgorithms)[number]

/**
 * Every supported JWS algorithm.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.1
 * @since 0.1.0
 * @category models
 */
export const signingAlgorithms: ReadonlyArray<SigningAlgorithm> = keys.signingAlgorithms

/**
 * Every supported asymmetric JWS algorithm, in the order of preference used when a key fits several.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.1
 * @since 0.1.0
 * @category models
 */
export const asymmetricAlgorithms: ReadonlyArray<AsymmetricAlgorithm> = keys.asymmetricAlgorithms

/**
 * Every supported HMAC JWS algorithm.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.2
 * @since 0.1.0
 * @category models
 */
export const hmacAlgorithms: ReadonlyArray<HmacAlgorithm> = keys.hmacAlgorithms

/**
 * The JWE key management algorithms supported for decryption and encryption. `RSA1_5` is deliberately absent
 * (RFC 8725 3.2).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-4.1
 * @since 0.1.0
 * @category models
 */
export type KeyManagementAlgorithm = (typeof keys.keyManagementAlgorithms)[number]

/**
 * Every supported JWE key management algorithm.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-4.1
 * @since 0.1.0
 * @category models
 */
export const keyManagementAlgorithms: ReadonlyArray<KeyManagementAlgorithm> = keys.keyManagementAlgorithms

/**
 * The JWE content encryption algorithms.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-5.1
 * @since 0.1.0
 * @category models
 */
export type ContentEncryptionAlgorithm = (typeof keys.contentEncryptionAlgorithms)[number]

/**
 * Every supported JWE content encryption algorithm.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-5.1
 * @since 0.1.0
 * @category models
 */
export const contentEncryptionAlgorithms: ReadonlyArray<ContentEncryptionAlgorithm> = keys.contentEncryptionAlgorithms

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
 * The type id of {@link InvalidJwt}.
 *
 * @since 0.1.0
 * @category type ids
 */
export const InvalidJwtTypeId: unique symbol = Symbol.for("@oauth2/core/Jwt/InvalidJwt")

/**
 * The type of {@link InvalidJwtTypeId}.
 *
 * @since 0.1.0
 * @category type ids
 */
export type InvalidJwtTypeId = typeof InvalidJwtTypeId

/**
 * A JWT answered by an endpoint (a signed UserInfo answer, a JWT introspection answer, ...) failed verification.
 * The message says what was wrong; it never contains the token.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-7.2
 * @since 0.1.0
 * @category errors
 */
export interface InvalidJwt extends Cause.YieldableError {
  readonly [InvalidJwtTypeId]: InvalidJwtTypeId
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
export const invalidJwt: (endpoint: OAuthError.Endpoint, reason: Reason, detail: string, claim?: string) => InvalidJwt = internal.invalidJwt

/**
 * Whether a value is an {@link InvalidJwt}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-7.2
 * @since 0.1.0
 * @category guards
 */
export const isInvalidJwt: (u: unknown) => u is InvalidJwt = internal.isInvalidJwt

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
export type KeySet<E = never> = Jose.JSONWebKeySet | ((query: { readonly kid?: string }) => Effect.Effect<Jose.JSONWebKeySet, E>)

/**
 * A key to sign JWTs with (request objects, client assertions): an imported, non-extractable `CryptoKey`, its
 * algorithm and `kid`, and the public JWK to register when the key was given as a JWK.
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
  /**
   * The public half of the key, ready to register with the Authorization Server or to publish ({@link publicJwk},
   * with `kid`, `alg` and `use: "sig"`), when the key was given as a JWK; a `CryptoKey` or a PEM gives none (the
   * imported key is not extractable), nor does a secret.
   */
  readonly publicJwk?: Jose.JWK
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

/**
 * The public projection of a JWK, to register or publish: `kty`, the public key members (`n`, `e`; `crv`, `x`, `y`)
 * and the public metadata (`kid`, `alg`, `use`, `x5u`, `x5c`, `x5t`, `x5t#S256`). Every other member is left out:
 * the private ones (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, `k`, and those of key types not known here), `key_ops`
 * and `ext`. The same projection is what a published key is imported from.
 *
 * @example
 * ```ts
 * import { Jwt } from "@oauth2/core"
 * import type { JWK } from "jose"
 *
 * declare const privateJwk: JWK
 * const published = Jwt.publicJwk(privateJwk) // no "d", ready for a jwks_uri
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-4
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-6
 * @since 0.1.0
 * @category constructors
 */
export const publicJwk: (jwk: Jose.JWK) => Jose.JWK = keys.publicJwk

/**
 * Imports a private key to sign JWTs with (request objects, signed CIBA requests). The algorithm is the `alg`
 * option, else the JWK's `alg`, else derived from the key (RSA: `RS256`; EC P-256/P-384/P-521: `ES256`/`ES384`/
 * `ES512`; Ed25519: `EdDSA`); a PKCS#8 PEM needs `alg`. The `kid` is the option, else the JWK's. The key is imported
 * once, non-extractable; a JWK's public half is kept as `publicJwk`. Symmetric keys: see {@link secretKey}.
 *
 * These are `InvalidArgument`s: a symmetric or public key, an unsupported `alg` or one the key cannot sign with (or
 * that differs from the JWK's), a JWK whose `use` is not `sig` or whose `key_ops` lack `sign`, a `CryptoKey` whose
 * usages lack `sign`, an RSA key under 2048 bits, a key that does not import.
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
export const signingKey: (
  privateKey: PrivateKeyInput,
  options?: { readonly alg?: AsymmetricAlgorithm; readonly kid?: string }
) => Effect.Effect<SigningKey, InvalidArgument> = keys.signingKey

/**
 * Imports a client secret as an HMAC key (`HS256` by default) to sign JWTs with: the octets of its UTF-8
 * representation are the key (OpenID Connect Core 10.1). Imported once per `Redacted` secret, non-extractable. An
 * empty secret, or one with a lone UTF-16 surrogate (it has no UTF-8 octets), is an `InvalidArgument`.
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
export const secretKey: (
  secret: string | Redacted.Redacted<string>,
  options?: { readonly alg?: HmacAlgorithm }
) => Effect.Effect<SigningKey, InvalidArgument> = keys.secretKey

/**
 * Imports a public key of the Authorization Server (a JWK of its key set with `use: "enc"`, or any public JWK) to
 * encrypt JWTs to. The key management algorithm is the `alg` option, else the JWK's `alg`, else `RSA-OAEP-256` for
 * RSA and `ECDH-ES` for EC and X25519 keys; `enc` is `A256GCM` by default. Only the public key members are imported.
 * `RSA1_5` is refused, and so are a JWK whose `use` is not `enc` or whose `key_ops` allow no encryption, and an RSA
 * key under 2048 bits.
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
export const encryptionKey: (
  jwk: Jose.JWK,
  options?: { readonly alg?: KeyManagementAlgorithm; readonly enc?: ContentEncryptionAlgorithm }
) => Effect.Effect<EncryptionKey, InvalidArgument> = keys.encryptionKey

/**
 * Imports the client's private key to decrypt JWEs with (encrypted ID tokens, UserInfo or introspection answers).
 * The algorithm is the `alg` option, else the JWK's `alg` (the client's registered `*_encrypted_response_alg`);
 * without either, every algorithm of the key's family (RSA-OAEP*, ECDH-ES*). `RSA1_5` is refused, and so are a JWK
 * whose `use` is not `enc` or whose `key_ops` allow no decryption, and an RSA key under 2048 bits. The key is checked
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
export const decryptionKey: (
  privateKey: PrivateKeyInput,
  options?: { readonly alg?: KeyManagementAlgorithm; readonly kid?: string }
) => Effect.Effect<DecryptionKey, InvalidArgument> = keys.decryptionKey

/**
 * Whether a value is a {@link DecryptionKey} built by {@link decryptionKey}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7516#section-5.2
 * @since 0.1.0
 * @category guards
 */
export const isDecryptionKey: (u: unknown) => u is DecryptionKey = keys.isDecryptionKey

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
export const verify: <E = never>(jwt: string | Redacted.Redacted<string>, options: VerifyOptions<E>) => Effect.Effect<Verified, InvalidJwt | E> =
  internal.verify

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
export const sign: (
  claims: Readonly<Record<string, unknown>>,
  key: SigningKey,
  header?: Readonly<Record<string, unknown>>
) => Effect.Effect<string, InvalidArgument> = jose.sign

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
export const encrypt: (jws: string, key: EncryptionKey) => Effect.Effect<string, InvalidArgument> = jose.encrypt
