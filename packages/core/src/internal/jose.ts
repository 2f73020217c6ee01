/**
 * JOSE plumbing shared by ID tokens, JWT responses (UserInfo, introspection) and request objects: compact JWS/JWE
 * parsing, algorithm allow-lists, key selection in a JWK set, signature verification, decryption, signing and
 * encryption. Keys and algorithm lists come from `./keys.js`. Every jose promise is wrapped; nothing throws.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Jose from "jose"
import * as base64url from "./base64url.js"
import { load } from "./joseModule.js"
import type { Reason } from "../IdToken.js"
import type { DecryptionKey, EncryptionKey, KeySet, SigningKey } from "../Jwt.js"
import * as OAuthError from "../OAuthError.js"
import { isRecord } from "./errors.js"
import {
  allowsOperation,
  type AsymmetricAlgorithm,
  decryptorOf,
  describe,
  fitsKey,
  hmacKey,
  importedKey,
  importOnce,
  importPublicJwk,
  isContentEncryptionAlgorithm,
  isHmacAlgorithm,
  isKeyManagementAlgorithm,
  isSigningAlgorithm,
  sameSigningAlgorithm,
  show,
  type SigningAlgorithm
} from "./keys.js"

type InvalidArgument = OAuthError.InvalidArgument

// ---------------------------------------------------------------------------------------------------------------------
// failures
// ---------------------------------------------------------------------------------------------------------------------

/**
 * A failed check, before it is given its public tag (`InvalidIdToken`, `InvalidJwt`). `detail` never contains the
 * token, a key or a secret.
 * @internal
 */
export interface Failure {
  readonly _tag: "JoseFailure"
  readonly reason: Reason
  readonly claim?: string
  readonly detail: string
}

/** @internal */
export const failure = (reason: Reason, detail: string, claim?: string): Failure =>
  claim === undefined ? { _tag: "JoseFailure", reason, detail } : { _tag: "JoseFailure", reason, claim, detail }

/** @internal */
export const isFailure = (u: unknown): u is Failure => isRecord(u) && u._tag === "JoseFailure"

const fail = (reason: Reason, detail: string, claim?: string): Effect.Effect<never, Failure> => Effect.fail(failure(reason, detail, claim))

/** A short, printable rendering of a value taken from a token (never a whole token). @internal */
export { show }

// ---------------------------------------------------------------------------------------------------------------------
// algorithms
// ---------------------------------------------------------------------------------------------------------------------

/**
 * The hash of `at_hash` / `c_hash` for a JWS algorithm: the hash of the signature algorithm; SHA-512 for EdDSA with
 * Ed25519 (the only EdDSA curve supported here). `undefined` for `none` and unknown algorithms.
 * @internal
 */
export const hashOf = (alg: string): "SHA-256" | "SHA-384" | "SHA-512" | undefined => {
  if (alg === "EdDSA" || alg === "Ed25519") return "SHA-512"
  if (!isSigningAlgorithm(alg)) return undefined
  return `SHA-${alg.slice(2)}` as "SHA-256" | "SHA-384" | "SHA-512"
}

/**
 * The left-most half of the hash of the ASCII octets of `value`, base64url-encoded (OpenID Connect Core 3.1.3.6,
 * 3.3.2.11): the value of `at_hash` and `c_hash`.
 * @internal
 */
export const leftHalfHash = (value: string, alg: string): Effect.Effect<string, Failure> => {
  const hash = hashOf(alg)
  if (hash === undefined) return fail("AlgorithmNotAllowed", `no hash is defined for alg ${show(alg)}`)
  return Effect.map(
    Effect.promise(() => globalThis.crypto.subtle.digest(hash, new TextEncoder().encode(value))),
    (digest) => base64url.encode(new Uint8Array(digest).slice(0, digest.byteLength / 2))
  )
}

// ---------------------------------------------------------------------------------------------------------------------
// compact serialization
// ---------------------------------------------------------------------------------------------------------------------

