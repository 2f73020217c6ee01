/**
 * Every OAuth 2.x grant as an Effect program over the client service (`OAuthClient.OAuthClient` of `@oauth2/http`).
 *
 * Single-request grants (client credentials, refresh token, password, token exchange, JWT bearer, any custom grant)
 * are one function each, taking the same options as the `TokenRequest` constructors of `@oauth2/core`: `scope`,
 * `resource`, `audience` and any `extra` parameter pass through to the token endpoint.
 *
 * The authorization code grant is two steps: {@link authorizationCodeFlow} builds the request to send the user to,
 * and its `callback` (or {@link authorizationCodeCallback}) validates the answer and redeems the code.
 *
 * Grants where the user answers on another device are two steps: {@link deviceFlow} and {@link cibaFlow} start the
 * authorization and return what to show the user together with a `token` effect that polls (see `Polling`) until
 * the user answers. Each program is one traced span (`oauth2.flows.<grant>`), without secrets in its attributes.
 *
 * @since 0.1.0
 */
import type {
  AuthorizationRequest,
  AuthorizationResponse,
  BackchannelAuthentication,
  BearerToken,
  DeviceAuthorization,
  IdToken,
  Jwt,
  OAuthError,
  Params,
  TokenRequest
} from "@oauth2/core"
import type { ClientError, OAuthClient } from "@oauth2/http"
import type * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import * as internal from "./internal/grants.js"
import type * as Polling from "./Polling.js"

/**
 * What a token request may fail with: the token endpoint's error codes, `UnexpectedResponse`, transport failures,
 * `InvalidArgument`, `EndpointNotSupported`, client authentication failures.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @since 0.1.0
 * @category errors
 */
export type TokenError = OAuthClient.CallError<"token">

/**
 * What polling for a token may fail with: a {@link TokenError} other than `authorization_pending` and `slow_down`
 * (`AccessDenied`, `ExpiredToken`, ...), giving up (`PollingExpired`, `PollingStopped`), or an ID token in the
 * answer that fails validation (`InvalidIdToken`; `InvalidConfiguration` when the client has no issuer to check it
 * against; the JWKS fetch's errors).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 * @since 0.1.0
 * @category errors
 */
export type PollError =
  | Exclude<TokenError, Polling.Waiting>
  | Polling.PollingExpired
  | Polling.PollingStopped
  | IdToken.InvalidIdToken
  | ClientError.InvalidConfiguration
  | OAuthClient.JwksError

/**
 * Options of {@link clientCredentials}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4.2
 * @since 0.1.0
 * @category models
 */
export type ClientCredentialsOptions = NonNullable<Parameters<typeof TokenRequest.clientCredentials>[0]>

/**
 * Options of {@link refreshToken}: a refresh token, or a `BearerToken` that has one.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @since 0.1.0
 * @category models
 */
export type RefreshTokenOptions = Parameters<typeof TokenRequest.refreshToken>[0]

/**
 * Options of {@link password}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.3.2
 * @since 0.1.0
 * @category models
 */
export type PasswordOptions = Parameters<typeof TokenRequest.password>[0]

/**
 * Options of {@link tokenExchange}: token types may be short names and are inferred from a `BearerToken` or an
 * `IdToken`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2.1
 * @since 0.1.0
 * @category models
 */
export type TokenExchangeOptions = Parameters<typeof TokenRequest.tokenExchange>[0]

/**
 * Options of {@link jwtBearer}: a JWT assertion signed by the caller.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.1
 * @since 0.1.0
 * @category models
 */
export type JwtBearerOptions = Parameters<typeof TokenRequest.jwtBearer>[0]

/**
 * Sends any token request and decodes the answer.
 *
 *
 * @example
 * ```ts
 * import { TokenRequest } from "@oauth2/core"
 * import { Grants } from "@oauth2/flows"
 *
 * // token exchange may answer token_type N_A: accept any type
 * const program = Grants.token(TokenRequest.custom("urn:example:grant", { ticket: "t-1" }), { tokenType: null })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5
 * @since 0.1.0
 * @category constructors
 */
