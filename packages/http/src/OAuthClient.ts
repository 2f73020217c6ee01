/**
 * The client service: the client's identity, its authentication method and the Authorization Server's endpoints,
 * with one typed function per endpoint.
 *
 * Build it from explicit options ({@link layer}), from discovery ({@link layerDiscovery}: fetch the metadata,
 * check that its `issuer` is the expected one, fetch the JWKS), or from `Config` ({@link layerConfig}). Every
 * operation has `R = never`; every failure is typed: OAuth error answers by their code, `UnexpectedResponse` for
 * nonsense, transport failures, `EndpointNotSupported` when the server has no such endpoint.
 *
 * As an OpenID Connect relying party, the client validates ID tokens with its configuration (issuer, client id,
 * accepted algorithms, the server's cached JWKS, the client secret for `HS*`, its decryption keys):
 * `authorizationCode` checks the ID token against the pending request (nonce, max_age, acr_values), `refresh` checks
 * that a new ID token keeps `iss` and `sub`, signed UserInfo and JWT introspection answers are verified, and
 * `requestObject` signs (and encrypts) authorization requests (JAR). See `IdToken` and `Jwt` in `@oauth2/core`.
 *
 * @since 0.1.0
 */
import type {
  AuthorizationRequest,
  AuthorizationResponse,
  BackchannelAuthentication,
  BearerToken,
  DeviceAuthorization,
  Dpop,
  IdToken,
  Introspection,
  Jwt,
  OAuthError,
  Params,
  Revocation,
  ServerMetadata,
  TokenRequest,
  UserInfo
} from "@oauth2/core"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type { JSONWebKeySet } from "jose"
import type * as ClientAuth from "./ClientAuth.js"
import type { Dpop as DpopService } from "./Dpop.js"
import * as internal from "./internal/client.js"
import * as internalJwks from "./internal/jwks.js"
import type * as Transport from "./Transport.js"
import type { EndpointNotSupported, InvalidConfiguration } from "./ClientError.js"
import type { TransportError } from "./TransportError.js"

/**
 * The Authorization Server endpoints a client may use.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 * @since 0.1.0
 * @category models
 */
export interface Endpoints {
  readonly issuer?: string
  readonly authorizationEndpoint?: string
  readonly tokenEndpoint?: string
  readonly revocationEndpoint?: string
  readonly introspectionEndpoint?: string
  readonly userinfoEndpoint?: string
  readonly pushedAuthorizationRequestEndpoint?: string
  readonly deviceAuthorizationEndpoint?: string
  readonly backchannelAuthenticationEndpoint?: string
  readonly jwksUri?: string
  /** OpenID Connect RP-Initiated Logout: where the browser is sent to log out (see `Logout.endSessionUrl`). */
  readonly endSessionEndpoint?: string
}

/**
 * How the client validates its ID tokens, as it registered them: the accepted signature algorithms
 * (`id_token_signed_response_alg`), the required encryption (`id_token_encrypted_response_alg`/`_enc`) and
 * `require_auth_time`.
 *
 * @see https://openid.net/specs/openid-connect-registration-1_0.html#ClientMetadata
 * @since 0.1.0
 * @category models
 */
export interface IdTokenSettings {
  /**
   * The accepted signature algorithms; `["RS256"]` by default; `"advertised"` for the server's
   * `id_token_signing_alg_values_supported` (`none` excluded). Add `"none"` only if the client registered `none`:
   * unsigned ID tokens are then accepted from the token endpoint only. `HS*` are verified with the client secret.
   */
  readonly signingAlgorithms?: ReadonlyArray<string> | "advertised"
  /** ID tokens must be JWEs with this `alg` (and `enc`), decrypted with {@link Options.decryptionKey}. */
  readonly encryption?: Jwt.Encryption
  /** ID tokens must carry `auth_time`. */
  readonly requireAuthTime?: boolean
}