/** The longest JWT accepted (256 KiB). @internal */
export const maxJwtLength = 256 * 1024

const segment = /^[A-Za-z0-9_-]*$/
const utf8 = new TextDecoder("utf-8", { fatal: true })

/**
 * The runtime's native base64url decoder, when it has one: Node's `Buffer`, several times faster than a decoder
 * written in JavaScript (jose's included). It is lenient (it skips what is not base64url), so it only ever sees parts
 * whose characters {@link parseCompact} checked.
 */
const nativeBase64url: ((text: string) => Uint8Array<ArrayBuffer>) | undefined = (() => {
  const NodeBuffer = (globalThis as { readonly Buffer?: { from(text: string, encoding: "base64url"): Uint8Array } }).Buffer
  return NodeBuffer !== undefined && typeof NodeBuffer.from === "function"
    ? (text) => NodeBuffer.from(text, "base64url") as Uint8Array<ArrayBuffer>
    : undefined
})()

/**
 * Decodes a part of a compact serialization, whose characters {@link parseCompact} checked: natively when the runtime
 * can, else with jose. `undefined` when it is not base64url (a length that no encoding has).
 */
const decodePart = (part: string): Uint8Array<ArrayBuffer> | undefined => {
  if (part.length % 4 === 1) return undefined
  if (nativeBase64url !== undefined) return nativeBase64url(part)
  return Either.getOrUndefined(Either.try(() => base64url.decode(part)))
}

/** The JSON value of a part of a compact serialization (checked by {@link parseCompact}). */
const decodeJson = (part: string): Option.Option<unknown> => {
  const bytes = decodePart(part)
  if (bytes === undefined) return Option.none()
  return Either.getRight(Either.try(() => JSON.parse(utf8.decode(bytes)) as unknown))
}

/** A compact JWS or JWE, split; its protected header decoded. @internal */
export interface Compact {
  readonly kind: "JWS" | "JWE"
  readonly parts: ReadonlyArray<string>
  readonly header: Readonly<Record<string, unknown>>
}

/** @internal */
export const parseCompact = (jwt: unknown): Either.Either<Compact, Failure> => {
  if (typeof jwt !== "string" || jwt.length === 0) return Either.left(failure("Malformed", "expected a compact JWT string"))
  if (jwt.length > maxJwtLength) return Either.left(failure("Malformed", `longer than ${maxJwtLength} characters`))
  const parts = jwt.split(".")
  if (parts.length !== 3 && parts.length !== 5) {
    return Either.left(failure("Malformed", "not a compact JWS (3 parts) or JWE (5 parts)"))
  }
  if (!parts.every((p) => segment.test(p))) return Either.left(failure("Malformed", "a part is not base64url"))
  const header = decodeJson(parts[0]!)
  if (Option.isNone(header) || !isRecord(header.value)) {
    return Either.left(failure("Malformed", "the protected header is not a base64url-encoded JSON object"))
  }
  return Either.right({ kind: parts.length === 3 ? "JWS" : "JWE", parts, header: header.value })
}

const embeddedKeyParameters = ["jwk", "jku", "x5u", "x5c"] as const

/** Header checks common to JWS and JWE: no `crit` we would have to understand, no key carried by the token. */
const checkCommonHeader = (header: Readonly<Record<string, unknown>>): Either.Either<void, Failure> => {
  if (header.crit !== undefined) {
    const names = Array.isArray(header.crit) ? header.crit.filter((c) => typeof c === "string").slice(0, 4) : []
    return Either.left(
      failure(
        "UnsupportedCriticalHeader",
        `the 'crit' header lists extensions this client does not understand (${names.map((n) => show(n, 32)).join(", ") || "invalid value"})`,
        "crit"
      )
    )
  }
  for (const name of embeddedKeyParameters) {
    if (header[name] !== undefined) {
      return Either.left(
        failure(
          "EmbeddedKey",
          `the header carries its own key reference '${name}'; keys are only taken from the authorization server's registered keys`,
          name
        )
      )
    }
  }
  return Either.void
}

