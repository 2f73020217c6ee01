/**
 * The whole client side of a protected resource, as one program (what MCP clients do): call the resource; on a 401,
 * read its protected resource metadata (RFC 9728, from the challenge's `resource_metadata` or the well-known URL)
 * and check its `resource`, choose and discover its Authorization Server (issuer checked), register a client
 * (RFC 7591) when none is configured, run the authorization code grant with PKCE and the `resource` indicator
 * (RFC 8707) through a user agent, redeem the code, and retry the original call with the new token.
 *
 * Every step is replaceable: the user agent that brings back the authorization response is a service
 * ({@link UserAgent}: tests follow the redirects, a CLI opens a browser on a loopback redirect), the Authorization
 * Server is chosen by {@link Options.choose}, the client is configured ({@link Options.client}) or registered
 * ({@link Options.registration}), the network is the `Transport` and `HttpClient` in context. Every failure is a
 * typed error of the step that failed.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-5
 * @see https://www.rfc-editor.org/rfc/rfc7591
 * @see https://www.rfc-editor.org/rfc/rfc8707
 * @see https://modelcontextprotocol.io/specification/2025-06-18/basic/authorization
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type { BearerToken, OAuthError, Registration, ResourceMetadata, ServerMetadata } from "@oauth2/core"
import type { ClientError, ClientRegistration, OAuthClient, ResourceDiscovery, Transport } from "@oauth2/http"
import type * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type { AuthorizationCodeError } from "./Grants.js"
import * as internal from "./internal/protectedResource.js"

/**
 * The type id of the errors of this module.
 *
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("@oauth2/flows/ProtectedResource/ProtectedResourceError")

/**
 * The type of {@link TypeId}.
 *
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * The call to the protected resource failed before an answer (the `HttpClient`'s error, or an expired token, is the
 * `cause`).
 *
 * @since 0.1.0
 * @category errors
 */
export interface ResourceRequestFailed extends Cause.YieldableError {
  readonly [TypeId]: TypeId
  readonly _tag: "ResourceRequestFailed"
  readonly url: string
  readonly message: string
  readonly cause: unknown
}

/**
 * The protected resource answered 401 again to the call retried with the new token.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 * @since 0.1.0
 * @category errors
 */
export interface StillUnauthorized extends Cause.YieldableError {
  readonly [TypeId]: TypeId
  readonly _tag: "StillUnauthorized"
  readonly url: string
  readonly status: number
  readonly message: string
}

/**
 * The user agent did not bring back an authorization response (the browser was closed, the loopback listener
 * failed, ...).
 *
 * @since 0.1.0
 * @category errors
 */
export interface UserAgentFailed extends Cause.YieldableError {
  readonly [TypeId]: TypeId
  readonly _tag: "UserAgentFailed"
  readonly message: string
  readonly cause?: unknown
}

/**
 * The errors of this module.
 *
 * @since 0.1.0
 * @category errors
 */
export type ProtectedResourceError = ResourceRequestFailed | StillUnauthorized | UserAgentFailed

/**
 * Whether a value is a {@link ProtectedResourceError}.
 *
 * @since 0.1.0
 * @category guards
 */
export const isProtectedResourceError: (u: unknown) => u is ProtectedResourceError = internal.isProtectedResourceError

/**
 * Constructs a {@link UserAgentFailed}: for user agents of your own.
 *
 * @since 0.1.0
 * @category errors
 */
export const userAgentFailed: (message: string, cause?: unknown) => UserAgentFailed = internal.userAgentFailed

/**
 * Constructs a {@link ResourceRequestFailed}.
 *
 * @since 0.1.0
 * @category errors
 */
export const resourceRequestFailed: (url: string, cause: unknown) => ResourceRequestFailed = internal.resourceRequestFailed

/**
 * Constructs a {@link StillUnauthorized}.
 *
 * @since 0.1.0
 * @category errors
 */
export const stillUnauthorized: (url: string, status: number) => StillUnauthorized = internal.stillUnauthorized

