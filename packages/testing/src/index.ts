/**
 * `@oauth2/testing`: a real Authorization Server (node-oidc-provider) for tests, as an Effect `Layer`.
 *
 * @since 0.1.0
 */

/**
 * The test server: layer, plain start/stop API, registered clients, users and scripted interactions.
 *
 * @since 0.1.0
 */
export * as TestServer from "./TestServer.js"

/**
 * Canned faults for `TestServer.failNext`.
 *
 * @since 0.1.0
 */
export * as Fault from "./Fault.js"

/**
 * An in-memory network for unit tests: a fake `HttpClient` and a fake `fetch`.
 *
 * @since 0.1.0
 */
export * as FakeHttp from "./FakeHttp.js"

/**
 * What every error of the packages is (an `Error`, yieldable, readable in `Cause.pretty`, secret-free), as checks.
 *
 * @since 0.1.0
 */
export * as ErrorLaws from "./ErrorLaws.js"

/**
 * A resource server that checks DPoP proofs and DPoP-bound tokens (RFC 9449).
 *
 * @since 0.1.0
 */
export * as DpopResourceServer from "./DpopResourceServer.js"

/**
 * A loopback HTTP listener serving an `@effect/platform` `HttpApp` (back-channel logout URIs, web backends in tests).
 *
 * @since 0.1.0
 */
export * as HttpListener from "./HttpListener.js"

/**
 * A real `redis-server` on a loopback port, as a scoped layer, with `stop` and `start` for outages.
 *
 * @since 0.1.0
 */
export * as RedisServer from "./RedisServer.js"
