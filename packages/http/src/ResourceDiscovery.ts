/**
 * From a protected resource to its Authorization Server (RFC 9728): read the `resource_metadata` parameter of a
 * resource's `WWW-Authenticate` challenge (or derive the well-known URL from the resource identifier), fetch the
 * protected resource metadata and check that its `resource` is the expected identifier, choose an Authorization
 * Server from its `authorization_servers` (the first by default, or your chooser's pick, which must be in the list),
 * and discover that server with the usual issuer checks (RFC 8414, then OpenID Connect Discovery).
 *
 * The metadata fetch is one request through the `Transport` (span `oauth2.resource_metadata`, retried when transient).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728
 * @since 0.1.0
 */
import type { OAuthError, ResourceMetadata, ServerMetadata } from "@oauth2/core"
import type * as Cause from "effect/Cause"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type { InvalidConfiguration } from "./ClientError.js"
import * as internal from "./internal/resourceDiscovery.js"
import type * as OAuthClient from "./OAuthClient.js"
import type * as Transport from "./Transport.js"
import type { TransportError } from "./TransportError.js"

/**
 * The type id of the errors of this module.
 *
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("@oauth2/http/ResourceDiscovery/ResourceDiscoveryError")

/**
 * The type of {@link TypeId}.
 *
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * The protected resource lists no Authorization Server, or the chooser chose none.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-2
 * @since 0.1.0
 * @category errors
 */
export interface NoAuthorizationServer extends Cause.YieldableError {
  readonly [TypeId]: TypeId
  readonly _tag: "NoAuthorizationServer"
  readonly resource: string
  readonly message: string
}

/**
 * The chosen (or configured) Authorization Server is not in the protected resource's `authorization_servers`: the
 * resource does not trust it, and a token from it must not be asked for.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-7.6
 * @since 0.1.0
 * @category errors
 */
export interface AuthorizationServerNotListed extends Cause.YieldableError {
  readonly [TypeId]: TypeId
  readonly _tag: "AuthorizationServerNotListed"
  readonly resource: string
  /** The issuer that was chosen. */
  readonly issuer: string
  /** The resource's `authorization_servers` (at most 32). */
  readonly listed: ReadonlyArray<string>
  readonly message: string
}

/**
 * The errors of choosing an Authorization Server.
 *
 * @since 0.1.0
 * @category errors
 */
export type ResourceDiscoveryError = NoAuthorizationServer | AuthorizationServerNotListed

/**
 * Whether a value is a {@link ResourceDiscoveryError}.
 *
 * @since 0.1.0
 * @category guards
 */
export const isResourceDiscoveryError: (u: unknown) => u is ResourceDiscoveryError = internal.isResourceDiscoveryError

/**
 * Constructs a {@link NoAuthorizationServer}.
 *
 * @since 0.1.0
 * @category errors
 */
export const noAuthorizationServer: (resource: string) => NoAuthorizationServer = internal.noAuthorizationServer

/**
 * Constructs an {@link AuthorizationServerNotListed}.
 *
 * @since 0.1.0
 * @category errors
 */
export const authorizationServerNotListed: (resource: string, issuer: string, listed: ReadonlyArray<string>) => AuthorizationServerNotListed =
  internal.authorizationServerNotListed

/**
 * What fetching protected resource metadata may fail with: a resource identifier that cannot have a well-known URL
 * (`InvalidConfiguration`), the transport, a nonsense answer, or a document for another resource.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-3.3
 * @since 0.1.0
 * @category errors
 */
export type MetadataError =
  | InvalidConfiguration
  | TransportError
  | OAuthError.UnexpectedResponse
  | OAuthError.ErrorOf<"resource_metadata">
  | ResourceMetadata.MismatchingResource

/**
 * The `resource_metadata` URL of a `WWW-Authenticate` header (the first challenge that has one: `Bearer`, `DPoP`,
 * ...), parsed with `Bearer.parseChallenges`; `undefined` when there is none.
 *
 * @example
 * ```ts
 * import { ResourceDiscovery } from "@oauth2/http"
 *
 * const url = ResourceDiscovery.metadataUrlFromChallenge(
 *   `Bearer resource_metadata="https://api.example.com/.well-known/oauth-protected-resource/mcp"`
 * )
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-5.1
 * @since 0.1.0
 * @category encoding
 */
export const metadataUrlFromChallenge: (header: string | null | undefined) => string | undefined = internal.metadataUrlFromChallenge

/**
 * Options of {@link fetchMetadata}.
 *
 * @since 0.1.0
 * @category models
 */
export interface FetchOptions {
  /** The resource identifier expected in the document (compared exactly). */
  readonly resource: string
  /**
   * Where the document is (a 401's `resource_metadata`); else the well-known URL of `resource`. A URL from a
   * challenge is fetched only over https or at the resource's own origin (an untrusted answer must not make the
   * client call services on loopback or plain http).
   */
  readonly metadataUrl?: string
}

/**
 * Fetches a protected resource's metadata and checks it for the expected resource (`ResourceMetadata.decode`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-3
 * @since 0.1.0
 * @category constructors
 */
export const fetchMetadata: (options: FetchOptions) => Effect.Effect<ResourceMetadata.ResourceMetadata, MetadataError, Transport.Transport> =
  internal.fetchMetadata

/**
 * Chooses one Authorization Server of a resource's list: the chosen issuer must be in the list.
 *
 * @since 0.1.0
 * @category models
 */
export type Chooser = (authorizationServers: ReadonlyArray<string>, metadata: ResourceMetadata.ResourceMetadata) => string | undefined

/**
 * Chooses the Authorization Server: the first of `authorization_servers` by default, else the chooser's pick, which
 * must be one of them (`AuthorizationServerNotListed`); none is `NoAuthorizationServer`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-7.6
 * @since 0.1.0
 * @category combinators
 */
export const chooseAuthorizationServer: (
  metadata: ResourceMetadata.ResourceMetadata,
  choose?: Chooser
) => Either.Either<string, ResourceDiscoveryError> = internal.chooseAuthorizationServer

/**
 * Options of {@link discoverAuthorizationServer}.
 *
 * @since 0.1.0
 * @category models
 */
export interface DiscoverOptions {
  readonly metadata: ResourceMetadata.ResourceMetadata
  readonly choose?: Chooser
  /** Which metadata document: `auto` (the default) tries RFC 8414, then OpenID Connect Discovery when not found. */
  readonly kind?: ServerMetadata.Kind | "auto"
}

/**
 * Chooses a resource's Authorization Server and discovers it (`OAuthClient.discover`: its `issuer` must be the
 * chosen identifier exactly).
 *
 * @example
 * ```ts
 * import { ResourceDiscovery } from "@oauth2/http"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const metadata = yield* ResourceDiscovery.fetchMetadata({ resource: "https://api.example.com/mcp" })
 *   const server = yield* ResourceDiscovery.discoverAuthorizationServer({ metadata })
 *   return server.registrationEndpoint
 * })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-7.6
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3.3
 * @since 0.1.0
 * @category constructors
 */
export const discoverAuthorizationServer: (
  options: DiscoverOptions
) => Effect.Effect<ServerMetadata.ServerMetadata, OAuthClient.DiscoveryError | ResourceDiscoveryError, Transport.Transport> =
  internal.discoverAuthorizationServer
