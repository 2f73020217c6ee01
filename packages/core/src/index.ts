/**
 * @oauth2/core: what OAuth 2.x and OpenID Connect messages look like on the wire. Pure codecs, models and error
 * ADTs; no I/O.
 *
 * @since 0.1.0
 */

/** Error ADTs of every endpoint. @since 0.1.0 */
export * as OAuthError from "./OAuthError.js"
/** Form parameters with redacted values. @since 0.1.0 */
export * as Params from "./Params.js"
/** Bearer tokens with absolute expiry. @since 0.1.0 */
export * as BearerToken from "./BearerToken.js"
/** Token endpoint requests for every grant. @since 0.1.0 */
export * as TokenRequest from "./TokenRequest.js"
/** Proof Key for Code Exchange (RFC 7636). @since 0.1.0 */
export * as Pkce from "./Pkce.js"
/** Authorization requests. @since 0.1.0 */
export * as AuthorizationRequest from "./AuthorizationRequest.js"
/** Authorization responses (callbacks). @since 0.1.0 */
export * as AuthorizationResponse from "./AuthorizationResponse.js"
/** Device authorization (RFC 8628). @since 0.1.0 */
export * as DeviceAuthorization from "./DeviceAuthorization.js"
/** Client-initiated backchannel authentication (CIBA). @since 0.1.0 */
export * as BackchannelAuthentication from "./BackchannelAuthentication.js"
/** Pushed authorization requests (RFC 9126). @since 0.1.0 */
export * as PushedAuthorization from "./PushedAuthorization.js"
/** Token introspection (RFC 7662). @since 0.1.0 */
export * as Introspection from "./Introspection.js"
/** Token revocation (RFC 7009). @since 0.1.0 */
export * as Revocation from "./Revocation.js"
/** UserInfo (OpenID Connect Core 5.3). @since 0.1.0 */
export * as UserInfo from "./UserInfo.js"
/** Authorization server metadata and discovery. @since 0.1.0 */
export * as ServerMetadata from "./ServerMetadata.js"
/** Dynamic client registration (RFC 7591) and management (RFC 7592). @since 0.1.0 */
export * as Registration from "./Registration.js"
/** Protected resource metadata (RFC 9728). @since 0.1.0 */
export * as ResourceMetadata from "./ResourceMetadata.js"
/** OpenID Connect ID tokens. @since 0.1.0 */
export * as IdToken from "./IdToken.js"
/** JOSE: keys, JWT verification, signing and encryption. @since 0.1.0 */
export * as Jwt from "./Jwt.js"
/** UserInfo and introspection answers in JWT form (OpenID Connect Core 5.3.2, RFC 9701). @since 0.1.0 */
export * as JwtResponse from "./JwtResponse.js"
/** Request objects (JAR, RFC 9101) and signed CIBA requests. @since 0.1.0 */
export * as RequestObject from "./RequestObject.js"
/** URL rules shared by every layer: loopback hosts (RFC 8252 7.3). @since 0.1.0 */
export * as Url from "./Url.js"
/** OpenID Connect RP-Initiated Logout: the end-session URL and its callback. @since 0.1.0 */
export * as EndSession from "./EndSession.js"
/** OpenID Connect Back-Channel Logout: logout token validation. @since 0.1.0 */
export * as LogoutToken from "./LogoutToken.js"
/** DPoP (RFC 9449): keys and proofs. @since 0.1.0 */
export * as Dpop from "./Dpop.js"
