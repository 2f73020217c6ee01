/**
 * Authorization server metadata (RFC 8414) and OpenID Connect Discovery 1.0: where the documents live, what they
 * hold, and how to trust them.
 *
 * Trust rules, in order:
 * 1. The issuer the caller expects is an `https:` URL (plain `http:` only on a loopback host, or with
 *    `allowInsecureHttp`) without query or fragment; its well-known URL is derived from it.
 * 2. The document decodes: every standard member has its standard type, every endpoint or URL member is an
 *    absolute `http(s)` URL without fragment (no `javascript:`, no relative reference).
 * 3. The document's `issuer` equals the expected issuer, compared as exact strings (`MismatchingIssuer`).
 * 4. Every endpoint uses `https:` under the same rule as the issuer, and the members the caller needs are there.
 *
 * Only `issuer` is always required. The members that OpenID Connect Discovery marks REQUIRED
 * (`authorization_endpoint`, `jwks_uri`, `response_types_supported`, `subject_types_supported`,
 * `id_token_signing_alg_values_supported`) are not enforced by default, because real servers omit some of them
 * (a client-credentials-only AS has no authorization endpoint); callers list what they need in `required`.
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import type * as Either from "effect/Either"
import type * as Schema from "effect/Schema"
import * as internal from "./internal/serverMetadata.js"
import type { InvalidArgument, ResponseContext, UnexpectedResponse } from "./OAuthError.js"

/**
 * The schema of a metadata document: snake_case on the wire, camelCase in the model. Unknown members are not part
 * of it (see {@link decodeDocument}, which keeps them in `extra`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 * @since 0.1.0
 * @category models
 */
export const Document = internal.Document

/**
 * A metadata document: the standard members in camelCase, every other member in `extra`, as sent.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 * @since 0.1.0
 * @category models
 */
export interface ServerMetadata extends Schema.Schema.Type<typeof Document> {
  /** Every member the standard fields do not name (vendor extensions). */
  readonly extra: Readonly<Record<string, unknown>>
}

/**
 * The name of a standard member of {@link ServerMetadata}.
 *
 * @since 0.1.0
 * @category models
 */
export type Field = keyof Schema.Schema.Type<typeof Document>

/**
 * The members that hold endpoints the client sends requests to: they must use `https:` (see {@link validate}).
 *
 * @since 0.1.0
 * @category models
 */
export const endpointFields: readonly [
  "authorizationEndpoint",
  "tokenEndpoint",
  "jwksUri",
  "userinfoEndpoint",
  "registrationEndpoint",
  "revocationEndpoint",
  "introspectionEndpoint",
  "endSessionEndpoint",
  "checkSessionIframe",
  "deviceAuthorizationEndpoint",
  "backchannelAuthenticationEndpoint",
  "pushedAuthorizationRequestEndpoint"
] = internal.endpointFields

/**
 * The type id of {@link MismatchingIssuer}.
 *
 * @since 0.1.0
 * @category type ids
 */
export const MismatchingIssuerTypeId: unique symbol = Symbol.for("@oauth2/core/ServerMetadata/MismatchingIssuer")

/**
 * The type of {@link MismatchingIssuerTypeId}.
 *
 * @since 0.1.0
 * @category type ids
 */
export type MismatchingIssuerTypeId = typeof MismatchingIssuerTypeId

/**
 * The document's `issuer` is not the issuer the caller expects (compared as exact strings). The document may be an
 * impersonation (a "mix-up") and must not be used.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3.3
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation
 * @since 0.1.0
 * @category errors
 */
export interface MismatchingIssuer extends Cause.YieldableError {
  readonly [MismatchingIssuerTypeId]: MismatchingIssuerTypeId
  readonly _tag: "MismatchingIssuer"
  readonly endpoint: "discovery"
  /** The issuer the caller expects. */
  readonly expected: string
  /** The `issuer` of the document. */
  readonly received: string
  readonly message: string
}

/**
 * Whether a value is a {@link MismatchingIssuer}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3.3
 * @since 0.1.0
 * @category guards
 */
export const isMismatchingIssuer: (u: unknown) => u is MismatchingIssuer = internal.isMismatchingIssuer

/**
 * The options of the issuer checks.
 *
 * @since 0.1.0
 * @category models
 */
export interface IssuerOptions {
  /** Accept plain `http:` issuers and endpoints on any host (tests, internal networks). Default `false`. */
  readonly allowInsecureHttp?: boolean | undefined
}

/**
 * The kind of metadata document: OpenID Connect Discovery (`openid-configuration`) or RFC 8414
 * (`oauth-authorization-server`).
 *
 * @since 0.1.0
 * @category models
 */
export type Kind = "openid" | "oauth"

/**
 * Checks an issuer identifier and returns it as a URL: `https:` (or `http:` on `localhost`, `127.0.0.0/8`, `[::1]`,
 * or anywhere with `allowInsecureHttp`), without query, fragment or credentials. Fails with `InvalidArgument`.
 *
 * @example
 * ```ts
 * import { ServerMetadata } from "@oauth2/core"
 * import { Either } from "effect"
 *
 * console.log(Either.isLeft(ServerMetadata.issuerUrl("http://as.example.com"))) // true
 * console.log(Either.isRight(ServerMetadata.issuerUrl("http://127.0.0.1:3000"))) // true
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 * @since 0.1.0
 * @category constructors
 */
