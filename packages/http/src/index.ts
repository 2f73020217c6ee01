/**
 * @oauth2/http: how OAuth 2.x / OpenID Connect requests are sent. Transport, client authentication and one typed
 * function per endpoint, over `fetch` by default or over `@effect/platform`'s `HttpClient`.
 *
 * @since 0.1.0
 */

/** The transport service. @since 0.1.0 */
export * as Transport from "./Transport.js"
/** Transport errors. @since 0.1.0 */
export * as TransportError from "./TransportError.js"
/** Configuration errors: an invalid option, a missing endpoint. @since 0.1.0 */
export * as ClientError from "./ClientError.js"
/** Client authentication methods. @since 0.1.0 */
export * as ClientAuth from "./ClientAuth.js"
/** The client service and one function per endpoint. @since 0.1.0 */
export * as OAuthClient from "./OAuthClient.js"
/** Calling resource servers with a bearer token. @since 0.1.0 */
export * as Bearer from "./Bearer.js"
