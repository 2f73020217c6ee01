/**
 * Dynamic client registration (RFC 7591) and its management (RFC 7592): register a client at the Authorization
 * Server's registration endpoint (with an initial access token or a software statement when the server wants one),
 * then read, update or delete it at its client configuration endpoint with the registration access token.
 *
 * Each call is one request through the `Transport` (one span `oauth2.registration`, without secrets): the JSON body of
 * RFC 7591, the answer decoded by `Registration.decode` of `@oauth2/core` into the value `ClientAuth.fromRegistration`
 * takes, secrets `Redacted`. A registration is never retried (it creates a client); read, update and delete are.
 * Errors: the registration endpoint's codes (`InvalidRedirectUri`, `InvalidClientMetadata`,
 * `InvalidSoftwareStatement`, `UnapprovedSoftwareStatement`, `InvalidToken` for a bad registration access token,
 * ...) with their own tags, `UnexpectedResponse`, a `TransportError`, or a `ClientError` when the server has no
 * registration endpoint or the client cannot be managed.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591
 * @see https://www.rfc-editor.org/rfc/rfc7592
 * @since 0.1.0
 */
import type { OAuthError, Registration, ServerMetadata } from "@oauth2/core"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as ClientAuth from "./ClientAuth.js"
import type { EndpointNotSupported, InvalidConfiguration } from "./ClientError.js"
import * as internal from "./internal/clientRegistration.js"
import type * as OAuthClient from "./OAuthClient.js"
import type * as Transport from "./Transport.js"
import type { TransportError } from "./TransportError.js"

/**
 * What a registration call may fail with.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2.2
 * @since 0.1.0
 * @category errors
 */
export type RegistrationError =
  TransportError | OAuthError.ErrorOf<"registration"> | OAuthError.UnexpectedResponse | InvalidConfiguration | EndpointNotSupported

/**
 * Options of {@link register}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.1
 * @since 0.1.0
 * @category models
 */
export interface RegisterOptions {
  /** The registration endpoint; else the `registration_endpoint` of `serverMetadata`. */
  readonly registrationEndpoint?: string
  /** The Authorization Server's (discovered) metadata, for its `registration_endpoint`. */
  readonly serverMetadata?: ServerMetadata.ServerMetadata
  /** The client metadata to register. */
  readonly metadata: Registration.ClientMetadata
  /** The initial access token (RFC 7591 3), sent as `Authorization: Bearer`, for servers that restrict registration. */
  readonly initialAccessToken?: string | Redacted.Redacted<string>
  /** A software statement (RFC 7591 2.3, a signed JWT), sent as `software_statement`. */
  readonly softwareStatement?: string
}

/**
 * A client that can be managed (RFC 7592): a `RegisteredClient` is one.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7592#section-3
 * @since 0.1.0
 * @category models
 */
export interface Managed {
  readonly clientId: string
  /** Sent back in an update, so that the client keeps it (RFC 7592 2.2). */
  readonly clientSecret?: Redacted.Redacted<string> | undefined
  readonly registrationClientUri?: string | undefined
  readonly registrationAccessToken?: Redacted.Redacted<string> | undefined
}

/**
 * Registers a client (RFC 7591 3.1) and decodes the answer. Never retried.
 *
 * @example
 * ```ts
 * import { ClientAuth, ClientRegistration } from "@oauth2/http"
 * import { Effect, Redacted } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const registered = yield* ClientRegistration.register({
 *     registrationEndpoint: "https://as.example.com/register",
 *     initialAccessToken: Redacted.make("iat-from-the-admin"),
 *     metadata: { redirectUris: ["https://app.example.com/cb"], tokenEndpointAuthMethod: "client_secret_post", clientName: "My app" }
 *   })
 *   const auth = yield* ClientAuth.fromRegistration(registered)
 *   return { clientId: registered.clientId, method: auth.method }
 * })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3
 * @since 0.1.0
 * @category constructors
 */
export const register: (options: RegisterOptions) => Effect.Effect<Registration.RegisteredClient, RegistrationError, Transport.Transport> =
  internal.register

/**
 * Reads a client's current registration (RFC 7592 2.1) with its registration access token. The answer must be for
 * the same `client_id`; a registration access token the server does not send again is kept.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7592#section-2.1
 * @since 0.1.0
 * @category combinators
 */
export const read: (client: Managed) => Effect.Effect<Registration.RegisteredClient, RegistrationError, Transport.Transport> = internal.read

/**
 * Replaces a client's registration (RFC 7592 2.2): the whole new metadata (start from `Registration.metadataOf`),
 * sent with `client_id` and the current `client_secret`. The answer may carry a new secret or registration access
 * token.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7592#section-2.2
 * @since 0.1.0
 * @category combinators
 */
export const update: (
  client: Managed,
  metadata: Registration.ClientMetadata
) => Effect.Effect<Registration.RegisteredClient, RegistrationError, Transport.Transport> = internal.update

/**
 * Deletes a client's registration (RFC 7592 2.3): its credentials stop working.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7592#section-2.3
 * @since 0.1.0
 * @category combinators
 */
export const remove: (client: Managed) => Effect.Effect<void, RegistrationError, Transport.Transport> = internal.remove

/**
 * Options of the client built from a registration: `OAuthClient` options without the credentials (they come from
 * the registration), plus the private JWK a `private_key_jwt` client registered the public half of.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientOptions extends Omit<OAuthClient.Options, "auth" | "clientId" | "clientSecret"> {
  readonly privateJwk?: ClientAuth.Registration["privateJwk"]
}

/**
 * Builds an `OAuthClient` for a registered client: its authentication from `ClientAuth.fromRegistration`, its
 * endpoints from the options (the server's `metadata`, usually).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeClient: (
  registered: Registration.RegisteredClient,
  options?: ClientOptions
) => Effect.Effect<OAuthClient.OAuthClient, InvalidConfiguration, Transport.Transport> = internal.makeClient

/**
 * Options of {@link registerClient}: a registration, and the client to build from it (its `metadata` defaults to
 * `serverMetadata`).
 *
 * @since 0.1.0
 * @category models
 */
export interface RegisterClientOptions extends RegisterOptions {
  readonly client?: ClientOptions
}

/**
 * Registers a client and builds its `OAuthClient` in one step.
 *
 * @example
 * ```ts
 * import { TokenRequest } from "@oauth2/core"
 * import { ClientRegistration, OAuthClient } from "@oauth2/http"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const serverMetadata = yield* OAuthClient.discover({ issuer: "https://as.example.com" })
 *   const { client, registered } = yield* ClientRegistration.registerClient({
 *     serverMetadata,
 *     metadata: { grantTypes: ["client_credentials"], responseTypes: [], tokenEndpointAuthMethod: "client_secret_basic" }
 *   })
 *   const token = yield* client.token(TokenRequest.clientCredentials())
 *   return { clientId: registered.clientId, token }
 * })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3
 * @since 0.1.0
 * @category constructors
 */
export const registerClient: (
  options: RegisterClientOptions
) => Effect.Effect<
  { readonly registered: Registration.RegisteredClient; readonly client: OAuthClient.OAuthClient },
  RegistrationError,
  Transport.Transport
> = internal.registerClient

/**
 * The `OAuthClient` of a client registered when the layer is built.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3
 * @since 0.1.0
 * @category layers
 */
export const layerRegistered = (options: RegisterClientOptions): Layer.Layer<OAuthClient.OAuthClient, RegistrationError, Transport.Transport> =>
  internal.layerRegistered(options)