export const issuerUrl: (issuer: string, options?: IssuerOptions) => Either.Either<URL, InvalidArgument> = internal.issuerUrl

/**
 * The OpenID Connect Discovery URL of an issuer: the issuer, without a terminating `/`, followed by
 * `/.well-known/openid-configuration`.
 *
 * @example
 * ```ts
 * import { ServerMetadata } from "@oauth2/core"
 * import { Either } from "effect"
 *
 * const url = ServerMetadata.openidConfigurationUrl("https://as.example.com/tenant/")
 * console.log(Either.getOrThrow(url)) // https://as.example.com/tenant/.well-known/openid-configuration
 * ```
 *
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationRequest
 * @since 0.1.0
 * @category constructors
 */
export const openidConfigurationUrl: (issuer: string, options?: IssuerOptions) => Either.Either<string, InvalidArgument> =
  internal.openidConfigurationUrl

/**
 * The RFC 8414 metadata URL of an issuer: `/.well-known/oauth-authorization-server` inserted between the host and
 * the path of the issuer (a terminating `/` of the path removed first).
 *
 * @example
 * ```ts
 * import { ServerMetadata } from "@oauth2/core"
 * import { Either } from "effect"
 *
 * const url = ServerMetadata.authorizationServerMetadataUrl("https://as.example.com/tenant")
 * console.log(Either.getOrThrow(url)) // https://as.example.com/.well-known/oauth-authorization-server/tenant
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3.1
 * @since 0.1.0
 * @category constructors
 */
export const authorizationServerMetadataUrl: (issuer: string, options?: IssuerOptions) => Either.Either<string, InvalidArgument> =
  internal.authorizationServerMetadataUrl

/**
 * The well-known URL of an issuer for a kind of document.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-5
 * @since 0.1.0
 * @category constructors
 */
export const discoveryUrl: (issuer: string, kind: Kind, options?: IssuerOptions) => Either.Either<string, InvalidArgument> = internal.discoveryUrl

/**
 * Decodes a metadata document (HTTP 200 JSON body) without trusting it yet: types and URL syntax are checked,
 * unknown members kept in `extra`; the issuer is not compared (see {@link decode}). Failures are
 * `UnexpectedResponse` naming the member at fault.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3.2
 * @since 0.1.0
 * @category constructors
 */
export const decodeDocument: (raw: unknown, context?: ResponseContext) => Either.Either<ServerMetadata, UnexpectedResponse> = internal.decodeDocument

/**
 * What {@link validate} checks besides the issuer.
 *
 * @since 0.1.0
 * @category models
 */
export interface ValidateOptions extends IssuerOptions {
  /** The issuer the caller expects (the one the well-known URL was derived from). Compared exactly. */
  readonly issuer: string
  /** The members the caller needs, e.g. `["tokenEndpoint", "jwksUri"]`. Missing ones are an `UnexpectedResponse`. */
  readonly required?: ReadonlyArray<Field> | undefined
  /** Where the document came from, for error reporting. */
  readonly context?: ResponseContext | undefined
}

/**
 * Checks that a decoded document can be trusted for an issuer: its `issuer` equals the expected one exactly
 * (else `MismatchingIssuer`), the issuer and every endpoint use `https:` (or `http:` on a loopback host, or
 * anywhere with `allowInsecureHttp`), and every `required` member is present (else `UnexpectedResponse` naming it).
 *
 * @example
 * ```ts
 * import { ServerMetadata } from "@oauth2/core"
 * import { Either } from "effect"
 *
 * const checked = ServerMetadata.decodeDocument({ issuer: "https://as.example.com", token_endpoint: "https://as.example.com/token" }).pipe(
 *   Either.flatMap(ServerMetadata.validate({ issuer: "https://as.example.com", required: ["tokenEndpoint"] }))
 * )
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3.3
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation
 * @since 0.1.0
 * @category combinators
 */
export const validate: {
  (options: ValidateOptions): (self: ServerMetadata) => Either.Either<ServerMetadata, MismatchingIssuer | UnexpectedResponse>
  (self: ServerMetadata, options: ValidateOptions): Either.Either<ServerMetadata, MismatchingIssuer | UnexpectedResponse>
} = internal.validate

/**
 * Decodes and validates a metadata document fetched for an expected issuer: {@link decodeDocument} then
 * {@link validate}.
 *
 * @example
 * ```ts
 * import { ServerMetadata } from "@oauth2/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const metadata = yield* ServerMetadata.decode(
 *     {
 *       issuer: "https://as.example.com",
 *       token_endpoint: "https://as.example.com/token",
 *       jwks_uri: "https://as.example.com/jwks"
 *     },
 *     { issuer: "https://as.example.com", required: ["tokenEndpoint", "jwksUri"] }
 *   )
 *   console.log(metadata.tokenEndpoint)
 * })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3.3
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation
 * @since 0.1.0
 * @category constructors
 */
export const decode: (body: unknown, options: ValidateOptions) => Either.Either<ServerMetadata, MismatchingIssuer | UnexpectedResponse> =
  internal.decode

/**
 * Encodes a metadata document back to its JSON form (snake_case, extra members kept). `decodeDocument(encode(m))`
 * gives `m` back.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 * @since 0.1.0
 * @category encoding
 */
export const encode: (self: ServerMetadata) => Record<string, unknown> = internal.encode
