/**
 * A client for a REST API under one base URL, optionally authenticated by a token source.
 *
 * Paths are relative to the base URL and can never leave it: a path is a string of `/`-separated segments or a list
 * of segments, each segment percent-encoded (so a `/`, `?` or `#` inside a segment stays inside it); `.` and `..`
 * segments and empty segments (`a//b`, `//host`) are refused with {@link InvalidPath} before anything is sent. A
 * leading `/` does not reset the path to the root of the host. An absolute URL (a `URL`, or a string with a scheme,
 * e.g. a next-page link) is called as it is when it has the base URL's origin (scheme, host and port), and refused
 * with {@link InvalidPath} otherwise, so that the token never goes to another server.
 *
 * Query parameters (`urlParams`) write booleans as `true`/`false` and leave out `null` and `undefined`, unless the
 * client's {@link QueryEncoding} says otherwise. A `timeout` (per client or per request) fails a slow request with
 * {@link ApiError} (`Timeout`). With a token source, the base URL must be https (or plain http on loopback) unless
 * `allowInsecureHttp`.
 *
 * Requests ask for JSON (`Accept: application/json`) and send a `json` body as JSON. Statuses other than 2xx fail
 * with {@link UnexpectedStatus} (with a bounded excerpt of the body) unless status filtering is switched off, for
 * the client or for one request. Platform errors are mapped to {@link ApiError}; a token source's errors pass
 * through. The client is built from platform combinators (`HttpClientRequest.make`, `HttpClient.filterStatusOk`,
 * `Effect.timeoutFail`) over any `HttpClient`.
 *
 * @since 0.1.0
 */
import type * as HttpBody from "@effect/platform/HttpBody"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as HttpMethod from "@effect/platform/HttpMethod"
import type * as Headers from "@effect/platform/Headers"
import type * as UrlParams from "@effect/platform/UrlParams"
import type { Bearer, Dpop } from "@oauth2/http"
import type * as Cause from "effect/Cause"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type * as Pipeable from "effect/Pipeable"
import type * as Schema from "effect/Schema"
import * as internal from "./internal/apiClient.js"
import * as errors from "./internal/errors.js"
import type * as TokenSource from "./TokenSource.js"

/**
 * A path relative to the base URL: `"users/42/roles"` (segments separated by `/`, each encoded), or
 * `["users", "auth0|42", "roles"]` (each element one segment, encoded, so it may contain `/`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc3986#section-3.3
 * @since 0.1.0
 * @category models
 */
export type Path = string | URL | ReadonlyArray<string | number>

/**
 * The type id of the errors of an API client ({@link ApiClientError}).
 *
 * @since 0.1.0
 * @category type ids
 */
export const ApiClientErrorTypeId: unique symbol = Symbol.for("@oauth2/flows/ApiClient/ApiClientError")

/**
 * The type of {@link ApiClientErrorTypeId}.
 *
 * @since 0.1.0
 * @category type ids
 */
export type ApiClientErrorTypeId = typeof ApiClientErrorTypeId

/**
 * A path that would leave the base URL or is malformed (`..`, an empty segment, `?` or `#` in a string path). Nothing
 * was sent.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3986#section-3.3
 * @since 0.1.0
 * @category errors
 */
export interface InvalidPath extends Cause.YieldableError {
  readonly [ApiClientErrorTypeId]: ApiClientErrorTypeId
  readonly _tag: "InvalidPath"
  readonly path: string
  readonly message: string
}

/**
 * The base URL is not an absolute `http(s)` URL without query, fragment and credentials.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3986#section-4.3
 * @since 0.1.0
 * @category errors
 */
export interface InvalidBaseUrl extends Cause.YieldableError {
  readonly [ApiClientErrorTypeId]: ApiClientErrorTypeId
  readonly _tag: "InvalidBaseUrl"
  readonly url: string
  readonly message: string
}

/**
 * The API answered a status other than 2xx (with status filtering on).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15
 * @since 0.1.0
 * @category errors
 */
export interface UnexpectedStatus extends Cause.YieldableError {
  readonly [ApiClientErrorTypeId]: ApiClientErrorTypeId
  readonly _tag: "UnexpectedStatus"
  readonly method: string
  /** The request URL, without its query. */
  readonly url: string
  readonly status: number
  /** At most 1 KiB of the body. */
  readonly excerpt: string
  readonly message: string
}

/**
 * The request could not be sent (`Transport`, `Encode`, `InvalidUrl`) or its answer not read (`Decode`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15
 * @since 0.1.0
 * @category errors
 */
