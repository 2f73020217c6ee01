/**
 * Dynamic client registration (RFC 7591) and its management (RFC 7592): the client metadata a client sends, and the
 * registered client the server answers, with the RFC 7591 names in camelCase.
 *
 * The answer decodes into the value `ClientAuth.fromRegistration` and `OAuthClient` of `@oauth2/http` take (its
 * `clientId`, `tokenEndpointAuthMethod` and `clientSecret`), so a registered client is usable in one step. The client
 * secret and the registration access token are `Redacted`; `client_id_issued_at` and `client_secret_expires_at` are
 * instants. The registration endpoint's errors (`invalid_redirect_uri`, `invalid_client_metadata`,
 * `invalid_software_statement`, `unapproved_software_statement`) have their own tags in `OAuthError`
 * (`OAuthError.ErrorOf<"registration">`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591
 * @see https://www.rfc-editor.org/rfc/rfc7592
 * @since 0.1.0
 */
import type * as DateTime from "effect/DateTime"
import type * as Either from "effect/Either"
import type * as Schema from "effect/Schema"
import * as internal from "./internal/registration.js"
import type { ResponseContext, UnexpectedResponse } from "./OAuthError.js"

/**
 * The schema of client metadata (RFC 7591 2, OpenID Connect Dynamic Client Registration 1.0 2, the logout
 * specifications, RFC 9449 5.2): snake_case on the wire, camelCase in the model.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 * @see https://openid.net/specs/openid-connect-registration-1_0.html#ClientMetadata
 * @since 0.1.0
 * @category models
 */
export const Metadata = internal.Metadata

/**
 * Client metadata to register (or to update, RFC 7592 2.2): every standard member in camelCase, any other in `extra`
 * (with its wire name). `softwareStatement` is the signed software statement (RFC 7591 2.3), when the server asks
 * for one.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 * @since 0.1.0
 * @category models
 */
export interface ClientMetadata extends Schema.Schema.Type<typeof Metadata> {
  /** Members the standard fields do not name, with their wire names (a standard or server-only name is ignored). */
  readonly extra?: Readonly<Record<string, unknown>>
}

/**
 * The schema of a registration answer (RFC 7591 3.2.1, RFC 7592 3): the client's metadata and its credentials.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2.1
 * @since 0.1.0
 * @category models
 */
export const Response = internal.Response

/**
 * A registered client, as the server answered (RFC 7591 3.2.1, and RFC 7592 3 for read and update): its id, its
 * secret (`Redacted`), the metadata the server registered (which may differ from what was asked), and, when the
 * server supports management, the registration access token (`Redacted`) and the client configuration endpoint.
 * `tokenEndpointAuthMethod` is `client_secret_basic` when the server did not say (RFC 7591 2). It is a
 * `ClientAuth.Registration` of `@oauth2/http` (add `privateJwk` for `private_key_jwt`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2.1
 * @see https://www.rfc-editor.org/rfc/rfc7592#section-3
 * @since 0.1.0
 * @category models
 */
export interface RegisteredClient extends Schema.Schema.Type<typeof Response> {
  readonly tokenEndpointAuthMethod: string
  /** When the secret expires; absent when it does not (`0` on the wire), or when there is no secret. */
  readonly clientSecretExpiresAt?: DateTime.Utc
  /** Every member the standard fields do not name, as sent. */
  readonly extra: Readonly<Record<string, unknown>>
}

/**
 * Encodes client metadata to the JSON body of a registration (or update) request: snake_case names, `extra`
 * members added without overriding a standard one, and never a member only the server sends (`client_id`,
 * `client_secret`, `registration_access_token`, ...).
 *
 * @example
 * ```ts
 * import { Registration } from "@oauth2/core"
 *
 * const body = Registration.encodeMetadata({
 *   redirectUris: ["https://app.example.com/cb"],
 *   tokenEndpointAuthMethod: "client_secret_post",
 *   clientName: "My app"
 * })
 * console.log(body) // { redirect_uris: [...], token_endpoint_auth_method: "client_secret_post", client_name: "My app" }
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.1
 * @since 0.1.0
 * @category encoding
 */
export const encodeMetadata: (metadata: ClientMetadata) => Record<string, unknown> = internal.encodeMetadata

/**
 * Decodes a registration answer (HTTP 201 of RFC 7591 3.2.1, or 200 of RFC 7592 read and update): `client_id`
 * required, every standard member with its standard type, the dates as instants, secrets `Redacted`, unknown
 * members kept in `extra`. A registration access token without a client configuration endpoint is refused.
 * Failures are `UnexpectedResponse` naming the member at fault (never a secret's value).
 *
 * @example
 * ```ts
 * import { Registration } from "@oauth2/core"
 * import { Either, Redacted } from "effect"
 *
 * const registered = Registration.decode({ client_id: "s6BhdRkqt3", client_secret: "cf136dc3c1fc93f31185e5885805d", client_secret_expires_at: 0 })
 * if (Either.isRight(registered)) console.log(registered.right.tokenEndpointAuthMethod, Redacted.isRedacted(registered.right.clientSecret))
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2.1
 * @see https://www.rfc-editor.org/rfc/rfc7592#section-3
 * @since 0.1.0
 * @category constructors
 */
export const decode: (raw: unknown, context?: ResponseContext) => Either.Either<RegisteredClient, UnexpectedResponse> = internal.decode

/**
 * The client metadata of a registered client (its standard metadata members and `extra`): what to change and send
 * back in an update (RFC 7592 2.2 replaces the whole registration).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7592#section-2.2
 * @since 0.1.0
 * @category combinators
 */
export const metadataOf: (self: RegisteredClient) => ClientMetadata = internal.metadataOf
