/**
 * Auth0: tenant names, endpoints, and the Management API.
 *
 * A tenant is given as Auth0 users name it: a short name (`mytenant`, on `mytenant.auth0.com`), a name with its region
 * (`mytenant.eu`, `.us`, `.au`, `.jp`, on `mytenant.eu.auth0.com`), a full domain (`mytenant.eu.auth0.com`, or a
 * custom domain such as `login.example.com`), or an `https://` URL of that domain. Any other scheme, a path, a query
 * or credentials are refused with `InvalidConfiguration` (field `tenant`).
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type { Bearer, ClientError, OAuthClient, Transport } from "@oauth2/http"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type * as ApiClient from "./ApiClient.js"
import * as internal from "./internal/auth0.js"
import type * as TokenSource from "./TokenSource.js"

/**
 * The endpoints of an Auth0 tenant.
 *
 * @see https://auth0.com/docs/api/authentication
 * @since 0.1.0
 * @category models
 */
export interface Endpoints {
  /** `https://<domain>/` (with the trailing slash, as Auth0 writes it in tokens). */
  readonly issuer: string
  /** `/authorize` */
  readonly authorizationEndpoint: string
  /** `/oauth/token` */
  readonly tokenEndpoint: string
  /** `/oauth/revoke` */
  readonly revocationEndpoint: string
  /** `/userinfo` */
  readonly userinfoEndpoint: string
  /** `/oauth/device/code` */
  readonly deviceAuthorizationEndpoint: string
  /** `/oauth/par` */
  readonly pushedAuthorizationRequestEndpoint: string
  /** `/bc-authorize` */
  readonly backchannelAuthenticationEndpoint: string
  /** `/.well-known/jwks.json` */
  readonly jwksUri: string
}

/**
 * The domain of a tenant: `mytenant` and `mytenant.eu` (regions `.eu`, `.us`, `.au`, `.jp`) get `.auth0.com`; a full
 * domain or an `https://` URL keeps its host.
 *
 * @example
 * ```ts
 * import { Auth0 } from "@oauth2/flows"
 * import { Either } from "effect"
 *
 * console.log(Auth0.domain("mytenant.eu")) // Right("mytenant.eu.auth0.com")
 * console.log(Either.isLeft(Auth0.domain("ftp://mytenant.eu"))) // true
 * ```
 *
 * @see https://auth0.com/docs/get-started/tenant-settings
 * @since 0.1.0
 * @category constructors
 */
export const domain: (tenant: string) => Either.Either<string, ClientError.InvalidConfiguration> = internal.domain

/**
 * The endpoints of a tenant.
 *
 * @see https://auth0.com/docs/api/authentication
 * @since 0.1.0
 * @category constructors
 */
export const endpoints: (tenant: string) => Either.Either<Endpoints, ClientError.InvalidConfiguration> = internal.endpoints

/**
 * The audience (and base URL) of a tenant's Management API: `https://<domain>/api/v2/`.
 *
 * @see https://auth0.com/docs/api/management/v2
 * @since 0.1.0
 * @category constructors
 */
export const managementAudience: (tenant: string) => Either.Either<string, ClientError.InvalidConfiguration> = internal.managementAudience

/**
 * Options of an Auth0 client: the tenant and the client's credentials (`clientId` and `clientSecret`, or `auth`), as
 * for `OAuthClient.layer`; an endpoint given explicitly replaces the preset one.
 *
 * @see https://auth0.com/docs/api/authentication
 * @since 0.1.0
 * @category models
 */
export interface Options extends Omit<OAuthClient.Options, "metadata"> {
  readonly tenant: string
}

