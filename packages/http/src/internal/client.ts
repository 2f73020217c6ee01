/** @internal */
import {
  AuthorizationRequest,
  AuthorizationResponse,
  BackchannelAuthentication,
  BearerToken,
  DeviceAuthorization,
  Dpop as CoreDpop,
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
import * as ClientError from "../ClientError.js"
import type * as OAuthClient from "../OAuthClient.js"
import * as Transport from "../Transport.js"
import type * as TransportError from "../TransportError.js"
import type * as Dpop from "../Dpop.js"
import * as dpop from "./dpop.js"
import { decodeJwks, jwksCache } from "./jwks.js"
import * as jarm from "./jarm.js"
import * as mtls from "./mtlsMarker.js"
import { responseContext } from "./transport.js"

type Endpoint = OAuthError.Endpoint

/** @internal */
export const tag = Context.GenericTag<OAuthClient.OAuthClient>("@oauth2/http/OAuthClient")

const endpointFields = {
  authorization: "authorizationEndpoint",
  token: "tokenEndpoint",
  revocation: "revocationEndpoint",
  introspection: "introspectionEndpoint",
  userinfo: "userinfoEndpoint",
  pushed_authorization: "pushedAuthorizationRequestEndpoint",
  device_authorization: "deviceAuthorizationEndpoint",
  backchannel_authentication: "backchannelAuthenticationEndpoint",
  jwks: "jwksUri",
  end_session: "endSessionEndpoint"
} as const satisfies Partial<Record<Endpoint, Exclude<keyof OAuthClient.Endpoints, "issuer">>>

const resolveAuth = (options: OAuthClient.Options): Effect.Effect<ClientAuth.ClientAuth, ClientError.InvalidConfiguration> => {
  if (options.auth !== undefined) {
    if (options.clientId !== undefined || options.clientSecret !== undefined) {
      return Effect.fail(ClientError.invalidConfiguration("auth", "give either an authentication method or clientId/clientSecret, not both"))
    }
    return Effect.succeed(options.auth)
  }
  if (options.clientId === undefined) {
    return Effect.fail(ClientError.invalidConfiguration("clientId", "a client needs an authentication method or a clientId"))
  }
  const made: Effect.Effect<ClientAuth.ClientAuth, OAuthError.InvalidArgument> =
    options.clientSecret === undefined
      ? ClientAuth.none({ clientId: options.clientId })
      : ClientAuth.clientSecretBasic({ clientId: options.clientId, clientSecret: options.clientSecret })
  return Effect.mapError(made, (e) => ClientError.fromInvalidArgument(e.argument, e))
}

const checkAlgorithms = (field: string, algorithms: unknown): Effect.Effect<ReadonlyArray<string> | undefined, ClientError.InvalidConfiguration> =>
  algorithms === undefined
    ? Effect.succeed(undefined)
    : Array.isArray(algorithms) && algorithms.length > 0 && algorithms.every((a) => typeof a === "string" && a.length > 0)
      ? Effect.succeed(algorithms)
      : Effect.fail(ClientError.invalidConfiguration(field, "must be a non-empty list of JWS algorithms"))

const checkEncryption = (
  field: string,
  encryption: Jwt.Encryption | undefined
): Effect.Effect<Jwt.Encryption | undefined, ClientError.InvalidConfiguration> => {
  if (encryption === undefined) return Effect.succeed(undefined)
  if (typeof encryption !== "object" || encryption === null) {
    return Effect.fail(ClientError.invalidConfiguration(field, "expected { alg?, enc? }"))
  }
  if (encryption.alg !== undefined && !Jwt.keyManagementAlgorithms.includes(encryption.alg)) {
    return Effect.fail(ClientError.invalidConfiguration(field, `alg must be one of ${Jwt.keyManagementAlgorithms.join(", ")}`))
  }
  if (encryption.enc !== undefined && !Jwt.contentEncryptionAlgorithms.includes(encryption.enc)) {
    return Effect.fail(ClientError.invalidConfiguration(field, `enc must be one of ${Jwt.contentEncryptionAlgorithms.join(", ")}`))
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

/**
 * What a client's builder (Fapi2) sets beside the public options: the algorithms a signed UserInfo or introspection
 * answer may use when the options give none. Unlike `userinfo.signingAlgorithms`, they do not make the client ask for
 * (and require) a JWT answer: they only narrow the one the server may send.
 *
 * @internal
 */
export interface Internals {
  readonly acceptedAlgorithms?: {
    readonly userinfo?: ReadonlyArray<string> | undefined
    readonly introspection?: ReadonlyArray<string> | undefined
  }
}

/** The OpenID Connect settings of a client, checked and with its keys imported, once. */
const openIdConfig = (
  options: OAuthClient.Options,
  auth: ClientAuth.ClientAuth,
  metadata: ServerMetadata.ServerMetadata | undefined,
  internals: Internals
) =>
  Effect.gen(function* () {
    const idTokenAlgorithms: ReadonlyArray<string> =
      options.idToken?.signingAlgorithms === "advertised"
        ? (metadata?.idTokenSigningAlgValuesSupported ?? ["RS256"]).filter((alg) => alg !== "none")
        : ((yield* checkAlgorithms("idToken.signingAlgorithms", options.idToken?.signingAlgorithms)) ?? ["RS256"])
    if (idTokenAlgorithms.length === 0) {
      return yield* Effect.fail(ClientError.invalidConfiguration("idToken.signingAlgorithms", "the server advertises no usable ID token algorithm"))
    }
    const userinfoAlgorithms = yield* checkAlgorithms("userinfo.signingAlgorithms", options.userinfo?.signingAlgorithms)
    const introspectionAlgorithms = yield* checkAlgorithms("introspection.signingAlgorithms", options.introspection?.signingAlgorithms)
    const idTokenEncryption = yield* checkEncryption("idToken.encryption", options.idToken?.encryption)
    const userinfoEncryption = yield* checkEncryption("userinfo.encryption", options.userinfo?.encryption)
    const introspectionEncryption = yield* checkEncryption("introspection.encryption", options.introspection?.encryption)
    // checked once here, so that a bad tolerance is a configuration error, not a failure of every token
    if (options.clockTolerance !== undefined) {
      const tolerance = Duration.decodeUnknown(options.clockTolerance)
      if (Option.isNone(tolerance) || !Duration.between(tolerance.value, { minimum: Duration.zero, maximum: Duration.minutes(5) })) {
        return yield* Effect.fail(ClientError.invalidConfiguration("clockTolerance", "must be a duration between 0 and 5 minutes"))
      }
    }
    const inputs = options.decryptionKey === undefined ? [] : Array.isArray(options.decryptionKey) ? options.decryptionKey : [options.decryptionKey]
    const decryptionKeys: Array<Jwt.DecryptionKey> = []
    for (const input of inputs as ReadonlyArray<Jwt.DecryptionKey | Jwt.PrivateKeyInput>) {
      decryptionKeys.push(
        Jwt.isDecryptionKey(input)
          ? input
          : yield* Effect.mapError(Jwt.decryptionKey(input as Jwt.PrivateKeyInput), (e) => ClientError.fromInvalidArgument("decryptionKey", e))
      )
    }
    const clientSecret = "clientSecret" in auth && Redacted.isRedacted(auth.clientSecret) ? auth.clientSecret : undefined
    const accepted = {
      userinfo: yield* checkAlgorithms("userinfo.signingAlgorithms", internals.acceptedAlgorithms?.userinfo),
      introspection: yield* checkAlgorithms("introspection.signingAlgorithms", internals.acceptedAlgorithms?.introspection)
    }
    return {
      idTokenAlgorithms,
      idTokenEncryption,
      requireAuthTime: options.idToken?.requireAuthTime === true,
      userinfoAlgorithms: userinfoAlgorithms ?? accepted.userinfo ?? ["RS256"],
      userinfoEncryption,
      userinfoRequiresJwt: userinfoAlgorithms !== undefined || userinfoEncryption !== undefined,
      introspectionAlgorithms: introspectionAlgorithms ?? accepted.introspection ?? ["RS256"],
      introspectionEncryption,
      introspectionRequiresJwt: introspectionAlgorithms !== undefined || introspectionEncryption !== undefined,
      decryptionKeys,
      clientSecret,
      clockTolerance: options.clockTolerance
    }
  })

/** The OpenID Connect settings of a client, checked and with its keys imported. */
type OpenIdConfig = Effect.Effect.Success<ReturnType<typeof openIdConfig>>

/**
 * What the endpoint functions of one client share, built once by {@link make}: each endpoint is a module-level
 * function taking it first, and the service only binds them.
 */
interface ClientContext {
  readonly transport: Transport.Transport
  readonly auth: ClientAuth.ClientAuth
  /** The issuer identifier: explicit, or the metadata's. */
  readonly issuer: string | undefined
  readonly metadata: ServerMetadata.ServerMetadata | undefined
  /** The checked endpoint URLs, by option name. */
  readonly endpoints: Readonly<Partial<Record<EndpointField, string>>>
  /** The server's keys, cached. */
  readonly jwks: OAuthClient.OAuthClient["jwks"]
  readonly openid: OpenIdConfig
  /** What every JWT from this server is verified with: its keys, the client secret (`HS*`), decryption keys, tolerance. */
  readonly verification: {
    readonly keys: (query: { readonly kid?: string }) => ReturnType<OAuthClient.OAuthClient["jwks"]>
    readonly clientSecret: Redacted.Redacted<string> | undefined
    readonly decryptionKeys: ReadonlyArray<Jwt.DecryptionKey>
    readonly clockTolerance: Duration.DurationInput | undefined
  }
  /** The server's encryption keys (request objects), imported once per JWK. */
  readonly encryptionKeys: WeakMap<JWK, Jwt.EncryptionKey>
  /** The DPoP service, when the client uses DPoP: nothing DPoP happens when it is undefined. */
  readonly dpop: Dpop.Dpop | undefined
}

type EndpointField = (typeof endpointFields)[keyof typeof endpointFields]
type ClientEndpoint = keyof typeof endpointFields

const urlOf = (ctx: ClientContext, endpoint: ClientEndpoint) => {
  const url = ctx.endpoints[endpointFields[endpoint]]
  return url === undefined ? Effect.fail(ClientError.endpointNotSupported(endpoint)) : Effect.succeed(url)
}

/** Authenticates and posts a form to an endpoint. */
const post = <E extends ClientEndpoint>(
  ctx: ClientContext,
  endpoint: E,
  params: Params.Params,
  retry: boolean,
  accept?: string
): Effect.Effect<
  Transport.Response,
  | TransportError.TransportError
  | ClientError.EndpointNotSupported
  | OAuthError.ErrorOf<E>
  | OAuthError.UnexpectedResponse
  | OAuthError.InvalidArgument
  | ClientAuth.ClientAuthError
> => {
  const url = ctx.endpoints[endpointFields[endpoint]]
  if (url === undefined) return Effect.fail(ClientError.endpointNotSupported(endpoint))
  const { auth, issuer } = ctx
  const request: Transport.Request<E, ClientAuth.ClientAuthError> = {
    endpoint,
    method: "POST",
    url,
    params,
    // at each attempt: a retry carries a fresh client assertion (new jti, new expiry)
    authenticate: (request) => auth.authenticate({ url, endpoint, ...request, ...(issuer === undefined ? {} : { issuer }) }),
    retry,
    ...(accept === undefined ? {} : { accept })
  }
  return ctx.dpop !== undefined && ctx.dpop.endpoints.has(endpoint) ? dpop.send(ctx.transport, ctx.dpop, request) : ctx.transport.send(request)
}

/** The expected issuer: JWTs from this server are checked against it. */
const expectedIssuer = (ctx: ClientContext, what: string) =>
  ctx.issuer === undefined
    ? Effect.fail(
        ClientError.invalidConfiguration(
          "issuer",
          `${what} needs the issuer identifier of the authorization server (give 'endpoints.issuer' or use discovery)`
        )
      )
    : Effect.succeed(ctx.issuer)

/** @internal */
export const validateIdToken = (
  ctx: ClientContext,
  idToken: IdToken.IdToken | BearerToken.BearerToken | string | Redacted.Redacted<string>,
  expectations: OAuthClient.IdTokenExpectations = {}
) =>
  Effect.gen(function* () {
    const expected = yield* expectedIssuer(ctx, "ID token validation")
    const raw = BearerToken.isBearerToken(idToken) ? idToken.idToken : idToken
    if (raw === undefined) {
      return yield* Effect.fail(IdToken.invalidIdToken("MissingIdToken", "the token answer has no ID token"))
    }
    return yield* IdToken.validate(raw, {
      ...ctx.verification,
      issuer: expected,
      clientId: ctx.auth.clientId,
      algorithms: ctx.openid.idTokenAlgorithms,
      encryption: ctx.openid.idTokenEncryption,
      requireAuthTime: ctx.openid.requireAuthTime,
      ...expectations
    })
  })

/**
 * The token type rule where it differs from `BearerToken.decodeAt`'s: with a proof sent, `DPoP` or `Bearer`; without,
 * a `DPoP` answer is `DpopRequired` (a typed error, not `UnexpectedResponse`). Looks further only at a refused answer
 * or when a proof was sent.
 */
const checkTokenType = (
  body: unknown,
  withProof: boolean,
  decoded: Either.Either<BearerToken.BearerToken, OAuthError.UnexpectedResponse>,
  response: Transport.Response
): Either.Either<BearerToken.BearerToken, OAuthError.UnexpectedResponse | CoreDpop.DpopRequired> => {
  if (Either.isRight(decoded)) {
    if (!withProof) return decoded
    const type = decoded.right.tokenType
    return CoreDpop.isDpopTokenType(type) || type.toLowerCase() === "bearer"
      ? decoded
      : Either.left(
          OAuthError.unexpectedResponse("token", `token_type is '${type.slice(0, 32)}', expected 'DPoP' or 'Bearer'`, body, responseContext(response))
        )
  }
  const type = typeof body === "object" && body !== null ? (body as { readonly token_type?: unknown }).token_type : undefined
  return !withProof && CoreDpop.isDpopTokenType(type)
    ? Either.left(
        CoreDpop.dpopRequired("token", "the server issued a DPoP-bound token (token_type DPoP) to a request without a DPoP proof: provide Dpop.layer")
      )
    : decoded
}

/** @internal */
export const token = (ctx: ClientContext, request: TokenRequest.TokenRequest, options?: OAuthClient.TokenOptions) =>
  // an extra parameter that would redefine a reserved one is refused (InvalidArgument), not sent
  Effect.flatMap(
    Effect.flatMap(TokenRequest.params(request), (params) => post(ctx, "token", params, TokenRequest.isRepeatable(request))),
    (response) => {
      const body = Transport.json("token", response)
      if (Either.isLeft(body)) return Effect.fail(body.left)
      const tokenType = options?.tokenType
      // with a proof sent, `DPoP` or `Bearer` (a server that did not bind it, RFC 9449 5)
      const withProof = tokenType === undefined && request._tag !== "TokenExchange" && ctx.dpop !== undefined && ctx.dpop.endpoints.has("token")
      return Effect.flatMap(DateTime.now, (now) =>
        Effect.map(
          checkTokenType(
            body.right,
            withProof,
            BearerToken.decodeAt(body.right, now, {
              tokenType: tokenType !== undefined ? tokenType : request._tag === "TokenExchange" || withProof ? null : "bearer",
              context: responseContext(response)
            }),
            response
          ),
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
        )
      )
    }
  )

/** @internal */
export const revoke = (
  ctx: ClientContext,
  request: Revocation.RevocationRequest | BearerToken.BearerToken,
  options: OAuthClient.RevokeOptions = {}
) =>
  Effect.gen(function* () {
    const params = yield* BearerToken.isBearerToken(request) ? revocationOf(request, options) : Revocation.params(request)
    yield* post(ctx, "revocation", params, true)
  })

const introspectionJwt = "application/token-introspection+jwt"

/** @internal */
export const introspect = (ctx: ClientContext, request: Introspection.IntrospectionRequest, options: OAuthClient.IntrospectOptions = {}) =>
  Effect.gen(function* () {
    const params = yield* Introspection.params(request)
    const wantsJwt = options.jwt === true || ctx.openid.introspectionRequiresJwt
    const response = yield* post(ctx, "introspection", params, true, wantsJwt ? introspectionJwt : undefined)
    if (response.contentType === introspectionJwt) {
      return yield* JwtResponse.introspection(response.body, {
        ...ctx.verification,
        issuer: yield* expectedIssuer(ctx, "a JWT introspection answer"),
        clientId: ctx.auth.clientId,
        algorithms: ctx.openid.introspectionAlgorithms,
        encryption: ctx.openid.introspectionEncryption
      })
    }
    if (wantsJwt) {
      return yield* Effect.fail(
        OAuthError.unexpectedResponse("introspection", `expected a JWT answer (${introspectionJwt})`, response.body, responseContext(response))
      )
    }
    return yield* Introspection.decode(yield* Transport.json("introspection", response), responseContext(response))
  })

/** @internal */
export const userinfo = (ctx: ClientContext, accessToken: OAuthClient.AccessToken, options: OAuthClient.UserInfoOptions = {}) =>
  Effect.gen(function* () {
    const url = yield* urlOf(ctx, "userinfo")
    const value = BearerToken.isBearerToken(accessToken)
      ? accessToken.accessToken
      : typeof accessToken === "string"
        ? Redacted.make(accessToken)
        : accessToken
    // with DPoP, a DPoP token (or a raw value: the client's tokens are DPoP ones) goes with a proof (RFC 9449 7)
    const withProof =
      ctx.dpop !== undefined &&
      ctx.dpop.endpoints.has("userinfo") &&
      (!BearerToken.isBearerToken(accessToken) || CoreDpop.isDpopTokenType(accessToken.tokenType))
    const request: Transport.Request<"userinfo"> = {
      endpoint: "userinfo",
      method: "GET",
      url,
      headers: { authorization: Redacted.make(`${withProof ? "DPoP" : "Bearer"} ${Redacted.value(value)}`) },
      retry: true,
      ...(ctx.openid.userinfoRequiresJwt ? { accept: "application/jwt" } : {})
    }
    const response = yield* withProof ? dpop.send(ctx.transport, ctx.dpop!, request, value) : ctx.transport.send(request)
    const subject = options.subject ?? options.idToken?.sub
    if (response.contentType === "application/jwt") {
      return yield* JwtResponse.userInfo(response.body, {
        ...ctx.verification,
        issuer: yield* expectedIssuer(ctx, "a signed UserInfo answer"),
        clientId: ctx.auth.clientId,
        algorithms: ctx.openid.userinfoAlgorithms,
        encryption: ctx.openid.userinfoEncryption,
        subject
      })
    }
    if (ctx.openid.userinfoRequiresJwt) {
      return yield* Effect.fail(
        OAuthError.unexpectedResponse(
          "userinfo",
          "expected a signed UserInfo answer (application/jwt), as registered",
          response.body,
          responseContext(response)
        )
      )
    }
    const info = yield* UserInfo.decode(yield* Transport.json("userinfo", response), responseContext(response))
    return subject === undefined ? info : yield* UserInfo.checkSubject(info, subject)
  })

/** @internal */
export const authorizationCode = (
  ctx: ClientContext,
  response: AuthorizationResponse.AuthorizationResponse,
  options: OAuthClient.AuthorizationCodeOptions = {}
) =>
  Effect.gen(function* () {
    // the request was made for this server: checked before the single-use code is spent
    if (response.issuer !== undefined && ctx.issuer !== undefined && response.issuer !== ctx.issuer) {
      return yield* Effect.fail(
        ClientError.invalidConfiguration("issuer", "the authorization request was made for another issuer than this client's")
      )
    }
    const redeemed = yield* token(
      ctx,
      TokenRequest.authorizationCode({
        ...AuthorizationResponse.tokenRequestInputs(response),
        ...(options.resource === undefined ? {} : { resource: options.resource }),
        ...(options.extra === undefined ? {} : { extra: options.extra })
      })
    )
    const required = options.requireIdToken ?? response.nonce !== undefined
    if (redeemed.idToken === undefined) {
      if (required) {
        return yield* Effect.fail(IdToken.invalidIdToken("MissingIdToken", "the token answer to an OpenID Connect request has no ID token"))
      }
      const plain: OAuthClient.ValidatedToken = { token: redeemed }
      return plain
    }
    const claims = yield* validateIdToken(ctx, redeemed.idToken, {
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

/** @internal */
export const refresh = (
  ctx: ClientContext,
  current: OAuthClient.ValidatedToken | BearerToken.BearerToken,
  options: OAuthClient.RefreshOptions = {}
) =>
  Effect.gen(function* () {
    const bearer = BearerToken.isBearerToken(current) ? current : current.token
    const previous = options.idToken ?? (BearerToken.isBearerToken(current) ? undefined : current.idToken)
    const request = yield* TokenRequest.refreshToken({
      refreshToken: bearer,
      ...(options.scope === undefined ? {} : { scope: options.scope }),
      ...(options.resource === undefined ? {} : { resource: options.resource }),
      ...(options.extra === undefined ? {} : { extra: options.extra })
    })
    const refreshed = yield* token(ctx, request)
    if (refreshed.idToken === undefined) {
      const kept: OAuthClient.ValidatedToken = { token: refreshed, ...(previous === undefined ? {} : { idToken: previous }) }
      return kept
    }
    const claims = yield* validateIdToken(ctx, refreshed.idToken, {
      ...(previous === undefined ? {} : { previous }),
      accessToken: refreshed.accessToken,
      fromTokenEndpoint: true
    })
    const validated: OAuthClient.ValidatedToken = { token: refreshed, idToken: claims }
    return validated
  })

/** @internal */
export const validateToken = (ctx: ClientContext, answer: BearerToken.BearerToken, options: OAuthClient.ValidateTokenOptions = {}) =>
  Effect.gen(function* () {
    const previous = options.previous
    if (answer.idToken === undefined) {
      if (options.requireIdToken === true) {
        return yield* Effect.fail(IdToken.invalidIdToken("MissingIdToken", "the token answer has no ID token"))
      }
      const kept: OAuthClient.ValidatedToken = { token: answer, ...(previous === undefined ? {} : { idToken: previous }) }
      return kept
    }
    const claims = yield* validateIdToken(ctx, answer.idToken, {
      ...(previous === undefined ? { nonce: options.nonce ?? false } : { previous }),
      ...(options.maxAge === undefined ? {} : { maxAge: options.maxAge }),
      ...(options.acrValues === undefined ? {} : { acrValues: options.acrValues }),
      accessToken: answer.accessToken,
      fromTokenEndpoint: true
    })
    const validated: OAuthClient.ValidatedToken = { token: answer, idToken: claims }
    return validated
  })

/** The server's key to encrypt request objects to: `use: "enc"`, an algorithm it advertises and we support. */
const serverEncryptionKey = (ctx: ClientContext) =>
  Effect.gen(function* () {
    const set: JSONWebKeySet = yield* ctx.jwks()
    const advertisedAlgs = ctx.metadata?.requestObjectEncryptionAlgValuesSupported
    const advertisedEncs = ctx.metadata?.requestObjectEncryptionEncValuesSupported
    const usable = (alg: unknown): alg is Jwt.KeyManagementAlgorithm =>
      typeof alg === "string" &&
      Jwt.keyManagementAlgorithms.includes(alg as Jwt.KeyManagementAlgorithm) &&
      (advertisedAlgs === undefined || advertisedAlgs.includes(alg))
    const jwk = set.keys.find((k) => k.use === "enc" && usable(k.alg ?? (k.kty === "RSA" ? "RSA-OAEP-256" : "ECDH-ES")))
    if (jwk === undefined) {
      return yield* Effect.fail(
        OAuthError.invalidArgument("encrypt", "the authorization server publishes no usable encryption key ('use: enc') in its JWKS")
      )
    }
    const cached = ctx.encryptionKeys.get(jwk)
    if (cached !== undefined) return cached
    const enc: Jwt.ContentEncryptionAlgorithm | undefined =
      advertisedEncs === undefined || advertisedEncs.includes("A256GCM")
        ? "A256GCM"
        : Jwt.contentEncryptionAlgorithms.find((e) => advertisedEncs.includes(e))
    if (enc === undefined) {
      return yield* Effect.fail(OAuthError.invalidArgument("encrypt", "the authorization server advertises no supported request object 'enc'"))
    }
    const key = yield* Jwt.encryptionKey(jwk, { enc })
    ctx.encryptionKeys.set(jwk, key)
    return key
  })

/** @internal */
export const requestObject = (ctx: ClientContext, request: AuthorizationRequest.AuthorizationRequest, options: OAuthClient.RequestObjectOptions) =>
  Effect.gen(function* () {
    // OIDC Discovery 3: the authorization endpoint would refuse it; it can only be pushed (PAR)
    if (ctx.metadata?.requestParameterSupported === false && ctx.endpoints.pushedAuthorizationRequestEndpoint === undefined) {
      return yield* Effect.fail(
        ClientError.invalidConfiguration(
          "requestParameterSupported",
          "the authorization server does not accept request objects (request_parameter_supported: false) and has no PAR endpoint to push one to"
        )
      )
    }
    const audience = yield* expectedIssuer(ctx, "a request object")
    const encryptionKey =
      options.encrypt === true
        ? yield* serverEncryptionKey(ctx)
        : options.encrypt === false || options.encrypt === undefined
          ? undefined
          : options.encrypt
    return yield* RequestObject.make(request, {
      signingKey: options.signingKey,
      audience,
      ...(options.lifetime === undefined ? {} : { lifetime: options.lifetime }),
      ...(encryptionKey === undefined ? {} : { encryptionKey })
    })
  })

/** @internal */
export const pushedAuthorization = (
  ctx: ClientContext,
  request: AuthorizationRequest.AuthorizationRequest | AuthorizationRequest.RequestObjectRequest
) =>
  Effect.gen(function* () {
    const response = yield* post(ctx, "pushed_authorization", AuthorizationRequest.queryParams(request), false)
    const pushed = yield* PushedAuthorization.decode(yield* Transport.json("pushed_authorization", response), responseContext(response))
    return yield* AuthorizationRequest.withRequestUri(request, { requestUri: pushed.requestUri, expiresAt: pushed.expiresAt })
  })

/** @internal */
export const deviceAuthorization = (ctx: ClientContext, request: DeviceAuthorization.DeviceAuthorizationRequest = {}) =>
  Effect.gen(function* () {
    const params = yield* DeviceAuthorization.params(request)
    const response = yield* post(ctx, "device_authorization", params, false)
    return yield* DeviceAuthorization.decode(yield* Transport.json("device_authorization", response), responseContext(response))
  })

/** @internal */
export const backchannelAuthentication = (
  ctx: ClientContext,
  request: BackchannelAuthentication.BackchannelAuthenticationRequest,
  options: OAuthClient.BackchannelAuthenticationOptions = {}
) =>
  Effect.gen(function* () {
    const signed = options.requestObject
    const params =
      signed === undefined
        ? yield* BackchannelAuthentication.params(request)
        : ctx.issuer === undefined
          ? yield* Effect.fail(
              OAuthError.invalidArgument("requestObject", "a signed request needs the issuer identifier of the authorization server (its audience)")
            )
          : yield* RequestObject.backchannel(request, {
              signingKey: signed.signingKey,
              clientId: ctx.auth.clientId,
              audience: ctx.issuer,
              ...(signed.lifetime === undefined ? {} : { lifetime: signed.lifetime })
            })
    const response = yield* post(ctx, "backchannel_authentication", params, false)
    return yield* BackchannelAuthentication.decode(yield* Transport.json("backchannel_authentication", response), responseContext(response))
  })

/** The shared context of a client: its options checked, its endpoint URLs validated, its keys imported, once. */
const makeContext = (options: OAuthClient.Options, internals: Internals) =>
  Effect.gen(function* () {
    const transport = yield* Transport.Transport
    const auth = yield* resolveAuth(options)
    const dpopService = options.dpop === false ? undefined : (options.dpop ?? Option.getOrUndefined(yield* Effect.serviceOption(dpop.tag)))
    const metadata = options.metadata
    const endpoints: Partial<Record<EndpointField, string>> = {}
    const issuer = options.endpoints?.issuer ?? metadata?.issuer
    // RFC 8705 5: with a client certificate, the server's mTLS aliases replace its endpoints (explicit ones still win);
    // the marker counts only for the transport it came with (a later Transport has no certificate)
    const aliases = mtls.presents(yield* Effect.serviceOption(mtls.tag), transport) ? metadata?.mtlsEndpointAliases : undefined
    for (const field of Object.values(endpointFields)) {
      const value = options.endpoints?.[field] ?? mtls.alias(aliases, field) ?? (metadata?.[field] as string | undefined)
      if (value === undefined) continue
      const checked = transport.validateUrl(field, value)
      if (Either.isLeft(checked)) return yield* Effect.fail(checked.left)
      endpoints[field] = value
    }
    const staticKeys =
      options.jwks === undefined
        ? undefined
        : yield* Either.mapLeft(decodeJwks(options.jwks), (e) => ClientError.invalidConfiguration("jwks", e.reason))
    const jwks = yield* jwksCache({
      keys: staticKeys,
      url: endpoints.jwksUri,
      cooldown: Duration.decode(options.jwksCooldown ?? Duration.seconds(30)),
      fetch: (url) =>
        Effect.flatMap(
          transport.send({ endpoint: "jwks", method: "GET", url, retry: true, accept: "application/jwk-set+json, application/json" }),
          (response) => Either.map(Transport.json("jwks", response), (body) => ({ body, context: responseContext(response) }))
        )
    })
    const openid = yield* openIdConfig(options, auth, metadata, internals)
    const ctx: ClientContext = {
      transport,
      auth,
      issuer,
      metadata,
      endpoints,
      jwks,
      openid,
      verification: {
        keys: (query) => jwks(query),
        clientSecret: openid.clientSecret,
        decryptionKeys: openid.decryptionKeys,
        clockTolerance: openid.clockTolerance
      },
      encryptionKeys: new WeakMap(),
      dpop: dpopService
    }
    return ctx
  })

/** @internal */
export const make = (options: OAuthClient.Options, internals: Internals = {}) =>
  Effect.gen(function* () {
    const ctx = yield* makeContext(options, internals)
    // the JARM algorithms are checked now: a bad setting fails the construction, not the first callback
    const given = yield* checkAlgorithms("authorizationResponse.signingAlgorithms", options.authorizationResponse?.signingAlgorithms)
    if (given?.includes("none")) {
      return yield* Effect.fail(ClientError.invalidConfiguration("authorizationResponse.signingAlgorithms", "'none' is not a JWS algorithm here"))
    }
    const service: OAuthClient.OAuthClient = {
      clientId: ctx.auth.clientId,
      auth: ctx.auth,
      endpoints: { ...(ctx.issuer === undefined ? {} : { issuer: ctx.issuer }), ...ctx.endpoints },
      ...(ctx.metadata === undefined ? {} : { metadata: ctx.metadata }),
      ...(ctx.dpop === undefined ? {} : { dpop: ctx.dpop }),
      token: (request, options) => token(ctx, request, options),
      revoke: (request, options) => revoke(ctx, request, options),
      introspect: (request, options) => introspect(ctx, request, options),
      userinfo: (accessToken, options) => userinfo(ctx, accessToken, options),
      pushedAuthorization: (request) => pushedAuthorization(ctx, request),
      deviceAuthorization: (request) => deviceAuthorization(ctx, request),
      backchannelAuthentication: (request, options) => backchannelAuthentication(ctx, request, options),
      jwks: ctx.jwks,
      authorizationCode: (response, options) => authorizationCode(ctx, response, options),
      refresh: (current, options) => refresh(ctx, current, options),
      validateIdToken: (idToken, expectations) => validateIdToken(ctx, idToken, expectations),
      validateToken: (answer, options) => validateToken(ctx, answer, options),
      requestObject: (request, options) => requestObject(ctx, request, options),
      authorizationResponse: jarm.make({
        verification: ctx.verification,
        issuer: ctx.issuer,
        clientId: ctx.auth.clientId,
        algorithms: jarm.algorithms(given, ctx.metadata),
        encryption: yield* checkEncryption("authorizationResponse.encryption", options.authorizationResponse?.encryption)
      })
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
      (yield* Either.mapLeft(ServerMetadata.discoveryUrl(options.issuer, options.kind ?? "openid", { allowInsecureHttp }), (e) =>
        ClientError.fromInvalidArgument("issuer", e)
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
    const { issuer: _issuer, kind: _kind, metadataUrl: _metadataUrl, ...rest } = options
    const client = yield* make({ ...rest, metadata })
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
  Config.map((c): OAuthClient.DiscoveryOptions | OAuthClient.Options => {
    const credentials = { clientId: c.clientId, ...(Option.isSome(c.clientSecret) ? { clientSecret: c.clientSecret.value } : {}) }
    const tokenEndpoint = Option.isSome(c.tokenEndpoint) ? { tokenEndpoint: c.tokenEndpoint.value } : {}
    return c.discovery !== "none" && Option.isSome(c.issuer)
      ? { ...credentials, issuer: c.issuer.value, kind: c.discovery, endpoints: tokenEndpoint }
      : { ...credentials, endpoints: { ...(Option.isSome(c.issuer) ? { issuer: c.issuer.value } : {}), ...tokenEndpoint } }
  })
)

/** Options with an expected `issuer` are discovered. */
const isDiscovery = (options: OAuthClient.DiscoveryOptions | OAuthClient.Options): options is OAuthClient.DiscoveryOptions =>
  "issuer" in options && typeof options.issuer === "string"

/** @internal */
export const layerConfig = (config: Config.Config<OAuthClient.DiscoveryOptions | OAuthClient.Options>) =>
  Layer.unwrapEffect(Effect.map(config, (options) => (isDiscovery(options) ? layerDiscovery(options) : layer(options))))
