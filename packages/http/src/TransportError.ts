/**
 * Failures of the transport itself, before or instead of an OAuth answer: the request could not be sent, took too
 * long, was redirected, or its answer was too large.
 *
 * OAuth error answers are `OAuthError` values of `@oauth2/core`, answers that make no sense are its
 * `UnexpectedResponse`, and a wrong configuration or a missing endpoint is a `ClientError`: together with these,
 * they are everything a call can fail with.
 *
 * @since 0.1.0
 */
import type { OAuthError } from "@oauth2/core"
import * as Data from "effect/Data"

type Endpoint = OAuthError.Endpoint

/**
 * The request could not be sent or its answer could not be read (connection refused or reset, DNS, TLS, a body that
 * is not valid UTF-8, ...).
 *
 * @since 0.1.0
 * @category errors
 */
export interface RequestFailed {
  readonly _tag: "RequestFailed"
  readonly endpoint: Endpoint
  readonly url: string
  readonly reason: "Transport" | "Encode" | "InvalidUrl" | "Decode"
  /** The underlying failure, rendered (no secrets: request bodies are never included). */
  readonly detail: string
  readonly message: string
}

/**
 * No complete answer within the configured timeout.
 *
 * @since 0.1.0
 * @category errors
 */
export interface Timeout {
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
export interface ResponseTooLarge {
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
export interface UnexpectedRedirect {
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
 * Builds a {@link RequestFailed}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const requestFailed = (endpoint: Endpoint, url: string, reason: RequestFailed["reason"], detail: string): RequestFailed =>
  Data.struct({
    _tag: "RequestFailed",
    endpoint,
    url,
    reason,
    detail: detail.slice(0, 512),
    message: `request to the ${endpoint} endpoint ${url} failed (${reason}): ${detail.slice(0, 512)}`
  })

/**
 * Builds a {@link Timeout}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const timeout = (endpoint: Endpoint, url: string, timeoutMillis: number): Timeout =>
  Data.struct({
    _tag: "Timeout",
    endpoint,
    url,
    timeoutMillis,
    message: `no answer from the ${endpoint} endpoint ${url} within ${timeoutMillis} ms`
  })

/**
 * Builds a {@link ResponseTooLarge}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const responseTooLarge = (endpoint: Endpoint, url: string, status: number, limitBytes: number): ResponseTooLarge =>
  Data.struct({
    _tag: "ResponseTooLarge",
    endpoint,
    url,
    status,
    limitBytes,
    message: `the answer of the ${endpoint} endpoint ${url} exceeds ${limitBytes} bytes`
  })

/**
 * Builds an {@link UnexpectedRedirect}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const unexpectedRedirect = (endpoint: Endpoint, url: string, status: number, location: string | undefined): UnexpectedRedirect =>
  Data.struct({
    _tag: "UnexpectedRedirect",
    endpoint,
    url,
    status,
    ...(location === undefined ? {} : { location: location.slice(0, 512) }),
    message: `the ${endpoint} endpoint ${url} answered a redirect (HTTP ${status}); back-channel calls do not follow redirects`
  })
