/**
 * Mutual TLS (RFC 8705) for Node: a transport that presents a client certificate on every request, for
 * `tls_client_auth` / `self_signed_tls_client_auth` client authentication and certificate-bound access tokens.
 *
 * {@link layer} builds one undici `Agent` with the certificate (PEM `cert` + `key`, or a PKCS#12 `pfx` with its
 * `passphrase`; a `ca` for a server with a private CA) and provides, over it:
 * - the `Transport` (`@oauth2/http/NodeTransport`, over undici's `request`, through the certificate's agent):
 *   every Authorization Server call;
 * - an `@effect/platform` `HttpClient`: resource calls (`BearerClient`, `ApiClient`), so a certificate-bound token
 *   is presented with the certificate it is bound to;
 * - the {@link MtlsTransport} marker: a client built over this layer follows the server's `mtls_endpoint_aliases`
 *   (RFC 8705 section 5) for its token, PAR, revocation, introspection, userinfo, device and CIBA endpoints.
 *
 * This module loads Node's `tls` and undici: it is not part of the browser-safe `@oauth2/http` barrel, import it as
 * `@oauth2/http/Mtls`. Without it, the default transport does no extra work.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8705
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type { InvalidConfiguration } from "./ClientError.js"
import * as internal from "./internal/mtls.js"
import * as marker from "./internal/mtlsMarker.js"
import type * as Transport from "./Transport.js"

/**
 * The client certificate and the transport options.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Transport.Options {
  /** The client certificate chain, PEM. */
  readonly cert?: string
  /** The certificate's private key, PEM. */
  readonly key?: string | Redacted.Redacted<string>
  /** A PKCS#12 bundle (certificate and key): bytes, or base64 text; instead of `cert` and `key`. */
  readonly pfx?: Uint8Array | string | Redacted.Redacted<Uint8Array> | Redacted.Redacted<string>
  /** The passphrase of the key or of the PKCS#12 bundle. */
  readonly passphrase?: string | Redacted.Redacted<string>
  /** The CA certificate(s) to trust for the server, PEM (a server with a private CA); the system's otherwise. */
  readonly ca?: string | ReadonlyArray<string>
}

/**
 * The mTLS agent's pieces: undici's `fetch` with the certificate, and the transport over it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Mtls {
  /** `fetch` over the agent that presents the certificate. */
  readonly fetch: typeof globalThis.fetch
  /** The transport over undici's `request` through the same agent (see `@oauth2/http/NodeTransport`). */
  readonly transport: Transport.Transport
}

/**
 * The marker that the transport in context presents a client certificate. It counts only together with the transport
 * it was made with: a `Transport` provided after {@link layer} replaces the transport, and the marker is then ignored
 * (no `mtls_endpoint_aliases`, no certificate-bound tokens assumed by `Fapi2`).
 *
 * @since 0.1.0
 * @category models
 */
export interface MtlsTransport {
  readonly _tag: "MtlsTransport"
  /** The transport that presents the certificate. */
  readonly transport?: Transport.Transport | undefined
}

/**
 * The tag of the {@link MtlsTransport} marker: an `OAuthClient` built where it is present follows the server's
 * `mtls_endpoint_aliases`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8705#section-5
 * @since 0.1.0
 * @category tags
 */
export const MtlsTransport: Context.Tag<MtlsTransport, MtlsTransport> = marker.tag

/**
 * Builds the agent (closed with the scope) and its transport; the certificate, key and passphrase are checked now:
 * a missing or unusable one is an `InvalidConfiguration` (field `mtls`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: Options) => Effect.Effect<Mtls, InvalidConfiguration, Scope.Scope> = internal.make

/**
 * The mTLS transport, `HttpClient` and marker as one layer.
 *
 * @example
 * ```ts
 * import { ClientAuth, OAuthClient } from "@oauth2/http"
 * import * as Mtls from "@oauth2/http/Mtls"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * declare const certPem: string
 * declare const keyPem: string
 *
 * const MtlsLive = Mtls.layer({ cert: certPem, key: Redacted.make(keyPem) })
 *
 * // tls_client_auth: client_id in the body, the certificate in the handshake; the mTLS endpoint aliases are used
 * const ClientLive = Layer.unwrapEffect(
 *   Effect.map(ClientAuth.tlsClientAuth({ clientId: "my-client" }), (auth) =>
 *     OAuthClient.layerDiscovery({ issuer: "https://as.example.com", auth })
 *   )
 * ).pipe(Layer.provideMerge(MtlsLive))
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc8705#section-2
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<Transport.Transport | HttpClient.HttpClient | MtlsTransport, InvalidConfiguration> =>
  internal.layer(options)

/**
 * The `Config` read by {@link layerConfig}: `OAUTH2_MTLS_CERT` (PEM), `OAUTH2_MTLS_KEY` (PEM, redacted),
 * `OAUTH2_MTLS_PFX` (base64, redacted), `OAUTH2_MTLS_PASSPHRASE` (redacted), `OAUTH2_MTLS_CA` (PEM), and the
 * transport's `OAUTH2_TIMEOUT`, `OAUTH2_MAX_RESPONSE_BYTES`, `OAUTH2_ALLOW_INSECURE_HTTP`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const config: Config.Config<Options> = internal.config

/**
 * {@link layer} with its options read from `Config` (see {@link config}); secrets are read with `Config.redacted`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<Options> = internal.config
): Layer.Layer<Transport.Transport | HttpClient.HttpClient | MtlsTransport, InvalidConfiguration | ConfigError.ConfigError> =>
  internal.layerConfig(config)