export const token: (
  request: TokenRequest.TokenRequest,
  options?: OAuthClient.TokenOptions
) => Effect.Effect<BearerToken.BearerToken, TokenError, OAuthClient.OAuthClient> = internal.token

/**
 * The client credentials grant: a token for the client itself.
 *
 * @example
 * ```ts
 * import { Grants } from "@oauth2/flows"
 * import { OAuthClient, Transport } from "@oauth2/http"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * const ClientLive = OAuthClient.layer({
 *   clientId: "my-client",
 *   clientSecret: Redacted.make("my-secret"),
 *   endpoints: { tokenEndpoint: "https://as.example.com/oauth/token" }
 * }).pipe(Layer.provide(Transport.layerFetch()))
 *
 * const program = Grants.clientCredentials({ scope: ["read", "write"], audience: "https://api.example.com" }).pipe(
 *   Effect.provide(ClientLive)
 * )
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 * @since 0.1.0
 * @category constructors
 */
export const clientCredentials: (options?: ClientCredentialsOptions) => Effect.Effect<BearerToken.BearerToken, TokenError, OAuthClient.OAuthClient> =
  internal.clientCredentials

/**
 * The refresh token grant. When the answer has no new refresh token, the result keeps the one used (RFC 6749
 * section 6): keep the returned token and refresh it again later.
 *
 * @example
 * ```ts
 * import type { BearerToken } from "@oauth2/core"
 * import { Grants } from "@oauth2/flows"
 *
 * const renew = (token: BearerToken.BearerToken) => Grants.refreshToken({ refreshToken: token, scope: "read" })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @since 0.1.0
 * @category constructors
 */
export const refreshToken: (options: RefreshTokenOptions) => Effect.Effect<BearerToken.BearerToken, TokenError, OAuthClient.OAuthClient> =
  internal.refreshToken

/**
 * The resource owner password credentials grant (deprecated by OAuth 2.1; for legacy systems only).
 *
 *
 * @example
 * ```ts
 * import { Grants } from "@oauth2/flows"
 * import { Redacted } from "effect"
 *
 * const program = Grants.password({ username: "alice", password: Redacted.make("s3cret"), scope: "read" })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.3
 * @since 0.1.0
 * @category constructors
 */
export const password: (options: PasswordOptions) => Effect.Effect<BearerToken.BearerToken, TokenError, OAuthClient.OAuthClient> = internal.password

/**
 * The token exchange grant. The answer's `token_type` is not required to be `Bearer` (it may be `N_A`), and its
 * `issued_token_type` is kept.
 *
 * @example
 * ```ts
 * import type { BearerToken } from "@oauth2/core"
 * import { Grants } from "@oauth2/flows"
 *
 * // subject_token_type inferred from the BearerToken: access_token
 * const exchange = (userToken: BearerToken.BearerToken) =>
 *   Grants.tokenExchange({ subjectToken: userToken, audience: "https://backend.example.com" })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2.1
 * @since 0.1.0
 * @category constructors
 */
export const tokenExchange: (options: TokenExchangeOptions) => Effect.Effect<BearerToken.BearerToken, TokenError, OAuthClient.OAuthClient> =
  internal.tokenExchange

/**
 * The JWT bearer grant: a JWT assertion (signed by the caller, with a fresh `jti` and a short `exp`) as authorization
 * grant. Sign a new assertion for every request: servers refuse a replayed `jti`.
 *
 *
 * @example
 * ```ts
 * import { Grants, TokenSource } from "@oauth2/flows"
 * import { Effect } from "effect"
 *
 * declare const signAssertion: Effect.Effect<string> // signs { iss, sub, aud, exp, jti } with your key
 *
 * // a token source whose every renewal presents a freshly signed assertion
 * const source = TokenSource.make({
 *   grant: TokenSource.repeatable(Effect.flatMap(signAssertion, (assertion) => Grants.jwtBearer({ assertion, scope: "read" })))
 * })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.1
 * @since 0.1.0
 * @category constructors
 */