// ---------------------------------------------------------------------------------------------------------------------
// key selection
// ---------------------------------------------------------------------------------------------------------------------

/** Whether a key of a set can verify `alg` (and has the token's `kid`): its type and curve, `use` and `key_ops`, `alg`. */
const isCandidate = (jwk: Record<string, unknown>, alg: AsymmetricAlgorithm, kid: string | undefined): boolean => {
  return (
    fitsKey(jwk, alg) &&
    allowsOperation(jwk, "verify") &&
    (jwk.alg === undefined || (typeof jwk.alg === "string" && sameSigningAlgorithm(jwk.alg, alg))) &&
    (kid === undefined || jwk.kid === kid)
  )
}

/**
 * The one key of a set that can verify a signature with `alg` (and `kid`, when the token names one). Without a
 * `kid`, the only candidate is used; several candidates are refused. One pass over the keys, nothing allocated.
 */
const selectKey = (set: unknown, alg: AsymmetricAlgorithm, kid: string | undefined): Either.Either<Jose.JWK, Failure> => {
  const all: ReadonlyArray<unknown> = isRecord(set) && Array.isArray(set.keys) ? set.keys : []
  let found: Jose.JWK | undefined
  let count = 0
  for (let i = 0; i < all.length; i++) {
    const jwk = all[i]
    if (isRecord(jwk) && isCandidate(jwk, alg, kid)) {
      if (count === 0) found = jwk as Jose.JWK
      count++
    }
  }
  if (count === 1) return Either.right(found!)
  if (count === 0) {
    return Either.left(
      failure(
        "NoMatchingKey",
        kid === undefined
          ? `the authorization server's key set has no key for ${alg}`
          : `the authorization server's key set has no ${alg} key with kid ${show(kid)}`,
        kid === undefined ? undefined : "kid"
      )
    )
  }
  return Either.left(
    failure(
      "AmbiguousKey",
      kid === undefined
        ? `the token names no 'kid' and the authorization server's key set has ${count} keys for ${alg}`
        : `the authorization server's key set has ${count} ${alg} keys with kid ${show(kid)}`,
      "kid"
    )
  )
}

/**
 * The imported key of a set for `alg` and `kid`. Keys are imported the first time they are used and remembered for
 * their JWK object, so a key set (the same data, or the same JWKS cache entry) imports each key once.
 */
const keyOfSet = (set: unknown, alg: AsymmetricAlgorithm, kid: string | undefined): Effect.Effect<CryptoKey, Failure> => {
  const selected = selectKey(set, alg, kid)
  if (Either.isLeft(selected)) return Effect.fail(selected.left)
  const jwk = selected.right
  const hit = importedKey(jwk, alg)
  if (hit !== undefined) return Effect.succeed(hit)
  return Effect.mapError(
    importOnce(jwk, alg, () => importPublicJwk(jwk, alg)),
    (e) => failure("NoMatchingKey", `the key${kid === undefined ? "" : ` ${show(kid)}`} cannot be imported for ${alg} (${e})`, "kid")
  )
}

/**
 * The key to verify with: from the set given as data, or from the key source, asked for the token's `kid` (a cache
 * refetches its set once, subject to its cooldown, when it does not know it).
 */
const verificationKey = <E>(keys: KeySet<E>, alg: AsymmetricAlgorithm, kid: string | undefined): Effect.Effect<CryptoKey, Failure | E> =>
  typeof keys === "function" ? Effect.flatMap(keys(kid === undefined ? {} : { kid }), (set) => keyOfSet(set, alg, kid)) : keyOfSet(keys, alg, kid)

// ---------------------------------------------------------------------------------------------------------------------
// verification
// ---------------------------------------------------------------------------------------------------------------------