/**
 * What a call may fail with: this module's errors, then each step's own (resource metadata, Authorization Server
 * choice and discovery, registration, the authorization request, the callback and the code redemption).
 *
 * @since 0.1.0
 * @category errors
 */
export type AccessError =
  | ProtectedResourceError
  | ResourceDiscovery.MetadataError
  | ResourceDiscovery.ResourceDiscoveryError
  | OAuthClient.DiscoveryError
  | ClientRegistration.RegistrationError
  | ClientError.InvalidConfiguration
  | ClientError.EndpointNotSupported
  | OAuthError.InvalidArgument
  | OAuthClient.JwksError
  | OAuthClient.CallError<"pushed_authorization">
  | AuthorizationCodeError

/**
 * The user agent step: sends the end-user to the authorization request URL and brings back the URL the Authorization
 * Server redirected to at `redirectUri` (with `code`, `state`, `iss`, or an error).
 *
 * @since 0.1.0
 * @category models
 */
export interface UserAgent {
  readonly authorize: (request: { readonly url: string; readonly redirectUri: string }) => Effect.Effect<string, UserAgentFailed>
}

/**
 * The user agent service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export const UserAgent: Context.Tag<UserAgent, UserAgent> = internal.UserAgent

/**
 * A user agent from a function (a test server's scripted browser, a loopback listener, ...).
 *
 * @example
 * ```ts
 * import { ProtectedResource } from "@oauth2/flows"
 * import { Effect } from "effect"
 *
 * // a user agent that signs in elsewhere and pastes the redirect URL back
 * const UserAgentLive = ProtectedResource.layerUserAgent(({ url }) =>
 *   Effect.succeed(`http://127.0.0.1/callback?code=...&state=...&from=${encodeURIComponent(url)}`)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerUserAgent = (authorize: UserAgent["authorize"]): Layer.Layer<UserAgent> => internal.layerUserAgent(authorize)

/**
 * The dynamic registration of a client when none is configured.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3
 * @since 0.1.0
 * @category models
 */
export interface RegistrationOptions {
  /**
   * The metadata to register; by default a public client (`token_endpoint_auth_method: none`, PKCE) for the
   * authorization code and refresh token grants at `redirectUri` (`application_type: native` for a loopback one).
   */
  readonly metadata?: Registration.ClientMetadata
  readonly initialAccessToken?: string | Redacted.Redacted<string>
  readonly softwareStatement?: string
}

/**
 * Steps of the chain to run your own way, each in place of the built-in one: the protected resource metadata (e.g.
 * from a cache), the Authorization Server (e.g. pinned metadata), the client (e.g. a registration kept from an earlier
 * run, or one registered with your own metadata). A step of yours is trusted: make it check what the built-in one
 * checks (the `resource`, the issuer). Whichever step chose it, the Authorization Server must be one of the
 * metadata's `authorization_servers` (else `AuthorizationServerNotListed`). The `Transport` of the service is in
 * their context.
 *
 * @since 0.1.0
 * @category models
 */
export interface Steps {
  readonly metadata?: (input: {
    readonly resource: string
    readonly metadataUrl?: string
  }) => Effect.Effect<ResourceMetadata.ResourceMetadata, AccessError, Transport.Transport>
  readonly authorizationServer?: (
    metadata: ResourceMetadata.ResourceMetadata
  ) => Effect.Effect<ServerMetadata.ServerMetadata, AccessError, Transport.Transport>
  readonly client?: (server: ServerMetadata.ServerMetadata) => Effect.Effect<OAuthClient.OAuthClient, AccessError, Transport.Transport>
}

