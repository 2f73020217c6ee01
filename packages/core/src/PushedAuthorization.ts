/**
 * Pushed authorization requests (RFC 9126): the answer of the pushed authorization request endpoint. The request
 * parameters themselves are those of an authorization request (see `AuthorizationRequest`).
 *
 * @since 0.1.0
 */
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import * as internal from "./internal/pushedAuthorization.js"
import * as wire from "./internal/wire.js"
import type { ResponseContext, UnexpectedResponse } from "./OAuthError.js"

/**
 * A successful pushed authorization response, with an absolute expiry.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2.2
 * @since 0.1.0
 * @category models
 */
export interface PushedAuthorizationResponse {
  /** The reference to the pushed request, sent as `request_uri` in the authorization request. */
  readonly requestUri: string
  /** When `requestUri` expires: the time of decoding plus `expires_in`. */
  readonly expiresAt: DateTime.Utc
  /** Every member of the response this model does not name. */
  readonly extra: Readonly<Record<string, unknown>>
}

/**
 * Decodes a successful pushed authorization response (HTTP 201 JSON body). Both `request_uri` and `expires_in` are
 * required; the expiry is computed from the current time of `Clock`. Anything unexpected fails with
 * `UnexpectedResponse`.
 *
 * @example
 * ```ts
 * import { PushedAuthorization } from "@oauth2/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const par = yield* PushedAuthorization.decode({
 *     request_uri: "urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c",
 *     expires_in: 60
 *   })
 *   console.log(par.requestUri)
 * })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2.2
 * @since 0.1.0
 * @category constructors
 */
export const decode: (body: unknown, context?: ResponseContext) => Effect.Effect<PushedAuthorizationResponse, UnexpectedResponse> = internal.decode

/**
 * Whether the pushed request has expired, by the current time of `Clock`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2.2
 * @since 0.1.0
 * @category guards
 */
export const isExpired: (self: Pick<PushedAuthorizationResponse, "expiresAt">) => Effect.Effect<boolean> = wire.isExpired