/** What a verification accepts. @internal */
export interface VerifyConfig<E> {
  /** The allow-list of JWS `alg` values (`none` included only when unsigned tokens may be accepted). */
  readonly algorithms: ReadonlyArray<string>
  /** Whether an unsigned (`alg: none`) token may be accepted at all (e.g. only from the token endpoint). */
  readonly allowUnsigned: boolean
  readonly keys?: KeySet<E> | undefined
  readonly clientSecret?: Redacted.Redacted<string> | undefined
  readonly decryptionKeys: ReadonlyArray<DecryptionKey>
  /** When set, the token must be a JWE, with these algorithms when given. */
  readonly encryption?: { readonly alg?: string | undefined; readonly enc?: string | undefined } | undefined
  /** Accepted `typ` values (compared case-insensitively, `application/` prefix ignored); any when undefined. */
  readonly types?: ReadonlyArray<string> | undefined
  /**
   * `typ` values refused (other kinds of JWT that must not be confused with this one), given normalized: lower case,
   * without the `application/` prefix.
   */
  readonly forbiddenTypes?: ReadonlyArray<string> | undefined
}

/** @internal */
export interface Verified {
  readonly header: Readonly<Record<string, unknown>>
  readonly claims: Readonly<Record<string, unknown>>
  readonly encrypted: boolean
  readonly alg: string
}

