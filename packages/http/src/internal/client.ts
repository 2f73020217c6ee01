/** @internal */
import {
  AuthorizationRequest,
  AuthorizationResponse,
  BackchannelAuthentication,
  BearerToken,
  DeviceAuthorization,
  IdToken,
  Introspection,
  Jwt,
  JwtResponse,
  OAuthError,
  PushedAuthorization,
  RequestObject,
  Revocation,
  ServerMetadata,
  TokenRequest,
  UserInfo
} from "@oauth2/core"
import type { Params } from "@oauth2/core"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { JSONWebKeySet, JWK } from "jose"
import * as ClientAuth from "../ClientAuth.js"
import type * as OAuthClient from "../OAuthClient.js"
import * as Transport from "../Transport.js"
import * as TransportError from "../TransportError.js"
import { decodeJwks, jwksCache } from "./jwks.js"

type Endpoint = OAuthError.Endpoint

/** @internal */
export const tag = Context.GenericTag<OAuthClient.OAuthClient, OAuthClient.OAuthClientService>("@oauth2/http/OAuthClient")

const endpointFields = {
  authorization: "authorizationEndpoint",
  token: "tokenEndpoint",
  revocation: "revocationEndpoint",
  introspection: "introspectionEndpoint",
  userinfo: "userinfoEndpoint",
  pushed_authorization: "pushedAuthorizationRequestEndpoint",
  device_authorization: "deviceAuthorizationEndpoint",
  backchannel_authentication: "backchannelAuthenticationEndpoint",
  jwks: "jwksUri"
} as const satisfies Partial<Record<Endpoint, keyof OAuthClient.Endpoints>>

const resolveAuth = (options: OAuthClient.Options): Effect.Effect<ClientAuth.ClientAuth, TransportError.InvalidConfiguration> => {
  if (options.auth !== undefined) {
    if (options.clientId !== undefined || options.clientSecret !== undefined) {
      return Effect.fail(
        TransportError.invalidConfiguration("auth", "give either an authentication method or clientId/clientSecret, not both")
      )
    }
    return Effect.succeed(options.auth)
  }
  if (options.clientId === undefined) {
    return Effect.fail(TransportError.invalidConfiguration("clientId", "a client needs an authentication method or a clientId"))
  }
  const made: Effect.Effect<ClientAuth.ClientAuth, OAuthError.InvalidArgument> =
    options.clientSecret === undefined
      ? ClientAuth.none({ clientId: options.clientId })
      : ClientAuth.clientSecretBasic({ clientId: options.clientId, clientSecret: options.clientSecret })
  return Effect.mapError(made, (e) => TransportError.invalidConfiguration(e.argument, e.message))
}

const checkAlgorithms = (field: string, algorithms: unknown): Effect.Effect<ReadonlyArray<string> | undefined, TransportError.InvalidConfiguration> =>
  algorithms === undefined
    ? Effect.succeed(undefined)
    : Array.isArray(algorithms) && algorithms.length > 0 && algorithms.every((a) => typeof a === "string" && a.length > 0)
      ? Effect.succeed(algorithms)
      : Effect.fail(TransportError.invalidConfiguration(field, "must be a non-empty list of JWS algorithms"))

const checkEncryption = (field: string, encryption: Jwt.Encryption | undefined): Effect.Effect<Jwt.Encryption | undefined, TransportError.InvalidConfiguration> => {
  if (encryption === undefined) return Effect.succeed(undefined)
  if (typeof encryption !== "object" || encryption === null) {
    return Effect.fail(TransportError.invalidConfiguration(field, "expected { alg?, enc? }"))
  }
  if (encryption.alg !== undefined && !Jwt.keyManagementAlgorithms.includes(encryption.alg)) {
    return Effect.fail(TransportError.invalidConfiguration(field, `alg must be one of ${Jwt.keyManagementAlgorithms.join(", ")}`))
  }
  if (encryption.enc !== undefined && !Jwt.contentEncryptionAlgorithms.includes(encryption.enc)) {
    return Effect.fail(TransportError.invalidConfiguration(field, `enc must be one of ${Jwt.contentEncryptionAlgorithms.join(", ")}`))
  }
  return Effect.succeed(encryption)
}

