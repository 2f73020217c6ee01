/**
 * The transport for Node.js: the {@link Transport.Transport} service over undici's `request` instead of `fetch`.
 *
 * `fetch` in Node.js is undici too, wrapped in WHATWG streams, `Request`/`Response` objects and abort-signal plumbing
 * that cost most of a loopback call's CPU; undici's `request` sends the same bytes without them (measured on a token
 * call: about a quarter of `fetch`'s CPU). Every rule of the transport is the same as {@link Transport.layerFetch}'s,
 * from the same shared code and the same contract test suite: form posts ask for JSON; redirects are never followed;
 * an answer over the size limit is refused without being held whole (a declared `Content-Length` first, then bytes
 * counted as they arrive; compressed answers are decoded with the decoded size bounded too); the timeout, on the
 * `Clock`; interruption aborts the request; retries by `Schedule`; one span per call.
 *
 * Node.js only (it imports `undici` and `node:zlib`), so it is not part of the `@oauth2/http` barrel: import it as
 * `@oauth2/http/NodeTransport`. In browsers, Deno and workers, use {@link Transport.layerFetch}.
 *
 * A `dispatcher` option takes any undici dispatcher: an `Agent` with a client certificate (mTLS), a `ProxyAgent`, an
 * `Agent` with other pool settings, or a `MockAgent` in tests. Requests go through undici's own global dispatcher
 * otherwise, which is a separate connection pool from the one `globalThis.fetch` uses.
 *
 * @example
 * ```ts
 * import { OAuthClient } from "@oauth2/http"
 * import * as NodeTransport from "@oauth2/http/NodeTransport"
 * import { Layer, Redacted } from "effect"
 *
 * const ClientLive = OAuthClient.layer({
 *   clientId: "my-client",
 *   clientSecret: Redacted.make("my-secret"),
 *   endpoints: { tokenEndpoint: "https://as.example.com/token" }
 * }).pipe(Layer.provide(NodeTransport.layer({ timeout: "10 seconds" })))
 * ```
 *
 * @since 0.2.0
 */
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Layer from "effect/Layer"
import type { Dispatcher } from "undici"
import * as internal from "./internal/nodeTransport.js"
import type * as Transport from "./Transport.js"

/**
 * Options of the Node.js transport: the transport's own, and the undici dispatcher to send through.
 *
 * @since 0.2.0
 * @category models
 */
export interface Options extends Transport.Options {
  /**
   * The undici dispatcher every request goes through (`new Agent({ connect: { cert, key } })` for a client
   * certificate, a `ProxyAgent`, a `MockAgent` in tests); undici's global dispatcher by default.
   */
  readonly dispatcher?: Dispatcher
}

/**
 * Makes the transport over undici's `request`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make: (options?: Options) => Transport.Transport = internal.make

/**
 * The transport over undici's `request` as a layer: the fastest transport on Node.js.
 *
 * @example
 * ```ts
 * import * as NodeTransport from "@oauth2/http/NodeTransport"
 * import { Agent } from "undici"
 *
 * // the default: undici's global dispatcher
 * const TransportLive = NodeTransport.layer()
 *
 * // a client certificate for every request (mTLS)
 * const TransportMtls = NodeTransport.layer({
 *   dispatcher: new Agent({ connect: { cert: "-----BEGIN CERTIFICATE-----...", key: "-----BEGIN PRIVATE KEY-----..." } })
 * })
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<Transport.Transport> => internal.layer(options)

/**
 * The Node.js transport with options read from `Config`, as {@link Transport.layerFetchConfig} reads them:
 * `OAUTH2_TIMEOUT`, `OAUTH2_MAX_RESPONSE_BYTES`, `OAUTH2_ALLOW_INSECURE_HTTP`.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerConfig = (config?: Config.Config<Options>): Layer.Layer<Transport.Transport, ConfigError.ConfigError> =>
  internal.layerConfig(config)
