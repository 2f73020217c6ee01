/**
 * The errors of `@oauth2/flows`, by the one recipe of the packages (see `@oauth2/core`'s `OAuthError`): Effect's own
 * `Data.TaggedError` constructor per tag, made once at module level, its prototype marked with the type id of its
 * family; each error is one `new` behind a constructor function.
 *
 * @internal
 */
import type * as DateTimeType from "effect/DateTime"
import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import type * as ApiClient from "../ApiClient.js"
import type * as Polling from "../Polling.js"
import type * as TokenSource from "../TokenSource.js"

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
// TokenSource
// ---------------------------------------------------------------------------------------------------------------------

/** @internal */
export const TokenUnavailableTypeId: TokenSource.TokenUnavailableTypeId = Symbol.for(
  "@oauth2/flows/TokenSource/TokenUnavailable"
) as TokenSource.TokenUnavailableTypeId

const TokenUnavailableError = taggedError<"TokenUnavailable", TokenSource.TokenUnavailable>("TokenUnavailable", TokenUnavailableTypeId)

const unavailableMessages: Record<TokenSource.TokenUnavailable["reason"], string> = {
  NoGrant: "the token source has no usable token and no grant to obtain one with",
  NotRenewable: "the token expired or was invalidated, it has no usable refresh token, and its grant cannot be repeated",
  RefreshRefused: "the authorization server refused the refresh token and the grant cannot be repeated: start the user's flow again",
  BackingOff: "the renewal of this token failed in another process moments ago: not tried again until the back-off ends"
}

/** @internal */
export const tokenUnavailable = (reason: TokenSource.TokenUnavailable["reason"], cause?: unknown): TokenSource.TokenUnavailable =>
  new TokenUnavailableError({
    reason,
    message: unavailableMessages[reason],
    ...(cause === undefined ? {} : { cause })
  })

/** @internal */
export const isTokenUnavailable = (u: unknown): u is TokenSource.TokenUnavailable => hasTypeId(u, TokenUnavailableTypeId)

// ---------------------------------------------------------------------------------------------------------------------
// Polling
// ---------------------------------------------------------------------------------------------------------------------

/** @internal */
export const PollingErrorTypeId: Polling.PollingErrorTypeId = Symbol.for("@oauth2/flows/Polling/PollingError") as Polling.PollingErrorTypeId

const PollingExpiredError = taggedError<"PollingExpired", Polling.PollingExpired>("PollingExpired", PollingErrorTypeId)
const PollingStoppedError = taggedError<"PollingStopped", Polling.PollingStopped>("PollingStopped", PollingErrorTypeId)

/** @internal */
export const pollingExpired = (expiresAt: DateTimeType.Utc, polls: number): Polling.PollingExpired =>
  new PollingExpiredError({
    expiresAt,
    polls,
    message: `the authorization expired at ${DateTime.formatIso(expiresAt)} before the user answered (${polls} poll${polls === 1 ? "" : "s"})`
  })

/** @internal */
export const pollingStopped = (polls: number, last: Polling.Waiting | undefined): Polling.PollingStopped =>
  new PollingStoppedError({
    polls,
    ...(last === undefined ? {} : { last }),
    message: `the polling schedule ended before the user answered (${polls} poll${polls === 1 ? "" : "s"})`
  })

/** @internal */
export const isPollingError = (u: unknown): u is Polling.PollingError => hasTypeId(u, PollingErrorTypeId)

// ---------------------------------------------------------------------------------------------------------------------
// ApiClient
// ---------------------------------------------------------------------------------------------------------------------

/** @internal */
export const ApiClientErrorTypeId: ApiClient.ApiClientErrorTypeId = Symbol.for(
  "@oauth2/flows/ApiClient/ApiClientError"
) as ApiClient.ApiClientErrorTypeId

const InvalidPathError = taggedError<"InvalidPath", ApiClient.InvalidPath>("InvalidPath", ApiClientErrorTypeId)
const InvalidBaseUrlError = taggedError<"InvalidBaseUrl", ApiClient.InvalidBaseUrl>("InvalidBaseUrl", ApiClientErrorTypeId)
const UnexpectedStatusError = taggedError<"UnexpectedStatus", ApiClient.UnexpectedStatus>("UnexpectedStatus", ApiClientErrorTypeId)
const ApiErrorError = taggedError<"ApiError", ApiClient.ApiError>("ApiError", ApiClientErrorTypeId)

const withoutQuery = (url: string): string => url.split(/[?#]/)[0]!

/** @internal */
export const invalidPath = (path: string, why: string): ApiClient.InvalidPath =>
  new InvalidPathError({ path: path.slice(0, 256), message: `invalid path '${path.slice(0, 256)}': ${why}` })

/** @internal */
export const invalidBaseUrl = (url: string, why: string): ApiClient.InvalidBaseUrl =>
  new InvalidBaseUrlError({ url: url.slice(0, 256), message: `invalid base URL '${url.slice(0, 256)}': ${why}` })

/** @internal */
export const unexpectedStatus = (method: string, url: string, status: number, excerpt: string): ApiClient.UnexpectedStatus =>
  new UnexpectedStatusError({
    method,
    url: withoutQuery(url),
    status,
    excerpt,
    message: `${method} ${withoutQuery(url)} answered HTTP ${status}`
  })

/** @internal */
export const apiError = (reason: ApiClient.ApiError["reason"], method: string, url: string, detail: string, cause?: unknown): ApiClient.ApiError =>
  new ApiErrorError({
    reason,
    method,
    url: withoutQuery(url),
    detail: detail.slice(0, 512),
    message: `${method} ${withoutQuery(url)} failed (${reason}): ${detail.slice(0, 512)}`,
    ...(cause === undefined ? {} : { cause })
  })

/** @internal */
export const isApiClientError = (u: unknown): u is ApiClient.ApiClientError => hasTypeId(u, ApiClientErrorTypeId)
