/**
 * OpenID Connect RP-Initiated Logout with a client: the URL of the server's `end_session_endpoint` to send the
 * end-user's browser to (with the client's id and the session's ID token as hint), and the check of the redirect
 * back. A server whose metadata has no `end_session_endpoint` is refused up front with `EndpointNotSupported`.
 *
 * The URL is built by `EndSession.make` of `@oauth2/core` (see its rules: a random `state` for a
 * `postLogoutRedirectUri`); the back-channel side (the server telling the client that a session ended) is
 * `BackchannelLogout`.
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html
 * @since 0.1.0
 */
import type { AuthorizationResponse, BearerToken, EndSession, OAuthError } from "@oauth2/core"
import { EndSession as EndSessionModule } from "@oauth2/core"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type { EndpointNotSupported } from "./ClientError.js"
import * as internal from "./internal/logout.js"
import type * as OAuthClient from "./OAuthClient.js"

/**
 * Options of {@link endSessionUrl}: those of `EndSession.make` without the endpoint (the client's), with the ID
 * token hint also taken from a token answer, and `clientId: false` not to send the client id (sent by default).
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 * @since 0.1.0
 * @category models
 */
export interface EndSessionOptions extends Omit<EndSession.Options, "endSessionEndpoint" | "clientId" | "idTokenHint"> {
  /** The session's ID token: as `EndSession.Options.idTokenHint`, or the token answer that has it. */
  readonly idTokenHint?: EndSession.Options["idTokenHint"] | BearerToken.BearerToken
  /** Send the client's id as `client_id` (default `true`). */
  readonly clientId?: boolean
}

/**
 * The logout URL of the client in context: fails with `EndpointNotSupported` (endpoint `end_session`) when the
 * server has no `end_session_endpoint`, and with `InvalidArgument` for bad options.
 *
 * @example
 * ```ts
 * import { Logout, OAuthClient } from "@oauth2/http"
 * import { Effect } from "effect"
 *
 * // the end-user clicked "log out": keep logout.state in the session, redirect the browser to logout.url
 * const logout = (token: OAuthClient.ValidatedToken) =>
 *   Logout.endSessionUrl({ idTokenHint: token.token, postLogoutRedirectUri: "https://app.example.com/logged-out" }).pipe(
 *     Effect.catchTag("EndpointNotSupported", () => Effect.succeed({ url: "/" }))
 *   )
 * ```
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 * @since 0.1.0
 * @category constructors
 */
export const endSessionUrl: (
  options?: EndSessionOptions
) => Effect.Effect<EndSession.EndSessionRequest, EndpointNotSupported | OAuthError.InvalidArgument, OAuthClient.OAuthClient> = internal.endSessionUrl

/**
 * {@link endSessionUrl} with a given client.
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 * @since 0.1.0
 * @category constructors
 */
export const endSessionUrlWith: (
  client: OAuthClient.OAuthClient,
  options?: EndSessionOptions
) => Effect.Effect<EndSession.EndSessionRequest, EndpointNotSupported | OAuthError.InvalidArgument> = internal.endSessionUrlWith

/**
 * Checks the redirect back to the `post_logout_redirect_uri` against the logout request (its `state`): the same
 * as `EndSession.validateCallback` of `@oauth2/core`.
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RedirectionAfterLogout
 * @since 0.1.0
 * @category combinators
 */
export const validateCallback: (
  self: Pick<EndSession.EndSessionRequest, "state">,
  input: AuthorizationResponse.Input
) => Either.Either<void, AuthorizationResponse.CallbackError> = (self, input) => EndSessionModule.validateCallback(self, input)
