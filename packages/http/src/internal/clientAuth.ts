/** @internal */
import { Jwt, OAuthError, Params } from "@oauth2/core"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import { randomBase64url } from "./jose.js"
import type * as ClientAuth from "../ClientAuth.js"
import { clientAuthError } from "./errors.js"

type InvalidArgument = OAuthError.InvalidArgument

// ---------------------------------------------------------------------------------------------------------------------
// errors
// ---------------------------------------------------------------------------------------------------------------------

const invalid = (argument: string, message: string): Effect.Effect<never, InvalidArgument> =>
  Effect.fail(OAuthError.invalidArgument(argument, message))

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
  return Effect.map(checkText("clientSecret", value), (text) =>
    Redacted.isRedacted(secret) ? (secret as Redacted.Redacted<string>) : Redacted.make(text)
  )
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
    if (request.params.some(([n]) => n === name)) {
      return Effect.fail(
        clientAuthError({
          method: self.method,
          endpoint: request.endpoint,
          reason: "ConflictingCredentials",
          message: `the request already has a '${name}' parameter (only one authentication method may be used)`
        })
      )
    }
  }
  const ids = Params.getAll(request.params, "client_id").map(Params.unwrap)
  if (ids.some((id) => id !== self.clientId)) {
    return Effect.fail(
      clientAuthError({
        method: self.method,
        endpoint: request.endpoint,
        reason: "ConflictingCredentials",
        message: "the request already has a different 'client_id' parameter"
      })
    )
  }
  const added = ids.length > 0 ? params.filter(([name]) => name !== "client_id") : params
  return Effect.succeed({ ...request, params: Params.concat(request.params, added) })
}

const hasHeader = (request: ClientAuth.AuthRequest, name: string): boolean => Object.keys(request.headers).some((key) => key.toLowerCase() === name)

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
  encoding === "raw" ? base64(`${clientId}:${clientSecret}`) : base64(`${formUrlEncode(clientId)}:${formUrlEncode(clientSecret)}`)

/** @internal */
export const clientSecretBasic = Effect.fnUntraced(function* (options: ClientAuth.ClientSecretBasicOptions) {
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
        ? Effect.fail(
            clientAuthError({
              method,
              endpoint: request.endpoint,
              reason: "ConflictingCredentials",
              message: "the request already has an Authorization header"
            })
          )
        : Effect.map(addParams({ method, clientId }, request, []), (request) => ({ ...request, headers: { ...request.headers, authorization } }))
  })
})

// ---------------------------------------------------------------------------------------------------------------------
// client_secret_post, none, custom
// ---------------------------------------------------------------------------------------------------------------------

/** @internal */
export const clientSecretPost = Effect.fnUntraced(function* (options: ClientAuth.ClientSecretPostOptions) {
  const clientId = yield* checkClientId(options.clientId)
  const clientSecret = yield* checkSecret(options.clientSecret)
  const method = "client_secret_post"
  const params: Params.Params = [
    ["client_id", clientId],
    ["client_secret", clientSecret]
  ]
  return makeValue<ClientAuth.ClientSecretPost>({
    _tag: "ClientSecretPost",
    method,
    clientId,
    clientSecret,
    authenticate: (request) => addParams({ method, clientId }, request, params)
  })
})

