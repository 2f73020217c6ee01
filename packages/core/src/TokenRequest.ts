/**
 * Token endpoint requests for every grant, as values, and their form parameters.
 *
 * Each grant has a constructor that takes camelCase options and a tagged model; {@link toParams} gives the wire
 * parameters. Scopes may be a string or a list; absent or empty parameters are not sent; `resource` and `audience`
 * may repeat; `extra` parameters are sent too, but may never redefine a reserved one: `grant_type`, a parameter of
 * the grant (`code`, `redirect_uri`, `refresh_token`, `scope`, ...) or a client authentication parameter
 * (`client_id`, `client_secret`, `client_assertion`, `client_assertion_type`). {@link params} refuses such a
 * collision with `InvalidArgument`; {@link toParams} never lets an extra parameter replace a reserved one. Client
 * authentication is not part of a token request: the transport adds it.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as BearerToken from "./BearerToken.js"
import * as IdToken from "./IdToken.js"
import type { InvalidArgument } from "./OAuthError.js"
import * as OAuthError from "./OAuthError.js"
import * as Params from "./Params.js"
import { buildParams, checkRedirectUri, clientAuthenticationParams } from "./internal/wire.js"

/**
 * Grant type identifiers.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.4
 * @see https://openid.net/specs/openid-client-initiated-backchannel-authentication-core-1_0.html#rfc.section.10.1
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2.1
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.1
 * @since 0.1.0
 * @category models
 */
export const GrantType = {
  clientCredentials: "client_credentials",
  authorizationCode: "authorization_code",
  refreshToken: "refresh_token",
  password: "password",
  deviceCode: "urn:ietf:params:oauth:grant-type:device_code",
  ciba: "urn:openid:params:grant-type:ciba",
  tokenExchange: "urn:ietf:params:oauth:grant-type:token-exchange",
  jwtBearer: "urn:ietf:params:oauth:grant-type:jwt-bearer"
} as const

/**
 * Additional parameters sent with a request. They may not redefine a reserved parameter (see {@link params}).
 *
 * @since 0.1.0
 * @category models
 */
export type Extra = Readonly<Record<string, Params.Input>>

/**
 * A secret given by the caller: plain text is wrapped in `Redacted` at once.
 *
 * @since 0.1.0
 * @category models
 */
export type Secret = string | Redacted.Redacted<string>

/**
 * One or several values (`resource`, `audience`, `scope`).
 *
 * @since 0.1.0
 * @category models
 */
export type OneOrMany = string | ReadonlyArray<string>

interface Base<Tag extends string> {
  readonly _tag: Tag
  readonly extra: Extra
}

/**
 * Client credentials grant.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4.2
 * @since 0.1.0
 * @category models
 */
export interface ClientCredentials extends Base<"ClientCredentials"> {
  readonly scope?: string
  readonly resource: ReadonlyArray<string>
  readonly audience: ReadonlyArray<string>
}

/**
 * Authorization code grant (code redemption).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.5
 * @since 0.1.0
 * @category models
 */
export interface AuthorizationCode extends Base<"AuthorizationCode"> {
  readonly code: Redacted.Redacted<string>
  readonly redirectUri?: string
  readonly codeVerifier?: Redacted.Redacted<string>
  readonly resource: ReadonlyArray<string>
}

/**
 * Refresh token grant.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @since 0.1.0
 * @category models
 */
export interface RefreshToken extends Base<"RefreshToken"> {
  readonly refreshToken: Redacted.Redacted<string>
  readonly scope?: string
  readonly resource: ReadonlyArray<string>
}

/**
 * Device code grant: the poll request of the device authorization flow.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.4
 * @since 0.1.0
 * @category models
 */
export interface DeviceCode extends Base<"DeviceCode"> {
  readonly deviceCode: Redacted.Redacted<string>
}

/**
 * CIBA grant: the poll request of a backchannel authentication.
 *
 * @see https://openid.net/specs/openid-client-initiated-backchannel-authentication-core-1_0.html#rfc.section.10.1
 * @since 0.1.0
 * @category models
 */
export interface Ciba extends Base<"Ciba"> {
  readonly authReqId: Redacted.Redacted<string>
}

/**
 * Token exchange grant, with token types already expanded to URNs.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2.1
 * @since 0.1.0
 * @category models
 */