/** The revocation of a token answer's refresh token (by default, when it has one) or access token, with its hint. */
const revocationOf = (token: BearerToken.BearerToken, options: OAuthClient.RevokeOptions) => {
  const which = options.token ?? (token.refreshToken === undefined ? "access_token" : "refresh_token")
  if (which === "access_token") return Revocation.accessToken(token.accessToken)
  return token.refreshToken === undefined
    ? Either.left(OAuthError.invalidArgument("token", "the token has no refresh token to revoke"))
    : Revocation.refreshToken(token.refreshToken)
}

/** The OpenID Connect settings of a client, checked and with its keys imported, once. */
const openIdConfig = (options: OAuthClient.Options, auth: ClientAuth.ClientAuth, metadata: ServerMetadata.ServerMetadata | undefined) =>
  Effect.gen(function*() {
    const idTokenAlgorithms: ReadonlyArray<string> = options.idTokenSigningAlgorithms === "advertised"
      ? (metadata?.idTokenSigningAlgValuesSupported ?? ["RS256"]).filter((alg) => alg !== "none")
      : (yield* checkAlgorithms("idTokenSigningAlgorithms", options.idTokenSigningAlgorithms)) ?? ["RS256"]
    if (idTokenAlgorithms.length === 0) {
      return yield* Effect.fail(TransportError.invalidConfiguration("idTokenSigningAlgorithms", "the server advertises no usable ID token algorithm"))
    }
    const userinfoAlgorithms = yield* checkAlgorithms("userinfoSigningAlgorithms", options.userinfoSigningAlgorithms)
    const introspectionAlgorithms = yield* checkAlgorithms("introspectionSigningAlgorithms", options.introspectionSigningAlgorithms)
    const idTokenEncryption = yield* checkEncryption("idTokenEncryption", options.idTokenEncryption)
    const userinfoEncryption = yield* checkEncryption("userinfoEncryption", options.userinfoEncryption)
    const introspectionEncryption = yield* checkEncryption("introspectionEncryption", options.introspectionEncryption)
    // checked once here, so that a bad tolerance is a configuration error, not a failure of every token
    if (options.clockTolerance !== undefined) {
      const tolerance = Duration.decodeUnknown(options.clockTolerance)
      if (Option.isNone(tolerance) || !Duration.between(tolerance.value, { minimum: Duration.zero, maximum: Duration.minutes(5) })) {
        return yield* Effect.fail(TransportError.invalidConfiguration("clockTolerance", "must be a duration between 0 and 5 minutes"))
      }
    }
    const inputs = options.decryptionKey === undefined ? [] : Array.isArray(options.decryptionKey) ? options.decryptionKey : [options.decryptionKey]
    const decryptionKeys: Array<Jwt.DecryptionKey> = []
    for (const input of inputs as ReadonlyArray<Jwt.DecryptionKey | Jwt.PrivateKeyInput>) {
      decryptionKeys.push(
        Jwt.isDecryptionKey(input)
          ? input
          : yield* Effect.mapError(Jwt.decryptionKey(input as Jwt.PrivateKeyInput), (e) => TransportError.invalidConfiguration("decryptionKey", e.message))
      )
    }
    const clientSecret = "clientSecret" in auth && Redacted.isRedacted(auth.clientSecret) ? auth.clientSecret : undefined
    return {
      idTokenAlgorithms,
      idTokenEncryption,
      requireAuthTime: options.requireAuthTime === true,
      userinfoAlgorithms: userinfoAlgorithms ?? ["RS256"],
      userinfoEncryption,
      userinfoRequiresJwt: userinfoAlgorithms !== undefined || userinfoEncryption !== undefined,
      introspectionAlgorithms: introspectionAlgorithms ?? ["RS256"],
      introspectionEncryption,
      introspectionRequiresJwt: introspectionAlgorithms !== undefined || introspectionEncryption !== undefined,
      decryptionKeys,
      clientSecret,
      clockTolerance: options.clockTolerance
    }
  })