const normalizeType = (typ: string): string => typ.toLowerCase().replace(/^application\//, "")

/** @internal */
export const decryptionKeyList = (keys: DecryptionKey | ReadonlyArray<DecryptionKey> | undefined): ReadonlyArray<DecryptionKey> =>
  keys === undefined ? [] : Array.isArray(keys) ? keys : [keys as DecryptionKey]

const decrypt = <E>(compact: Compact, jwe: string, config: VerifyConfig<E>) =>
  Effect.gen(function* () {
    const { header } = compact
    const alg = header.alg
    const enc = header.enc
    if (alg === "RSA1_5") {
      return yield* fail("EncryptionAlgorithmNotAllowed", "RSA1_5 key encryption is refused (RFC 8725 3.2)", "alg")
    }
    if (!isKeyManagementAlgorithm(alg)) {
      return yield* fail("EncryptionAlgorithmNotAllowed", `JWE alg ${show(alg)} is not supported`, "alg")
    }
    if (!isContentEncryptionAlgorithm(enc)) {
      return yield* fail("EncryptionAlgorithmNotAllowed", `JWE enc ${show(enc)} is not supported`, "enc")
    }
    if (config.encryption?.alg !== undefined && config.encryption.alg !== alg) {
      return yield* fail("EncryptionAlgorithmNotAllowed", `JWE alg ${alg} is not the expected ${config.encryption.alg}`, "alg")
    }
    if (config.encryption?.enc !== undefined && config.encryption.enc !== enc) {
      return yield* fail("EncryptionAlgorithmNotAllowed", `JWE enc ${enc} is not the expected ${config.encryption.enc}`, "enc")
    }
    yield* checkCommonHeader(header)
    if (header.zip !== undefined) return yield* fail("DecryptionFailed", "compressed ('zip') JWEs are not supported", "zip")
    const kid = typeof header.kid === "string" ? header.kid : undefined
    const candidates = config.decryptionKeys.filter((k) => k.algorithms.includes(alg) && (kid === undefined || k.kid === undefined || k.kid === kid))
    if (candidates.length === 0) {
      return yield* fail(
        "DecryptionFailed",
        config.decryptionKeys.length === 0
          ? "the token is encrypted but no decryption key is configured"
          : `no configured decryption key for ${alg}${kid === undefined ? "" : ` with kid ${show(kid)}`}`
      )
    }
    let last = "decryption failed"
    for (const candidate of candidates) {
      const importFor = decryptorOf(candidate)
      if (importFor === undefined) {
        last = "a decryption key was not built by Jwt.decryptionKey"
        continue
      }
      const key = yield* Effect.either(importFor(alg))
      if (Either.isLeft(key)) {
        last = `the decryption key cannot be used for ${alg} (${key.left})`
        continue
      }
      const result = yield* Effect.either(
        Effect.tryPromise({
          try: () =>
            load().then((J) =>
              J.compactDecrypt(jwe, key.right, {
                keyManagementAlgorithms: [alg],
                contentEncryptionAlgorithms: [enc]
              })
            ),
          catch: describe
        })
      )
      if (Either.isRight(result)) return new TextDecoder().decode(result.right.plaintext)
      last = result.left
    }
    return yield* fail("DecryptionFailed", `could not decrypt the token (${last})`)
  })

const decodePayload = (part: string): Either.Either<Record<string, unknown>, Failure> => {
  const payload = decodeJson(part)
  return Option.isSome(payload) && isRecord(payload.value)
    ? Either.right(payload.value)
    : Either.left(failure("Malformed", "the payload is not a base64url-encoded JSON object"))
}

/** The WebCrypto parameters of `crypto.subtle.verify` for each JWS algorithm (the ones jose uses). */
const webCryptoVerify: { readonly [A in SigningAlgorithm]: AlgorithmIdentifier | RsaPssParams | EcdsaParams } = {
  RS256: { name: "RSASSA-PKCS1-v1_5" },
  RS384: { name: "RSASSA-PKCS1-v1_5" },
  RS512: { name: "RSASSA-PKCS1-v1_5" },
  PS256: { name: "RSA-PSS", saltLength: 32 },
  PS384: { name: "RSA-PSS", saltLength: 48 },
  PS512: { name: "RSA-PSS", saltLength: 64 },
  ES256: { name: "ECDSA", hash: "SHA-256" },
  ES384: { name: "ECDSA", hash: "SHA-384" },
  ES512: { name: "ECDSA", hash: "SHA-512" },
  EdDSA: { name: "Ed25519" },
  Ed25519: { name: "Ed25519" },
  HS256: { name: "HMAC" },
  HS384: { name: "HMAC" },
  HS512: { name: "HMAC" }
}

const ascii = new TextEncoder()

/**
 * The header checks of a JWS, in order: `alg` present, no `crit`, no embedded key, no `b64`, `typ` accepted, `alg`
 * in the allow-list. `undefined` when they pass.
 */
const checkJwsHeader = <E>(header: Readonly<Record<string, unknown>>, config: VerifyConfig<E>): Failure | undefined => {
  const alg = header.alg
  if (typeof alg !== "string" || alg.length === 0) return failure("Malformed", "the header has no 'alg'", "alg")
  const common = checkCommonHeader(header)
  if (Either.isLeft(common)) return common.left
  if (header.b64 !== undefined) return failure("Malformed", "the 'b64' header is not allowed in a JWT", "b64")
  if (header.typ !== undefined && typeof header.typ !== "string") return failure("Malformed", "'typ' is not a string", "typ")
  const typ = typeof header.typ === "string" ? normalizeType(header.typ) : undefined
  if (config.types !== undefined && (typ === undefined || !config.types.some((t) => normalizeType(t) === typ))) {
    return failure(
      "UnexpectedType",
      `the 'typ' header is ${typ === undefined ? "missing" : show(header.typ)}, expected ${config.types.map((t) => show(t)).join(" or ")}`,
      "typ"
    )
  }
  if (typ !== undefined && config.forbiddenTypes !== undefined && config.forbiddenTypes.includes(typ)) {
    return failure("UnexpectedType", `a JWT of type ${show(header.typ)} is not accepted here`, "typ")
  }
  if (!config.algorithms.includes(alg)) {
    return failure("AlgorithmNotAllowed", `alg ${show(alg)} is not among the accepted ${config.algorithms.join(", ") || "(none)"}`, "alg")
  }
  return undefined
}

/**
 * Verifies a compact JWS: header checks, key selection (`HS*` with the client secret only, other algorithms with
 * the authorization server's keys), then one `crypto.subtle.verify` over the signing input with the imported key.
 * The claims are decoded from the payload that was verified.
 */
const verifySignature = <E, A>(
  compact: Compact,
  jws: string,
  config: VerifyConfig<E>,
  encrypted: boolean,
  inspect: Inspect<A>
): Effect.Effect<A, Failure | E> => {
  const { header, parts } = compact
  const refused = checkJwsHeader(header, config)
  if (refused !== undefined) return Effect.fail(refused)
  const alg = header.alg as string
  if (alg === "none") {
    if (!config.allowUnsigned) {
      return fail("AlgorithmNotAllowed", "an unsigned ('none') token is only accepted from the token endpoint", "alg")
    }
    if (parts[2] !== "") return fail("Malformed", "an unsigned token must have an empty signature")
    return inspectPayload(parts[1]!, header, alg, encrypted, inspect)
  }
  if (!isSigningAlgorithm(alg)) return fail("AlgorithmNotAllowed", `alg ${show(alg)} is not supported`, "alg")
  const kid = header.kid
  if (kid !== undefined && (typeof kid !== "string" || kid.length === 0)) {
    return fail("Malformed", "'kid' is not a non-empty string", "kid")
  }
  const signature = decodePart(parts[2]!)
  if (signature === undefined || signature.length === 0) return fail("Malformed", "the signature is not base64url")

  let key: Effect.Effect<CryptoKey, Failure | E>
  if (isHmacAlgorithm(alg)) {
    // HS*: the client secret, never a published key (RFC 8725 2.1, OpenID Connect Core 10.1)
    if (config.clientSecret === undefined) {
      return fail("AlgorithmNotAllowed", `${alg} tokens are verified with the client secret, and this client has none`, "alg")
    }
    key = Effect.mapError(hmacKey(config.clientSecret, alg, "verify"), (e) =>
      failure("InvalidSignature", `the client secret cannot be used as an ${alg} key (${e})`)
    )
  } else {
    if (config.keys === undefined) {
      return fail("NoMatchingKey", "no key set of the authorization server is available to verify the signature")
    }
    key = verificationKey(config.keys, alg, kid as string | undefined)
  }
  const signingInput = ascii.encode(jws.slice(0, parts[0]!.length + 1 + parts[1]!.length))
  return Effect.flatMap(key, (cryptoKey) =>
    Effect.flatten(
      Effect.tryPromise({
        try: () => {
          const valid = globalThis.crypto.subtle.verify(webCryptoVerify[alg], cryptoKey, signature, signingInput)
          // while the signature is checked off the main thread: decode and inspect the payload that is being verified;
          // the outcome is only used once the signature verifies (a forged token is InvalidSignature, whatever it says)
          const inspected = inspectPayload(parts[1]!, header, alg, encrypted, inspect)
          return valid.then((ok) => (ok ? inspected : invalidSignature))
        },
        catch: (e) => failure("InvalidSignature", `the signature does not verify (${describe(e)})`)
      })
    )
  )
}

const invalidSignature: Either.Either<never, Failure> = Either.left(failure("InvalidSignature", "the signature does not verify"))

/** What a verification does with the verified token (e.g. check its claims); a pure function. @internal */
export type Inspect<A> = (verified: Verified) => Either.Either<A, Failure>

const inspectPayload = <A>(
  payload: string,
  header: Readonly<Record<string, unknown>>,
  alg: string,
  encrypted: boolean,
  inspect: Inspect<A>
): Either.Either<A, Failure> => {
  const claims = decodePayload(payload)
  return Either.isLeft(claims) ? Either.left(claims.left) : inspect({ header, claims: claims.right, alg, encrypted })
}

/**
 * Verifies a compact JWT: decrypts it when it is a JWE (then expects a nested JWS), checks its header and its
 * signature against the allow-list and the keys, and gives the verified token to `inspect` (which checks the claims,
 * or returns the token as is). `inspect` runs while the signature is being verified; its outcome is returned only
 * when the signature verifies.
 * @internal
 */
export const verifyWith = <E, A>(jwt: string, config: VerifyConfig<E>, inspect: Inspect<A>): Effect.Effect<A, Failure | E> => {
  const outer = parseCompact(jwt)
  if (Either.isLeft(outer)) return Effect.fail(outer.left)
  if (outer.right.kind === "JWS") {
    if (config.encryption !== undefined) {
      return fail("EncryptionRequired", "the token is signed but not encrypted, and this client requires encryption")
    }
    return verifySignature(outer.right, jwt, config, false, inspect)
  }
  return Effect.flatMap(decrypt(outer.right, jwt, config), (plaintext) => {
    const jws = plaintext.trim()
    const inner = parseCompact(jws)
    if (Either.isLeft(inner)) return Effect.fail(inner.left)
    if (inner.right.kind !== "JWS") return fail("Malformed", "the decrypted content is not a signed JWT (nested JWS)")
    return verifySignature(inner.right, jws, config, true, inspect)
  })
}

/**
 * Verifies a compact JWT (see {@link verifyWith}). Claims are not checked here, only parsed.
 * @internal
 */
export const verify = <E>(jwt: string, config: VerifyConfig<E>): Effect.Effect<Verified, Failure | E> => verifyWith(jwt, config, Either.right)

// ---------------------------------------------------------------------------------------------------------------------
// claims helpers
// ---------------------------------------------------------------------------------------------------------------------

/** The longest clock tolerance accepted (5 minutes). @internal */
export const maxClockToleranceSeconds = 300

/** @internal */
export const defaultClockToleranceSeconds = 30

/** The clock tolerance in whole seconds: 30 s by default, between 0 and 5 minutes. @internal */
export const clockTolerance = (input: Duration.DurationInput | undefined): Either.Either<number, InvalidArgument> => {
  if (input === undefined) return Either.right(defaultClockToleranceSeconds)
  const decoded = Duration.decodeUnknown(input)
  if (Option.isNone(decoded) || !Duration.isFinite(decoded.value)) {
    return Either.left(OAuthError.invalidArgument("clockTolerance", "is not a finite duration"))
  }
  const seconds = Math.floor(Duration.toMillis(decoded.value) / 1000)
  if (seconds < 0 || seconds > maxClockToleranceSeconds) {
    return Either.left(OAuthError.invalidArgument("clockTolerance", `must be between 0 and ${maxClockToleranceSeconds} seconds`))
  }
  return Either.right(seconds)
}

/** The current time in seconds (from `Clock`). @internal */
export const nowSeconds: Effect.Effect<number> = Effect.map(Clock.currentTimeMillis, (ms) => ms / 1000)

const maxNumericDate = 8_640_000_000_000

/** A NumericDate claim, when present: a finite non-negative number. @internal */
export const numericDate = (claims: Readonly<Record<string, unknown>>, name: string): Either.Either<number | undefined, Failure> => {
  const value = claims[name]
  if (value === undefined) return Either.right(undefined)
  return isNumericDate(value) ? Either.right(value) : Either.left(failure("Malformed", `'${name}' is not a NumericDate`, name))
}

/** A string claim, when present. @internal */
export const stringClaim = (claims: Readonly<Record<string, unknown>>, name: string): Either.Either<string | undefined, Failure> => {
  const value = claims[name]
  if (value === undefined) return Either.right(undefined)
  return typeof value === "string" ? Either.right(value) : Either.left(failure("Malformed", `'${name}' is not a string`, name))
}

/** `aud` as a list, when present: a string or a non-empty list of strings. @internal */
export const audienceClaim = (claims: Readonly<Record<string, unknown>>): Either.Either<ReadonlyArray<string> | undefined, Failure> => {
  const aud = claims.aud
  if (aud === undefined) return Either.right(undefined)
  if (typeof aud === "string") return Either.right([aud])
  if (Array.isArray(aud) && aud.length > 0 && aud.every((a) => typeof a === "string")) return Either.right(aud as Array<string>)
  return Either.left(failure("Malformed", "'aud' is not a string or a non-empty list of strings", "aud"))
}

/** Whether a claim value is a NumericDate: a finite non-negative number (at most year 275760). @internal */
export const isNumericDate = (value: unknown): value is number =>
  typeof value === "number" && Number.isFinite(value) && value >= 0 && value <= maxNumericDate

/**
 * `exp` in the future, `nbf` and `iat` not in the future, each with the tolerance; absent ones are not checked.
 * `undefined` when they pass.
 * @internal
 */
export const checkTimeWindow = (
  exp: number | undefined,
  iat: number | undefined,
  nbf: number | undefined,
  now: number,
  tolerance: number
): Failure | undefined => {
  if (exp !== undefined && exp <= now - tolerance) return failure("Expired", `expired ${Math.round(now - exp)} seconds ago`, "exp")
  if (nbf !== undefined && nbf > now + tolerance) {
    return failure("NotYetValid", `not valid before ${Math.round(nbf - now)} seconds from now`, "nbf")
  }
  if (iat !== undefined && iat > now + tolerance) {
    return failure("IssuedInFuture", `issued ${Math.round(iat - now)} seconds in the future`, "iat")
  }
  return undefined
}

/**
 * The time claims common to every JWT: `exp` in the future, `nbf` and `iat` not in the future, each with the
 * tolerance. Missing ones are not checked here.
 * @internal
 */
export const checkTimes = (
  claims: Readonly<Record<string, unknown>>,
  now: number,
  tolerance: number
): Either.Either<{ readonly exp?: number; readonly iat?: number; readonly nbf?: number }, Failure> => {
  const exp = numericDate(claims, "exp")
  if (Either.isLeft(exp)) return Either.left(exp.left)
  const iat = numericDate(claims, "iat")
  if (Either.isLeft(iat)) return Either.left(iat.left)
  const nbf = numericDate(claims, "nbf")
  if (Either.isLeft(nbf)) return Either.left(nbf.left)
  const refused = checkTimeWindow(exp.right, iat.right, nbf.right, now, tolerance)
  if (refused !== undefined) return Either.left(refused)
  return Either.right({
    ...(exp.right === undefined ? {} : { exp: exp.right }),
    ...(iat.right === undefined ? {} : { iat: iat.right }),
    ...(nbf.right === undefined ? {} : { nbf: nbf.right })
  })
}

// ---------------------------------------------------------------------------------------------------------------------
// signing and encryption (request objects)
// ---------------------------------------------------------------------------------------------------------------------

/** @internal */
export const sign = (
  claims: Readonly<Record<string, unknown>>,
  key: SigningKey,
  header: Readonly<Record<string, unknown>> = {}
): Effect.Effect<string, InvalidArgument> =>
  Effect.tryPromise({
    try: () =>
      load().then((J) =>
        new J.CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
          .setProtectedHeader({
            ...header,
            alg: key.alg,
            ...(key.kid === undefined ? {} : { kid: key.kid })
          })
          .sign(key.key)
      ),
    catch: (e) => OAuthError.invalidArgument("signingKey", `could not sign (${describe(e)})`)
  })

/** @internal */
export const encrypt = (jws: string, key: EncryptionKey): Effect.Effect<string, InvalidArgument> =>
  Effect.tryPromise({
    try: () =>
      load().then((J) =>
        new J.CompactEncrypt(new TextEncoder().encode(jws))
          .setProtectedHeader({
            alg: key.alg,
            enc: key.enc,
            cty: "JWT",
            ...(key.kid === undefined ? {} : { kid: key.kid })
          })
          .encrypt(key.key)
      ),
    catch: (e) => OAuthError.invalidArgument("encryptionKey", `could not encrypt (${describe(e)})`)
  })