export interface TokenExchange extends Base<"TokenExchange"> {
  readonly subjectToken: Redacted.Redacted<string>
  readonly subjectTokenType: string
  readonly actorToken?: Redacted.Redacted<string>
  readonly actorTokenType?: string
  readonly requestedTokenType?: string
  readonly scope?: string
  readonly resource: ReadonlyArray<string>
  readonly audience: ReadonlyArray<string>
}

/**
 * JWT bearer grant: a JWT assertion as authorization grant.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.1
 * @since 0.1.0
 * @category models
 */
export interface JwtBearer extends Base<"JwtBearer"> {
  readonly assertion: Redacted.Redacted<string>
  readonly scope?: string
  readonly resource: ReadonlyArray<string>
}

/**
 * Resource owner password credentials grant.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.3.2
 * @since 0.1.0
 * @category models
 */
export interface Password extends Base<"Password"> {
  readonly username: string
  readonly password: Redacted.Redacted<string>
  readonly scope?: string
  readonly resource: ReadonlyArray<string>
}

/**
 * Any other grant: a `grant_type` and arbitrary parameters.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.5
 * @since 0.1.0
 * @category models
 */
export interface Custom extends Base<"Custom"> {
  readonly grantType: string
}

/**
 * A token endpoint request.
 *
 * @since 0.1.0
 * @category models
 */
export type TokenRequest =
  | ClientCredentials
  | AuthorizationCode
  | RefreshToken
  | DeviceCode
  | Ciba
  | TokenExchange
  | JwtBearer
  | Password
  | Custom

const redact = (s: Secret): Redacted.Redacted<string> => (typeof s === "string" ? Redacted.make(s) : s)
const list = (v: OneOrMany | undefined): ReadonlyArray<string> =>
  v === undefined ? [] : (typeof v === "string" ? [v] : v).filter((s) => s.length > 0)
const withScope = (scope: OneOrMany | undefined): { readonly scope?: string } => {
  const s = Params.scope(scope)
  return s === undefined ? {} : { scope: s }
}

/**
 * Builds a client credentials request.
 *
 * @example
 * ```ts
 * import { Params, TokenRequest } from "@oauth2/core"
 *
 * const request = TokenRequest.clientCredentials({ scope: ["read", "write"], resource: "https://api.example.com" })
 * console.log(Params.encode(TokenRequest.toParams(request)))
 * // grant_type=client_credentials&scope=read+write&resource=https%3A%2F%2Fapi.example.com
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4.2
 * @since 0.1.0
 * @category constructors
 */
export const clientCredentials = (
  options: { readonly scope?: OneOrMany; readonly resource?: OneOrMany; readonly audience?: OneOrMany; readonly extra?: Extra } = {}
): ClientCredentials => ({
  _tag: "ClientCredentials",
  ...withScope(options.scope),
  resource: list(options.resource),
  audience: list(options.audience),
  extra: options.extra ?? {}
})

/**
 * Builds an authorization code redemption. `redirectUri` and `codeVerifier` must be those of the authorization
 * request.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 * @since 0.1.0
 * @category constructors
 */
export const authorizationCode = (options: {
  readonly code: Secret
  readonly redirectUri?: string
  readonly codeVerifier?: Secret
  readonly resource?: OneOrMany
  readonly extra?: Extra
}): AuthorizationCode => ({
  _tag: "AuthorizationCode",
  code: redact(options.code),
  ...(options.redirectUri === undefined ? {} : { redirectUri: options.redirectUri }),
  ...(options.codeVerifier === undefined ? {} : { codeVerifier: redact(options.codeVerifier) }),
  resource: list(options.resource),
  extra: options.extra ?? {}
})

/**
 * Builds a refresh request from a refresh token, or from a {@link BearerToken.BearerToken} that has one (an
 * `InvalidArgument` when it has none).
 *
 * @example
 * ```ts
 * import { TokenRequest } from "@oauth2/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const request = yield* TokenRequest.refreshToken({ refreshToken: "rt", scope: "read" })
 *   return TokenRequest.toParams(request)
 * })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @since 0.1.0
 * @category constructors
 */
