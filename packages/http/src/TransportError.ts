/**
 * Failures of the transport itself, before or instead of an OAuth answer: the request could not be sent, took too
 * long, was redirected, or its answer was too large.
 *
 * OAuth error answers are `OAuthError` values of `@oauth2/core`, answers that make no sense are its
 * `UnexpectedResponse`, and a wrong configuration or a missing endpoint is a `ClientError`: together with these,
 * they are everything a call can fail with.
 *
 * Every transport error is an `Error` (made with Effect's `Data.TaggedError`): yieldable, with a stack, its `name` its
 * `_tag`. A request that could not be sent keeps the underlying failure as `cause` (the fetch error, whose own cause
 * is the socket error: `ECONNREFUSED`, `ENOTFOUND`, ...).
 *
 * @since 0.1.0
 */
import type { OAuthError } from "@oauth2/core"
import type * as Cause from "effect/Cause"
import * as internal from "./internal/errors.js"

type Endpoint = OAuthError.Endpoint

/**
 * The type id of every {@link TransportError}.
 *
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("@oauth2/http/TransportError")

/**
 * The type of {@link TypeId}.
 *
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * The request could not be sent or its answer could not be read (connection refused or reset, DNS, TLS, a body that
 * is not valid UTF-8, ...).
 *
 * @since 0.1.0
 * @category errors
 */
export interface RequestFailed extends Cause.YieldableError {
  readonly [TypeId]: TypeId
  readonly _tag: "RequestFailed"
  readonly endpoint: Endpoint
  readonly url: string
  readonly reason: "Transport" | "Encode" | "InvalidUrl" | "Decode"
  /** The underlying failure, rendered (no secrets: request bodies are never included). */
  readonly detail: string
  readonly message: string
  /**
   * The underlying failure itself, when there is one: the fetch error (its own `cause` is the socket error, with its
   * `code`) or the platform client's. Never the request.
   */
  readonly cause?: unknown
}

/**
 * No complete answer within the configured timeout.
 *
 * @since 0.1.0
 * @category errors
 */
export interface Timeout extends Cause.YieldableError {
  readonly [TypeId]: TypeId
  readonly _tag: "Timeout"
  readonly endpoint: Endpoint
  readonly url: string
  readonly timeoutMillis: number
  readonly message: string
}

/**
 * The answer was larger than the configured limit; it was not read whole.
 *
 * @since 0.1.0
 * @category errors
 */
export interface ResponseTooLarge extends Cause.YieldableError {
  readonly [TypeId]: TypeId
  readonly _tag: "ResponseTooLarge"
  readonly endpoint: Endpoint
  readonly url: string
  readonly status: number
  readonly limitBytes: number
  readonly message: string
}

/**
 * The server answered with a redirect: back-channel calls never follow redirects.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.11
 * @since 0.1.0
 * @category errors
 */
export interface UnexpectedRedirect extends Cause.YieldableError {
  readonly [TypeId]: TypeId
  readonly _tag: "UnexpectedRedirect"
  readonly endpoint: Endpoint
  readonly url: string
  readonly status: number
  readonly location?: string
  readonly message: string
}

/**
 * A failure of the transport.
 *
 * @since 0.1.0
 * @category errors
 */
export type TransportError = RequestFailed | Timeout | ResponseTooLarge | UnexpectedRedirect

/**
 * Whether a value is a {@link TransportError}.
 *
 * @since 0.1.0
 * @category guards
 */
export const isTransportError: (u: unknown) => u is TransportError = internal.isTransportError

/**
 * Builds a {@link RequestFailed}; `cause` is the underlying failure, when there is one.
 *
 * @since 0.1.0
 * @category constructors
 */
export const requestFailed: (endpoint: Endpoint, url: string, reason: RequestFailed["reason"], detail: string, cause?: unknown) => RequestFailed =
  internal.requestFailed

/**
 * Builds a {@link Timeout}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const timeout: (endpoint: Endpoint, url: string, timeoutMillis: number) => Timeout = internal.timeout

/**
 * Builds a {@link ResponseTooLarge}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const responseTooLarge: (endpoint: Endpoint, url: string, status: number, limitBytes: number) => ResponseTooLarge = internal.responseTooLarge

/**
 * Builds an {@link UnexpectedRedirect}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.11
 * @since 0.1.0
 * @category constructors
 */
export const unexpectedRedirect: (endpoint: Endpoint, url: string, status: number, location: string | undefined) => UnexpectedRedirect =
  internal.unexpectedRedirect
