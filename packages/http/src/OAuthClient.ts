/**
 * The client service: the client's identity, its authentication method and the Authorization Server's endpoints,
 * with one typed function per endpoint.
 *
 * Build it from explicit options ({@link layer}), from discovery ({@link layerDiscovery}: fetch the metadata,
 * check that its `issuer` is the expected one, fetch the JWKS), or from `Config` ({@link layerConfig}). Every
 * operation has `R = never`; every failure is typed: OAuth error answers by their code, `UnexpectedResponse` for
 * nonsense, transport failures, `EndpointNotSupported` when the server has no such endpoint.
 *
 * @since 0.1.0
 */
import type {
  AuthorizationRequest,
  BackchannelAuthentication,
  BearerToken,
  DeviceAuthorization,
  Introspection,
  OAuthError,
  Revocation,
  ServerMetadata,
  TokenRequest,
  UserInfo
} from "@oauth2/core"
import type { Config, ConfigError, Context, Duration, Effect, Layer, Redacted } from "effect"
import type { JSONWebKeySet } from "jose"
import type * as ClientAuth from "./ClientAuth.js"
import * as internal from "./internal/client.js"
import type * as Transport from "./Transport.js"
import type { EndpointNotSupported, InvalidConfiguration, TransportError } from "./TransportError.js"

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
}

/**
 * Options of a client: an authentication method (`auth`), or loose credentials (`clientId`, with `clientSecret` for
 * `client_secret_basic`, without for a public client) — not both; and endpoints, given one by one or taken from a
 * metadata document (explicit ones win).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Endpoints {
  readonly auth?: ClientAuth.ClientAuth
  readonly clientId?: string
  readonly clientSecret?: string | Redacted.Redacted<string>
  readonly metadata?: ServerMetadata.ServerMetadata
  /** The least time between two JWKS fetches triggered by an unknown `kid`; 30 seconds by default. */
  readonly jwksCooldown?: Duration.DurationInput
}

/**
 * Options of a discovered client: the expected `issuer`, and either the discovery kind (`openid`, the default, for
 * `/.well-known/openid-configuration`; `oauth` for RFC 8414 `/.well-known/oauth-authorization-server`) or an explicit
 * `metadataUrl`.
 *
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 * @since 0.1.0
 * @category models
 */
export interface DiscoveryOptions extends Omit<Options, "metadata" | "issuer"> {
  readonly issuer: string
  readonly kind?: ServerMetadata.Kind
  readonly metadataUrl?: string
}

/**
 * Options of {@link OAuthClientService.token}.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenOptions {
  /** The `token_type` to require (case-insensitive); `bearer` by default, any for token exchange; `null` for any. */
  readonly tokenType?: string | null
}

/**
 * Options of {@link OAuthClientService.userinfo}.
 *
 * @since 0.1.0
 * @category models
 */
export interface UserInfoOptions {
  /** The `sub` of the ID token: the answer's `sub` must be equal. */
  readonly subject?: string
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

/**
 * The client service.
 *
 * @since 0.1.0
 * @category models
 */
export interface OAuthClientService {
  readonly clientId: string
  readonly auth: ClientAuth.ClientAuth
  readonly endpoints: Endpoints
  /** The metadata document, when the client was discovered or built from one. */
  readonly metadata?: ServerMetadata.ServerMetadata
  /**
   * Sends a token request and decodes the answer. Only repeatable grants (client credentials, password) are
   * retried after a transient failure.
   *
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-5
   */
  readonly token: (request: TokenRequest.TokenRequest, options?: TokenOptions) => Effect.Effect<BearerToken.BearerToken, CallError<"token">>
  /**
   * Revokes a token (see `Revocation.accessToken`/`refreshToken` hints in `@oauth2/core`).
   *
   * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
   */
  readonly revoke: (request: Revocation.RevocationRequest) => Effect.Effect<void, CallError<"revocation">>
  /**
   * Introspects a token.
   *
   * @see https://www.rfc-editor.org/rfc/rfc7662#section-2
   */
  readonly introspect: (request: Introspection.IntrospectionRequest) => Effect.Effect<Introspection.IntrospectionResponse, CallError<"introspection">>
  /**
   * Fetches the UserInfo claims with an access token (`Authorization: Bearer`).
   *
   * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
   */
  readonly userinfo: (
    accessToken: AccessToken,
    options?: UserInfoOptions
  ) => Effect.Effect<UserInfo.UserInfo, CallError<"userinfo"> | UserInfo.MismatchingSubject>
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
    request: BackchannelAuthentication.BackchannelAuthenticationRequest
  ) => Effect.Effect<BackchannelAuthentication.BackchannelAuthenticationResponse, CallError<"backchannel_authentication">>
  /**
   * The Authorization Server's keys, cached. Asking for a `kid` that is not in the cached set refetches the set,
   * no more often than the cooldown.
   *
   * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
   */
  readonly jwks: (query?: { readonly kid?: string }) => Effect.Effect<JSONWebKeySet, TransportError | OAuthError.ErrorOf<"jwks"> | OAuthError.UnexpectedResponse | EndpointNotSupported>
}

