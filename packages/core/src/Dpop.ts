/**
 * DPoP (RFC 9449): a client key that proves possession of its sender-constrained tokens, and the proof JWTs signed
 * with it.
 *
 * A {@link DpopKey} is an asymmetric key pair (`ES256` by default; `EdDSA`, `PS256`, `RS256`): generated
 * non-extractable by WebCrypto ({@link generate}), or the user's own ({@link fromKey}: a private JWK, a JSON JWK or
 * PKCS#8 PEM string, optionally `Redacted`, or a `CryptoKeyPair`). Its private half is never rendered: `toJSON`,
 * `toString` and `util.inspect` show the algorithm and the JWK thumbprint only.
 *
 * A key that must survive a restart (a refresh token bound to it is useless with another key) is generated with
 * `{ extractable: true }` and exported once with {@link exportKey} (a `Redacted` private JWK), stored beside the
 * token, and given back to {@link fromKey} on start.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import type * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type * as Jose from "jose"
import * as internal from "./internal/dpop.js"
import type * as Jwt from "./Jwt.js"
import type * as OAuthError from "./OAuthError.js"

/**
 * A DPoP signature algorithm.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.2
 * @since 0.1.0
 * @category models
 */
export type Algorithm = "ES256" | "EdDSA" | "PS256" | "RS256"

/**
 * The DPoP signature algorithms, the default first.
 *
 * @since 0.1.0
 * @category models
 */
export const algorithms: ReadonlyArray<Algorithm> = internal.algorithms

/**
 * A DPoP key: the public JWK sent in every proof, its JWK thumbprint (`dpop_jkt`, the `cnf.jkt` of bound tokens), and
 * the private key (not enumerable, never rendered).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.2
 * @since 0.1.0
 * @category models
 */
export interface DpopKey {
  readonly _tag: "DpopKey"
  readonly algorithm: Algorithm
  /** The public key (key members only), the `jwk` header of every proof. */
  readonly publicJwk: Jose.JWK
  /** The SHA-256 JWK thumbprint of the public key (RFC 7638), base64url: `dpop_jkt` and `cnf.jkt`. */
  readonly thumbprint: string
}

/**
 * Options of {@link generate}.
 *
 * @since 0.1.0
 * @category models
 */
export interface GenerateOptions {
  /** `ES256` by default. */
  readonly algorithm?: Algorithm
  /** Make the private key exportable, so that {@link exportKey} can persist it; `false` by default. */
  readonly extractable?: boolean
}

/**
 * A key of the user's: a private JWK (with its public members), a JSON JWK or PKCS#8 PEM string (a PEM has no public
 * half: give a JWK or a key pair), optionally `Redacted`, or a WebCrypto key pair.
 *
 * @since 0.1.0
 * @category models
 */
export type KeyInput = Jwt.PrivateKeyInput | CryptoKeyPair

/**
 * What a proof is for: the HTTP method and URL of the request (the query and fragment are dropped from `htu`), the
 * access token sent with it (its hash is `ath`), and the server's nonce, when it gave one.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.2
 * @since 0.1.0
 * @category models
 */
export interface ProofRequest {
  readonly method: string
  readonly url: string
  readonly accessToken?: string | Redacted.Redacted<string>
  readonly nonce?: string
}

/**
 * Generates a key pair for DPoP with WebCrypto: `ES256` by default, non-extractable unless asked.
 *
 * @example
 * ```ts
 * import { Dpop } from "@oauth2/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const key = yield* Dpop.generate()
 *   return key.thumbprint // the dpop_jkt of authorization requests
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const generate: (options?: GenerateOptions) => Effect.Effect<DpopKey, OAuthError.InvalidArgument> = internal.generate

/**
 * Makes a DPoP key of the user's key (see {@link KeyInput}); the algorithm is the option, else the JWK's `alg`, else
 * the one the key calls for.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromKey: (input: KeyInput, options?: { readonly algorithm?: Algorithm }) => Effect.Effect<DpopKey, OAuthError.InvalidArgument> =
  internal.fromKey

/**
 * The private key as a JSON JWK (with its `alg`), `Redacted`: what to store beside a bound refresh token to use it
 * again after a restart ({@link fromKey} takes it back). Fails for a key that is not extractable.
 *
 * @example
 * ```ts
 * import { Dpop } from "@oauth2/core"
 * import { Effect, Redacted } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const key = yield* Dpop.generate({ extractable: true })
 *   const stored = yield* Dpop.exportKey(key) // keep it with the token, as a secret
 *   const again = yield* Dpop.fromKey(stored)
 *   return again.thumbprint === key.thumbprint && Redacted.isRedacted(stored)
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const exportKey: (key: DpopKey) => Effect.Effect<Redacted.Redacted<string>, OAuthError.InvalidArgument> = internal.exportKey

/**
 * Whether a value is a {@link DpopKey}.
 *
 * @since 0.1.0
 * @category guards
 */
export const isDpopKey: (u: unknown) => u is DpopKey = internal.isDpopKey

/**
 * Signs a fresh proof (`typ: dpop+jwt`, the public `jwk` header, a random `jti`, `htm`, `htu`, `iat` from the
 * `Clock`, `ath` with an access token, `nonce` when given).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.2
 * @since 0.1.0
 * @category constructors
 */
export const proof: (key: DpopKey, request: ProofRequest) => Effect.Effect<string, OAuthError.InvalidArgument> = internal.proof

/**
 * The `ath` of an access token: the base64url SHA-256 of its value.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.2
 * @since 0.1.0
 * @category constructors
 */
export const accessTokenHash: (accessToken: string | Redacted.Redacted<string>) => Effect.Effect<string> = internal.accessTokenHash

/**
 * The `htu` of a URL: the URL as it is sent (scheme and host lower-cased, a default port dropped), without its query,
 * fragment and credentials.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.2
 * @since 0.1.0
 * @category constructors
 */
export const htu: (url: string) => string = internal.htu

/**
 * Whether a `token_type` is `DPoP` (case-insensitive).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5
 * @since 0.1.0
 * @category guards
 */
export const isDpopTokenType: (tokenType: unknown) => boolean = internal.isDpopTokenType

/**
 * The type id of {@link DpopRequired}.
 *
 * @since 0.1.0
 * @category type ids
 */
export const DpopRequiredTypeId: unique symbol = Symbol.for("@oauth2/core/Dpop/DpopRequired")

/**
 * The type of {@link DpopRequiredTypeId}.
 *
 * @since 0.1.0
 * @category type ids
 */
export type DpopRequiredTypeId = typeof DpopRequiredTypeId

/**
 * The server issued a DPoP-bound token (`token_type: DPoP`) to a request that carried no DPoP proof: the client has
 * no DPoP key configured, and the token cannot be used.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5
 * @since 0.1.0
 * @category errors
 */
export interface DpopRequired extends Cause.YieldableError {
  readonly [DpopRequiredTypeId]: DpopRequiredTypeId
  readonly _tag: "DpopRequired"
  readonly endpoint: OAuthError.Endpoint
  readonly message: string
}

/**
 * Whether a value is a {@link DpopRequired}.
 *
 * @since 0.1.0
 * @category guards
 */
export const isDpopRequired: (u: unknown) => u is DpopRequired = internal.isDpopRequired

/**
 * Makes a {@link DpopRequired}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const dpopRequired: (endpoint: OAuthError.Endpoint, message: string) => DpopRequired = internal.dpopRequired