/**
 * How the client verifies a kind of signed answer (UserInfo, JWT introspection), as it registered them: the accepted
 * signature algorithms (`userinfo_signed_response_alg`, `introspection_signed_response_alg`) and the required
 * encryption (`*_encrypted_response_alg`/`_enc`). Either one makes a signed answer required (a plain JSON answer is
 * refused); without them, a signed answer is still verified, with `RS256`.
 *
 * @see https://openid.net/specs/openid-connect-registration-1_0.html#ClientMetadata
 * @see https://www.rfc-editor.org/rfc/rfc9701#section-6
 * @since 0.1.0
 * @category models
 */
export interface JwtResponseSettings {
  /** The accepted signature algorithms; `["RS256"]` by default. */
  readonly signingAlgorithms?: ReadonlyArray<string>
  /** Answers must be JWEs with this `alg` (and `enc`), decrypted with {@link Options.decryptionKey}. */
  readonly encryption?: Jwt.Encryption
}

/**
 * Options of a client:
 * - who it is: an authentication method (`auth`), or loose credentials (`clientId`, with `clientSecret` for
 *   `client_secret_basic`, without for a public client), not both;
 * - its server: the issuer and endpoints given one by one (`endpoints`), or taken from a metadata document
 *   (`metadata`; explicit endpoints win), and its keys (`jwks`, `jwksCooldown`);
 * - as an OpenID Connect relying party, what it registered for each kind of JWT it receives (`idToken`, `userinfo`,
 *   `introspection`), with what decrypts them (`decryptionKey`) and the time tolerance of them all
 *   (`clockTolerance`).
 *
 * @see https://openid.net/specs/openid-connect-registration-1_0.html#ClientMetadata
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly auth?: ClientAuth.ClientAuth
  readonly clientId?: string
  readonly clientSecret?: string | Redacted.Redacted<string>
  /**
   * The issuer identifier and endpoint URLs, given one by one; each one wins over the metadata document's. Every URL
   * is checked by the transport's rules.
   */
  readonly endpoints?: Endpoints
  /** The server's metadata document (decoded with `ServerMetadata.decode`): its issuer and endpoints. */
  readonly metadata?: ServerMetadata.ServerMetadata
  /**
   * The least time between two JWKS refetches triggered by an unknown `kid`; 30 seconds by default. The first fetch
   * (at discovery, or on first need) starts no cooldown: a key the server publishes just after it is found by one
   * refetch.
   */
  readonly jwksCooldown?: Duration.DurationInput
  /**
   * The Authorization Server's public keys, given instead of fetched: for a server without `jwks_uri`, or to pin its
   * keys. When given, `jwks_uri` is never fetched and an unknown `kid` is `NoMatchingKey`. A malformed set is an
   * `InvalidConfiguration` (field `jwks`).
   *
   * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
   */
  readonly jwks?: JSONWebKeySet
  /** OpenID Connect: how ID tokens are validated (algorithms, encryption, `auth_time`). */
  readonly idToken?: IdTokenSettings
  /** OpenID Connect: how signed UserInfo answers are verified, and whether they are required. */
  readonly userinfo?: JwtResponseSettings
  /** How JWT introspection answers (RFC 9701) are verified, and whether they are required. */
  readonly introspection?: JwtResponseSettings
  /**
   * DPoP (RFC 9449): the key service to prove possession with; by default the `Dpop` service in context, if any
   * (`Dpop.layer`); `false` to use none even when one is in context.
   */
  readonly dpop?: DpopService | false
  /**
   * JARM: how JWT Secured Authorization Responses (`response_mode=jwt`, `query.jwt`, `fragment.jwt`,
   * `form_post.jwt`) are verified. The algorithms default to the server's `authorization_signing_alg_values_supported`
   * (without `none` and `HS*`), else `["RS256"]`.
   *
   * @see https://openid.net/specs/oauth-v2-jarm.html#section-4.4
   */
  readonly authorizationResponse?: JwtResponseSettings
  /**
   * The client's private decryption key(s), for encrypted ID tokens, UserInfo and introspection answers: keys built
   * with `Jwt.decryptionKey`, or private JWKs / `CryptoKey`s / PEM strings (optionally `Redacted`), imported once
   * when the client is built.
   */
  readonly decryptionKey?: Jwt.DecryptionKey | Jwt.PrivateKeyInput | ReadonlyArray<Jwt.DecryptionKey | Jwt.PrivateKeyInput>
  /** The tolerance on the time claims of ID tokens and JWT answers: 30 seconds by default, at most 5 minutes. */
  readonly clockTolerance?: Duration.DurationInput
}