export interface ApiError extends Cause.YieldableError {
  readonly [ApiClientErrorTypeId]: ApiClientErrorTypeId
  readonly _tag: "ApiError"
  readonly reason: "Transport" | "Encode" | "InvalidUrl" | "Decode" | "Timeout"
  readonly method: string
  /** The request URL, without its query. */
  readonly url: string
  readonly detail: string
  readonly message: string
  /** The platform client's underlying failure (the fetch error, ...), when there is one. */
  readonly cause?: unknown
}

/**
 * What a request of an API client may fail with, besides the errors of its `HttpClient` middleware (a token
 * source's).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15
 * @since 0.1.0
 * @category errors
 */
export type RequestError = InvalidPath | UnexpectedStatus | ApiError

/**
 * Every error of an API client: a request's ({@link RequestError}) and a base URL's ({@link InvalidBaseUrl}).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15
 * @since 0.1.0
 * @category errors
 */
export type ApiClientError = RequestError | InvalidBaseUrl

/**
 * Whether a value is an {@link ApiClientError}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15
 * @since 0.1.0
 * @category guards
 */
export const isApiClientError: (u: unknown) => u is ApiClientError = errors.isApiClientError

/**
 * Options of an API client.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3986#section-5.2
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The root of the API, e.g. `https://tenant.eu.auth0.com/api/v2/`. */
  readonly baseUrl: string | URL
  /** Fail on statuses other than 2xx; `true` by default. */
  readonly filterStatus?: boolean
  /** Headers sent with every request. */
  readonly headers?: Headers.Input
  /**
   * How long a request may take, answer included, before it fails with `ApiError` (`Timeout`); none by default.
   * A request may set its own.
   */
  readonly timeout?: Duration.DurationInput
  /** How booleans and absent values of `urlParams` are written. */
  readonly query?: QueryEncoding
  /**
   * Send the bearer token over plain http to any host. By default a client with a token source refuses a plain http
   * base URL off loopback (`InvalidBaseUrl`), and the token goes over https, or plain http to loopback only.
   */
  readonly allowInsecureHttp?: boolean
}

/**
 * How query parameters that are not strings are written.
 *
 * - `booleans`: `"true/false"` (by default), `"1/0"`, or `"presence"` (`true` sends the bare name `a=`, `false`
 *   sends nothing).
 * - `absent` (`null` and `undefined`): `"omit"` (by default), or `"empty"` (the name with an empty value).
 *
 * @see https://www.rfc-editor.org/rfc/rfc3986#section-3.4
 * @since 0.1.0
 * @category models
 */
export interface QueryEncoding {
  readonly booleans?: "true/false" | "1/0" | "presence"
  readonly absent?: "omit" | "empty"
}

/**
 * Options of one request.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8259
 * @since 0.1.0
 * @category models
 */
export type RequestOptions = {
  readonly urlParams?: UrlParams.Input
  readonly headers?: Headers.Input
  /** Overrides the client's status filtering for this request. */
  readonly filterStatus?: boolean
  /** Overrides the client's timeout for this request. */
  readonly timeout?: Duration.DurationInput
} & (
  | {
      /** A body sent as JSON. */
      readonly json?: unknown
      readonly body?: undefined
    }
  | {
      /** Any other body (form, text, bytes). */
      readonly body: HttpBody.HttpBody
      readonly json?: undefined
    }
)

/**
 * An API client. Every request method takes a path (relative to the base URL; none for the base itself) and options.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3986#section-5.2
 * @since 0.1.0
 * @category models
 */
export interface ApiClient<E = never> extends Pipeable.Pipeable {
  /** The base URL of requests, with a trailing `/`. */
  readonly baseUrl: string
  /** The underlying client (with the bearer middleware, if any). */
  readonly httpClient: HttpClient.HttpClient.With<E | HttpClientError.HttpClientError>
  readonly request: (
    method: HttpMethod.HttpMethod,
    path?: Path,
    options?: RequestOptions
  ) => Effect.Effect<HttpClientResponse.HttpClientResponse, E | RequestError>
  readonly get: (path?: Path, options?: RequestOptions) => Effect.Effect<HttpClientResponse.HttpClientResponse, E | RequestError>
  readonly post: (path?: Path, options?: RequestOptions) => Effect.Effect<HttpClientResponse.HttpClientResponse, E | RequestError>
  readonly put: (path?: Path, options?: RequestOptions) => Effect.Effect<HttpClientResponse.HttpClientResponse, E | RequestError>
  readonly patch: (path?: Path, options?: RequestOptions) => Effect.Effect<HttpClientResponse.HttpClientResponse, E | RequestError>
  readonly del: (path?: Path, options?: RequestOptions) => Effect.Effect<HttpClientResponse.HttpClientResponse, E | RequestError>
  readonly head: (path?: Path, options?: RequestOptions) => Effect.Effect<HttpClientResponse.HttpClientResponse, E | RequestError>
}