export const jwtBearer: (options: JwtBearerOptions) => Effect.Effect<BearerToken.BearerToken, TokenError, OAuthClient.OAuthClient> =
  internal.jwtBearer

/**
 * Any other grant: a `grant_type` and its parameters.
 *
 * @example
 * ```ts
 * import { Grants } from "@oauth2/flows"
 *
 * const program = Grants.custom("urn:example:params:grant-type:ticket", { ticket: "t-123", audience: "api" })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.5
 * @since 0.1.0
 * @category constructors
 */
export const custom: (
  grantType: string,
  params?: TokenRequest.Extra,
  options?: OAuthClient.TokenOptions
) => Effect.Effect<BearerToken.BearerToken, TokenError, OAuthClient.OAuthClient> = internal.custom

/**
 * Options of the polling step of a device or CIBA flow.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 * @since 0.1.0
 * @category models
 */
export interface PollOptions {
  /** The waits between polls; `Polling.schedule` with the server's interval by default. */
  readonly schedule?: Polling.ScheduleOption
  /** More parameters for each token (poll) request. */
  readonly extra?: TokenRequest.Extra
  /**
   * Validate the ID token of the answer, when it has one (signature against the server's keys, issuer, audience,
   * `iat`/`exp`, `at_hash`): `true` by default. `false` answers it unchecked: only for a client that never reads
   * the ID token's claims.
   */
  readonly validateIdToken?: boolean
}

/**
 * Options of {@link deviceFlow}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.1
 * @since 0.1.0
 * @category models
 */
export interface DeviceFlowOptions {
  readonly scope?: string | ReadonlyArray<string>
  /** Resource indicators (RFC 8707). */
  readonly resource?: string | ReadonlyArray<string>
  /** More parameters for the device authorization request (e.g. `audience`). */
  readonly extra?: Readonly<Record<string, Params.Input>>
  /** How to poll. */
  readonly poll?: PollOptions
}

/**
 * A started device authorization: show `authorization.userCode` and `authorization.verificationUri` (or
 * `verificationUriComplete`) to the user, then run `token`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.3
 * @since 0.1.0
 * @category models
 */
export interface DeviceFlow {
  readonly authorization: DeviceAuthorization.DeviceAuthorizationResponse
  /**
   * Polls the token endpoint until the user answers. A device code is single-use: run it once (or share it with
   * `Effect.cached`).
   */
  readonly token: Effect.Effect<BearerToken.BearerToken, PollError>
}

/**
 * The device authorization grant: asks the device authorization endpoint for codes, and returns them with the
 * polling program.
 *
 * @example
 * ```ts
 * import { Grants } from "@oauth2/flows"
 * import { Console, Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const flow = yield* Grants.deviceFlow({ scope: "openid offline_access" })
 *   yield* Console.log(`Open ${flow.authorization.verificationUri} and enter ${flow.authorization.userCode}`)
 *   return yield* flow.token // waits the server's interval between polls, slows down when asked
 * }).pipe(
 *   Effect.catchTags({
 *     AccessDenied: () => Effect.fail("you said no" as const),
 *     PollingExpired: () => Effect.fail("too late: start again" as const)
 *   })
 * )
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3
 * @since 0.1.0
 * @category constructors
 */
export const deviceFlow: (
  options?: DeviceFlowOptions
) => Effect.Effect<DeviceFlow, OAuthClient.CallError<"device_authorization">, OAuthClient.OAuthClient> = internal.deviceFlow

