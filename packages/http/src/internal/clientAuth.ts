/** @internal */
import { Jwt, OAuthError, Params } from "@oauth2/core"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Jose from "jose"
import type * as ClientAuth from "../ClientAuth.js"

type InvalidArgument = OAuthError.InvalidArgument

// ---------------------------------------------------------------------------------------------------------------------
// errors
// ---------------------------------------------------------------------------------------------------------------------

/** @internal */
export const clientAuthError = (fields: {
  readonly method: string
  readonly endpoint: OAuthError.Endpoint
  readonly reason?: ClientAuth.ClientAuthError["reason"]
  readonly message: string
}): ClientAuth.ClientAuthError =>
  Data.struct({
    _tag: "ClientAuthError" as const,
    method: fields.method,
    endpoint: fields.endpoint,
    reason: fields.reason ?? "Custom",
    message: `client authentication (${fields.method}) failed at the ${fields.endpoint} endpoint: ${fields.message}`
  })

/** @internal */
export const isClientAuthError = (u: unknown): u is ClientAuth.ClientAuthError =>
  Predicate.hasProperty(u, "_tag") && u._tag === "ClientAuthError" && Predicate.hasProperty(u, "method") &&
  Predicate.hasProperty(u, "endpoint")

const invalid = (argument: string, message: string): Effect.Effect<never, InvalidArgument> =>
  Effect.fail(OAuthError.invalidArgument(argument, message))

/** Bounded text of an unknown failure (jose and WebCrypto messages name the problem, never the key material). */
const describe = (u: unknown): string => {
  const text = u instanceof Error ? `${u.name}: ${u.message}` : "unknown failure"
  return text.length > 200 ? `${text.slice(0, 200)}...` : text
}

// ---------------------------------------------------------------------------------------------------------------------
// values
// ---------------------------------------------------------------------------------------------------------------------

/** @internal */
export const TypeId: unique symbol = Symbol.for("@oauth2/http/ClientAuth") as any

const Proto = {
  [TypeId]: TypeId,
  toJSON(this: Record<string, unknown>) {
    const out: Record<string, unknown> = { _id: "ClientAuth" }
    for (const [key, value] of Object.entries(this)) {
      if (typeof value !== "function") out[key] = Inspectable.toJSON(value)
    }
    return out
  },
  toString(this: Inspectable.Inspectable) {
    return Inspectable.format(this.toJSON())
  },
  [Inspectable.NodeInspectSymbol](this: Inspectable.Inspectable) {
    return this.toJSON()
  }
}

const makeValue = <A extends ClientAuth.ClientAuth>(fields: Omit<A, keyof Inspectable.Inspectable | typeof TypeId>): A =>
  Object.freeze(Object.assign(Object.create(Proto), fields)) as A

/** @internal */
export const isClientAuth = (u: unknown): u is ClientAuth.ClientAuth => Predicate.hasProperty(u, TypeId)

// ---------------------------------------------------------------------------------------------------------------------
// validation
// ---------------------------------------------------------------------------------------------------------------------

// With the `u` flag a well-formed surrogate pair is one code point, so this only matches lone surrogates, which
// cannot be encoded as UTF-8 (URLSearchParams and TextEncoder would silently replace them with U+FFFD).
const loneSurrogate = /\p{Cs}/u

const checkText = (argument: string, value: unknown): Effect.Effect<string, InvalidArgument> => {
  if (typeof value !== "string") return invalid(argument, "must be a string")
  if (value.length === 0) return invalid(argument, "must not be empty")
  if (loneSurrogate.test(value)) return invalid(argument, "contains a lone UTF-16 surrogate (not valid Unicode)")
  return Effect.succeed(value)
}

const checkClientId = (clientId: unknown) => checkText("clientId", clientId)

const checkSecret = (secret: unknown): Effect.Effect<Redacted.Redacted<string>, InvalidArgument> => {
  const value: unknown = Redacted.isRedacted(secret) ? Redacted.value(secret) : secret
  return Effect.map(checkText("clientSecret", value), (text) => Redacted.isRedacted(secret) ? secret as Redacted.Redacted<string> : Redacted.make(text))
}