/** @internal */
export const make = (options: OAuthClient.Options) =>
  Effect.gen(function* () {
    const transport = yield* Transport.Transport
    const auth = yield* resolveAuth(options)
    const metadata = options.metadata
    const endpoints: Record<string, string> = {}
    const issuer = options.issuer ?? metadata?.issuer
    for (const field of [...Object.values(endpointFields)] as Array<keyof OAuthClient.Endpoints>) {
      const value = options[field] ?? (metadata?.[field] as string | undefined)
      if (value === undefined) continue
      const checked = transport.validateUrl(field, value)
      if (Either.isLeft(checked)) return yield* Effect.fail(checked.left)
      endpoints[field] = value
    }
    const resolved: OAuthClient.Endpoints = { ...(issuer === undefined ? {} : { issuer }), ...endpoints }

    const urlOf = <E extends keyof typeof endpointFields>(endpoint: E) => {
      const url = endpoints[endpointFields[endpoint]]
      return url === undefined ? Effect.fail(TransportError.endpointNotSupported(endpoint)) : Effect.succeed(url)
    }

    /** Authenticates and posts a form to an endpoint. */
    const post = <E extends keyof typeof endpointFields>(
      endpoint: E,
      params: Params.Params,
      retry: boolean,
      accept?: string
    ): Effect.Effect<
      Transport.Response,
      | TransportError.TransportError
      | TransportError.EndpointNotSupported
      | OAuthError.ErrorOf<E>
      | OAuthError.UnexpectedResponse
      | ClientAuth.ClientAuthError
    > => {
      const url = endpoints[endpointFields[endpoint]]
      if (url === undefined) return Effect.fail(TransportError.endpointNotSupported(endpoint))
      return transport.send({
        endpoint,
        method: "POST",
        url,
        params,
        // at each attempt: a retry carries a fresh client assertion (new jti, new expiry)
        authenticate: (request) => auth.authenticate({ url, endpoint, ...request, ...(issuer === undefined ? {} : { issuer }) }),
        retry,
        ...(accept === undefined ? {} : { accept })
      })
    }

    const jsonBody = (endpoint: Endpoint, response: Transport.Response) => Transport.json(endpoint, response)
    const contextOf = (response: Transport.Response) => ({
      status: response.status,
      ...(response.contentType === undefined ? {} : { contentType: response.contentType })
    })

    const staticKeys = options.jwks === undefined
      ? undefined
      : yield* Either.mapLeft(decodeJwks(options.jwks), (e) => TransportError.invalidConfiguration("jwks", e.reason))
    const jwks = yield* jwksCache({
      keys: staticKeys,
      url: endpoints.jwksUri,
      cooldown: Duration.decode(options.jwksCooldown ?? Duration.seconds(30)),
      fetch: (url) =>
        Effect.flatMap(transport.send({ endpoint: "jwks", method: "GET", url, retry: true, accept: "application/jwk-set+json, application/json" }), (response) =>
          Either.map(jsonBody("jwks", response), (body) => ({ body, context: contextOf(response) }))
        )
    })
    const openid = yield* openIdConfig(options, auth, metadata)
    const keySource = (query: { readonly kid?: string }) => jwks(query)
    /** The expected issuer: JWTs from this server are checked against it. */
    const expectedIssuer = (what: string) =>
      issuer === undefined
        ? Effect.fail(TransportError.invalidConfiguration("issuer", `${what} needs the issuer identifier of the authorization server (give 'issuer' or use discovery)`))
        : Effect.succeed(issuer)
    const verification = {
      keys: keySource,
      clientSecret: openid.clientSecret,
      decryptionKeys: openid.decryptionKeys,
      clockTolerance: openid.clockTolerance
    }

    const validateIdToken = (
      idToken: IdToken.IdToken | BearerToken.BearerToken | string | Redacted.Redacted<string>,
      expectations: OAuthClient.IdTokenExpectations = {}
    ) =>
      Effect.gen(function*() {
        const expected = yield* expectedIssuer("ID token validation")
        const raw = BearerToken.isBearerToken(idToken) ? idToken.idToken : idToken
        if (raw === undefined) {
          return yield* Effect.fail(IdToken.invalidIdToken("MissingIdToken", "the token answer has no ID token"))
        }
        return yield* IdToken.validate(raw, {
          ...verification,
          issuer: expected,
          clientId: auth.clientId,
          algorithms: openid.idTokenAlgorithms,
          encryption: openid.idTokenEncryption,
          requireAuthTime: openid.requireAuthTime,
          ...expectations
        })
      })


    const token = (request: TokenRequest.TokenRequest, tokenOptions: OAuthClient.TokenOptions = {}) =>
      // an extra parameter that would redefine a reserved one is refused (InvalidArgument), not sent
      Effect.flatMap(Effect.flatMap(TokenRequest.params(request), (params) => post("token", params, TokenRequest.isRepeatable(request))), (response) => {
        const body = jsonBody("token", response)
        if (Either.isLeft(body)) return Effect.fail(body.left)
        return Effect.flatMap(DateTime.now, (now) =>
          Effect.map(
            BearerToken.decodeAt(body.right, now, {
              tokenType: tokenOptions.tokenType !== undefined ? tokenOptions.tokenType : request._tag === "TokenExchange" ? null : "bearer",
              context: contextOf(response)
            }),
            (decoded) => {
              // RFC 6749 5.1: no scope means the scope requested; RFC 6749 6: no new refresh token means keep the old one
              const requestedScope = "scope" in request && decoded.scope === undefined ? request.scope : undefined
              const keptRefresh = request._tag === "RefreshToken" && decoded.refreshToken === undefined ? request.refreshToken : undefined
              return requestedScope === undefined && keptRefresh === undefined
                ? decoded
                : BearerToken.make({
                  ...decoded,
                  ...(requestedScope === undefined ? {} : { scope: requestedScope }),
                  ...(keptRefresh === undefined ? {} : { refreshToken: keptRefresh })
                })
            }
          ))
      })

    const revoke = (request: Revocation.RevocationRequest | BearerToken.BearerToken, revokeOptions: OAuthClient.RevokeOptions = {}) =>
      Effect.gen(function* () {
        const params = yield* (BearerToken.isBearerToken(request) ? revocationOf(request, revokeOptions) : Revocation.params(request))
        yield* post("revocation", params, true)
      })

    const introspectionJwt = "application/token-introspection+jwt"

    const introspect = (request: Introspection.IntrospectionRequest, introspectOptions: OAuthClient.IntrospectOptions = {}) =>
      Effect.gen(function* () {
        const params = yield* Introspection.params(request)
        const wantsJwt = introspectOptions.jwt === true || openid.introspectionRequiresJwt
        const response = yield* post("introspection", params, true, wantsJwt ? introspectionJwt : undefined)
        if (response.contentType === introspectionJwt) {
          return yield* JwtResponse.introspection(response.body, {
            ...verification,
            issuer: yield* expectedIssuer("a JWT introspection answer"),
            clientId: auth.clientId,
            algorithms: openid.introspectionAlgorithms,
            encryption: openid.introspectionEncryption
          })
        }
        if (wantsJwt) {
          return yield* Effect.fail(
            OAuthError.unexpectedResponse("introspection", `expected a JWT answer (${introspectionJwt})`, response.body, contextOf(response))
          )
        }
        return yield* Introspection.decode(yield* jsonBody("introspection", response), contextOf(response))
      })

    const userinfo = (accessToken: OAuthClient.AccessToken, userinfoOptions: OAuthClient.UserInfoOptions = {}) =>
      Effect.gen(function* () {
        const url = yield* urlOf("userinfo")
        const value = BearerToken.isBearerToken(accessToken)
          ? accessToken.accessToken
          : typeof accessToken === "string"
            ? Redacted.make(accessToken)
            : accessToken
        const response = yield* transport.send({
          endpoint: "userinfo",
          method: "GET",
          url,
          headers: { authorization: Redacted.make(`Bearer ${Redacted.value(value)}`) },
          retry: true,
          ...(openid.userinfoRequiresJwt ? { accept: "application/jwt" } : {})
        })
        const subject = userinfoOptions.subject ?? userinfoOptions.idToken?.sub
        if (response.contentType === "application/jwt") {
          return yield* JwtResponse.userInfo(response.body, {
            ...verification,
            issuer: yield* expectedIssuer("a signed UserInfo answer"),
            clientId: auth.clientId,
            algorithms: openid.userinfoAlgorithms,
            encryption: openid.userinfoEncryption,
            subject
          })
        }
        if (openid.userinfoRequiresJwt) {
          return yield* Effect.fail(
            OAuthError.unexpectedResponse("userinfo", "expected a signed UserInfo answer (application/jwt), as registered", response.body, contextOf(response))
          )
        }
        const info = yield* UserInfo.decode(yield* jsonBody("userinfo", response), contextOf(response))
        return subject === undefined ? info : yield* UserInfo.checkSubject(info, subject)
      })

    const authorizationCode = (response: AuthorizationResponse.AuthorizationResponse, codeOptions: OAuthClient.AuthorizationCodeOptions = {}) =>
      Effect.gen(function*() {
        // the request was made for this server: checked before the single-use code is spent
        if (response.issuer !== undefined && issuer !== undefined && response.issuer !== issuer) {
          return yield* Effect.fail(
            TransportError.invalidConfiguration("issuer", "the authorization request was made for another issuer than this client's")
          )
        }
        const redeemed = yield* token(TokenRequest.authorizationCode({
          ...AuthorizationResponse.tokenRequestInputs(response),
          ...(codeOptions.resource === undefined ? {} : { resource: codeOptions.resource }),
          ...(codeOptions.extra === undefined ? {} : { extra: codeOptions.extra })
        }))
        const required = codeOptions.requireIdToken ?? response.nonce !== undefined
        if (redeemed.idToken === undefined) {
          if (required) {
            return yield* Effect.fail(IdToken.invalidIdToken("MissingIdToken", "the token answer to an OpenID Connect request has no ID token"))
          }
          const plain: OAuthClient.ValidatedToken = { token: redeemed }
          return plain
        }
        const claims = yield* validateIdToken(redeemed.idToken, {
          nonce: response.nonce ?? false,
          ...(response.maxAge === undefined ? {} : { maxAge: response.maxAge }),
          ...(response.acrValues === undefined ? {} : { acrValues: response.acrValues }),
          accessToken: redeemed.accessToken,
          code: response.code,
          ...(response.state === undefined ? {} : { state: response.state }),
          fromTokenEndpoint: true
        })
        const validated: OAuthClient.ValidatedToken = { token: redeemed, idToken: claims }
        return validated
      })

    const refresh = (current: OAuthClient.ValidatedToken | BearerToken.BearerToken, refreshOptions: OAuthClient.RefreshOptions = {}) =>
      Effect.gen(function*() {
        const bearer = BearerToken.isBearerToken(current) ? current : current.token
        const previous = refreshOptions.idToken ?? (BearerToken.isBearerToken(current) ? undefined : current.idToken)
        const request = yield* TokenRequest.refreshToken({
          refreshToken: bearer,
          ...(refreshOptions.scope === undefined ? {} : { scope: refreshOptions.scope }),
          ...(refreshOptions.resource === undefined ? {} : { resource: refreshOptions.resource }),
          ...(refreshOptions.extra === undefined ? {} : { extra: refreshOptions.extra })
        })
        const refreshed = yield* token(request)
        if (refreshed.idToken === undefined) {
          const kept: OAuthClient.ValidatedToken = { token: refreshed, ...(previous === undefined ? {} : { idToken: previous }) }
          return kept
        }
        const claims = yield* validateIdToken(refreshed.idToken, {
          ...(previous === undefined ? {} : { previous }),
          accessToken: refreshed.accessToken,
          fromTokenEndpoint: true
        })
        const validated: OAuthClient.ValidatedToken = { token: refreshed, idToken: claims }
        return validated
      })

    const validateToken = (answer: BearerToken.BearerToken, tokenOptions: OAuthClient.ValidateTokenOptions = {}) =>
      Effect.gen(function*() {
        const previous = tokenOptions.previous
        if (answer.idToken === undefined) {
          if (tokenOptions.requireIdToken === true) {
            return yield* Effect.fail(IdToken.invalidIdToken("MissingIdToken", "the token answer has no ID token"))
          }
          const kept: OAuthClient.ValidatedToken = { token: answer, ...(previous === undefined ? {} : { idToken: previous }) }
          return kept
        }
        const claims = yield* validateIdToken(answer.idToken, {
          ...(previous === undefined ? { nonce: tokenOptions.nonce ?? false } : { previous }),
          ...(tokenOptions.maxAge === undefined ? {} : { maxAge: tokenOptions.maxAge }),
          ...(tokenOptions.acrValues === undefined ? {} : { acrValues: tokenOptions.acrValues }),
          accessToken: answer.accessToken,
          fromTokenEndpoint: true
        })
        const validated: OAuthClient.ValidatedToken = { token: answer, idToken: claims }
        return validated
      })

    const encryptionKeys = new WeakMap<JWK, Jwt.EncryptionKey>()
    /** The server's key to encrypt request objects to: `use: "enc"`, an algorithm it advertises and we support. */
    const serverEncryptionKey = Effect.gen(function*() {
      const set: JSONWebKeySet = yield* jwks()
      const advertisedAlgs = metadata?.requestObjectEncryptionAlgValuesSupported
      const advertisedEncs = metadata?.requestObjectEncryptionEncValuesSupported
      const usable = (alg: unknown): alg is Jwt.KeyManagementAlgorithm =>
        typeof alg === "string" && Jwt.keyManagementAlgorithms.includes(alg as Jwt.KeyManagementAlgorithm) &&
        (advertisedAlgs === undefined || advertisedAlgs.includes(alg))
      const jwk = set.keys.find((k) => k.use === "enc" && usable(k.alg ?? (k.kty === "RSA" ? "RSA-OAEP-256" : "ECDH-ES")))
      if (jwk === undefined) {
        return yield* Effect.fail(OAuthError.invalidArgument("encrypt", "the authorization server publishes no usable encryption key ('use: enc') in its JWKS"))
      }
      const cached = encryptionKeys.get(jwk)
      if (cached !== undefined) return cached
      const enc: Jwt.ContentEncryptionAlgorithm | undefined = advertisedEncs === undefined || advertisedEncs.includes("A256GCM")
        ? "A256GCM"
        : Jwt.contentEncryptionAlgorithms.find((e) => advertisedEncs.includes(e))
      if (enc === undefined) {
        return yield* Effect.fail(OAuthError.invalidArgument("encrypt", "the authorization server advertises no supported request object 'enc'"))
      }
      const key = yield* Jwt.encryptionKey(jwk, { enc })
      encryptionKeys.set(jwk, key)
      return key
    })

    const requestObject = (request: AuthorizationRequest.AuthorizationRequest, objectOptions: OAuthClient.RequestObjectOptions) =>
      Effect.gen(function*() {
        // OIDC Discovery 3: the authorization endpoint would refuse it; it can only be pushed (PAR)
        if (metadata?.requestParameterSupported === false && endpoints.pushedAuthorizationRequestEndpoint === undefined) {
          return yield* Effect.fail(
            TransportError.invalidConfiguration(
              "requestParameterSupported",
              "the authorization server does not accept request objects (request_parameter_supported: false) and has no PAR endpoint to push one to"
            )
          )
        }
        const audience = yield* expectedIssuer("a request object")
        const encryptionKey = objectOptions.encrypt === true
          ? yield* serverEncryptionKey
          : objectOptions.encrypt === false || objectOptions.encrypt === undefined
            ? undefined
            : objectOptions.encrypt
        return yield* RequestObject.make(request, {
          signingKey: objectOptions.signingKey,
          audience,
          ...(objectOptions.lifetime === undefined ? {} : { lifetime: objectOptions.lifetime }),
          ...(encryptionKey === undefined ? {} : { encryptionKey })
        })
      })

    const pushedAuthorization = (request: AuthorizationRequest.AuthorizationRequest | AuthorizationRequest.RequestObjectRequest) =>
      Effect.gen(function* () {
        const response = yield* post("pushed_authorization", AuthorizationRequest.queryParams(request), false)
        const pushed = yield* PushedAuthorization.decode(yield* jsonBody("pushed_authorization", response), contextOf(response))
        return yield* AuthorizationRequest.withRequestUri(request, { requestUri: pushed.requestUri, expiresAt: pushed.expiresAt })
      })

    const deviceAuthorization = (request: DeviceAuthorization.DeviceAuthorizationRequest = {}) =>
      Effect.gen(function* () {
        const params = yield* DeviceAuthorization.params(request)
        const response = yield* post("device_authorization", params, false)
        return yield* DeviceAuthorization.decode(yield* jsonBody("device_authorization", response), contextOf(response))
      })

    const backchannelAuthentication = (
      request: BackchannelAuthentication.BackchannelAuthenticationRequest,
      cibaOptions: OAuthClient.BackchannelAuthenticationOptions = {}
    ) =>
      Effect.gen(function* () {
        const signed = cibaOptions.requestObject
        const params = signed === undefined
          ? yield* BackchannelAuthentication.params(request)
          : issuer === undefined
            ? yield* Effect.fail(OAuthError.invalidArgument("requestObject", "a signed request needs the issuer identifier of the authorization server (its audience)"))
            : yield* RequestObject.backchannel(request, {
              signingKey: signed.signingKey,
              clientId: auth.clientId,
              audience: issuer,
              ...(signed.lifetime === undefined ? {} : { lifetime: signed.lifetime })
            })
        const response = yield* post("backchannel_authentication", params, false)
        return yield* BackchannelAuthentication.decode(yield* jsonBody("backchannel_authentication", response), contextOf(response))
      })

    const service: OAuthClient.OAuthClientService = {
      clientId: auth.clientId,
      auth,
      endpoints: resolved,
      ...(metadata === undefined ? {} : { metadata }),
      token,
      revoke,
      introspect,
      userinfo,
      pushedAuthorization,
      deviceAuthorization,
      backchannelAuthentication,
      jwks,
      authorizationCode,
      refresh,
      validateIdToken,
      validateToken,
      requestObject
    }
    return service
  })