export const refreshToken = (options: {
  readonly refreshToken: Secret | BearerToken.BearerToken
  readonly scope?: OneOrMany
  readonly resource?: OneOrMany
  readonly extra?: Extra
}): Either.Either<RefreshToken, InvalidArgument> => {
  const token = BearerToken.isBearerToken(options.refreshToken) ? options.refreshToken.refreshToken : redact(options.refreshToken)
  if (token === undefined || Redacted.value(token).length === 0) {
    return Either.left(OAuthError.invalidArgument("refreshToken", "no refresh token to use"))
  }
  return Either.right({
    _tag: "RefreshToken",
    refreshToken: token,
    ...withScope(options.scope),
    resource: list(options.resource),
    extra: options.extra ?? {}
  })
}

/**
 * Builds a device code poll request.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.4
 * @since 0.1.0
 * @category constructors
 */
export const deviceCode = (options: { readonly deviceCode: Secret; readonly extra?: Extra }): DeviceCode => ({
  _tag: "DeviceCode",
  deviceCode: redact(options.deviceCode),
  extra: options.extra ?? {}
})

/**
 * Builds a CIBA poll request.
 *
 * @see https://openid.net/specs/openid-client-initiated-backchannel-authentication-core-1_0.html#rfc.section.10.1
 * @since 0.1.0
 * @category constructors
 */
export const ciba = (options: { readonly authReqId: Secret; readonly extra?: Extra }): Ciba => ({
  _tag: "Ciba",
  authReqId: redact(options.authReqId),
  extra: options.extra ?? {}
})

/**
 * Short names of the token types of RFC 8693 section 3, and the URNs they stand for.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-3
 * @since 0.1.0
 * @category models
 */
export const TokenType = {
  access_token: "urn:ietf:params:oauth:token-type:access_token",
  refresh_token: "urn:ietf:params:oauth:token-type:refresh_token",
  id_token: "urn:ietf:params:oauth:token-type:id_token",
  jwt: "urn:ietf:params:oauth:token-type:jwt",
  saml1: "urn:ietf:params:oauth:token-type:saml1",
  saml2: "urn:ietf:params:oauth:token-type:saml2"
} as const

/**
 * A token type: a short name of {@link TokenType} or any absolute URI.
 *
 * @since 0.1.0
 * @category models
 */
export type TokenTypeInput = keyof typeof TokenType | (string & {})

/**
 * Expands a short token type name to its URN; an absolute URI passes unchanged; anything else is an
 * `InvalidArgument`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-3
 * @since 0.1.0
 * @category constructors
 */
export const expandTokenType = (argument: string, type: string): Either.Either<string, InvalidArgument> => {
  if (Object.hasOwn(TokenType, type)) return Either.right(TokenType[type as keyof typeof TokenType])
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(type)) return Either.right(type)
  return Either.left(
    OAuthError.invalidArgument(argument, `unknown token type '${type.slice(0, 64)}': use one of ${Object.keys(TokenType).join(", ")} or a URI`)
  )
}

/**
 * A token given to a token exchange: a raw value (its type must then be given), a {@link BearerToken.BearerToken}
 * (an access token, or its refresh or ID token when that type is asked for) or an {@link IdToken.IdToken}.
 *
 * @since 0.1.0
 * @category models
 */
export type ExchangedToken = Secret | BearerToken.BearerToken | IdToken.IdToken

const resolveToken = (
  argument: "subjectToken" | "actorToken",
  token: ExchangedToken,
  type: TokenTypeInput | undefined
): Either.Either<{ readonly token: Redacted.Redacted<string>; readonly type: string }, InvalidArgument> => {
  const typeArgument = argument === "subjectToken" ? "subjectTokenType" : "actorTokenType"
  if (type === undefined) {
    if (BearerToken.isBearerToken(token)) return Either.right({ token: token.accessToken, type: TokenType.access_token })
    if (IdToken.isIdToken(token)) return Either.right({ token: token.value, type: TokenType.id_token })
    return Either.left(
      OAuthError.invalidArgument(typeArgument, `cannot infer the type of a raw ${argument}: give ${typeArgument} or pass a BearerToken or an IdToken`)
    )
  }
  return Either.flatMap(expandTokenType(typeArgument, type), (urn) => {
    let value: Redacted.Redacted<string> | undefined
    if (BearerToken.isBearerToken(token)) {
      value = urn === TokenType.refresh_token ? token.refreshToken : urn === TokenType.id_token ? token.idToken : token.accessToken
    } else if (IdToken.isIdToken(token)) {
      value = token.value
    } else {
      value = redact(token)
    }
    return value === undefined || Redacted.value(value).length === 0
      ? Either.left(OAuthError.invalidArgument(argument, `the given token has no ${type}`))
      : Either.right({ token: value, type: urn })
  })
}

