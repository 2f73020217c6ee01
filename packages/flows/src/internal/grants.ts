/** @internal */
import { AuthorizationRequest, AuthorizationResponse, TokenRequest } from "@oauth2/core"
import type { BackchannelAuthentication, BearerToken, DeviceAuthorization } from "@oauth2/core"
import { ClientError, OAuthClient } from "@oauth2/http"
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import * as Redacted from "effect/Redacted"
import type * as Grants from "../Grants.js"
import * as polling from "./polling.js"

const grantAttributes = (request: TokenRequest.TokenRequest): Record<string, string> => {
  const attributes: Record<string, string> = { "oauth2.grant_type": TokenRequest.grantTypeOf(request) }
  if ("scope" in request && request.scope !== undefined) attributes["oauth2.scope"] = request.scope
  return attributes
}

const spanName = (request: TokenRequest.TokenRequest): string => {
  switch (request._tag) {
    case "ClientCredentials":
      return "client_credentials"
    case "AuthorizationCode":
      return "authorization_code"
    case "RefreshToken":
      return "refresh_token"
    case "DeviceCode":
      return "device_code"
    case "Ciba":
      return "ciba"
    case "TokenExchange":
      return "token_exchange"
    case "JwtBearer":
      return "jwt_bearer"
    case "Password":
      return "password"
    case "Custom":
      return "custom"
  }
}

/** @internal */
export const token = (request: TokenRequest.TokenRequest, options?: OAuthClient.TokenOptions) =>
  Effect.flatMap(OAuthClient.OAuthClient, (client) => client.token(request, options)).pipe(
    Effect.withSpan(`oauth2.flows.${spanName(request)}`, { attributes: grantAttributes(request) })
  )

/** @internal */
export const clientCredentials = (options: Grants.ClientCredentialsOptions = {}) => token(TokenRequest.clientCredentials(options))

/** @internal */
export const password = (options: Grants.PasswordOptions) => token(TokenRequest.password(options))

/** @internal */
export const jwtBearer = (options: Grants.JwtBearerOptions) => token(TokenRequest.jwtBearer(options))

/** @internal */
export const custom = (grantType: string, params: TokenRequest.Extra = {}, options?: OAuthClient.TokenOptions) =>
  token(TokenRequest.custom(grantType, params), options)

/** @internal */
export const tokenExchange = (options: Grants.TokenExchangeOptions) =>
  Effect.flatMap(TokenRequest.tokenExchange(options), (request) => token(request))

/** @internal */
export const refreshToken = (options: Grants.RefreshTokenOptions) =>
  // the client keeps the refresh token used when the answer has no new one (RFC 6749 6)
  Effect.flatMap(TokenRequest.refreshToken(options), (request) => token(request))

/**
 * Validates the ID token of a token answer obtained outside the authorization code exchange (device, CIBA): with the
 * client's configuration, `at_hash` against the access token. A token without ID token is answered as is.
 */
const validatedIdToken = (client: OAuthClient.OAuthClient, options: Grants.PollOptions) => (token: BearerToken.BearerToken) =>
  token.idToken === undefined || options.validateIdToken === false
    ? Effect.succeed(token)
    : Effect.as(client.validateIdToken(token, { accessToken: token.accessToken, fromTokenEndpoint: true }), token)

/** @internal */
export const pollDeviceCode = (authorization: DeviceAuthorization.DeviceAuthorizationResponse, options: Grants.PollOptions = {}) =>
  Effect.flatMap(OAuthClient.OAuthClient, (client) =>
    client.token(TokenRequest.deviceCode({ deviceCode: authorization.deviceCode, extra: options.extra ?? {} })).pipe(
      polling.poll({
        interval: authorization.interval,
        expiresAt: authorization.expiresAt,
        ...(options.schedule === undefined ? {} : { schedule: options.schedule })
      }),
      Effect.flatMap(validatedIdToken(client, options))
    )
  ).pipe(Effect.withSpan("oauth2.flows.device_code", { attributes: { "oauth2.grant_type": TokenRequest.GrantType.deviceCode } }))

/** @internal */
export const deviceFlow = (options: Grants.DeviceFlowOptions = {}) =>
  Effect.gen(function* () {
    const client = yield* OAuthClient.OAuthClient
    const authorization = yield* client.deviceAuthorization({
      ...(options.scope === undefined ? {} : { scope: options.scope }),
      ...(options.resource === undefined ? {} : { resource: options.resource }),
      ...(options.extra === undefined ? {} : { extra: options.extra })
    })
    const flow: Grants.DeviceFlow = {
      authorization,
      token: Effect.provideService(pollDeviceCode(authorization, options.poll), OAuthClient.OAuthClient, client)
    }
    return flow
  }).pipe(Effect.withSpan("oauth2.flows.device_authorization"))