/** @internal */
export const none = Effect.fnUntraced(function* (options: ClientAuth.NoneOptions) {
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

const tls = (method: ClientAuth.TlsClientAuth["method"]) =>
  Effect.fnUntraced(function* (options: ClientAuth.TlsClientAuthOptions) {
    const clientId = yield* checkClientId(options.clientId)
    const params: Params.Params = [["client_id", clientId]]
    return makeValue<ClientAuth.TlsClientAuth>({
      _tag: "TlsClientAuth",
      method,
      clientId,
      authenticate: (request) => addParams({ method, clientId }, request, params)
    })
  })

/** @internal */
export const tlsClientAuth = tls("tls_client_auth")

/** @internal */
export const selfSignedTlsClientAuth = tls("self_signed_tls_client_auth")

/** @internal */
export const custom = Effect.fnUntraced(function* (options: ClientAuth.CustomOptions) {
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

const randomJti: Effect.Effect<string> = Effect.sync(() => randomBase64url(32))

/** Signs each request's assertion with the key imported once by `Jwt.secretKey` / `Jwt.signingKey` (its `alg`, `kid`). */
const makeAssertion = (config: {
  readonly method: string
  readonly clientId: string
  readonly key: Jwt.SigningKey
  readonly lifetimeSeconds: number
  readonly audience: ClientAuth.Audience
}) => {
  const resolveAudience = (request: ClientAuth.AuthRequest): string | undefined =>
    config.audience === "endpoint" ? request.url : config.audience === "issuer" ? request.issuer : config.audience
  return (request: ClientAuth.AuthRequest): Effect.Effect<ClientAuth.AuthRequest, ClientAuth.ClientAuthError> =>
    Effect.gen(function* () {
      const aud = resolveAudience(request)
      if (aud === undefined || aud.length === 0) {
        return yield* Effect.fail(
          clientAuthError({
            method: config.method,
            endpoint: request.endpoint,
            reason: "MissingIssuer",
            message: "the audience is the issuer, but the issuer of the authorization server is not known"
          })
        )
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
      const jwt = yield* Effect.mapError(Jwt.sign(claims, config.key, { typ: "JWT" }), (e) =>
        clientAuthError({
          method: config.method,
          endpoint: request.endpoint,
          reason: "SigningFailed",
          message: `could not sign the client assertion (${e.message})`
        })
      )
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

/** @internal */
export const clientSecretJwt = Effect.fnUntraced(function* (options: ClientAuth.ClientSecretJwtOptions) {
  const clientId = yield* checkClientId(options.clientId)
  const clientSecret = yield* checkSecret(options.clientSecret)
  // the HMAC key, imported once (non-extractable) by core's one key-import path: signing never touches the secret again
  const key = yield* Effect.mapError(Jwt.secretKey(clientSecret, { alg: options.alg ?? "HS256" }), (e) =>
    e.argument === "secret" ? OAuthError.invalidArgument("clientSecret", "could not be imported as an HMAC key") : e
  )
  const alg = key.alg as ClientAuth.HmacAlgorithm
  const lifetime = yield* checkLifetime(options.lifetime)
  const audience = yield* checkAudience(options.audience)
  const method = "client_secret_jwt"
  return makeValue<ClientAuth.ClientSecretJwt>({
    _tag: "ClientSecretJwt",
    method,
    clientId,
    clientSecret,
    alg,
    lifetime,
    audience,
    authenticate: makeAssertion({ method, clientId, key, lifetimeSeconds: lifetimeSeconds(lifetime), audience })
  })
})

// ---------------------------------------------------------------------------------------------------------------------
// private_key_jwt
// ---------------------------------------------------------------------------------------------------------------------

/**
 * The key is checked and imported by core's one key-import path (`Jwt.signingKey`: RSA of 2048 bits or more, `use` and
 * `key_ops`, the algorithm by key type and curve); client authentication adds only that a `kid` is required, so that
 * the server can pick the registered key.
 * @internal
 */
export const privateKeyJwt = Effect.fnUntraced(function* (options: ClientAuth.PrivateKeyJwtOptions) {
  const clientId = yield* checkClientId(options.clientId)
  const lifetime = yield* checkLifetime(options.lifetime)
  const audience = yield* checkAudience(options.audience)
  const key = yield* Jwt.signingKey(options.privateKey, {
    ...(options.alg === undefined ? {} : { alg: options.alg }),
    ...(options.kid === undefined ? {} : { kid: options.kid })
  })
  const kid = key.kid
  if (kid === undefined) {
    return yield* invalid("kid", "a key id is required, in the JWK ('kid') or as the 'kid' option, so that the server can pick the key")
  }
  const alg = key.alg as ClientAuth.AsymmetricAlgorithm
  const publicJwk = key.publicJwk
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
    authenticate: makeAssertion({ method, clientId, key, lifetimeSeconds: lifetimeSeconds(lifetime), audience })
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
    case "tls_client_auth":
      return tlsClientAuth(options)
    case "self_signed_tls_client_auth":
      return selfSignedTlsClientAuth(options)
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
    case "tls_client_auth":
      return tlsClientAuth({ clientId })
    case "self_signed_tls_client_auth":
      return selfSignedTlsClientAuth({ clientId })
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