/**
 * Options of a discovered client: the expected `issuer`, and either the discovery kind (`openid`, the default, for
 * `/.well-known/openid-configuration`; `oauth` for RFC 8414 `/.well-known/oauth-authorization-server`) or an explicit
 * `metadataUrl`. Endpoints given explicitly win over the discovered ones.
 *
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 * @since 0.1.0
 * @category models
 */
export interface DiscoveryOptions extends Omit<Options, "metadata" | "endpoints"> {
  readonly issuer: string
  readonly kind?: ServerMetadata.Kind
  readonly metadataUrl?: string
  readonly endpoints?: Omit<Endpoints, "issuer">
}

/**
 * Options of {@link OAuthClient.token}.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenOptions {
  /** The `token_type` to require (case-insensitive); `bearer` by default, any for token exchange; `null` for any. */
  readonly tokenType?: string | null
}

/**
 * Options of {@link OAuthClient.userinfo}.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfoResponse
 * @since 0.1.0
 * @category models
 */
export interface UserInfoOptions {
  /** The `sub` of the ID token: the answer's `sub` must be equal. */
  readonly subject?: string
  /** The validated ID token: the answer's `sub` must equal its `sub` (when `subject` is not given). */
  readonly idToken?: IdToken.Claims
}

/**
 * What fetching the Authorization Server's keys may fail with.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 * @since 0.1.0
 * @category errors
 */
export type JwksError = TransportError | OAuthError.ErrorOf<"jwks"> | OAuthError.UnexpectedResponse | EndpointNotSupported

/**
 * What fetching and checking a metadata document may fail with ({@link discover}): an issuer that cannot have a
 * metadata URL, the transport, the server's error or nonsense answer, or a document for another issuer. Building a
 * client from discovery ({@link fromDiscovery}, {@link layerDiscovery}, {@link layerConfig}) may also fail with
 * {@link JwksError}, when it fetches the keys.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3.3
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation
 * @since 0.1.0
 * @category errors
 */
export type DiscoveryError =
  InvalidConfiguration | TransportError | OAuthError.UnexpectedResponse | ServerMetadata.MismatchingIssuer | OAuthError.ErrorOf<"discovery">

/**
 * A token endpoint answer with the claims of its validated ID token (when it has one).
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#TokenResponse
 * @since 0.1.0
 * @category models
 */
export interface ValidatedToken {
  readonly token: BearerToken.BearerToken
  /**
   * The claims of the validated ID token. After a refresh whose answer has no ID token, the claims of the previous
   * one (the session's end-user).
   */
  readonly idToken?: IdToken.Claims
}

/**
 * Options of {@link OAuthClient.authorizationCode}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 * @since 0.1.0
 * @category models
 */
export interface AuthorizationCodeOptions {
  /** Resource indicators (RFC 8707) for the token request. */
  readonly resource?: string | ReadonlyArray<string>
  /** Any other token request parameter. */
  readonly extra?: Readonly<Record<string, Params.Input>>
  /**
   * Require an ID token in the answer; by default required when the authorization request sent a `nonce` (an
   * OpenID Connect request).
   */
  readonly requireIdToken?: boolean
}

/**
 * Options of {@link OAuthClient.refresh}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @since 0.1.0
 * @category models
 */
export interface RefreshOptions {
  readonly scope?: string | ReadonlyArray<string>
  readonly resource?: string | ReadonlyArray<string>
  readonly extra?: Readonly<Record<string, Params.Input>>
  /** The claims of the original ID token, when the refreshed token is a `BearerToken` (a `ValidatedToken` has them). */
  readonly idToken?: IdToken.Claims
}

/**
 * Options of {@link OAuthClient.revoke} given a `BearerToken`: which of its tokens to revoke (sent with the
 * matching `token_type_hint`). By default its refresh token when it has one (revoking it ends the grant, RFC 7009
 * 2.1), else its access token.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 * @since 0.1.0
 * @category models
 */