/** @internal */
export const discover = (options: OAuthClient.DiscoveryOptions) =>
  Effect.gen(function* () {
    const transport = yield* Transport.Transport
    const allowInsecureHttp = transport.options.allowInsecureHttp
    const url =
      options.metadataUrl ??
      (yield* Either.mapLeft(
        ServerMetadata.discoveryUrl(options.issuer, options.kind ?? "openid", { allowInsecureHttp }),
        (e) => TransportError.invalidConfiguration("issuer", e.message)
      ))
    const response = yield* transport.send({ endpoint: "discovery", method: "GET", url, retry: true })
    const body = yield* Transport.json("discovery", response)
    return yield* ServerMetadata.decode(body, {
      issuer: options.issuer,
      required: ["tokenEndpoint"],
      allowInsecureHttp,
      context: { status: response.status, ...(response.contentType === undefined ? {} : { contentType: response.contentType }) }
    })
  })

/** @internal */
export const makeDiscovered = (options: OAuthClient.DiscoveryOptions) =>
  Effect.gen(function* () {
    const metadata = yield* discover(options)
    const client = yield* make({ ...options, metadata })
    if (client.endpoints.jwksUri !== undefined) yield* client.jwks()
    return client
  })

/** @internal */
export const layer = (options: OAuthClient.Options) => Layer.effect(tag, make(options))

