/**
 * Failures of the client's configuration, found before or instead of a request: an option, an endpoint URL or a
 * metadata field that is wrong, or an endpoint the Authorization Server does not have.
 *
 * They are neither transport failures (`TransportError`: the request could not be sent or read) nor the server's
 * answers (`OAuthError` of `@oauth2/core`). Like every error of the packages, they are `Error`s made with Effect's
 * `Data.TaggedError`: yieldable, with a stack, their `name` their `_tag`.
 *
 * @since 0.1.0
 */
import type { OAuthError } from "@oauth2/core"
import type * as Cause from "effect/Cause"
import * as internal from "./internal/errors.js"

/**
 * The type id of every {@link ClientError}.
 *
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("@oauth2/http/ClientError")

/**
 * The type of {@link TypeId}.
 *
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * A configuration value is wrong: a malformed or non-HTTP endpoint URL, plain `http` on a non-loopback host, a
 * discovered document whose issuer does not match, conflicting options, a key that cannot be imported.
 *
 * @since 0.1.0
 * @category errors
 */
export interface InvalidConfiguration extends Cause.YieldableError {
  readonly [TypeId]: TypeId
  readonly _tag: "InvalidConfiguration"
  /** The option or metadata field at fault. */
  readonly field: string
  readonly message: string
  /**
   * The `InvalidArgument` of the `@oauth2/core` function that refused the value (its `argument` names the argument
   * at fault), when one did.
   */
  readonly cause?: OAuthError.InvalidArgument
}

/**
 * The Authorization Server has no such endpoint (not configured, not in its metadata).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 * @since 0.1.0
 * @category errors
 */
export interface EndpointNotSupported extends Cause.YieldableError {
  readonly [TypeId]: TypeId
  readonly _tag: "EndpointNotSupported"
  readonly endpoint: OAuthError.Endpoint
  readonly message: string
}

/**
 * A failure of the client's configuration.
 *
 * @since 0.1.0
 * @category errors
 */
export type ClientError = InvalidConfiguration | EndpointNotSupported

/**
 * Whether a value is a {@link ClientError}.
 *
 * @since 0.1.0
 * @category guards
 */
export const isClientError: (u: unknown) => u is ClientError = internal.isClientError

/**
 * Builds an {@link InvalidConfiguration}; `cause` is the `InvalidArgument` that refused the value, if any.
 *
 * @since 0.1.0
 * @category constructors
 */
export const invalidConfiguration: (field: string, message: string, cause?: OAuthError.InvalidArgument) => InvalidConfiguration =
  internal.invalidConfiguration

/**
 * An {@link InvalidConfiguration} of a field from the `InvalidArgument` of the `@oauth2/core` function that refused
 * its value: its message, and the error itself as `cause` (so that its `argument` is kept).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromInvalidArgument = (field: string, error: OAuthError.InvalidArgument): InvalidConfiguration =>
  internal.invalidConfiguration(field, error.message, error)

/**
 * Builds an {@link EndpointNotSupported}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 * @since 0.1.0
 * @category constructors
 */
export const endpointNotSupported: (endpoint: OAuthError.Endpoint) => EndpointNotSupported = internal.endpointNotSupported