const defaultLifetime = Duration.seconds(60)

const checkLifetime = (input: Duration.DurationInput | undefined): Effect.Effect<Duration.Duration, InvalidArgument> => {
  if (input === undefined) return Effect.succeed(defaultLifetime)
  const decoded = Duration.decodeUnknown(input)
  if (Option.isNone(decoded)) return invalid("lifetime", "is not a valid duration")
  const duration = decoded.value
  if (!Duration.isFinite(duration)) return invalid("lifetime", "must be finite")
  if (Duration.toMillis(duration) < 1000) return invalid("lifetime", "must be at least 1 second")
  return Effect.succeed(duration)
}

const checkAudience = (audience: ClientAuth.Audience | undefined): Effect.Effect<ClientAuth.Audience, InvalidArgument> => {
  if (audience === undefined) return Effect.succeed("endpoint")
  if (typeof audience !== "string" || audience.length === 0) return invalid("audience", "must be a non-empty string")
  return Effect.succeed(audience)
}

// ---------------------------------------------------------------------------------------------------------------------
// request helpers
// ---------------------------------------------------------------------------------------------------------------------

const credentialParams = ["client_secret", "client_assertion", "client_assertion_type"] as const

/**
 * Adds the client's parameters to a request. RFC 6749 2.3 forbids more than one authentication method per request,
 * so a request that already carries credentials (or another client_id) is refused rather than silently merged.
 */
const addParams = (
  self: { readonly method: string; readonly clientId: string },
  request: ClientAuth.AuthRequest,
  params: Params.Params
): Effect.Effect<ClientAuth.AuthRequest, ClientAuth.ClientAuthError> => {
  for (const name of credentialParams) {
    if (Params.getAll(request.params, name).length > 0) {
      return Effect.fail(clientAuthError({
        method: self.method,
        endpoint: request.endpoint,
        reason: "ConflictingCredentials",
        message: `the request already has a '${name}' parameter (only one authentication method may be used)`
      }))
    }
  }
  const ids = Params.getAll(request.params, "client_id").map(Params.unwrap)
  if (ids.some((id) => id !== self.clientId)) {
    return Effect.fail(clientAuthError({
      method: self.method,
      endpoint: request.endpoint,
      reason: "ConflictingCredentials",
      message: "the request already has a different 'client_id' parameter"
    }))
  }
  const added = ids.length > 0 ? params.filter(([name]) => name !== "client_id") : params
  return Effect.succeed({ ...request, params: Params.concat(request.params, added) })
}

const hasHeader = (request: ClientAuth.AuthRequest, name: string): boolean =>
  Object.keys(request.headers).some((key) => key.toLowerCase() === name)

// ---------------------------------------------------------------------------------------------------------------------
// client_secret_basic
// ---------------------------------------------------------------------------------------------------------------------

/** `application/x-www-form-urlencoded` serialisation of one string (WHATWG URL spec, UTF-8). */
const formUrlEncode = (value: string): string => new URLSearchParams([["", value]]).toString().slice(1)