export interface RevokeOptions {
  readonly token?: "access_token" | "refresh_token"
}

/**
 * Options of {@link OAuthClient.validateToken}: what the grant that produced the token answer sent.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#TokenResponseValidation
 * @since 0.1.0
 * @category models
 */
export interface ValidateTokenOptions {
  /**
   * The `nonce` the grant sent; `false` (the default) when it sent none (device flow, CIBA, token exchange): the ID
   * token must then have none. Ignored with `previous`.
   */
  readonly nonce?: string | false
  /**
   * The claims of the session's ID token, for a refreshed answer: the new ID token must keep `iss` and `sub` (and
   * `nonce`); an answer without ID token keeps them.
   */
  readonly previous?: IdToken.Claims
  /** The `max_age` the grant sent (CIBA may send one through `acr_values`, vendors through extensions). */
  readonly maxAge?: number
  /** The `acr_values` the grant sent: `acr` must be one of them. */
  readonly acrValues?: ReadonlyArray<string>
  /** Fail with `MissingIdToken` when the answer has no ID token (an OpenID Connect grant, `scope` with `openid`). */
  readonly requireIdToken?: boolean
}

/**
 * One of the client's own keys to publish with {@link publicJwks}: its key material (a private or public JWK, a
 * `CryptoKey` that is extractable, a PEM string with `alg`; optionally `Redacted`), what it is for, and optionally its
 * `alg` and `kid`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-4
 * @since 0.1.0
 * @category models
 */
export interface PublishedKey {
  readonly key: Jwt.PrivateKeyInput
  /** `sig` for a key the client signs with (private_key_jwt, request objects), `enc` for one it decrypts with. */
  readonly use: "sig" | "enc"
  readonly alg?: string
  readonly kid?: string
}

/**
 * What {@link OAuthClient.validateIdToken} checks besides the client's configuration (issuer, client id,
 * algorithms, keys).
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 * @since 0.1.0
 * @category models
 */
export type IdTokenExpectations = Pick<
  IdToken.ValidateOptions,
  "nonce" | "maxAge" | "acrValues" | "accessToken" | "code" | "state" | "previous" | "fromTokenEndpoint"
>

/**
 * Options of {@link OAuthClient.introspect}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9701#section-4
 * @since 0.1.0
 * @category models
 */
export interface IntrospectOptions {
  /**
   * Ask for a JWT answer (RFC 9701, `Accept: application/token-introspection+jwt`); it is verified like an ID token,
   * and a plain JSON answer is then refused.
   */
  readonly jwt?: boolean
}

/**
 * Options of {@link OAuthClient.backchannelAuthentication}.
 *
 * @see https://openid.net/specs/openid-client-initiated-backchannel-authentication-core-1_0.html#rfc.section.7.1.1
 * @since 0.1.0
 * @category models
 */
export interface BackchannelAuthenticationOptions {
  /** Send the request as a signed request object (CIBA 7.1.1), signed with this key. */
  readonly requestObject?: {
    readonly signingKey: Jwt.SigningKey
    /** `exp - iat`; 5 minutes by default. */
    readonly lifetime?: Duration.DurationInput
  }
}

/**
 * Options of {@link OAuthClient.requestObject}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9101#section-4
 * @since 0.1.0
 * @category models
 */
export interface RequestObjectOptions {
  /** The client's signing key (`Jwt.signingKey`, or `Jwt.secretKey` for `HS*`). */
  readonly signingKey: Jwt.SigningKey
  /** When given, the object carries `iat`, `nbf`, `exp` and `jti`. */
  readonly lifetime?: Duration.DurationInput
  /**
   * Encrypt the signed object: `true` picks the server's encryption key from its JWKS (`use: "enc"`, an algorithm it
   * advertises in `request_object_encryption_alg_values_supported`), or give an `EncryptionKey`.
   */
  readonly encrypt?: boolean | Jwt.EncryptionKey
}

/**
 * An access token: a `BearerToken`, or its raw value.
 *
 * @since 0.1.0
 * @category models
 */