/**
 * Builds a token exchange request. Token types may be short names (`access_token`, `refresh_token`, `id_token`,
 * `jwt`, `saml1`, `saml2`) or URIs; when absent they are inferred from a `BearerToken` (an access token) or an
 * `IdToken` (an ID token). A raw token without a type, an unknown short name or an actor token type without an actor
 * token is an `InvalidArgument`.
 *
 * @example
 * ```ts
 * import { IdToken, TokenRequest } from "@oauth2/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const request = yield* TokenRequest.tokenExchange({
 *     subjectToken: IdToken.make("eyJhbGciOiJSUzI1NiJ9.e30.c2ln"), // subject_token_type inferred: id_token
 *     requestedTokenType: "access_token",
 *     audience: "https://api.example.com"
 *   })
 *   return TokenRequest.toParams(request)
 * })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2.1
 * @since 0.1.0
 * @category constructors
 */
export const tokenExchange = (options: {
  readonly subjectToken: ExchangedToken
  readonly subjectTokenType?: TokenTypeInput
  readonly actorToken?: ExchangedToken
  readonly actorTokenType?: TokenTypeInput
  readonly requestedTokenType?: TokenTypeInput
  readonly scope?: OneOrMany
  readonly resource?: OneOrMany
  readonly audience?: OneOrMany
  readonly extra?: Extra
}): Either.Either<TokenExchange, InvalidArgument> =>
  Either.gen(function* () {
    const subject = yield* resolveToken("subjectToken", options.subjectToken, options.subjectTokenType)
    if (options.actorToken === undefined && options.actorTokenType !== undefined) {
      return yield* Either.left(OAuthError.invalidArgument("actorTokenType", "given without an actorToken"))
    }
    const actor = options.actorToken === undefined ? undefined : yield* resolveToken("actorToken", options.actorToken, options.actorTokenType)
    const requested =
      options.requestedTokenType === undefined ? undefined : yield* expandTokenType("requestedTokenType", options.requestedTokenType)
    return {
      _tag: "TokenExchange" as const,
      subjectToken: subject.token,
      subjectTokenType: subject.type,
      ...(actor === undefined ? {} : { actorToken: actor.token, actorTokenType: actor.type }),
      ...(requested === undefined ? {} : { requestedTokenType: requested }),
      ...withScope(options.scope),
      resource: list(options.resource),
      audience: list(options.audience),
      extra: options.extra ?? {}
    }
  })

/**
 * Builds a JWT bearer grant request from an assertion (signed by the caller).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.1
 * @since 0.1.0
 * @category constructors
 */
export const jwtBearer = (options: {
  readonly assertion: Secret
  readonly scope?: OneOrMany
  readonly resource?: OneOrMany
  readonly extra?: Extra
}): JwtBearer => ({
  _tag: "JwtBearer",
  assertion: redact(options.assertion),
  ...withScope(options.scope),
  resource: list(options.resource),
  extra: options.extra ?? {}
})

/**
 * Builds a resource owner password credentials request.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.3.2
 * @since 0.1.0
 * @category constructors
 */
export const password = (options: {
  readonly username: string
  readonly password: Secret
  readonly scope?: OneOrMany
  readonly resource?: OneOrMany
  readonly extra?: Extra
}): Password => ({
  _tag: "Password",
  username: options.username,
  password: redact(options.password),
  ...withScope(options.scope),
  resource: list(options.resource),
  extra: options.extra ?? {}
})

/**
 * Builds a request for any other grant type with arbitrary parameters.
 *
 * @example
 * ```ts
 * import { TokenRequest } from "@oauth2/core"
 *
 * const request = TokenRequest.custom("urn:example:grant", { ticket: "t-123", audience: ["a", "b"] })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.5
 * @since 0.1.0
 * @category constructors
 */
export const custom = (grantType: string, params: Extra = {}): Custom => ({ _tag: "Custom", grantType, extra: params })

/**
 * The `grant_type` of a request.
 *
 * @since 0.1.0
 * @category getters
 */