const base64 = (text: string): string => {
  const bytes = new TextEncoder().encode(text)
  let binary = ""
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/** @internal */
export const basicCredentials = (clientId: string, clientSecret: string, encoding: "form" | "raw"): string =>
  encoding === "raw"
    ? base64(`${clientId}:${clientSecret}`)
    : base64(`${formUrlEncode(clientId)}:${formUrlEncode(clientSecret)}`)

/** @internal */
export const clientSecretBasic = Effect.fnUntraced(function*(options: ClientAuth.ClientSecretBasicOptions) {
  const clientId = yield* checkClientId(options.clientId)
  const clientSecret = yield* checkSecret(options.clientSecret)
  const encoding = options.encoding ?? "form"
  if (encoding !== "form" && encoding !== "raw") return yield* invalid("encoding", "must be 'form' or 'raw'")
  if (encoding === "raw" && clientId.includes(":")) {
    return yield* invalid("clientId", "must not contain ':' with the 'raw' encoding (RFC 7617 2)")
  }
  const authorization = Redacted.make(`Basic ${basicCredentials(clientId, Redacted.value(clientSecret), encoding)}`)
  const method = "client_secret_basic"
  return makeValue<ClientAuth.ClientSecretBasic>({
    _tag: "ClientSecretBasic",
    method,
    clientId,
    clientSecret,
    encoding,
    authenticate: (request) =>
      hasHeader(request, "authorization")
        ? Effect.fail(clientAuthError({
          method,
          endpoint: request.endpoint,
          reason: "ConflictingCredentials",
          message: "the request already has an Authorization header"
        }))
        : Effect.flatMap(
          addParams({ method, clientId }, request, []),
          (request) => Effect.succeed({ ...request, headers: { ...request.headers, authorization } })
        )
  })
})

// ---------------------------------------------------------------------------------------------------------------------
// client_secret_post, none, custom
// ---------------------------------------------------------------------------------------------------------------------

/** @internal */
export const clientSecretPost = Effect.fnUntraced(function*(options: ClientAuth.ClientSecretPostOptions) {
  const clientId = yield* checkClientId(options.clientId)
  const clientSecret = yield* checkSecret(options.clientSecret)
  const method = "client_secret_post"
  const params: Params.Params = [["client_id", clientId], ["client_secret", clientSecret]]
  return makeValue<ClientAuth.ClientSecretPost>({
    _tag: "ClientSecretPost",
    method,
    clientId,
    clientSecret,
    authenticate: (request) => addParams({ method, clientId }, request, params)
  })
})

/** @internal */
export const none = Effect.fnUntraced(function*(options: ClientAuth.NoneOptions) {
  const clientId = yield* checkClientId(options.clientId)
  const method = "none"
  const params: Params.Params = [["client_id", clientId]]
  return makeValue<ClientAuth.None>({
    _tag: "None",
    method,
    clientId,
    authenticate: (request) => addParams({ method, clientId }, request, params)
  })
})

/** @internal */
export const custom = Effect.fnUntraced(function*(options: ClientAuth.CustomOptions) {
  const clientId = yield* checkClientId(options.clientId)
  const method = yield* checkText("method", options.method)
  if (typeof options.authenticate !== "function") return yield* invalid("authenticate", "must be a function")
  return makeValue<ClientAuth.Custom>({ _tag: "Custom", method, clientId, authenticate: options.authenticate })
})

// ---------------------------------------------------------------------------------------------------------------------
// assertions (client_secret_jwt, private_key_jwt)
// ---------------------------------------------------------------------------------------------------------------------

/** @internal */
export const assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

const randomJti: Effect.Effect<string> = Effect.sync(() =>
  Jose.base64url.encode(globalThis.crypto.getRandomValues(new Uint8Array(32)))
)

const makeAssertion = (config: {
  readonly method: string
  readonly clientId: string
  readonly key: CryptoKey
  readonly header: Jose.JWTHeaderParameters
  readonly lifetimeSeconds: number
  readonly audience: ClientAuth.Audience
}) => {
  const resolveAudience = (request: ClientAuth.AuthRequest): string | undefined =>
    config.audience === "endpoint" ? request.url : config.audience === "issuer" ? request.issuer : config.audience
  return (request: ClientAuth.AuthRequest): Effect.Effect<ClientAuth.AuthRequest, ClientAuth.ClientAuthError> =>
    Effect.gen(function*() {
      const aud = resolveAudience(request)
      if (aud === undefined || aud.length === 0) {
        return yield* Effect.fail(clientAuthError({
          method: config.method,
          endpoint: request.endpoint,
          reason: "MissingIssuer",
          message: "the audience is the issuer, but the issuer of the authorization server is not known"
        }))
      }
      const iat = Math.floor((yield* Clock.currentTimeMillis) / 1000)
      const claims = {
        iss: config.clientId,
        sub: config.clientId,
        aud,
        iat,
        exp: iat + config.lifetimeSeconds,
        jti: yield* randomJti
      }
      const jwt = yield* Effect.tryPromise({
        try: () => new Jose.SignJWT(claims).setProtectedHeader(config.header).sign(config.key),
        catch: (cause) =>
          clientAuthError({
            method: config.method,
            endpoint: request.endpoint,
            reason: "SigningFailed",
            message: `could not sign the client assertion (${describe(cause)})`
          })
      })
      return yield* addParams(config, request, [
        ["client_id", config.clientId],
        ["client_assertion_type", assertionType],
        ["client_assertion", Redacted.make(jwt)]
      ])
    })
}

const lifetimeSeconds = (lifetime: Duration.Duration): number => Math.floor(Duration.toMillis(lifetime) / 1000)

// ---------------------------------------------------------------------------------------------------------------------
// client_secret_jwt
// ---------------------------------------------------------------------------------------------------------------------

const hmacHash = { HS256: "SHA-256", HS384: "SHA-384", HS512: "SHA-512" } as const

/** @internal */
export const clientSecretJwt = Effect.fnUntraced(function*(options: ClientAuth.ClientSecretJwtOptions) {
  const clientId = yield* checkClientId(options.clientId)
  const clientSecret = yield* checkSecret(options.clientSecret)
  const alg = options.alg ?? "HS256"
  if (!Object.hasOwn(hmacHash, alg)) return yield* invalid("alg", "must be one of HS256, HS384, HS512")
  const lifetime = yield* checkLifetime(options.lifetime)
  const audience = yield* checkAudience(options.audience)
  // Imported once, non-extractable: signing never touches the raw secret again.
  const key = yield* Effect.tryPromise({
    try: () =>
      globalThis.crypto.subtle.importKey(
        "raw",
        new TextEncoder().encode(Redacted.value(clientSecret)),
        { name: "HMAC", hash: hmacHash[alg] },
        false,
        ["sign"]
      ),
    catch: (cause) => OAuthError.invalidArgument("clientSecret", `could not be imported as an HMAC key (${describe(cause)})`)
  })
  const method = "client_secret_jwt"
  return makeValue<ClientAuth.ClientSecretJwt>({
    _tag: "ClientSecretJwt",
    method,
    clientId,
    clientSecret,
    alg,
    lifetime,
    audience,
    authenticate: makeAssertion({
      method,
      clientId,
      key,
      header: { alg, typ: "JWT" },
      lifetimeSeconds: lifetimeSeconds(lifetime),
      audience
    })
  })
})

// ---------------------------------------------------------------------------------------------------------------------
// private_key_jwt
// ---------------------------------------------------------------------------------------------------------------------

/** @internal */
export const asymmetricAlgorithms: ReadonlyArray<ClientAuth.AsymmetricAlgorithm> = Jwt.signingAlgorithms.filter(
  (alg): alg is ClientAuth.AsymmetricAlgorithm => !alg.startsWith("HS")
)

const isAsymmetricAlgorithm = (u: unknown): u is ClientAuth.AsymmetricAlgorithm =>
  typeof u === "string" && (asymmetricAlgorithms as ReadonlyArray<string>).includes(u)

const curveAlgorithm: Record<string, ClientAuth.AsymmetricAlgorithm> = {
  "P-256": "ES256",
  "P-384": "ES384",
  "P-521": "ES512"
}

const unsupportedAlg = (alg: unknown) =>
  invalid("alg", `${typeof alg === "string" ? `'${alg}'` : "the value"} is not supported for private_key_jwt (one of ${asymmetricAlgorithms.join(", ")})`)

/** The algorithms a key can sign with, as a predicate, and the default one. */
const jwkAlgorithms = (
  jwk: Jose.JWK
): Effect.Effect<{ readonly accepts: (alg: ClientAuth.AsymmetricAlgorithm) => boolean; readonly default: ClientAuth.AsymmetricAlgorithm }, InvalidArgument> => {
  switch (jwk.kty) {
    case "RSA":
      return Effect.succeed({ accepts: (alg) => alg.startsWith("RS") || alg.startsWith("PS"), default: "RS256" })
    case "EC": {
      const alg = typeof jwk.crv === "string" ? curveAlgorithm[jwk.crv] : undefined
      if (alg === undefined) return invalid("privateKey", `EC curve '${String(jwk.crv)}' is not supported (P-256, P-384, P-521)`)
      return Effect.succeed({ accepts: (a) => a === alg, default: alg })
    }
    case "OKP":
      if (jwk.crv !== "Ed25519") return invalid("privateKey", `OKP curve '${String(jwk.crv)}' is not supported (Ed25519)`)
      return Effect.succeed({ accepts: (a) => a === "EdDSA" || a === "Ed25519", default: "EdDSA" })
    default:
      return invalid("privateKey", `key type '${String(jwk.kty)}' is not supported (RSA, EC or OKP)`)
  }
}

/** The JWS algorithm a WebCrypto key was imported for, if we support it. */
const cryptoKeyAlgorithm = (key: CryptoKey): ClientAuth.AsymmetricAlgorithm | undefined => {
  const algorithm = key.algorithm as { readonly name: string; readonly hash?: { readonly name: string }; readonly namedCurve?: string }
  const bits = algorithm.hash?.name.replace("SHA-", "")
  switch (algorithm.name) {
    case "RSASSA-PKCS1-v1_5":
      return isAsymmetricAlgorithm(`RS${bits}`) ? `RS${bits}` as ClientAuth.AsymmetricAlgorithm : undefined
    case "RSA-PSS":
      return isAsymmetricAlgorithm(`PS${bits}`) ? `PS${bits}` as ClientAuth.AsymmetricAlgorithm : undefined
    case "ECDSA":
      return algorithm.namedCurve === undefined ? undefined : curveAlgorithm[algorithm.namedCurve]
    case "Ed25519":
      return "EdDSA"
    default:
      return undefined
  }
}

const sameAlgorithm = (a: ClientAuth.AsymmetricAlgorithm, b: ClientAuth.AsymmetricAlgorithm) =>
  a === b || ((a === "EdDSA" || a === "Ed25519") && (b === "EdDSA" || b === "Ed25519"))

const isCryptoKey = (u: unknown): u is CryptoKey =>
  (typeof CryptoKey !== "undefined" && u instanceof CryptoKey) ||
  (Predicate.hasProperty(u, "algorithm") && Predicate.hasProperty(u, "type") && Predicate.hasProperty(u, "usages") &&
    Predicate.hasProperty(u, "extractable"))

const checkKid = (option: unknown, fromJwk: unknown): Effect.Effect<string, InvalidArgument> => {
  if (option !== undefined && typeof option !== "string") return invalid("kid", "must be a string")
  if (fromJwk !== undefined && typeof fromJwk !== "string") return invalid("privateKey", "the JWK 'kid' must be a string")
  if (option !== undefined && fromJwk !== undefined && option !== fromJwk) {
    return invalid("kid", `'${option}' differs from the JWK's kid '${fromJwk}'`)
  }
  const kid = option ?? fromJwk
  if (kid === undefined || kid.length === 0) {
    return invalid("kid", "a key id is required, in the JWK ('kid') or as the 'kid' option, so that the server can pick the key")
  }
  return Effect.succeed(kid)
}

const publicMembers = ["kty", "crv", "x", "y", "n", "e"] as const

type Imported = {
  readonly key: CryptoKey
  readonly alg: ClientAuth.AsymmetricAlgorithm
  readonly kid: string
  readonly publicJwk: Jose.JWK | undefined
}

const fromJwk = Effect.fnUntraced(function*(jwk: Jose.JWK, options: ClientAuth.PrivateKeyJwtOptions) {
  if (jwk.kty === "oct") {
    return yield* invalid("privateKey", "a symmetric ('oct') key cannot be used for private_key_jwt; use clientSecretJwt")
  }
  const algorithms = yield* jwkAlgorithms(jwk)
  if (typeof jwk.d !== "string" || jwk.d.length === 0) {
    return yield* invalid("privateKey", "is a public key (no 'd' member); private_key_jwt signs with the private key")
  }
  if (jwk.use !== undefined && jwk.use !== "sig") return yield* invalid("privateKey", `the JWK 'use' is '${jwk.use}', not 'sig'`)
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes("sign"))) {
    return yield* invalid("privateKey", "the JWK 'key_ops' does not allow 'sign'")
  }
  if (
    options.alg !== undefined && jwk.alg !== undefined &&
    !(isAsymmetricAlgorithm(jwk.alg) && sameAlgorithm(options.alg, jwk.alg))
  ) {
    return yield* invalid("alg", `'${options.alg}' differs from the JWK's alg '${jwk.alg}'`)
  }
  const alg = options.alg ?? jwk.alg ?? algorithms.default
  if (!isAsymmetricAlgorithm(alg)) return yield* unsupportedAlg(alg)
  if (!algorithms.accepts(alg)) {
    return yield* invalid("alg", `'${alg}' cannot be used with this ${jwk.kty}${jwk.crv === undefined ? "" : ` ${jwk.crv}`} key`)
  }
  if (jwk.kty === "RSA" && (typeof jwk.n !== "string" || Math.floor(jwk.n.replace(/=+$/, "").length * 6 / 8) * 8 < 2048)) {
    return yield* invalid("privateKey", "RSA keys must be at least 2048 bits")
  }
  const kid = yield* checkKid(options.kid, jwk.kid)
  const key = yield* Effect.tryPromise({
    try: () => Jose.importJWK(jwk, alg, { extractable: false }),
    catch: (cause) => OAuthError.invalidArgument("privateKey", `could not be imported for ${alg} (${describe(cause)})`)
  })
  if (!isCryptoKey(key)) return yield* invalid("privateKey", "did not import as an asymmetric key")
  const publicJwk: Record<string, unknown> = {}
  for (const member of publicMembers) if (jwk[member] !== undefined) publicJwk[member] = jwk[member]
  return { key, alg, kid, publicJwk: { ...publicJwk, kid, alg, use: "sig" } } satisfies Imported
})

