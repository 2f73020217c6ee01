/** @internal */
import {
  AuthorizationRequest,
  BackchannelAuthentication,
  BearerToken,
  DeviceAuthorization,
  Introspection,
  OAuthError,
  PushedAuthorization,
  Revocation,
  ServerMetadata,
  TokenRequest,
  UserInfo
} from "@oauth2/core"
import type { Params } from "@oauth2/core"
import { Config, Context, DateTime, Duration, Effect, Either, Layer, Option, Redacted } from "effect"
import * as ClientAuth from "../ClientAuth.js"
import type * as OAuthClient from "../OAuthClient.js"
import * as Transport from "../Transport.js"
import * as TransportError from "../TransportError.js"
import { jwksCache } from "./jwks.js"

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
    const post = <E extends keyof typeof endpointFields>(endpoint: E, params: Params.Params, retry: boolean) =>
      Effect.gen(function* () {
        const url = yield* urlOf(endpoint)
        const authenticated = yield* auth.authenticate({
          url,
          endpoint,
          params,
          headers: {},
          ...(issuer === undefined ? {} : { issuer })
        })
        return yield* transport.send({
          endpoint,
          method: "POST",
          url,
          params: authenticated.params,
          headers: authenticated.headers,
          retry
        })
      })

    const jsonBody = (endpoint: Endpoint, response: Transport.Response) => Transport.json(endpoint, response)
    const contextOf = (response: Transport.Response) => ({
      status: response.status,
      ...(response.contentType === undefined ? {} : { contentType: response.contentType })
    })

    const token = (request: TokenRequest.TokenRequest, tokenOptions: OAuthClient.TokenOptions = {}) =>
      Effect.gen(function* () {
        const response = yield* post("token", TokenRequest.toParams(request), TokenRequest.isRepeatable(request))
        const body = yield* jsonBody("token", response)
        const now = yield* DateTime.now
        return yield* BearerToken.decodeAt(body, now, {
          tokenType: tokenOptions.tokenType !== undefined ? tokenOptions.tokenType : request._tag === "TokenExchange" ? null : "bearer",
          context: contextOf(response)
        })
      })

    const revoke = (request: Revocation.RevocationRequest) =>
      Effect.gen(function* () {
        const params = yield* Revocation.params(request)
        yield* post("revocation", params, true)
      })

    const introspect = (request: Introspection.IntrospectionRequest) =>
      Effect.gen(function* () {
        const params = yield* Introspection.params(request)
        const response = yield* post("introspection", params, true)
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
          retry: true
        })
        if (response.contentType === "application/jwt") {
          return yield* Effect.fail(
            OAuthError.unexpectedResponse("userinfo", "a signed (JWT) UserInfo answer needs ID token validation, which this client does not do yet", "", contextOf(response))
          )
        }
        const info = yield* UserInfo.decode(yield* jsonBody("userinfo", response), contextOf(response))
        return userinfoOptions.subject === undefined ? info : yield* UserInfo.checkSubject(info, userinfoOptions.subject)
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

    const backchannelAuthentication = (request: BackchannelAuthentication.BackchannelAuthenticationRequest) =>
      Effect.gen(function* () {
        const params = yield* BackchannelAuthentication.params(request)
        const response = yield* post("backchannel_authentication", params, false)
        return yield* BackchannelAuthentication.decode(yield* jsonBody("backchannel_authentication", response), contextOf(response))
      })

    const jwks = yield* jwksCache({
      url: endpoints.jwksUri,
      cooldown: Duration.decode(options.jwksCooldown ?? Duration.seconds(30)),
      fetch: (url) =>
        Effect.flatMap(transport.send({ endpoint: "jwks", method: "GET", url, retry: true, accept: "application/jwk-set+json, application/json" }), (response) =>
          Either.map(jsonBody("jwks", response), (body) => ({ body, context: contextOf(response) }))
        )
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
      jwks
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
      Effect.mapError(c, (e) => TransportError.invalidConfiguration("config", String(e))),
      (options) => ("kind" in options && options.issuer !== undefined ? makeDiscovered(options as OAuthClient.DiscoveryOptions) : make(options))
    )
  )
