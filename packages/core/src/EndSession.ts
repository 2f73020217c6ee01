/**
 * OpenID Connect RP-Initiated Logout: the URL that sends the end-user's browser to the OpenID Provider's
 * `end_session_endpoint`, and the check of the redirect back to the client (`post_logout_redirect_uri`).
 *
 * {@link make} writes `id_token_hint`, `logout_hint`, `client_id`, `post_logout_redirect_uri`, `state` and
 * `ui_locales` (in that order, after the endpoint's own query). With a `postLogoutRedirectUri`, a random `state` is
 * generated unless one is given (or `state: false`), and the redirect URI needs an `idTokenHint` or a `clientId`
 * so that the server can find the client that registered it. Keep the returned request (its `state`) in the
 * end-user's session, then check the redirect back with {@link validateCallback}.
 *
 * In `@oauth2/http`, `Logout.endSessionUrl` builds it from a client and refuses a server without
 * `end_session_endpoint` with `EndpointNotSupported`.
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import { dual } from "effect/Function"
import type * as Redacted from "effect/Redacted"
import type * as AuthorizationResponse from "./AuthorizationResponse.js"
import type * as IdToken from "./IdToken.js"
import * as internal from "./internal/endSession.js"
import type * as OAuthError from "./OAuthError.js"

/**
 * What {@link make} builds the logout URL from.
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The OpenID Provider's `end_session_endpoint` (an absolute http(s) URL without fragment). */
  readonly endSessionEndpoint: string
  /** The ID token the end-user's session got (RECOMMENDED): tells the server who logs out, from which client. */
  readonly idTokenHint?: IdToken.IdToken | string | Redacted.Redacted<string>
  /** A hint about the end-user logging out (e.g. their login name). */
  readonly logoutHint?: string
  /** The client id: needed with a `postLogoutRedirectUri` when there is no `idTokenHint`. */
  readonly clientId?: string
  /** Where the server sends the browser after logout; it must be registered by the client (exact match). */
  readonly postLogoutRedirectUri?: string
  /**
   * The `state` to get back at the `postLogoutRedirectUri`: generated (32 random bytes, base64url) by default when
   * there is a redirect URI; `false` sends none.
   */
  readonly state?: string | false
  /** The end-user's preferred languages for the logout pages: BCP47 tags, a list or a space-separated string. */
  readonly uiLocales?: string | ReadonlyArray<string>
}

/**
 * A logout request: the URL to redirect the browser to, and what to check its callback with.
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 * @since 0.1.0
 * @category models
 */
export interface EndSessionRequest {
  /** The `end_session_endpoint` with the logout parameters. */
  readonly url: string
  /** The `state` sent, to compare with the callback's. */
  readonly state?: string
  /** The `post_logout_redirect_uri` sent. */
  readonly postLogoutRedirectUri?: string
}

/**
 * Builds a logout request. Bad options are an `InvalidArgument` naming the option.
 *
 * @example
 * ```ts
 * import { EndSession } from "@oauth2/core"
 * import { Effect } from "effect"
 *
 * declare const idToken: string // the ID token of the end-user's session
 * const program = Effect.gen(function* () {
 *   const logout = yield* EndSession.make({
 *     endSessionEndpoint: "https://as.example.com/session/end",
 *     idTokenHint: idToken,
 *     postLogoutRedirectUri: "https://app.example.com/logged-out"
 *   })
 *   // keep logout.state in the session, then redirect the browser to logout.url
 *   return logout
 * })
 * ```
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: Options) => Effect.Effect<EndSessionRequest, OAuthError.InvalidArgument> = internal.make

/**
 * Checks the redirect back to the `post_logout_redirect_uri` (a full URL, or its query): when the request sent a
 * `state`, the callback must carry exactly that one (`MissingState`, `MismatchingState`); a repeated parameter is a
 * `RepeatedParameter`, a malformed callback an `InvalidCallback`.
 *
 * @example
 * ```ts
 * import { EndSession } from "@oauth2/core"
 * import { Either } from "effect"
 *
 * const checked = EndSession.validateCallback({ state: "af0ifjsldkj" }, "https://app.example.com/logged-out?state=af0ifjsldkj")
 * console.log(Either.isRight(checked)) // true
 * ```
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RedirectionAfterLogout
 * @since 0.1.0
 * @category combinators
 */
export const validateCallback: {
  (input: AuthorizationResponse.Input): (self: Pick<EndSessionRequest, "state">) => Either.Either<void, AuthorizationResponse.CallbackError>
  (self: Pick<EndSessionRequest, "state">, input: AuthorizationResponse.Input): Either.Either<void, AuthorizationResponse.CallbackError>
} = dual(2, internal.validateCallback)