const fromCryptoKey = Effect.fnUntraced(function*(key: CryptoKey, options: ClientAuth.PrivateKeyJwtOptions) {
  if (key.type === "secret") {
    return yield* invalid("privateKey", "a symmetric (secret) key cannot be used for private_key_jwt; use clientSecretJwt")
  }
  if (key.type !== "private") {
    return yield* invalid("privateKey", "is a public key; private_key_jwt signs with the private key")
  }
  if (!key.usages.includes("sign")) return yield* invalid("privateKey", "the CryptoKey's usages do not include 'sign'")
  const keyAlg = cryptoKeyAlgorithm(key)
  if (keyAlg === undefined) {
    return yield* invalid("privateKey", `a '${key.algorithm.name}' CryptoKey is not supported for private_key_jwt`)
  }
  if (options.alg !== undefined && !isAsymmetricAlgorithm(options.alg)) return yield* unsupportedAlg(options.alg)
  if (options.alg !== undefined && !sameAlgorithm(options.alg, keyAlg)) {
    return yield* invalid("alg", `'${options.alg}' cannot be used with a CryptoKey imported for ${keyAlg}`)
  }
  const modulusLength = (key.algorithm as { readonly modulusLength?: number }).modulusLength
  if (modulusLength !== undefined && modulusLength < 2048) return yield* invalid("privateKey", "RSA keys must be at least 2048 bits")
  const kid = yield* checkKid(options.kid, undefined)
  return { key, alg: options.alg ?? keyAlg, kid, publicJwk: undefined } satisfies Imported
})