/**
 * Builds the client service for an Auth0 tenant (no discovery request).
 *
 * @see https://auth0.com/docs/api/authentication
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: Options) => Effect.Effect<OAuthClient.OAuthClient, ClientError.InvalidConfiguration, Transport.Transport> = internal.make

/**
 * The client service for an Auth0 tenant, as a layer.
 *
 * @example
 * ```ts
 * import { Auth0, Grants } from "@oauth2/flows"
 * import { Transport } from "@oauth2/http"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * const Auth0Live = Auth0.layer({ tenant: "mytenant.eu", clientId: "my-client", clientSecret: Redacted.make("my-secret") }).pipe(
 *   Layer.provide(Transport.layerFetch())
 * )
 *
 * const program = Grants.clientCredentials({ audience: "https://api.example.com" }).pipe(Effect.provide(Auth0Live))
 * ```
 *
 * @see https://auth0.com/docs/api/authentication
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<OAuthClient.OAuthClient, ClientError.InvalidConfiguration, Transport.Transport> =>
  internal.layer(options)

/**
 * The `Config` read by {@link layerConfig}: `AUTH0_DOMAIN` (a tenant name), `AUTH0_CLIENT_ID`, `AUTH0_CLIENT_SECRET`
 * (redacted, optional).
 *
 * @see https://auth0.com/docs/api/authentication
 * @since 0.1.0
 * @category constructors
 */
export const config: Config.Config<Options> = internal.config

/**
 * The client service for an Auth0 tenant, from `Config`.
 *
 * @see https://auth0.com/docs/api/authentication
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<Options> = internal.config
): Layer.Layer<OAuthClient.OAuthClient, ConfigError.ConfigError | ClientError.InvalidConfiguration, Transport.Transport> =>
  internal.layerConfig(config)

/**
 * A client of the Auth0 Management API (`https://<domain>/api/v2/`), authenticated with client credentials tokens
 * for its audience, renewed as needed.
 *
 * @see https://auth0.com/docs/api/management/v2
 * @since 0.1.0
 * @category models
 */
export interface ManagementApi extends ApiClient.ApiClient<TokenSource.TokenSourceError | Bearer.ExpiredAccessToken> {}

/**
 * The Management API client service.
 *
 * @see https://auth0.com/docs/api/management/v2
 * @since 0.1.0
 * @category tags
 */
export const ManagementApi: Context.Tag<ManagementApi, ManagementApi> = internal.ManagementApi

/**
 * Options of the Management API client: the tenant and credentials of a machine-to-machine application authorized
 * for the Management API, and optionally the scopes to ask for and the token leeway.
 *
 * @see https://auth0.com/docs/api/management/v2
 * @since 0.1.0
 * @category models
 */
export interface ManagementApiOptions extends Options {
  /** Scopes to ask for (`read:users`, ...); by default those granted to the application. */
  readonly scope?: string | ReadonlyArray<string>
  readonly leeway?: Duration.DurationInput
}

/**
 * Builds a Management API client: the Auth0 client, a client credentials token source with audience
 * `https://<domain>/api/v2/`, and an API client on that URL over the `HttpClient` in context.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { ApiClient, Auth0 } from "@oauth2/flows"
 * import { Transport } from "@oauth2/http"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * const ManagementLive = Auth0.layerManagementApi({
 *   tenant: "mytenant.eu",
 *   clientId: "m2m-client",
 *   clientSecret: Redacted.make("m2m-secret")
 * }).pipe(Layer.provide(Layer.merge(Transport.layerFetch(), FetchHttpClient.layer)))
 *
 * const users = Effect.gen(function* () {
 *   const api = yield* Auth0.ManagementApi
 *   return yield* api.get("users", { urlParams: { page: 0, per_page: 100 } }).pipe(Effect.flatMap(ApiClient.json))
 * }).pipe(Effect.provide(ManagementLive))
 * ```
 *
 * @see https://auth0.com/docs/secure/tokens/access-tokens/management-api-access-tokens
 * @since 0.1.0
 * @category constructors
 */
export const makeManagementApi: (
  options: ManagementApiOptions
) => Effect.Effect<ManagementApi, ClientError.InvalidConfiguration, Transport.Transport | HttpClient.HttpClient | Scope.Scope> =
  internal.makeManagementApi

/**
 * The Management API client as a layer.
 *
 * @see https://auth0.com/docs/api/management/v2
 * @since 0.1.0
 * @category layers
 */
export const layerManagementApi = (
  options: ManagementApiOptions
): Layer.Layer<ManagementApi, ClientError.InvalidConfiguration, Transport.Transport | HttpClient.HttpClient> => internal.layerManagementApi(options)