/**
 * Options of the program.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Where the Authorization Server sends the end-user back with the code. */
  readonly redirectUri: string
  /**
   * The resource identifier expected in the metadata (exact match); by default the URL of the request that got the
   * 401, without its fragment (RFC 9728 3.3).
   */
  readonly resource?: string
  /** The scope to ask for; by default the challenge's `scope`, else the resource's `scopes_supported`. */
  readonly scope?: string
  /**
   * A configured client (its credentials): no registration. It is tied to its Authorization Server, `issuer` (or
   * `endpoints.issuer`, one of them required): when the server the resource names is another one, the call fails
   * with `InvalidConfiguration` (field `client.issuer`) before the credentials are sent anywhere.
   */
  readonly client?: Omit<OAuthClient.Options, "metadata"> & { readonly issuer?: string }
  /** How to register a client when `client` is not given. */
  readonly registration?: RegistrationOptions
  /** Chooses the Authorization Server among the resource's (the first by default); a server not listed is refused. */
  readonly choose?: ResourceDiscovery.Chooser
  /** Which metadata document to discover the server with (`auto`: RFC 8414, then OpenID Connect). */
  readonly discoveryKind?: ServerMetadata.Kind | "auto"
  /** Steps run your own way (see {@link Steps}). */
  readonly steps?: Steps
  /** Send the token to plain `http` resources on non-loopback hosts (tests only). */
  readonly allowInsecureHttp?: boolean
}

/**
 * The service: calls a protected resource, obtaining a token the first time it answers 401 (one authorization at a
 * time). Tokens are kept per protected resource (the metadata's `resource`), and a token is sent only to the URLs of
 * its resource (same origin, path at or under the identifier's): a call to another resource is sent without one, and
 * its 401 runs the chain for that resource. Later calls reuse the token; an expired one is refreshed with its refresh
 * token and the same `resource` (RFC 6749 6, RFC 8707), or else not sent, and a 401 starts the chain over.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-7.3
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
 *
 * @since 0.1.0
 * @category models
 */
export interface ProtectedResource {
  /** Sends the request (with its resource's token, if any); on a 401, runs the chain and retries it once. */
  readonly execute: (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<HttpClientResponse.HttpClientResponse, AccessError>
  /** The token obtained (or refreshed) last, for whichever resource, if the chain ran. */
  readonly token: Effect.Effect<BearerToken.BearerToken | undefined>
  /** The token that would be sent to a URL: its resource's, if the chain ran for it. */
  readonly tokenFor: (url: string) => Effect.Effect<BearerToken.BearerToken | undefined>
}

/**
 * The service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export const ProtectedResource: Context.Tag<ProtectedResource, ProtectedResource> = internal.tag

/**
 * Builds the service from the `Transport` (Authorization Server calls), the `HttpClient` (resource calls) and the
 * {@link UserAgent} in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: Options) => Effect.Effect<ProtectedResource, never, Transport.Transport | HttpClient.HttpClient | UserAgent> =
  internal.make

/**
 * The service as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<ProtectedResource, never, Transport.Transport | HttpClient.HttpClient | UserAgent> =>
  internal.layer(options)

/**
 * One call through the whole chain, without keeping the service: `make` then `execute`.
 *
 * @example
 * ```ts
 * import { FetchHttpClient, HttpClientRequest } from "@effect/platform"
 * import { ProtectedResource } from "@oauth2/flows"
 * import { Transport } from "@oauth2/http"
 * import { Effect, Layer } from "effect"
 *
 * declare const UserAgentLive: Layer.Layer<ProtectedResource.UserAgent>
 *
 * const program = ProtectedResource.access(HttpClientRequest.get("https://mcp.example.com/mcp"), {
 *   redirectUri: "http://127.0.0.1:8765/callback"
 * }).pipe(
 *   Effect.flatMap((response) => response.json),
 *   Effect.catchTags({
 *     MismatchingResource: (e) => Effect.fail(`metadata for ${e.received}, not ${e.expected}`),
 *     AuthorizationServerNotListed: (e) => Effect.fail(`${e.issuer} is not trusted by ${e.resource}`)
 *   }),
 *   Effect.provide(Layer.mergeAll(Transport.layerFetch(), FetchHttpClient.layer, UserAgentLive))
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const access: (
  request: HttpClientRequest.HttpClientRequest,
  options: Options
) => Effect.Effect<HttpClientResponse.HttpClientResponse, AccessError, Transport.Transport | HttpClient.HttpClient | UserAgent> = internal.access
