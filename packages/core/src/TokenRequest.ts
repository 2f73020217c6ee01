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
import type * as Either from "effect/Either"
import type * as Redacted from "effect/Redacted"
import type * as BearerToken from "./BearerToken.js"
import type * as IdToken from "./IdToken.js"
import * as internal from "./internal/tokenRequest.js"
import type { InvalidArgument } from "./OAuthError.js"
import type * as Params from "./Params.js"

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
export const GrantType: {
  readonly clientCredentials: "client_credentials"
  readonly authorizationCode: "authorization_code"
  readonly refreshToken: "refresh_token"
  readonly password: "password"
  readonly deviceCode: "urn:ietf:params:oauth:grant-type:device_code"
  readonly ciba: "urn:openid:params:grant-type:ciba"
  readonly tokenExchange: "urn:ietf:params:oauth:grant-type:token-exchange"
  readonly jwtBearer: "urn:ietf:params:oauth:grant-type:jwt-bearer"
} = internal.GrantType

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
export type TokenRequest = ClientCredentials | AuthorizationCode | RefreshToken | DeviceCode | Ciba | TokenExchange | JwtBearer | Password | Custom

/**
 * The options of {@link clientCredentials}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientCredentialsOptions {
  readonly scope?: OneOrMany
  readonly resource?: OneOrMany
  readonly audience?: OneOrMany
  readonly extra?: Extra
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
export const clientCredentials: (options?: ClientCredentialsOptions) => ClientCredentials = internal.clientCredentials

/**
 * The options of {@link authorizationCode}.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthorizationCodeOptions {
  readonly code: Secret
  readonly redirectUri?: string
  readonly codeVerifier?: Secret
  readonly resource?: OneOrMany
  readonly extra?: Extra
}

/**
 * Builds an authorization code redemption. `redirectUri` and `codeVerifier` must be those of the authorization
 * request.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 * @since 0.1.0
 * @category constructors
 */
export const authorizationCode: (options: AuthorizationCodeOptions) => AuthorizationCode = internal.authorizationCode

/**
 * The options of {@link refreshToken}.
 *
 * @since 0.1.0
 * @category models
 */
export interface RefreshTokenOptions {
  readonly refreshToken: Secret | BearerToken.BearerToken
  readonly scope?: OneOrMany
  readonly resource?: OneOrMany
  readonly extra?: Extra
}

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
export const refreshToken: (options: RefreshTokenOptions) => Either.Either<RefreshToken, InvalidArgument> = internal.refreshToken

/**
 * The options of {@link deviceCode}.
 *
 * @since 0.1.0
 * @category models
 */
export interface DeviceCodeOptions {
  readonly deviceCode: Secret
  readonly extra?: Extra
}

/**
 * Builds a device code poll request.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.4
 * @since 0.1.0
 * @category constructors
 */
export const deviceCode: (options: DeviceCodeOptions) => DeviceCode = internal.deviceCode

/**
 * The options of {@link ciba}.
 *
 * @since 0.1.0
 * @category models
 */
export interface CibaOptions {
  readonly authReqId: Secret
  readonly extra?: Extra
}

/**
 * Builds a CIBA poll request.
 *
 * @see https://openid.net/specs/openid-client-initiated-backchannel-authentication-core-1_0.html#rfc.section.10.1
 * @since 0.1.0
 * @category constructors
 */
export const ciba: (options: CibaOptions) => Ciba = internal.ciba

/**
 * Short names of the token types of RFC 8693 section 3, and the URNs they stand for.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-3
 * @since 0.1.0
 * @category models
 */
export const TokenType: {
  readonly access_token: "urn:ietf:params:oauth:token-type:access_token"
  readonly refresh_token: "urn:ietf:params:oauth:token-type:refresh_token"
  readonly id_token: "urn:ietf:params:oauth:token-type:id_token"
  readonly jwt: "urn:ietf:params:oauth:token-type:jwt"
  readonly saml1: "urn:ietf:params:oauth:token-type:saml1"
  readonly saml2: "urn:ietf:params:oauth:token-type:saml2"
} = internal.TokenType

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
export const expandTokenType: (argument: string, type: string) => Either.Either<string, InvalidArgument> = internal.expandTokenType

/**
 * A token given to a token exchange: a raw value (its type must then be given), a {@link BearerToken.BearerToken}
 * (an access token, or its refresh or ID token when that type is asked for) or an {@link IdToken.IdToken}.
 *
 * @since 0.1.0
 * @category models
 */
export type ExchangedToken = Secret | BearerToken.BearerToken | IdToken.IdToken

/**
 * The options of {@link tokenExchange}.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenExchangeOptions {
  readonly subjectToken: ExchangedToken
  readonly subjectTokenType?: TokenTypeInput
  readonly actorToken?: ExchangedToken
  readonly actorTokenType?: TokenTypeInput
  readonly requestedTokenType?: TokenTypeInput
  readonly scope?: OneOrMany
  readonly resource?: OneOrMany
  readonly audience?: OneOrMany
  readonly extra?: Extra
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
export const tokenExchange: (options: TokenExchangeOptions) => Either.Either<TokenExchange, InvalidArgument> = internal.tokenExchange

/**
 * The options of {@link jwtBearer}.
 *
 * @since 0.1.0
 * @category models
 */
export interface JwtBearerOptions {
  readonly assertion: Secret
  readonly scope?: OneOrMany
  readonly resource?: OneOrMany
  readonly extra?: Extra
}

/**
 * Builds a JWT bearer grant request from an assertion (signed by the caller).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.1
 * @since 0.1.0
 * @category constructors
 */
export const jwtBearer: (options: JwtBearerOptions) => JwtBearer = internal.jwtBearer

/**
 * The options of {@link password}.
 *
 * @since 0.1.0
 * @category models
 */
export interface PasswordOptions {
  readonly username: string
  readonly password: Secret
  readonly scope?: OneOrMany
  readonly resource?: OneOrMany
  readonly extra?: Extra
}

/**
 * Builds a resource owner password credentials request.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.3.2
 * @since 0.1.0
 * @category constructors
 */
export const password: (options: PasswordOptions) => Password = internal.password

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
export const custom: (grantType: string, params?: Extra) => Custom = internal.custom

/**
 * The `grant_type` of a request.
 *
 * @since 0.1.0
 * @category getters
 */
export const grantTypeOf: (self: TokenRequest) => string = internal.grantTypeOf

/**
 * Whether sending the same request again is harmless (client credentials, password): such a request may be retried
 * after a transient failure, and a token source may fall back to it when a refresh fails. A code, refresh token,
 * device code or CIBA poll is single-use or state-changing and is never retried once a response arrived.
 *
 * @since 0.1.0
 * @category guards
 */
export const isRepeatable: (self: TokenRequest) => boolean = internal.isRepeatable

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
export const toParams: (self: TokenRequest) => Params.Params = internal.toParams

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
export const params: (self: TokenRequest) => Either.Either<Params.Params, InvalidArgument> = internal.params
