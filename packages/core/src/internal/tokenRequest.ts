/** @internal */
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as BearerToken from "../BearerToken.js"
import * as IdToken from "../IdToken.js"
import type { InvalidArgument } from "../OAuthError.js"
import * as OAuthError from "../OAuthError.js"
import * as Params from "../Params.js"
import type {
  AuthorizationCode,
  AuthorizationCodeOptions,
  Ciba,
  CibaOptions,
  ClientCredentials,
  ClientCredentialsOptions,
  Custom,
  DeviceCode,
  DeviceCodeOptions,
  ExchangedToken,
  Extra,
  JwtBearer,
  JwtBearerOptions,
  OneOrMany,
  Password,
  PasswordOptions,
  RefreshToken,
  RefreshTokenOptions,
  Secret,
  TokenExchange,
  TokenExchangeOptions,
  TokenRequest,
  TokenTypeInput
} from "../TokenRequest.js"
import { buildParams, checkRedirectUri, clientAuthenticationParams } from "./wire.js"

/** @internal */
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

/** @internal */
export const TokenType = {
  access_token: "urn:ietf:params:oauth:token-type:access_token",
  refresh_token: "urn:ietf:params:oauth:token-type:refresh_token",
  id_token: "urn:ietf:params:oauth:token-type:id_token",
  jwt: "urn:ietf:params:oauth:token-type:jwt",
  saml1: "urn:ietf:params:oauth:token-type:saml1",
  saml2: "urn:ietf:params:oauth:token-type:saml2"
} as const

const redact = (s: Secret): Redacted.Redacted<string> => (typeof s === "string" ? Redacted.make(s) : s)
const list = (v: OneOrMany | undefined): ReadonlyArray<string> =>
  v === undefined ? [] : (typeof v === "string" ? [v] : v).filter((s) => s.length > 0)
const withScope = (scope: OneOrMany | undefined): { readonly scope?: string } => {
  const s = Params.scope(scope)
  return s === undefined ? {} : { scope: s }
}

/** @internal */
export const clientCredentials = (options: ClientCredentialsOptions = {}): ClientCredentials => ({
  _tag: "ClientCredentials",
  ...withScope(options.scope),
  resource: list(options.resource),
  audience: list(options.audience),
  extra: options.extra ?? {}
})

/** @internal */
export const authorizationCode = (options: AuthorizationCodeOptions): AuthorizationCode => ({
  _tag: "AuthorizationCode",
  code: redact(options.code),
  ...(options.redirectUri === undefined ? {} : { redirectUri: options.redirectUri }),
  ...(options.codeVerifier === undefined ? {} : { codeVerifier: redact(options.codeVerifier) }),
  resource: list(options.resource),
  extra: options.extra ?? {}
})

/** @internal */
export const refreshToken = (options: RefreshTokenOptions): Either.Either<RefreshToken, InvalidArgument> => {
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

/** @internal */
export const deviceCode = (options: DeviceCodeOptions): DeviceCode => ({
  _tag: "DeviceCode",
  deviceCode: redact(options.deviceCode),
  extra: options.extra ?? {}
})

/** @internal */
export const ciba = (options: CibaOptions): Ciba => ({
  _tag: "Ciba",
  authReqId: redact(options.authReqId),
  extra: options.extra ?? {}
})

/** @internal */
export const expandTokenType = (argument: string, type: string): Either.Either<string, InvalidArgument> => {
  if (Object.hasOwn(TokenType, type)) return Either.right(TokenType[type as keyof typeof TokenType])
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(type)) return Either.right(type)
  return Either.left(
    OAuthError.invalidArgument(argument, `unknown token type '${type.slice(0, 64)}': use one of ${Object.keys(TokenType).join(", ")} or a URI`)
  )
}

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

/** @internal */
export const tokenExchange = (options: TokenExchangeOptions): Either.Either<TokenExchange, InvalidArgument> =>
  Either.gen(function* () {
    const subject = yield* resolveToken("subjectToken", options.subjectToken, options.subjectTokenType)
    if (options.actorToken === undefined && options.actorTokenType !== undefined) {
      return yield* Either.left(OAuthError.invalidArgument("actorTokenType", "given without an actorToken"))
    }
    const actor = options.actorToken === undefined ? undefined : yield* resolveToken("actorToken", options.actorToken, options.actorTokenType)
    const requested = options.requestedTokenType === undefined ? undefined : yield* expandTokenType("requestedTokenType", options.requestedTokenType)
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

/** @internal */
export const jwtBearer = (options: JwtBearerOptions): JwtBearer => ({
  _tag: "JwtBearer",
  assertion: redact(options.assertion),
  ...withScope(options.scope),
  resource: list(options.resource),
  extra: options.extra ?? {}
})

/** @internal */
export const password = (options: PasswordOptions): Password => ({
  _tag: "Password",
  username: options.username,
  password: redact(options.password),
  ...withScope(options.scope),
  resource: list(options.resource),
  extra: options.extra ?? {}
})

/** @internal */
export const custom = (grantType: string, params: Extra = {}): Custom => ({ _tag: "Custom", grantType, extra: params })

/** @internal */
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

/** @internal */
export const isRepeatable = (self: TokenRequest): boolean => self._tag === "ClientCredentials" || self._tag === "Password"

/** @internal */
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

/** @internal */
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
