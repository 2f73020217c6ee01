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
/** DPoP (RFC 9449): the key service, nonces and proofs of every request. @since 0.1.0 */
export * as Dpop from "./Dpop.js"
/** The FAPI 2.0 Security Profile as one layer. @since 0.1.0 */
export * as Fapi2 from "./Fapi2.js"
/** Dynamic client registration (RFC 7591) and management (RFC 7592). @since 0.1.0 */
export * as ClientRegistration from "./ClientRegistration.js"
/** From a protected resource to its Authorization Server (RFC 9728). @since 0.1.0 */
export * as ResourceDiscovery from "./ResourceDiscovery.js"
/** OpenID Connect RP-Initiated Logout: the end-session URL of a client. @since 0.1.0 */
export * as Logout from "./Logout.js"
/** OpenID Connect Back-Channel Logout: logout tokens, replay cache, the POST handler. @since 0.1.0 */
export * as BackchannelLogout from "./BackchannelLogout.js"