/**
 * Options of {@link make}: those of any API client, and optionally a token source to authenticate requests with.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 * @since 0.1.0
 * @category models
 */
export interface MakeOptions<E = never> extends Options {
  readonly tokenSource?: TokenSource.TokenSource<E>
  /**
   * DPoP (RFC 9449) for the token source's `DPoP` tokens (see `BearerClient.Options.dpop`); by default the `Dpop`
   * service in context, if any.
   */
  readonly dpop?: Dpop.Dpop
}

/**
 * Builds an API client on the `HttpClient` in context, authenticated by `tokenSource` when given (see
 * `BearerClient.authenticate`: bearer header, one retry after `invalid_token`).
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { ApiClient } from "@oauth2/flows"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const api = yield* ApiClient.make({ baseUrl: "https://api.example.com/v1" })
 *   // GET https://api.example.com/v1/users/auth0%7C42/roles
 *   const roles = yield* api.get(["users", "auth0|42", "roles"]).pipe(Effect.flatMap(ApiClient.json))
 *   // POST https://api.example.com/v1/users with a JSON body; a 409 is an answer, not an error
 *   const created = yield* api.post("users", { json: { name: "alice" }, filterStatus: false })
 *   return { roles, conflict: created.status === 409 }
 * }).pipe(Effect.provide(FetchHttpClient.layer))
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc3986#section-5.2
 * @since 0.1.0
 * @category constructors
 */
export const make: {
  <E>(
    options: MakeOptions<E> & { readonly tokenSource: TokenSource.TokenSource<E> }
  ): Effect.Effect<ApiClient<E | Bearer.ExpiredAccessToken>, InvalidBaseUrl, HttpClient.HttpClient>
  (options: Options): Effect.Effect<ApiClient, InvalidBaseUrl, HttpClient.HttpClient>
} = internal.make

/**
 * Builds an API client on a given `HttpClient` (e.g. one with more middleware).
 *
 * @see https://www.rfc-editor.org/rfc/rfc3986#section-5.2
 * @since 0.1.0
 * @category constructors
 */
export const makeWith: <E>(
  httpClient: HttpClient.HttpClient.With<E>,
  options: Options
) => Either.Either<ApiClient<Exclude<E, HttpClientError.HttpClientError>>, InvalidBaseUrl> = internal.makeWith

/**
 * A client for a sub-resource: the same client with `path` appended to its base URL (validated and encoded like
 * any path; an invalid one makes every request fail with {@link InvalidPath}).
 *
 * @example
 * ```ts
 * import { ApiClient } from "@oauth2/flows"
 *
 * const usersOf = (api: ApiClient.ApiClient) => api.pipe(ApiClient.at("users"))
 * // usersOf(api).get("42") is GET <base>/users/42
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc3986#section-3.3
 * @since 0.1.0
 * @category combinators
 */
export const at: {
  (path: Path): <E>(self: ApiClient<E>) => ApiClient<E>
  <E>(self: ApiClient<E>, path: Path): ApiClient<E>
} = internal.at

/**
 * Reads a response body as JSON.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8259
 * @since 0.1.0
 * @category combinators
 */
export const json: (response: HttpClientResponse.HttpClientResponse) => Effect.Effect<unknown, ApiError> = internal.json

/**
 * Reads a response body as JSON and decodes it with a schema; a mismatch is an {@link ApiError} (`Decode`).
 *
 * @example
 * ```ts
 * import { ApiClient } from "@oauth2/flows"
 * import { Effect, Schema } from "effect"
 *
 * const User = Schema.Struct({ user_id: Schema.String, email: Schema.optional(Schema.String) })
 * const getUser = (api: ApiClient.ApiClient, id: string) => api.get(["users", id]).pipe(Effect.flatMap(ApiClient.schemaJson(User)))
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc8259
 * @since 0.1.0
 * @category combinators
 */
export const schemaJson: <A, I, R>(
  schema: Schema.Schema<A, I, R>
) => (response: HttpClientResponse.HttpClientResponse) => Effect.Effect<A, ApiError, R> = internal.schemaJson

/**
 * Encodes a path relative to a base URL (exposed for tests and custom clients).
 *
 * @see https://www.rfc-editor.org/rfc/rfc3986#section-2.1
 * @since 0.1.0
 * @category encoding
 */
export const encodePath: (path: Path | undefined) => Either.Either<string, InvalidPath> = internal.encodePath
