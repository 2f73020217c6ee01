/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728): where a resource server's metadata document lives, what it holds
 * (its resource identifier, the authorization servers that issue tokens for it, its scopes), and how to trust it.
 *
 * Trust rules:
 * 1. The resource identifier is an `https:` URL (plain `http:` only on a loopback host, or with `allowInsecureHttp`)
 *    without fragment or credentials; its well-known URL is derived from it (RFC 9728 3.1).
 * 2. The document decodes: standard members with their standard types, `authorization_servers` a list of
 *    absolute URLs.
 * 3. Its `resource` equals the expected resource identifier, compared as exact strings (`MismatchingResource`):
 *    a document for another resource must not be used (RFC 9728 3.3, 7.3).
 * 4. The authorization servers are `https:` issuer identifiers under the same rule, and there is at least one
 *    (unless the caller says otherwise).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import type * as Either from "effect/Either"
import type * as Schema from "effect/Schema"
import * as internal from "./internal/resourceMetadata.js"
import type { InvalidArgument, ResponseContext, UnexpectedResponse } from "./OAuthError.js"

/**
 * The schema of a protected resource metadata document: snake_case on the wire, camelCase in the model.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-2
 * @since 0.1.0
 * @category models
 */
export const Document = internal.Document

/**
 * A protected resource metadata document: the standard members in camelCase, every other member in `extra`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-2
 * @since 0.1.0
 * @category models
 */
export interface ResourceMetadata extends Schema.Schema.Type<typeof Document> {
  /** Every member the standard fields do not name, as sent. */
  readonly extra: Readonly<Record<string, unknown>>
}

/**
 * The path suffix of the well-known URL: `/.well-known/oauth-protected-resource`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-3
 * @since 0.1.0
 * @category constants
 */
export const wellKnownSuffix = "/.well-known/oauth-protected-resource" as const

/**
 * The type id of {@link MismatchingResource}.
 *
 * @since 0.1.0
 * @category type ids
 */
export const MismatchingResourceTypeId: unique symbol = Symbol.for("@oauth2/core/ResourceMetadata/MismatchingResource")

/**
 * The type of {@link MismatchingResourceTypeId}.
 *
 * @since 0.1.0
 * @category type ids
 */
export type MismatchingResourceTypeId = typeof MismatchingResourceTypeId

/**
 * The document's `resource` is not the resource identifier the caller expects (compared as exact strings): it may
 * be an impersonation and must not be used.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-3.3
 * @since 0.1.0
 * @category errors
 */
export interface MismatchingResource extends Cause.YieldableError {
  readonly [MismatchingResourceTypeId]: MismatchingResourceTypeId
  readonly _tag: "MismatchingResource"
  readonly endpoint: "resource_metadata"
  /** The resource identifier the caller expects. */
  readonly expected: string
  /** The `resource` of the document. */
  readonly received: string
  readonly message: string
}

/**
 * Whether a value is a {@link MismatchingResource}.
 *
 * @since 0.1.0
 * @category guards
 */
export const isMismatchingResource: (u: unknown) => u is MismatchingResource = internal.isMismatchingResource

/**
 * Constructs a {@link MismatchingResource}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-3.3
 * @since 0.1.0
 * @category errors
 */
export const mismatchingResource: (expected: string, received: string) => MismatchingResource = internal.mismatchingResource

/**
 * The URL rules' options.
 *
 * @since 0.1.0
 * @category models
 */
export interface UrlOptions {
  /** Accept plain `http:` resource identifiers and URLs on any host (tests, internal networks). Default `false`. */
  readonly allowInsecureHttp?: boolean | undefined
}

/**
 * Checks a resource identifier and returns it as a URL: `https:` (or `http:` on a loopback host, or anywhere with
 * `allowInsecureHttp`), without fragment or credentials. Fails with `InvalidArgument`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-1.2
 * @since 0.1.0
 * @category constructors
 */
export const resourceUrl: (resource: string, options?: UrlOptions) => Either.Either<URL, InvalidArgument> = internal.resourceUrl

/**
 * The well-known metadata URL of a resource identifier: `/.well-known/oauth-protected-resource` inserted between
 * the host and the path and query (a lone terminating `/` after the host removed first).
 *
 * @example
 * ```ts
 * import { ResourceMetadata } from "@oauth2/core"
 * import { Either } from "effect"
 *
 * console.log(Either.getOrThrow(ResourceMetadata.metadataUrl("https://api.example.com/mcp")))
 * // https://api.example.com/.well-known/oauth-protected-resource/mcp
 * console.log(Either.getOrThrow(ResourceMetadata.metadataUrl("https://api.example.com/")))
 * // https://api.example.com/.well-known/oauth-protected-resource
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-3.1
 * @since 0.1.0
 * @category constructors
 */
export const metadataUrl: (resource: string, options?: UrlOptions) => Either.Either<string, InvalidArgument> = internal.metadataUrl

/**
 * Decodes a metadata document without trusting it yet: types and URL syntax checked, unknown members kept in
 * `extra`; the resource is not compared (see {@link decode}). Failures are `UnexpectedResponse` naming the member.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-3.2
 * @since 0.1.0
 * @category constructors
 */
export const decodeDocument: (raw: unknown, context?: ResponseContext) => Either.Either<ResourceMetadata, UnexpectedResponse> =
  internal.decodeDocument

/**
 * What {@link validate} checks.
 *
 * @since 0.1.0
 * @category models
 */
export interface ValidateOptions extends UrlOptions {
  /** The resource identifier the caller expects. Compared exactly. */
  readonly resource: string
  /** Require at least one authorization server (default `true`). */
  readonly requireAuthorizationServers?: boolean | undefined
  /** Where the document came from, for error reporting. */
  readonly context?: ResponseContext | undefined
}

/**
 * Checks that a decoded document can be trusted for a resource: its `resource` equals the expected one exactly
 * (else `MismatchingResource`), the resource, the authorization servers and `jwks_uri` use `https:` (or `http:` on
 * a loopback host, or anywhere with `allowInsecureHttp`), and at least one authorization server is listed (else
 * `UnexpectedResponse` naming the member).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-3.3
 * @since 0.1.0
 * @category combinators
 */
export const validate: {
  (options: ValidateOptions): (self: ResourceMetadata) => Either.Either<ResourceMetadata, MismatchingResource | UnexpectedResponse>
  (self: ResourceMetadata, options: ValidateOptions): Either.Either<ResourceMetadata, MismatchingResource | UnexpectedResponse>
} = internal.validate

/**
 * Decodes and validates a metadata document fetched for an expected resource: {@link decodeDocument} then
 * {@link validate}.
 *
 * @example
 * ```ts
 * import { ResourceMetadata } from "@oauth2/core"
 * import { Either } from "effect"
 *
 * const metadata = ResourceMetadata.decode(
 *   { resource: "https://api.example.com/mcp", authorization_servers: ["https://as.example.com"] },
 *   { resource: "https://api.example.com/mcp" }
 * )
 * console.log(Either.map(metadata, (m) => m.authorizationServers)) // Right([https://as.example.com])
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-3.3
 * @since 0.1.0
 * @category constructors
 */
export const decode: (body: unknown, options: ValidateOptions) => Either.Either<ResourceMetadata, MismatchingResource | UnexpectedResponse> =
  internal.decode

/**
 * Encodes a metadata document back to its JSON form (snake_case, extra members kept).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-2
 * @since 0.1.0
 * @category encoding
 */
export const encode: (self: ResourceMetadata) => Record<string, unknown> = internal.encode