const fromPkcs8 = Effect.fnUntraced(function*(pem: string, options: ClientAuth.PrivateKeyJwtOptions) {
  if (options.alg === undefined) return yield* invalid("alg", "is required with a PKCS#8 PEM private key")
  if (!isAsymmetricAlgorithm(options.alg)) return yield* unsupportedAlg(options.alg)
  const alg = options.alg
  const key = yield* Effect.tryPromise({
    try: () => Jose.importPKCS8(pem, alg, { extractable: false }),
    catch: (cause) => OAuthError.invalidArgument("privateKey", `could not be imported for ${alg} (${describe(cause)})`)
  })
  return yield* fromCryptoKey(key, options)
})

const importKey = (options: ClientAuth.PrivateKeyJwtOptions): Effect.Effect<Imported, InvalidArgument> => {
  const input: unknown = Redacted.isRedacted(options.privateKey) ? Redacted.value(options.privateKey) : options.privateKey
  if (isCryptoKey(input)) return fromCryptoKey(input, options)
  if (typeof input === "string") {
    const text = input.trim()
    if (text.startsWith("{")) {
      return Effect.flatMap(
        Effect.try({
          try: () => JSON.parse(text) as unknown,
          catch: () => OAuthError.invalidArgument("privateKey", "is not valid JSON")
        }),
        (jwk) => Predicate.isRecord(jwk) ? fromJwk(jwk as Jose.JWK, options) : invalid("privateKey", "is not a JWK object")
      )
    }
    if (text.startsWith("-----BEGIN PRIVATE KEY-----")) return fromPkcs8(text, options)
    if (text.startsWith("-----BEGIN PUBLIC KEY-----") || text.startsWith("-----BEGIN CERTIFICATE-----")) {
      return invalid("privateKey", "is a public key or certificate; private_key_jwt signs with the private key")
    }
    if (text.startsWith("-----BEGIN")) {
      return invalid("privateKey", "PEM keys must be PKCS#8 ('-----BEGIN PRIVATE KEY-----'); convert PKCS#1/SEC1 keys first")
    }
    return invalid("privateKey", "a string must be a JSON JWK or a PKCS#8 PEM private key")
  }
  if (Predicate.isRecord(input)) return fromJwk(input as Jose.JWK, options)
  return invalid("privateKey", "must be a private JWK, a CryptoKey, or a JSON JWK / PKCS#8 PEM string")
}

