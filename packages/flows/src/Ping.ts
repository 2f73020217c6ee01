/**
 * Ping Identity (PingFederate): its endpoint layout under a base URL, so that no discovery request is needed.
 *
 * The base URL (also the issuer) is an `https://` URL or a host name (`sso.example.com`, `sso.example.com:9031`),
 * which gets `https://`; any other scheme, a host without a dot, a query or credentials are refused with
 * `InvalidConfiguration` (field `issuer`). For PingOne and other layouts, use `OAuthClient.layerDiscovery`.
 *
 * @since 0.1.0
 */
import type { ClientError, OAuthClient, Transport } from "@oauth2/http"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type * as Layer from "effect/Layer"
import * as internal from "./internal/ping.js"

/**
 * The endpoints of a PingFederate server.
 *
 * @see https://docs.pingidentity.com/pingfederate/latest/developers_reference_guide/pf_oauth_20_endpoints.html
 * @since 0.1.0
 * @category models
 */
export interface Endpoints {
  /** The base URL, without a trailing slash. */
  readonly issuer: string
  /** `/as/authorization.oauth2` */
  readonly authorizationEndpoint: string
  /** `/as/token.oauth2` */
  readonly tokenEndpoint: string
  /** `/as/revoke_token.oauth2` */
  readonly revocationEndpoint: string
  /** `/as/introspect.oauth2` */
  readonly introspectionEndpoint: string
  /** `/idp/userinfo.openid` */
  readonly userinfoEndpoint: string
  /** `/as/par.oauth2` */
  readonly pushedAuthorizationRequestEndpoint: string
  /** `/as/bc-auth.ctr` */
  readonly backchannelAuthenticationEndpoint: string
  /** `/as/device_authz.oauth2` */
  readonly deviceAuthorizationEndpoint: string
  /** `/pf/JWKS` */
  readonly jwksUri: string
}

/**
 * The normalised base URL of a PingFederate server.
 *
 * @example
 * ```ts
 * import { Ping } from "@oauth2/flows"
 *
 * console.log(Ping.baseUrl("sso.example.com:9031")) // Right("https://sso.example.com:9031")
 * ```
 *
 * @see https://docs.pingidentity.com/pingfederate/latest/developers_reference_guide/pf_oauth_20_endpoints.html
 * @since 0.1.0
 * @category constructors
 */
export const baseUrl: (issuer: string) => Either.Either<string, ClientError.InvalidConfiguration> = internal.baseUrl

/**
 * The endpoints of a PingFederate server.
 *
 * @see https://docs.pingidentity.com/pingfederate/latest/developers_reference_guide/pf_oauth_20_endpoints.html
 * @since 0.1.0
 * @category constructors
 */
export const endpoints: (issuer: string) => Either.Either<Endpoints, ClientError.InvalidConfiguration> = internal.endpoints

/**
 * Options of a Ping client: the base URL and the client's credentials, as for `OAuthClient.layer`; an endpoint given
 * explicitly replaces the preset one.
 *
 * @see https://docs.pingidentity.com/pingfederate/latest/developers_reference_guide/pf_oauth_20_endpoints.html
 * @since 0.1.0
 * @category models
 */
export interface Options extends Omit<OAuthClient.Options, "metadata" | "issuer"> {
  readonly issuer: string
}

/**
 * Builds the client service for a PingFederate server.
 *
 * @see https://docs.pingidentity.com/pingfederate/latest/developers_reference_guide/pf_oauth_20_endpoints.html
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: Options) => Effect.Effect<OAuthClient.OAuthClient, ClientError.InvalidConfiguration, Transport.Transport> = internal.make

/**
 * The client service for a PingFederate server, as a layer.
 *
 * @example
 * ```ts
 * import { Grants, Ping } from "@oauth2/flows"
 * import { Transport } from "@oauth2/http"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * const PingLive = Ping.layer({ issuer: "sso.example.com", clientId: "my-client", clientSecret: Redacted.make("my-secret") }).pipe(
 *   Layer.provide(Transport.layerFetch())
 * )
 * const program = Grants.clientCredentials({ scope: "read" }).pipe(Effect.provide(PingLive))
 * ```
 *
 * @see https://docs.pingidentity.com/pingfederate/latest/developers_reference_guide/pf_oauth_20_endpoints.html
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<OAuthClient.OAuthClient, ClientError.InvalidConfiguration, Transport.Transport> =>
  internal.layer(options)

/**
 * The `Config` read by {@link layerConfig}: `PING_ISSUER`, `PING_CLIENT_ID`, `PING_CLIENT_SECRET` (redacted,
 * optional).
 *
 * @see https://docs.pingidentity.com/pingfederate/latest/developers_reference_guide/pf_oauth_20_endpoints.html
 * @since 0.1.0
 * @category constructors
 */
export const config: Config.Config<Options> = internal.config

/**
 * The client service for a PingFederate server, from `Config`.
 *
 * @see https://docs.pingidentity.com/pingfederate/latest/developers_reference_guide/pf_oauth_20_endpoints.html
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<Options> = internal.config
): Layer.Layer<OAuthClient.OAuthClient, ConfigError.ConfigError | ClientError.InvalidConfiguration, Transport.Transport> =>
  internal.layerConfig(config)