/** @internal */
export const pollCiba = (
  authentication: BackchannelAuthentication.BackchannelAuthenticationResponse,
  options: Grants.PollOptions & { readonly wakeUp?: Effect.Effect<void> } = {}
) =>
  Effect.flatMap(OAuthClient.OAuthClient, (client) =>
    client.token(TokenRequest.ciba({ authReqId: authentication.authReqId, extra: options.extra ?? {} })).pipe(
      polling.poll({
        interval: authentication.interval,
        expiresAt: authentication.expiresAt,
        ...(options.schedule === undefined ? {} : { schedule: options.schedule }),
        ...(options.wakeUp === undefined ? {} : { wakeUp: options.wakeUp })
      }),
      Effect.flatMap(validatedIdToken(client, options))
    )
  ).pipe(Effect.withSpan("oauth2.flows.ciba", { attributes: { "oauth2.grant_type": TokenRequest.GrantType.ciba } }))

/** Compares two strings in time independent of where they differ. */
const sameSecret = (a: string, b: string): boolean => {
  let diff = a.length ^ b.length
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0)
  return diff === 0
}

/** @internal */
export const cibaFlow = (options: Grants.CibaFlowOptions) =>
  Effect.gen(function* () {
    const client = yield* OAuthClient.OAuthClient
    const { poll, ...request } = options
    const authentication = yield* client.backchannelAuthentication(request)
    const pings = yield* Queue.sliding<void>(1)
    const expected = Redacted.value(authentication.authReqId)
    const flow: Grants.CibaFlow = {
      authentication,
      token: Effect.provideService(pollCiba(authentication, { ...poll, wakeUp: Queue.take(pings) }), OAuthClient.OAuthClient, client),
      notify: (authReqId) =>
        sameSecret(typeof authReqId === "string" ? authReqId : Redacted.value(authReqId), expected)
          ? Effect.as(Queue.offer(pings, undefined), true)
          : Effect.succeed(false)
    }
    return flow
  }).pipe(Effect.withSpan("oauth2.flows.backchannel_authentication"))

/** @internal */
export const authorizationCodeCallback = (
  request: AuthorizationRequest.PendingRequest,
  input: AuthorizationResponse.Input,
  options: OAuthClient.AuthorizationCodeOptions = {}
) =>
  Effect.gen(function* () {
    const client = yield* OAuthClient.OAuthClient
    // the client's validation: a JARM response is verified before the callback checks
    const response = yield* client.authorizationResponse(request, input)
    return yield* client.authorizationCode(response, options)
  }).pipe(Effect.withSpan("oauth2.flows.authorization_code"))

/** @internal */
export const authorizationCodeFlow = (options: Grants.AuthorizationCodeFlowOptions = {}) =>
  Effect.gen(function* () {
    const client = yield* OAuthClient.OAuthClient
    const authorizationEndpoint = client.endpoints.authorizationEndpoint
    if (authorizationEndpoint === undefined) return yield* Effect.fail(ClientError.endpointNotSupported("authorization"))
    const { pushed, requestObject, ...requestOptions } = options
    const issuer = client.endpoints.issuer
    const plain = yield* AuthorizationRequest.make({
      ...requestOptions,
      authorizationEndpoint,
      clientId: client.clientId,
      ...(issuer === undefined ? {} : { issuer }),
      ...(issuer !== undefined && client.metadata?.authorizationResponseIssParameterSupported === true
        ? { authorizationResponseIssParameterSupported: true }
        : {})
    })
    const signed = requestObject === undefined ? plain : yield* client.requestObject(plain, requestObject)
    const request: AuthorizationRequest.PendingRequest =
      pushed === true || (pushed === undefined && client.metadata?.requirePushedAuthorizationRequests === true)
        ? yield* client.pushedAuthorization(signed)
        : signed
    const flow: Grants.AuthorizationCodeFlow = {
      request,
      callback: (input, callbackOptions) =>
        Effect.provideService(authorizationCodeCallback(request, input, callbackOptions), OAuthClient.OAuthClient, client)
    }
    return flow
  }).pipe(Effect.withSpan("oauth2.flows.authorization_request"))