/** @internal */
export const privateKeyJwt = Effect.fnUntraced(function*(options: ClientAuth.PrivateKeyJwtOptions) {
  const clientId = yield* checkClientId(options.clientId)
  if (options.alg !== undefined && !isAsymmetricAlgorithm(options.alg)) return yield* unsupportedAlg(options.alg)
  const lifetime = yield* checkLifetime(options.lifetime)
  const audience = yield* checkAudience(options.audience)
  const { alg, key, kid, publicJwk } = yield* importKey(options)
  const method = "private_key_jwt"
  return makeValue<ClientAuth.PrivateKeyJwt>({
    _tag: "PrivateKeyJwt",
    method,
    clientId,
    alg,
    kid,
    lifetime,
    audience,
    publicJwk,
    authenticate: makeAssertion({
      method,
      clientId,
      key,
      header: { alg, kid, typ: "JWT" },
      lifetimeSeconds: lifetimeSeconds(lifetime),
      audience
    })
  })
})

// ---------------------------------------------------------------------------------------------------------------------
// by method name
// ---------------------------------------------------------------------------------------------------------------------

/** @internal */
export const make = (options: ClientAuth.MakeOptions): Effect.Effect<ClientAuth.ClientAuth, InvalidArgument> => {
  switch (options.method) {
    case "client_secret_basic":
      return clientSecretBasic(options)
    case "client_secret_post":
      return clientSecretPost(options)
    case "client_secret_jwt":
      return clientSecretJwt(options)
    case "private_key_jwt":
      return privateKeyJwt(options)
    case "none":
      return none(options)
    default:
      return invalid("method", `'${String((options as { method: unknown }).method)}' is not a known token_endpoint_auth_method; use custom`)
  }
}

/** @internal */
export const fromRegistration = (registration: ClientAuth.Registration): Effect.Effect<ClientAuth.ClientAuth, InvalidArgument> => {
  const { clientId, tokenEndpointAuthMethod: method, clientSecret, privateJwk } = registration
  switch (method) {
    case "none":
      return none({ clientId })
    case "private_key_jwt":
      return privateJwk === undefined
        ? invalid("privateJwk", "a private_key_jwt client needs its private key")
        : privateKeyJwt({ clientId, privateKey: privateJwk })
    case "client_secret_basic":
    case "client_secret_post":
    case "client_secret_jwt":
      return clientSecret === undefined
        ? invalid("clientSecret", `a ${method} client needs its secret`)
        : make({ method: method as "client_secret_basic" | "client_secret_post" | "client_secret_jwt", clientId, clientSecret })
    default:
      return invalid("tokenEndpointAuthMethod", `'${method.slice(0, 64)}' is not a registered method: use ClientAuth.custom`)
  }
}