export type AccessToken = BearerToken.BearerToken | Redacted.Redacted<string> | string

/**
 * What any authenticated call to an endpoint may fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type CallError<E extends OAuthError.Endpoint> =
  | OAuthError.ErrorOf<E>
  | OAuthError.UnexpectedResponse
  | OAuthError.InvalidArgument
  | TransportError
  | EndpointNotSupported
  | ClientAuth.ClientAuthError
  | (E extends "token" ? Dpop.DpopRequired : never)

/**
 * The client service: its interface is also the identifier of its tag.
 *
 * @since 0.1.0
 * @category models
 */
export interface OAuthClient {
  readonly clientId: string
  readonly auth: ClientAuth.ClientAuth
  readonly endpoints: Endpoints
  /** The metadata document, when the client was discovered or built from one. */
  readonly metadata?: ServerMetadata.ServerMetadata
  /** The DPoP service the client proves possession with, when it uses DPoP (see `Options.dpop`). */
  readonly dpop?: DpopService
  /**
   * Sends a token request and decodes the answer. Only repeatable grants (client credentials, password) are
   * retried after a transient failure.
   *
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-5
   */
  readonly token: (request: TokenRequest.TokenRequest, options?: TokenOptions) => Effect.Effect<BearerToken.BearerToken, CallError<"token">>
  /**
   * Revokes a token: a revocation request (see the `Revocation.accessToken`/`refreshToken` hints in `@oauth2/core`),
   * or a `BearerToken`, whose refresh token (by default, when it has one) or access token is revoked with the right
   * `token_type_hint` (see {@link RevokeOptions}).
   *
   * @example
   * ```ts
   * import type { BearerToken } from "@oauth2/core"
   * import { OAuthClient } from "@oauth2/http"
   * import { Effect } from "effect"
   *
   * // log out: end the grant (refresh token), then make sure the access token is dead too
   * const logout = (token: BearerToken.BearerToken) =>
   *   Effect.gen(function* () {
   *     const client = yield* OAuthClient.OAuthClient
   *     yield* client.revoke(token)
   *     yield* client.revoke(token, { token: "access_token" })
   *   })
   * ```
   *
   * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
   */
  readonly revoke: (
    request: Revocation.RevocationRequest | BearerToken.BearerToken,
    options?: RevokeOptions
  ) => Effect.Effect<void, CallError<"revocation">>
  /**
   * Introspects a token. With `{ jwt: true }`, asks for a JWT answer (RFC 9701) and verifies it; a JWT answer is
   * verified whenever the server sends one.
   *
   * @see https://www.rfc-editor.org/rfc/rfc7662#section-2
   * @see https://www.rfc-editor.org/rfc/rfc9701#section-4
   */
  readonly introspect: (
    request: Introspection.IntrospectionRequest,
    options?: IntrospectOptions
  ) => Effect.Effect<Introspection.IntrospectionResponse, CallError<"introspection"> | Jwt.InvalidJwt | InvalidConfiguration>
  /**
   * Fetches the UserInfo claims with an access token (`Authorization: Bearer`). A signed (or signed and encrypted)
   * answer (`application/jwt`) is verified like an ID token. With `subject` or `idToken`, the answer's `sub` must be
   * the ID token's.
   *
   * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
   */
  readonly userinfo: (
    accessToken: AccessToken,
    options?: UserInfoOptions
  ) => Effect.Effect<UserInfo.UserInfo, CallError<"userinfo"> | UserInfo.MismatchingSubject | Jwt.InvalidJwt | InvalidConfiguration>
  /**
   * Pushes an authorization request (PAR) and returns the `request_uri` request to send the user to.
   *
   * @see https://www.rfc-editor.org/rfc/rfc9126#section-2
   */
  readonly pushedAuthorization: (
    request: AuthorizationRequest.AuthorizationRequest | AuthorizationRequest.RequestObjectRequest
  ) => Effect.Effect<AuthorizationRequest.RequestUriRequest, CallError<"pushed_authorization">>
  /**
   * Starts a device authorization.
   *
   * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.1
   */
  readonly deviceAuthorization: (
    request?: DeviceAuthorization.DeviceAuthorizationRequest
  ) => Effect.Effect<DeviceAuthorization.DeviceAuthorizationResponse, CallError<"device_authorization">>
  /**
   * Starts a CIBA backchannel authentication.
   *
   * @see https://openid.net/specs/openid-client-initiated-backchannel-authentication-core-1_0.html#rfc.section.7
   */
  readonly backchannelAuthentication: (
    request: BackchannelAuthentication.BackchannelAuthenticationRequest,
    options?: BackchannelAuthenticationOptions
  ) => Effect.Effect<BackchannelAuthentication.BackchannelAuthenticationResponse, CallError<"backchannel_authentication">>
  /**
   * The Authorization Server's keys, cached. Asking for a `kid` that is not in the cached set refetches the set,
   * no more often than the cooldown.
   *
   * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
   */
  readonly jwks: (query?: { readonly kid?: string }) => Effect.Effect<JSONWebKeySet, JwksError>
  /**
   * Redeems an authorization code (with its PKCE verifier and redirect URI) and validates the ID token of the answer
   * against the pending request: signature, issuer, audience, times, `nonce`, `auth_time` within `max_age`, `acr`
   * among `acr_values`, `at_hash`, `c_hash`, `s_hash` (against the callback's `state`). An OpenID Connect request
   * (one that sent a `nonce`) requires an ID token.
   * Never retried.
   *
   * @example
   * ```ts
   * import { AuthorizationRequest, AuthorizationResponse } from "@oauth2/core"
   * import { OAuthClient } from "@oauth2/http"
   * import { Effect } from "effect"
   *
   * // after the redirect back: the pending request from the session, the callback URL from the browser
   * const callback = (serialized: string, callbackUrl: string) =>
   *   Effect.gen(function* () {
   *     const client = yield* OAuthClient.OAuthClient
   *     const pending = yield* AuthorizationRequest.restore(serialized)
   *     const response = yield* AuthorizationResponse.validate(pending, callbackUrl)
   *     const { idToken, token } = yield* client.authorizationCode(response)
   *     const user = yield* client.userinfo(token, idToken === undefined ? {} : { idToken })
   *     return { sub: idToken?.sub, email: user.email }
   *   }).pipe(Effect.catchTag("InvalidIdToken", (e) => Effect.fail(`login refused: ${e.reason}`)))
   * ```
   *
   * @see https://openid.net/specs/openid-connect-core-1_0.html#TokenResponseValidation
   */
  readonly authorizationCode: (
    response: AuthorizationResponse.AuthorizationResponse,
    options?: AuthorizationCodeOptions
  ) => Effect.Effect<ValidatedToken, CallError<"token"> | IdToken.InvalidIdToken | InvalidConfiguration>
  /**
   * Validates an authorization callback against the pending request: `AuthorizationResponse.validate` (state, RFC
   * 9207 `iss`, error codes, code), preceded for a JARM request (`response_mode` `jwt`, `query.jwt`, `fragment.jwt`,
   * `form_post.jwt`) by the verification of the `response` JWT: decrypted when it is a JWE, signed by the server's
   * keys with an allowed algorithm, `iss` the issuer, `aud` the client id, not expired. The callback checks then
   * apply to its claims. A JWT that fails is an `InvalidJwt` (endpoint `authorization`) with its `reason`.
   *
   * @see https://openid.net/specs/oauth-v2-jarm.html#section-4.4
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
   */
  readonly authorizationResponse: (
    pending: AuthorizationRequest.PendingRequest,
    input: AuthorizationResponse.Input
  ) => Effect.Effect<
    AuthorizationResponse.AuthorizationResponse,
    | AuthorizationResponse.CallbackError
    | OAuthError.ErrorOf<"authorization">
    | Jwt.InvalidJwt
    | OAuthError.InvalidArgument
    | InvalidConfiguration
    | JwksError
  >
  /**
   * Refreshes a token. When the answer has an ID token, it is validated and must keep the original `iss` and `sub`
   * (from the `ValidatedToken`, or `options.idToken`).
   *
   * @see https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokenResponse
   */
  readonly refresh: (
    token: ValidatedToken | BearerToken.BearerToken,
    options?: RefreshOptions
  ) => Effect.Effect<ValidatedToken, CallError<"token"> | IdToken.InvalidIdToken | InvalidConfiguration>
  /**
   * Validates an ID token with the client's configuration (issuer, client id, algorithms, keys, decryption keys,
   * clock tolerance) and the given expectations. A `BearerToken` without ID token is `MissingIdToken`.
   *
   * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
   */
  readonly validateIdToken: (
    idToken: IdToken.IdToken | BearerToken.BearerToken | string | Redacted.Redacted<string>,
    expectations?: IdTokenExpectations
  ) => Effect.Effect<IdToken.Claims, IdToken.InvalidIdToken | OAuthError.InvalidArgument | InvalidConfiguration | JwksError>
  /**
   * Validates the ID token of a token answer of any grant (device code, CIBA, token exchange, a refresh done
   * elsewhere) with the client's configuration: `at_hash` against the answer's access token, no `nonce` unless one
   * is given, and with `previous` (a refresh) `iss` and `sub` unchanged. Returns the answer with its claims; an
   * answer without ID token is returned as is (with the `previous` claims), or fails with `MissingIdToken` when
   * `requireIdToken`.
   *
   * @example
   * ```ts
   * import { TokenRequest } from "@oauth2/core"
   * import type { DeviceAuthorization } from "@oauth2/core"
   * import { OAuthClient } from "@oauth2/http"
   * import { Effect } from "effect"
   *
   * // a device flow poll that succeeded: the answer's ID token is validated like a code exchange's
   * const redeem = (device: DeviceAuthorization.DeviceAuthorizationResponse) =>
   *   Effect.gen(function* () {
   *     const client = yield* OAuthClient.OAuthClient
   *     const answer = yield* client.token(TokenRequest.deviceCode({ deviceCode: device.deviceCode }))
   *     const { idToken } = yield* client.validateToken(answer, { requireIdToken: true })
   *     return idToken?.sub
   *   })
   * ```
   *
   * @see https://openid.net/specs/openid-connect-core-1_0.html#TokenResponseValidation
   * @see https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokenResponse
   */
  readonly validateToken: (
    token: BearerToken.BearerToken,
    options?: ValidateTokenOptions
  ) => Effect.Effect<ValidatedToken, IdToken.InvalidIdToken | OAuthError.InvalidArgument | InvalidConfiguration | JwksError>
  /**
   * Signs (and optionally encrypts) an authorization request into a request object (JAR) for this server: `aud` is
   * the issuer, `iss` the client id. The result can be sent as is or pushed with {@link pushedAuthorization}. A server
   * whose metadata says `request_parameter_supported: false` and that has no PAR endpoint would refuse it: that is
   * an `InvalidConfiguration` (field `requestParameterSupported`) before anything is signed.
   *
   * @see https://www.rfc-editor.org/rfc/rfc9101#section-4
   */
  readonly requestObject: (
    request: AuthorizationRequest.AuthorizationRequest,
    options: RequestObjectOptions
  ) => Effect.Effect<AuthorizationRequest.RequestObjectRequest, OAuthError.InvalidArgument | InvalidConfiguration | JwksError>
}