/**
 * Polls for the token of a device authorization obtained earlier (e.g. restored from storage).
 *
 *
 * @example
 * ```ts
 * import type { DeviceAuthorization } from "@oauth2/core"
 * import { Grants, Polling } from "@oauth2/flows"
 *
 * // resume polling with a faster schedule for a local test server (never poll faster than a real server allows)
 * const resume = (authorization: DeviceAuthorization.DeviceAuthorizationResponse) =>
 *   Grants.pollDeviceCode(authorization, { schedule: Polling.schedule({ interval: "1 second" }) })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.4
 * @since 0.1.0
 * @category constructors
 */
export const pollDeviceCode: (
  authorization: DeviceAuthorization.DeviceAuthorizationResponse,
  options?: PollOptions
) => Effect.Effect<BearerToken.BearerToken, PollError, OAuthClient.OAuthClient> = internal.pollDeviceCode

/**
 * Options of {@link cibaFlow}: the backchannel authentication request (scope with `openid`, one hint, binding
 * message, ...) and how to poll.
 *
 * @see https://openid.net/specs/openid-client-initiated-backchannel-authentication-core-1_0.html#rfc.section.7.1
 * @since 0.1.0
 * @category models
 */
export interface CibaFlowOptions extends BackchannelAuthentication.BackchannelAuthenticationRequest {
  readonly poll?: PollOptions
}

/**
 * A started CIBA authentication: run `token` to poll until the user answers on their device.
 *
 * @see https://openid.net/specs/openid-client-initiated-backchannel-authentication-core-1_0.html#rfc.section.7.3
 * @since 0.1.0
 * @category models
 */
export interface CibaFlow {
  readonly authentication: BackchannelAuthentication.BackchannelAuthenticationResponse
  /** Polls the token endpoint until the user answers. Run it once. */
  readonly token: Effect.Effect<BearerToken.BearerToken, PollError>
  /**
   * The ping mode hook: call it with the `auth_req_id` of a ping notification received at the client notification
   * endpoint (after checking its bearer `client_notification_token`). When it is this flow's, the current wait is cut
   * short and the token is requested at once; answers whether it was.
   *
   * @see https://openid.net/specs/openid-client-initiated-backchannel-authentication-core-1_0.html#rfc.section.10.2
   */
  readonly notify: (authReqId: string | Redacted.Redacted<string>) => Effect.Effect<boolean>
}

/**
 * Client-Initiated Backchannel Authentication, poll mode (and ping mode with `notify`): sends the authentication
 * request and returns the acknowledgement with the polling program.
 *
 * @example
 * ```ts
 * import { Grants } from "@oauth2/flows"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const flow = yield* Grants.cibaFlow({ scope: "openid email", loginHint: "alice@example.com", bindingMessage: "W4SCT" })
 *   return yield* flow.token
 * })
 * ```
 *
 * @see https://openid.net/specs/openid-client-initiated-backchannel-authentication-core-1_0.html#rfc.section.7
 * @since 0.1.0
 * @category constructors
 */
export const cibaFlow: (
  options: CibaFlowOptions
) => Effect.Effect<CibaFlow, OAuthClient.CallError<"backchannel_authentication">, OAuthClient.OAuthClient> = internal.cibaFlow

/**
 * Polls for the token of a CIBA authentication obtained earlier.
 *
 * @see https://openid.net/specs/openid-client-initiated-backchannel-authentication-core-1_0.html#rfc.section.10.1
 * @since 0.1.0
 * @category constructors
 */
export const pollCiba: (
  authentication: BackchannelAuthentication.BackchannelAuthenticationResponse,
  options?: PollOptions & { readonly wakeUp?: Effect.Effect<void> }
) => Effect.Effect<BearerToken.BearerToken, PollError, OAuthClient.OAuthClient> = internal.pollCiba