/**
 * The client service tag.
 *
 * @since 0.1.0
 * @category models
 */
export interface OAuthClient {
  readonly _: unique symbol
}

/**
 * The client service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export const OAuthClient: Context.Tag<OAuthClient, OAuthClientService> = internal.tag

/**
 * Builds a client from explicit options; every endpoint URL is checked by the transport's rules.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: Options) => Effect.Effect<OAuthClientService, InvalidConfiguration, Transport.Transport> = internal.make

/**
 * Fetches and validates an Authorization Server's metadata for an expected issuer.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 * @since 0.1.0
 * @category constructors
 */
export const discover: (
  options: Pick<DiscoveryOptions, "issuer" | "kind" | "metadataUrl">
) => Effect.Effect<
  ServerMetadata.ServerMetadata,
  InvalidConfiguration | TransportError | OAuthError.UnexpectedResponse | ServerMetadata.MismatchingIssuer | OAuthError.ErrorOf<"discovery">,
  Transport.Transport
> = internal.discover

/**
 * Builds a client from discovery: fetches the metadata document, checks its `issuer` (exact string) and every
 * endpoint URL, and fetches the JWKS when there is one. {@link layerDiscovery} is the same as a layer.
 *
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation
 * @since 0.1.0
 * @category constructors
 */
export const fromDiscovery: (
  options: DiscoveryOptions
) => Effect.Effect<
  OAuthClientService,
  InvalidConfiguration | TransportError | OAuthError.UnexpectedResponse | ServerMetadata.MismatchingIssuer | OAuthError.ErrorOf<"discovery" | "jwks"> | EndpointNotSupported,
  Transport.Transport
> = internal.makeDiscovered

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
 *   tokenEndpoint: "https://as.example.com/oauth/token"
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
export const layerDiscovery = (
  options: DiscoveryOptions
): Layer.Layer<
  OAuthClient,
  InvalidConfiguration | TransportError | OAuthError.UnexpectedResponse | ServerMetadata.MismatchingIssuer | OAuthError.ErrorOf<"discovery" | "jwks"> | EndpointNotSupported,
  Transport.Transport
> => internal.layerDiscovery(options)

/**
 * The `Config` read by {@link layerConfig}: `OAUTH2_CLIENT_ID`, `OAUTH2_CLIENT_SECRET` (redacted, optional),
 * `OAUTH2_ISSUER` (discovery) or `OAUTH2_TOKEN_ENDPOINT`, and `OAUTH2_DISCOVERY` (`openid`, `oauth` or `none`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const config: Config.Config<DiscoveryOptions | Options> = internal.config

/**
 * The client as a layer, from `Config` (environment variables by default; secrets via `Config.redacted`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<DiscoveryOptions | Options> = internal.config
): Layer.Layer<OAuthClient, ConfigError.ConfigError | InvalidConfiguration | TransportError | OAuthError.UnexpectedResponse | ServerMetadata.MismatchingIssuer | OAuthError.ErrorOf<"discovery" | "jwks"> | EndpointNotSupported, Transport.Transport> =>
  internal.layerConfig(config)
