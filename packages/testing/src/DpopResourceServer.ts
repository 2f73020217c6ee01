/**
 * A small resource server on a loopback port that checks DPoP (RFC 9449 7) for tests: the proof (one `DPoP`
 * header, `typ: dpop+jwt` signed by its own public `jwk` with ES256, EdDSA, PS256 or RS256, `htm`, `htu` without
 * query, `ath` of the access token, a `jti` never seen before, `iat` within a window, and the server's nonce when it
 * demands one) and the binding of the token: a JWT access token of the `TestServer` in context (for its test API,
 * `resource` = `TestServer.resource`), verified with its JWKS, whose `cnf.jkt` must be the thumbprint of the proof's
 * key. A bound token sent as `Bearer`, or without a proof, is refused.
 *
 * Refusals are 401 with `WWW-Authenticate: DPoP error="..."` (`invalid_token`, `invalid_dpop_proof`,
 * `use_dpop_nonce`); with nonces on (the default), every answer carries the current `DPoP-Nonce`, and a new one is
 * made at each `use_dpop_nonce` challenge. Any path answers `{ path, method, sub, client_id, jkt }`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-7
 * @since 0.1.0
 */
import type * as Context from "effect/Context"
import type * as Layer from "effect/Layer"
import * as internal from "./internal/dpopResourceServer.js"
import type * as TestServer from "./TestServer.js"

/**
 * Options of {@link layer}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Demand the server's nonce in every proof (`use_dpop_nonce` otherwise); `true` by default. */
  readonly requireNonce?: boolean
  /** How far `iat` may be from now, in seconds; 60 by default. */
  readonly iatWindowSeconds?: number
  /** The server's clock, in milliseconds (the wall clock by default). */
  readonly now?: () => number
}

/**
 * What the resource server said to a request.
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome = "ok" | "invalid_token" | "invalid_dpop_proof" | "use_dpop_nonce"

/**
 * A request the resource server answered.
 *
 * @since 0.1.0
 * @category models
 */
export interface Seen {
  readonly method: string
  readonly path: string
  readonly outcome: Outcome
  readonly description: string
}

/**
 * The running resource server.
 *
 * @since 0.1.0
 * @category models
 */
export interface DpopResourceServer {
  /** Its origin, `http://127.0.0.1:PORT`. */
  readonly url: string
  /** Every request answered, in order. */
  readonly seen: ReadonlyArray<Seen>
  /** The nonce it demands now, when it demands one. */
  readonly nonce: string | undefined
  /** Makes a new nonce: the next proof with the old one is challenged. */
  readonly rotateNonce: () => void
}

/**
 * The resource server's tag.
 *
 * @since 0.1.0
 * @category tags
 */
export const DpopResourceServer: Context.Tag<DpopResourceServer, DpopResourceServer> = internal.tag

/**
 * The resource server, started on a loopback port for the scope, checking tokens of the `TestServer` in context.
 *
 * @example
 * ```ts
 * import { DpopResourceServer, TestServer } from "@oauth2/testing"
 * import { Layer } from "effect"
 *
 * const Servers = DpopResourceServer.layer().pipe(Layer.provideMerge(TestServer.layer({ features: { dpop: { requireNonce: true } } })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: (options?: Options) => Layer.Layer<DpopResourceServer, TestServer.TestServerError, TestServer.TestServer> = internal.layer
