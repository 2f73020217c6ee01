/**
 * The errors of `@oauth2/http`, by the one recipe of the packages (see `@oauth2/core`'s `OAuthError`): Effect's own
 * `Data.TaggedError` constructor per tag, made once at module level, its prototype marked with the type id of its
 * family; each error is one `new` behind a constructor function.
 *
 * @internal
 */
import type { OAuthError } from "@oauth2/core"
import * as Data from "effect/Data"
import type * as Bearer from "../Bearer.js"
import type * as ClientAuth from "../ClientAuth.js"
import type * as ClientError from "../ClientError.js"
import type * as TransportError from "../TransportError.js"

type Endpoint = OAuthError.Endpoint

/**
 * The recipe of every error of the package: an Effect tagged error (yieldable, with stack, message and cause) carrying
 * its family's type id.
 *
 * @internal
 */
export const taggedError = <Tag extends string, A>(tag: Tag, typeId: symbol): new (fields: Record<string, unknown>) => A => {
  const Ctor = Data.TaggedError(tag)
  Object.defineProperty(Ctor.prototype, typeId, { value: typeId })
  return Ctor as unknown as new (fields: Record<string, unknown>) => A
}

const hasTypeId = (u: unknown, typeId: symbol): boolean => typeof u === "object" && u !== null && typeId in u

// ---------------------------------------------------------------------------------------------------------------------
// TransportError
// ---------------------------------------------------------------------------------------------------------------------

/** @internal */
export const TransportErrorTypeId: TransportError.TypeId = Symbol.for("@oauth2/http/TransportError") as TransportError.TypeId

const RequestFailedError = taggedError<"RequestFailed", TransportError.RequestFailed>("RequestFailed", TransportErrorTypeId)
const TimeoutError = taggedError<"Timeout", TransportError.Timeout>("Timeout", TransportErrorTypeId)
const ResponseTooLargeError = taggedError<"ResponseTooLarge", TransportError.ResponseTooLarge>("ResponseTooLarge", TransportErrorTypeId)
const UnexpectedRedirectError = taggedError<"UnexpectedRedirect", TransportError.UnexpectedRedirect>("UnexpectedRedirect", TransportErrorTypeId)

/** @internal */
export const isTransportError = (u: unknown): u is TransportError.TransportError => hasTypeId(u, TransportErrorTypeId)

/** @internal */
export const requestFailed = (
  endpoint: Endpoint,
  url: string,
  reason: TransportError.RequestFailed["reason"],
  detail: string,
  cause?: unknown
): TransportError.RequestFailed =>
  new RequestFailedError({
    endpoint,
    url,
    reason,
    detail: detail.slice(0, 512),
    message: `request to the ${endpoint} endpoint ${url} failed (${reason}): ${detail.slice(0, 512)}`,
    ...(cause === undefined ? {} : { cause })
  })

/** @internal */
export const timeout = (endpoint: Endpoint, url: string, timeoutMillis: number): TransportError.Timeout =>
  new TimeoutError({
    endpoint,
    url,
    timeoutMillis,
    message: `no answer from the ${endpoint} endpoint ${url} within ${timeoutMillis} ms`
  })

/** @internal */
export const responseTooLarge = (endpoint: Endpoint, url: string, status: number, limitBytes: number): TransportError.ResponseTooLarge =>
  new ResponseTooLargeError({
    endpoint,
    url,
    status,
    limitBytes,
    message: `the answer of the ${endpoint} endpoint ${url} exceeds ${limitBytes} bytes`
  })

/** @internal */
export const unexpectedRedirect = (
  endpoint: Endpoint,
  url: string,
  status: number,
  location: string | undefined
): TransportError.UnexpectedRedirect =>
  new UnexpectedRedirectError({
    endpoint,
    url,
    status,
    ...(location === undefined ? {} : { location: location.slice(0, 512) }),
    message: `the ${endpoint} endpoint ${url} answered a redirect (HTTP ${status}); back-channel calls do not follow redirects`
  })

// ---------------------------------------------------------------------------------------------------------------------
// ClientError
// ---------------------------------------------------------------------------------------------------------------------

/** @internal */
export const ClientErrorTypeId: ClientError.TypeId = Symbol.for("@oauth2/http/ClientError") as ClientError.TypeId

const InvalidConfigurationError = taggedError<"InvalidConfiguration", ClientError.InvalidConfiguration>("InvalidConfiguration", ClientErrorTypeId)
const EndpointNotSupportedError = taggedError<"EndpointNotSupported", ClientError.EndpointNotSupported>("EndpointNotSupported", ClientErrorTypeId)

/** @internal */
export const isClientError = (u: unknown): u is ClientError.ClientError => hasTypeId(u, ClientErrorTypeId)

/** @internal */
export const invalidConfiguration = (field: string, message: string, cause?: OAuthError.InvalidArgument): ClientError.InvalidConfiguration =>
  new InvalidConfigurationError({
    field,
    message: `invalid configuration of '${field}': ${message}`,
    ...(cause === undefined ? {} : { cause })
  })

/** @internal */
export const endpointNotSupported = (endpoint: Endpoint): ClientError.EndpointNotSupported =>
  new EndpointNotSupportedError({
    endpoint,
    message: `the authorization server has no ${endpoint} endpoint (not configured and not in its metadata)`
  })

// ---------------------------------------------------------------------------------------------------------------------
// ClientAuthError
// ---------------------------------------------------------------------------------------------------------------------

/** @internal */
export const ClientAuthErrorTypeId: ClientAuth.ClientAuthErrorTypeId = Symbol.for(
  "@oauth2/http/ClientAuth/ClientAuthError"
) as ClientAuth.ClientAuthErrorTypeId

const ClientAuthErrorCtor = taggedError<"ClientAuthError", ClientAuth.ClientAuthError>("ClientAuthError", ClientAuthErrorTypeId)

/** @internal */
export const clientAuthError = (fields: {
  readonly method: string
  readonly endpoint: Endpoint
  readonly reason?: ClientAuth.ClientAuthError["reason"]
  readonly message: string
}): ClientAuth.ClientAuthError =>
  new ClientAuthErrorCtor({
    method: fields.method,
    endpoint: fields.endpoint,
    reason: fields.reason ?? "Custom",
    message: `client authentication (${fields.method}) failed at the ${fields.endpoint} endpoint: ${fields.message}`
  })

/** @internal */
export const isClientAuthError = (u: unknown): u is ClientAuth.ClientAuthError => hasTypeId(u, ClientAuthErrorTypeId)

// ---------------------------------------------------------------------------------------------------------------------
// ExpiredAccessToken
// ---------------------------------------------------------------------------------------------------------------------

/** @internal */
export const ExpiredAccessTokenTypeId: Bearer.ExpiredAccessTokenTypeId = Symbol.for(
  "@oauth2/http/Bearer/ExpiredAccessToken"
) as Bearer.ExpiredAccessTokenTypeId

const ExpiredAccessTokenError = taggedError<"ExpiredAccessToken", Bearer.ExpiredAccessToken>("ExpiredAccessToken", ExpiredAccessTokenTypeId)

/** @internal */
export const expiredAccessToken = (request: string): Bearer.ExpiredAccessToken =>
  new ExpiredAccessTokenError({ request, message: `the access token for ${request} is expired` })

/** @internal */
export const isExpiredAccessToken = (u: unknown): u is Bearer.ExpiredAccessToken => hasTypeId(u, ExpiredAccessTokenTypeId)
