/**
 * @oauth2/flows: what happens over time. Grant programs, polling as `Schedule`, self-renewing token sources and
 * vendor presets, composed over `@oauth2/http`.
 *
 * @since 0.1.0
 */

/** Every grant as an Effect program, device and CIBA flows. @since 0.1.0 */
export * as Grants from "./Grants.js"
/** Polling the token endpoint as a `Schedule`. @since 0.1.0 */
export * as Polling from "./Polling.js"
/** Self-renewing, single-flight token sources. @since 0.1.0 */
export * as TokenSource from "./TokenSource.js"
/** An `HttpClient` authenticated by a token source. @since 0.1.0 */
export * as BearerClient from "./BearerClient.js"
/** A client for a REST API under one base URL. @since 0.1.0 */
export * as ApiClient from "./ApiClient.js"
/** Auth0 preset: tenant names, endpoints, Management API client. @since 0.1.0 */
export * as Auth0 from "./Auth0.js"
/** Ping Identity (PingFederate) preset: endpoint layout. @since 0.1.0 */
export * as Ping from "./Ping.js"
/** A protected resource's whole chain: 401, resource metadata, discovery, registration, authorization, retry. @since 0.1.0 */
export * as ProtectedResource from "./ProtectedResource.js"
/** Tokens per user: one single-flight renewing source per key, bounded, with logout. @since 0.1.0 */
export * as KeyedTokenSource from "./KeyedTokenSource.js"
