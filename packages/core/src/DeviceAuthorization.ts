/**
 * Device authorization (RFC 8628): the request sent to the device authorization endpoint and the codes it answers
 * with. Polling the token endpoint with the `device_code` is the job of `@oauth2/flows`.
 *
 * @since 0.1.0
 */
import type * as DateTime from "effect/DateTime"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type * as Redacted from "effect/Redacted"
import * as internal from "./internal/deviceAuthorization.js"
import * as wire from "./internal/wire.js"
import type { InvalidArgument, ResponseContext, UnexpectedResponse } from "./OAuthError.js"
import type * as Params from "./Params.js"

/**
 * What a device authorization request carries besides client authentication (the http layer adds `client_id` or
 * the client's credentials).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.1
 * @since 0.1.0
 * @category models
 */
export interface DeviceAuthorizationRequest {
  /** Requested scope, as a space-separated string or a list. */
  readonly scope?: string | ReadonlyArray<string> | undefined
  /** Resource indicators (RFC 8707), absolute URIs without fragment. */
  readonly resource?: string | ReadonlyArray<string> | undefined
  /** Any other parameter. May not redefine `scope`, `resource` or a client authentication parameter. */
  readonly extra?: Readonly<Record<string, Params.Input>> | undefined
}

/**
 * A successful device authorization response, with an absolute expiry.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.2
 * @since 0.1.0
 * @category models
 */
export interface DeviceAuthorizationResponse {
  /** The device verification code, sent to the token endpoint while polling. Secret. */
  readonly deviceCode: Redacted.Redacted<string>
  /** The code the end user types at the verification URI. */
  readonly userCode: string
  /** Where the end user goes (from `verification_uri`, or the non-standard `verification_url`). */
  readonly verificationUri: string
  /** The verification URI with the user code included, when sent. */
  readonly verificationUriComplete?: string
  /** When `deviceCode` and `userCode` expire: the time of decoding plus `expires_in`. */
  readonly expiresAt: DateTime.Utc
  /** The minimum time between polling requests: `interval`, or 5 seconds when absent. */
  readonly interval: Duration.Duration
  /** Every member of the response this model does not name. */
  readonly extra: Readonly<Record<string, unknown>>
}

/**
 * The polling interval used when the server sends none: 5 seconds.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.2
 * @since 0.1.0
 * @category models
 */
export const defaultInterval: Duration.Duration = wire.defaultInterval

/**
 * Builds the form parameters of a device authorization request. Fails with `InvalidArgument` when a resource is not
 * an absolute URI or an extra parameter redefines a standard one.
 *
 * @example
 * ```ts
 * import { DeviceAuthorization, Params } from "@oauth2/core"
 * import { Either } from "effect"
 *
 * const params = DeviceAuthorization.params({ scope: ["openid", "offline_access"], extra: { audience: "api" } })
 * if (Either.isRight(params)) console.log(Params.encode(params.right)) // scope=openid+offline_access&audience=api
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.1
 * @since 0.1.0
 * @category encoding
 */
export const params: (request?: DeviceAuthorizationRequest) => Either.Either<Params.Params, InvalidArgument> = internal.params

/**
 * Decodes a successful device authorization response (HTTP 200 JSON body). The expiry is computed from the current
 * time of `Clock`. `expires_in` and `interval` may be numbers or strings of digits; negative, fractional or huge
 * values, a missing field, a `verification_uri` that is not an absolute http(s) URL, or a body that is not a JSON
 * object fail with `UnexpectedResponse`.
 *
 * @example
 * ```ts
 * import { DeviceAuthorization } from "@oauth2/core"
 * import { Duration, Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const response = yield* DeviceAuthorization.decode({
 *     device_code: "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS",
 *     user_code: "WDJB-MJHT",
 *     verification_uri: "https://example.com/device",
 *     expires_in: 1800
 *   })
 *   console.log(response.userCode, Duration.toSeconds(response.interval)) // WDJB-MJHT 5
 * })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.2
 * @since 0.1.0
 * @category constructors
 */
export const decode: (body: unknown, context?: ResponseContext) => Effect.Effect<DeviceAuthorizationResponse, UnexpectedResponse> = internal.decode

/**
 * Whether the device code has expired, by the current time of `Clock`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 * @since 0.1.0
 * @category guards
 */
export const isExpired: (self: Pick<DeviceAuthorizationResponse, "expiresAt">) => Effect.Effect<boolean> = wire.isExpired

/**
 * The URI to show the end user: `verification_uri_complete` when sent, else `verification_uri` (then the user code
 * must be shown too).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.3.1
 * @since 0.1.0
 * @category getters
 */
export const userUri = (self: DeviceAuthorizationResponse): string => self.verificationUriComplete ?? self.verificationUri