export const grantTypeOf = (self: TokenRequest): string => {
  switch (self._tag) {
    case "ClientCredentials":
      return GrantType.clientCredentials
    case "AuthorizationCode":
      return GrantType.authorizationCode
    case "RefreshToken":
      return GrantType.refreshToken
    case "DeviceCode":
      return GrantType.deviceCode
    case "Ciba":
      return GrantType.ciba
    case "TokenExchange":
      return GrantType.tokenExchange
    case "JwtBearer":
      return GrantType.jwtBearer
    case "Password":
      return GrantType.password
    case "Custom":
      return self.grantType
  }
}

/**
 * Whether sending the same request again is harmless (client credentials, password): such a request may be retried
 * after a transient failure, and a token source may fall back to it when a refresh fails. A code, refresh token,
 * device code or CIBA poll is single-use or state-changing and is never retried once a response arrived.
 *
 * @since 0.1.0
 * @category guards
 */
export const isRepeatable = (self: TokenRequest): boolean => self._tag === "ClientCredentials" || self._tag === "Password"

/**
 * The form parameters of a request (without client authentication). Secrets stay `Redacted` until encoded. An
 * `extra` parameter that would redefine a reserved one (`grant_type`, a parameter of the grant, a client
 * authentication parameter) is never sent; {@link params} refuses it instead, and is the one to use when building a
 * request to send.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#appendix-B
 * @since 0.1.0
 * @category encoding
 */
export const toParams = (self: TokenRequest): Params.Params => {
  const standard = standardParams(self)
  const extra: Record<string, Params.Input> = {}
  for (const [name, value] of Object.entries(self.extra)) {
    if (!Object.hasOwn(standard, name) && !clientAuthenticationParams.has(name)) {
      Object.defineProperty(extra, name, { value, enumerable: true, writable: true, configurable: true })
    }
  }
  return Params.concat(Params.make(standard), Params.make(extra))
}

/**
 * The form parameters of a request (without client authentication), checked: an `extra` parameter that redefines
 * `grant_type`, a parameter of the grant or a client authentication parameter is an `InvalidArgument` (argument
 * `extra.<name>`), and so is an authorization code redemption whose `redirectUri` breaks the redirect URI policy
 * (https, http on a loopback host, or a private-use scheme such as `com.example.app:/cb`). Gives the same parameters
 * as {@link toParams} otherwise.
 *
 * @example
 * ```ts
 * import { TokenRequest } from "@oauth2/core"
 * import { Either } from "effect"
 *
 * const refused = TokenRequest.params(TokenRequest.clientCredentials({ extra: { grant_type: "password" } }))
 * console.log(Either.isLeft(refused)) // true: extra.grant_type redefines a reserved parameter
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7
 * @since 0.1.0
 * @category encoding
 */
export const params = (self: TokenRequest): Either.Either<Params.Params, InvalidArgument> => {
  if (self._tag === "AuthorizationCode" && self.redirectUri !== undefined) {
    const checked = checkRedirectUri("redirectUri", self.redirectUri)
    if (Either.isLeft(checked)) return Either.left(checked.left)
  }
  return buildParams(standardParams(self), self.extra)
}

/** `grant_type` and the parameters of the grant, each present (possibly `undefined`), in wire order. */
const standardParams = (self: TokenRequest): Record<string, Params.Input> => {
  const grant_type = grantTypeOf(self)
  const own: Record<string, Params.Input> = (() => {
    switch (self._tag) {
      case "ClientCredentials":
        return { scope: self.scope, resource: self.resource, audience: self.audience }
      case "AuthorizationCode":
        return { code: self.code, redirect_uri: self.redirectUri, code_verifier: self.codeVerifier, resource: self.resource }
      case "RefreshToken":
        return { refresh_token: self.refreshToken, scope: self.scope, resource: self.resource }
      case "DeviceCode":
        return { device_code: self.deviceCode }
      case "Ciba":
        return { auth_req_id: self.authReqId }
      case "TokenExchange":
        return {
          subject_token: self.subjectToken,
          subject_token_type: self.subjectTokenType,
          actor_token: self.actorToken,
          actor_token_type: self.actorTokenType,
          requested_token_type: self.requestedTokenType,
          scope: self.scope,
          resource: self.resource,
          audience: self.audience
        }
      case "JwtBearer":
        return { assertion: self.assertion, scope: self.scope, resource: self.resource }
      case "Password":
        return { username: self.username, password: self.password, scope: self.scope, resource: self.resource }
      case "Custom":
        return {}
    }
  })()
  return { grant_type, ...own }
}