/**
 * The client service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export const OAuthClient: Context.Tag<OAuthClient, OAuthClient> = internal.tag

/**
 * Builds a client from explicit options; every endpoint URL is checked by the transport's rules.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: Options) => Effect.Effect<OAuthClient, InvalidConfiguration, Transport.Transport> = internal.make

/**
 * Fetches and validates an Authorization Server's metadata for an expected issuer.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 * @since 0.1.0
 * @category constructors
 */
export const discover: (
  options: Pick<DiscoveryOptions, "issuer" | "kind" | "metadataUrl">
) => Effect.Effect<ServerMetadata.ServerMetadata, DiscoveryError, Transport.Transport> = internal.discover

/**
 * Builds a client from discovery: fetches the metadata document, checks its `issuer` (exact string) and every
 * endpoint URL, and fetches the JWKS when there is one. {@link layerDiscovery} is the same as a layer.
 *
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation
 * @since 0.1.0
 * @category constructors
 */
export const fromDiscovery: (options: DiscoveryOptions) => Effect.Effect<OAuthClient, DiscoveryError | JwksError, Transport.Transport> =
  internal.makeDiscovered

/**
 * The client as a layer, from explicit options.
 *
 * @example
 * ```ts
 * import { OAuthClient, Transport } from "@oauth2/http"
 * import { TokenRequest } from "@oauth2/core"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * const ClientLive = OAuthClient.layer({
 *   clientId: "my-client",
 *   clientSecret: Redacted.make("my-secret"),
 *   endpoints: { tokenEndpoint: "https://as.example.com/oauth/token" }
 * }).pipe(Layer.provide(Transport.layerFetch()))
 *
 * const program = Effect.gen(function* () {
 *   const client = yield* OAuthClient.OAuthClient
 *   return yield* client.token(TokenRequest.clientCredentials({ scope: "read" }))
 * }).pipe(Effect.provide(ClientLive))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<OAuthClient, InvalidConfiguration, Transport.Transport> => internal.layer(options)

/**
 * The client as a layer, from discovery: fetches the metadata document, checks its `issuer` (exact string), checks
 * every endpoint URL, and fetches the JWKS when there is one.
 *
 * @example
 * ```ts
 * import { ClientAuth, OAuthClient, Transport } from "@oauth2/http"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * const ClientLive = Layer.unwrapEffect(
 *   Effect.map(ClientAuth.clientSecretPost({ clientId: "my-client", clientSecret: Redacted.make("my-secret") }), (auth) =>
 *     OAuthClient.layerDiscovery({ issuer: "https://as.example.com", auth })
 *   )
 * ).pipe(Layer.provide(Transport.layerFetch()))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerDiscovery = (options: DiscoveryOptions): Layer.Layer<OAuthClient, DiscoveryError | JwksError, Transport.Transport> =>
  internal.layerDiscovery(options)

/**
 * The `Config` read by {@link layerConfig}: `OAUTH2_CLIENT_ID`, `OAUTH2_CLIENT_SECRET` (redacted, optional),
 * `OAUTH2_ISSUER` (discovery) or `OAUTH2_TOKEN_ENDPOINT`, and `OAUTH2_DISCOVERY` (`openid`, `oauth` or `none`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const config: Config.Config<DiscoveryOptions | Options> = internal.config

/**
 * The client as a layer, from `Config` (environment variables by default; secrets via `Config.redacted`). A missing
 * or malformed variable fails with the `ConfigError` itself (as `TokenSource.layerConfig` does), with its path.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<DiscoveryOptions | Options> = internal.config
): Layer.Layer<OAuthClient, ConfigError.ConfigError | DiscoveryError | JwksError, Transport.Transport> => internal.layerConfig(config)

/**
 * The client's own public keys as a JWK Set, to serve at the `jwks_uri` it registers (RFC 7591 `jwks_uri`, OIDC
 * Dynamic Client Registration): its signing keys (`private_key_jwt`, request objects) with `use: "sig"`, its
 * decryption keys (encrypted ID tokens, UserInfo, introspection answers) with `use: "enc"`. Private members are
 * removed, symmetric keys refused, and a key without `kid` gets its RFC 7638 thumbprint.
 *
 * @example
 * ```ts
 * import { OAuthClient } from "@oauth2/http"
 * import { Effect } from "effect"
 * import type { JWK } from "jose"
 *
 * const published = (signingJwk: JWK, decryptionJwk: JWK) =>
 *   OAuthClient.publicJwks([
 *     { key: signingJwk, use: "sig" },
 *     { key: decryptionJwk, use: "enc", alg: "RSA-OAEP-256" }
 *   ]).pipe(Effect.map((jwks) => JSON.stringify(jwks))) // serve as application/jwk-set+json
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 * @since 0.1.0
 * @category constructors
 */
export const publicJwks: (keys: ReadonlyArray<PublishedKey>) => Effect.Effect<JSONWebKeySet, OAuthError.InvalidArgument> = internalJwks.publicJwks