/** @internal */
export const layerDiscovery = (options: OAuthClient.DiscoveryOptions) => Layer.effect(tag, makeDiscovered(options))

/** @internal */
export const config: Config.Config<OAuthClient.DiscoveryOptions | OAuthClient.Options> = Config.all({
  issuer: Config.option(Config.string("OAUTH2_ISSUER")),
  clientId: Config.string("OAUTH2_CLIENT_ID"),
  clientSecret: Config.option(Config.redacted("OAUTH2_CLIENT_SECRET")),
  tokenEndpoint: Config.option(Config.string("OAUTH2_TOKEN_ENDPOINT")),
  discovery: Config.withDefault(Config.literal("openid", "oauth", "none")("OAUTH2_DISCOVERY"), "openid")
}).pipe(
  Config.map((c) => ({
    clientId: c.clientId,
    ...(Option.isSome(c.clientSecret) ? { clientSecret: c.clientSecret.value } : {}),
    ...(Option.isSome(c.issuer) ? { issuer: c.issuer.value } : {}),
    ...(Option.isSome(c.tokenEndpoint) ? { tokenEndpoint: c.tokenEndpoint.value } : {}),
    ...(c.discovery === "none" ? {} : { kind: c.discovery })
  }))
) as Config.Config<OAuthClient.DiscoveryOptions | OAuthClient.Options>

/** @internal */
export const layerConfig = (c: Config.Config<OAuthClient.DiscoveryOptions | OAuthClient.Options>) =>
  Layer.effect(
    tag,
    Effect.flatMap(
      c,
      (options) => ("kind" in options && options.issuer !== undefined ? makeDiscovered(options as OAuthClient.DiscoveryOptions) : make(options))
    )
  )