/**
 * Options of {@link authorizationCodeFlow}: the authorization request's options (scope, state, nonce, PKCE,
 * max_age, acr_values, prompt, claims, resource, ...; the endpoint, client id and issuer come from the client), and
 * how to send it: pushed (PAR; by default when the server requires it) and/or as a signed request object (JAR).
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthorizationCodeFlowOptions extends Omit<
  AuthorizationRequest.Options,
  "authorizationEndpoint" | "clientId" | "issuer" | "authorizationResponseIssParameterSupported"
> {
  /** Push the request (RFC 9126) and send the user with a `request_uri`. */
  readonly pushed?: boolean
  /** Sign (and optionally encrypt) the request into a request object (RFC 9101). */
  readonly requestObject?: OAuthClient.RequestObjectOptions
}

/**
 * A started authorization code flow: send the user to `request.url` (keep `AuthorizationRequest.serialize(request)`
 * in the session), then give the callback to `callback`.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthorizationCodeFlow {
  readonly request: AuthorizationRequest.PendingRequest
  /**
   * Validates the callback (iss, state, error, code), exchanges the code (with the PKCE verifier) and validates the
   * ID token against the request (nonce, max_age, acr, at_hash, c_hash).
   */
  readonly callback: (
    input: AuthorizationResponse.Input,
    options?: OAuthClient.AuthorizationCodeOptions
  ) => Effect.Effect<OAuthClient.ValidatedToken, AuthorizationCodeError>
}

/**
 * What the callback of an authorization code flow may fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type AuthorizationCodeError =
  | AuthorizationResponse.CallbackError
  | OAuthError.ErrorOf<"authorization">
  | OAuthClient.CallError<"token">
  | IdToken.InvalidIdToken
  | ClientError.InvalidConfiguration
  /** a JARM response (`response_mode=jwt`, ...) whose JWT failed verification */
  | Jwt.InvalidJwt
  | OAuthClient.JwksError

/**
 * The authorization code grant with PKCE, state and nonce (OpenID Connect when the scope has `openid`): builds the
 * authorization request from the client's endpoints (pushing and/or signing it when asked), and returns it with the
 * callback program.
 *
 * @example
 * ```ts
 * import { AuthorizationRequest } from "@oauth2/core"
 * import { Grants } from "@oauth2/flows"
 * import { Effect } from "effect"
 *
 * const login = Effect.gen(function* () {
 *   const flow = yield* Grants.authorizationCodeFlow({ redirectUri: "https://app.example.com/cb", scope: "openid email", maxAge: 3600 })
 *   return { redirectTo: flow.request.url, session: AuthorizationRequest.serialize(flow.request) }
 * })
 *
 * // later, on https://app.example.com/cb?code=...&state=...&iss=...
 * const callback = (session: string, callbackUrl: string) =>
 *   Effect.gen(function* () {
 *     const request = yield* AuthorizationRequest.restore(session)
 *     const { token, idToken } = yield* Grants.authorizationCodeCallback(request, callbackUrl)
 *     return { token, user: idToken?.sub }
 *   })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1
 * @see https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth
 * @since 0.1.0
 * @category constructors
 */
export const authorizationCodeFlow: (
  options?: AuthorizationCodeFlowOptions
) => Effect.Effect<
  AuthorizationCodeFlow,
  | OAuthError.InvalidArgument
  | ClientError.EndpointNotSupported
  | ClientError.InvalidConfiguration
  | OAuthClient.JwksError
  | OAuthClient.CallError<"pushed_authorization">,
  OAuthClient.OAuthClient
> = internal.authorizationCodeFlow

/**
 * The callback half of the authorization code flow, for a pending request restored from the session.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @since 0.1.0
 * @category constructors
 */
export const authorizationCodeCallback: (
  request: AuthorizationRequest.PendingRequest,
  input: AuthorizationResponse.Input,
  options?: OAuthClient.AuthorizationCodeOptions
) => Effect.Effect<OAuthClient.ValidatedToken, AuthorizationCodeError, OAuthClient.OAuthClient> = internal.authorizationCodeCallback
