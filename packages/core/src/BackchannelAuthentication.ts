/**
 * Client-Initiated Backchannel Authentication (OpenID Connect CIBA Core 1.0): the authentication request sent to
 * the backchannel authentication endpoint and its acknowledgement. Polling the token endpoint with the
 * `auth_req_id` is the job of `@oauth2/flows`.
 *
 * @since 0.1.0
 */
import type * as DateTime from "effect/DateTime"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type * as Redacted from "effect/Redacted"
import * as internal from "./internal/backchannelAuthentication.js"
import * as wire from "./internal/wire.js"
import type { InvalidArgument, ResponseContext, UnexpectedResponse } from "./OAuthError.js"
import type * as Params from "./Params.js"

/**
 * An authentication request. `scope` must include `openid`, and exactly one of `loginHint`, `loginHintToken` and
 * `idTokenHint` identifies the end user. Client authentication is added by the http layer.
 *
 * @see https://openid.net/specs/openid-client-initiated-backchannel-authentication-core-1_0.html#rfc.section.7.1
 * @since 0.1.0
 * @category models
 */
export interface BackchannelAuthenticationRequest {
  /** Requested scope, as a space-separated string or a list; must include `openid`. */
  readonly scope: string | ReadonlyArray<string>
  /** A hint identifying the end user (an email, a phone number, a user name...). */
  readonly loginHint?: string | undefined
  /** A token identifying the end user. */
  readonly loginHintToken?: Params.Value | undefined
  /** An ID token previously issued to the client, identifying the end user. */
  readonly idTokenHint?: Params.Value | undefined
  /** A short message shown on both the consumption and the authentication device. */
  readonly bindingMessage?: string | undefined
  /** A secret code known only to the user, when the server supports `backchannel_user_code_parameter`. */
  readonly userCode?: Redacted.Redacted<string> | undefined
  /** The lifetime asked for the request: a positive whole number of seconds, or a `Duration` of whole seconds. */
  readonly requestedExpiry?: number | Duration.Duration | undefined
  /** The bearer token the server uses to notify the client (ping and push modes). */
  readonly clientNotificationToken?: Redacted.Redacted<string> | undefined
  /** Requested authentication context classes, as a space-separated string or a list. */
  readonly acrValues?: string | ReadonlyArray<string> | undefined
  /** Any other parameter. May not redefine a standard one or a client authentication parameter. */
  readonly extra?: Readonly<Record<string, Params.Input>> | undefined
}

/**
 * A successful authentication request acknowledgement, with an absolute expiry.
 *
 * @see https://openid.net/specs/openid-client-initiated-backchannel-authentication-core-1_0.html#rfc.section.7.3
 * @since 0.1.0
 * @category models
 */
export interface BackchannelAuthenticationResponse {
  /** The authentication request id, sent to the token endpoint while polling. Secret. */
  readonly authReqId: Redacted.Redacted<string>
  /** When `authReqId` expires: the time of decoding plus `expires_in`. */
  readonly expiresAt: DateTime.Utc
  /** The minimum time between polling requests: `interval`, or 5 seconds when absent. */
  readonly interval: Duration.Duration
  /** Every member of the response this model does not name. */
  readonly extra: Readonly<Record<string, unknown>>
}

/**
 * The polling interval used when the server sends none: 5 seconds.
 *
 * @see https://openid.net/specs/openid-client-initiated-backchannel-authentication-core-1_0.html#rfc.section.7.3
 * @since 0.1.0
 * @category models
 */
export const defaultInterval: Duration.Duration = wire.defaultInterval

/**
 * Builds the form parameters of an authentication request. Fails with `InvalidArgument` when `scope` lacks
 * `openid`, when not exactly one of `loginHint`, `loginHintToken`, `idTokenHint` is given, when `requestedExpiry`
 * is not a positive whole number of seconds, or when an extra parameter redefines a standard one.
 *
 * @example
 * ```ts
 * import { BackchannelAuthentication, Params } from "@oauth2/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const params = yield* BackchannelAuthentication.params({
 *     scope: "openid email",
 *     loginHint: "user@example.com",
 *     bindingMessage: "W4SCT"
 *   })
 *   console.log(Params.encode(params)) // scope=openid+email&login_hint=user%40example.com&binding_message=W4SCT
 * })
 * ```
 *
 * @see https://openid.net/specs/openid-client-initiated-backchannel-authentication-core-1_0.html#rfc.section.7.1
 * @since 0.1.0
 * @category encoding
 */
export const params: (request: BackchannelAuthenticationRequest) => Either.Either<Params.Params, InvalidArgument> = internal.params

/**
 * Decodes a successful authentication request acknowledgement (HTTP 200 JSON body). The expiry is computed from
 * the current time of `Clock`. `expires_in` and `interval` may be numbers or strings of digits; anything else
 * unexpected fails with `UnexpectedResponse`.
 *
 * @example
 * ```ts
 * import { BackchannelAuthentication } from "@oauth2/core"
 * import { DateTime, Effect, Redacted } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const ack = yield* BackchannelAuthentication.decode({ auth_req_id: "1c266114-a1be-4252", expires_in: 120 })
 *   console.log(Redacted.value(ack.authReqId), DateTime.formatIso(ack.expiresAt))
 * })
 * ```
 *
 * @see https://openid.net/specs/openid-client-initiated-backchannel-authentication-core-1_0.html#rfc.section.7.3
 * @since 0.1.0
 * @category constructors
 */
export const decode: (body: unknown, context?: ResponseContext) => Effect.Effect<BackchannelAuthenticationResponse, UnexpectedResponse> =
  internal.decode

/**
 * Whether the authentication request has expired, by the current time of `Clock`.
 *
 * @see https://openid.net/specs/openid-client-initiated-backchannel-authentication-core-1_0.html#rfc.section.7.3
 * @since 0.1.0
 * @category guards
 */
export const isExpired: (self: Pick<BackchannelAuthenticationResponse, "expiresAt">) => Effect.Effect<boolean> = wire.isExpired
