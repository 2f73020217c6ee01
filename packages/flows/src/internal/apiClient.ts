/** @internal */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as HttpMethod from "@effect/platform/HttpMethod"
import type * as UrlParams from "@effect/platform/UrlParams"
import { Url } from "@oauth2/core"
import type { Bearer } from "@oauth2/http"
import { Dpop } from "@oauth2/http"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { dual } from "effect/Function"
import { pipeArguments } from "effect/Pipeable"
import type * as ApiClient from "../ApiClient.js"
import type * as TokenSource from "../TokenSource.js"
import * as bearer from "./bearerClient.js"
import { apiError, invalidBaseUrl, invalidPath, unexpectedStatus } from "./errors.js"

const maxExcerpt = 1024

const withoutQuery = (url: string): string => url.split(/[?#]/)[0]!

const segmentError = (segment: string): string | undefined => {
  if (segment.length === 0) return "empty segment"
  if (segment === "." || segment === "..") return "dot segments ('.', '..') are not allowed"
  return undefined
}

/**
 * Encodes a path relative to a base URL: each segment percent-encoded, so that nothing (`..`, `//host`, an absolute
 * URL, `?`, `#`, `\`) can leave the base.
 *
 * @internal
 */
export const encodePath = (path: ApiClient.Path | undefined): Either.Either<string, ApiClient.InvalidPath> => {
  if (path === undefined) return Either.right("")
  if (path instanceof URL) return Either.left(invalidPath(withoutQuery(path.href), "an absolute URL is not a path under the base URL"))
  if (typeof path === "string") {
    if (path.length > 8192) return Either.left(invalidPath(path, "too long"))
    if (/[?#]/.test(path)) return Either.left(invalidPath(path, "'?' and '#' are not allowed in a path: give query parameters in urlParams"))
    const relative = path.startsWith("/") ? path.slice(1) : path
    if (relative.length === 0) return Either.right("")
    const segments = relative.split("/")
    const out: Array<string> = []
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!
      if (segment.length === 0 && i === segments.length - 1) {
        out.push("") // a trailing slash is kept
        continue
      }
      const why = segmentError(segment)
      if (why !== undefined) return Either.left(invalidPath(path, why))
      out.push(encodeURIComponent(segment))
    }
    return Either.right(out.join("/"))
  }
  const out: Array<string> = []
  for (const part of path) {
    const segment = typeof part === "number" ? (Number.isFinite(part) ? String(part) : "") : part
    const why = segmentError(segment)
    if (why !== undefined) return Either.left(invalidPath(path.join("/"), why))
    out.push(encodeURIComponent(segment))
  }
  return Either.right(out.join("/"))
}

/** @internal */
export const normaliseBaseUrl = (input: string | URL): Either.Either<string, ApiClient.InvalidBaseUrl> => {
  const text = String(input)
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return Either.left(invalidBaseUrl(text, "not an absolute URL"))
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return Either.left(invalidBaseUrl(text, `'${url.protocol}' is not an HTTP scheme`))
  if (url.search !== "" || url.hash !== "") return Either.left(invalidBaseUrl(text, "a base URL has no query or fragment"))
  if (url.username !== "" || url.password !== "") return Either.left(invalidBaseUrl(text, "credentials in the URL are not allowed"))
  const href = url.href
  return Either.right(href.endsWith("/") ? href : `${href}/`)
}

/** Whether a string path is an absolute URL (has a scheme). */
const hasScheme = (path: string): boolean => /^[A-Za-z][A-Za-z0-9+.-]*:/.test(path)

/**
 * An absolute URL on the base URL's origin, as it is (without fragment); another origin, credentials or a bad URL
 * are refused.
 *
 * @internal
 */
export const sameOrigin = (baseUrl: string, target: string | URL): Either.Either<string, ApiClient.InvalidPath> => {
  const text = String(target)
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return Either.left(invalidPath(text, "not a valid absolute URL"))
  }
  if (url.origin !== new URL(baseUrl).origin) {
    return Either.left(invalidPath(withoutQuery(text), "an absolute URL must have the base URL's origin (scheme, host and port)"))
  }
  if (url.username !== "" || url.password !== "") return Either.left(invalidPath(withoutQuery(text), "credentials in the URL are not allowed"))
  url.hash = ""
  return Either.right(url.href)
}

type Coercible = string | number | bigint | boolean | null | undefined

const encodeScalar = (value: Coercible, query: ApiClient.QueryEncoding): string | undefined => {
  if (value === null || value === undefined) return query.absent === "empty" ? "" : undefined
  if (typeof value === "boolean") {
    switch (query.booleans) {
      case "1/0":
        return value ? "1" : "0"
      case "presence":
        return value ? "" : undefined
      default:
        return value ? "true" : "false"
    }
  }
  return String(value)
}

const isScalar = (u: unknown): u is Coercible => u === null || (typeof u !== "object" && typeof u !== "function")

/**
 * Query parameters with booleans and absent values written as the client chose.
 *
 * @internal
 */
export const encodeQuery = (input: UrlParams.Input, query: ApiClient.QueryEncoding): UrlParams.Input => {
  if (input instanceof URLSearchParams) return input
  if (Symbol.iterator in input) {
    const out: Array<[string, string]> = []
    for (const [key, value] of input as Iterable<readonly [string, Coercible]>) {
      const encoded = encodeScalar(value, query)
      if (encoded !== undefined) out.push([key, encoded])
    }
    return out
  }
  const out: Record<string, UrlParams.CoercibleRecord[string]> = {}
  for (const [key, value] of Object.entries(input as UrlParams.CoercibleRecord)) {
    if (Array.isArray(value)) {
      out[key] = value.flatMap((v: Coercible) => {
        const encoded = encodeScalar(v, query)
        return encoded === undefined ? [] : [encoded]
      })
    } else if (isScalar(value)) {
      const encoded = encodeScalar(value, query)
      if (encoded !== undefined) out[key] = encoded
    } else {
      out[key] = encodeQuery(value as UrlParams.CoercibleRecord, query) as UrlParams.CoercibleRecord
    }
  }
  return out
}

/** Plain http off loopback: a bearer token must not be sent there (unless allowed). */
const isCleartext = (baseUrl: string): boolean => {
  const url = new URL(baseUrl)
  return url.protocol === "http:" && !Url.isLoopback(url)
}

const readExcerpt = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<string> =>
  Stream.runFoldWhile(
    response.stream,
    { chunks: [] as Array<Uint8Array>, size: 0 },
    (acc) => acc.size < maxExcerpt,
    (acc, chunk) => {
      acc.chunks.push(chunk)
      return { chunks: acc.chunks, size: acc.size + chunk.length }
    }
  ).pipe(
    Effect.map(({ chunks, size }) => {
      const all = new Uint8Array(size)
      let offset = 0
      for (const c of chunks) {
        all.set(c, offset)
        offset += c.length
      }
      return new TextDecoder("utf-8").decode(all.subarray(0, maxExcerpt)).slice(0, maxExcerpt)
    }),
    Effect.orElseSucceed(() => "")
  )

/** Maps the platform's errors to this module's; other errors (the token source's) pass through. */
const mapPlatformError =
  <E>(method: string, url: string) =>
  (
    error: E | HttpClientError.HttpClientError
  ): Effect.Effect<never, Exclude<E, HttpClientError.HttpClientError> | ApiClient.UnexpectedStatus | ApiClient.ApiError> => {
    if (!HttpClientError.isHttpClientError(error)) return Effect.fail(error as Exclude<E, HttpClientError.HttpClientError>)
    if (error._tag === "ResponseError") {
      if (error.reason === "StatusCode") {
        return Effect.flatMap(readExcerpt(error.response), (excerpt) => Effect.fail(unexpectedStatus(method, url, error.response.status, excerpt)))
      }
      return Effect.fail(apiError("Decode", method, url, error.description ?? error.reason, error.cause))
    }
    return Effect.fail(
      apiError(error.reason, method, url, error.cause instanceof Error ? error.cause.message : (error.description ?? error.reason), error.cause)
    )
  }

interface Internal<E> extends ApiClient.ApiClient<E> {
  readonly prefix: Either.Either<string, ApiClient.InvalidPath>
  readonly base: HttpClient.HttpClient.With<E | HttpClientError.HttpClientError>
  readonly options: ApiClient.Options
}

const build = <E>(
  httpClient: HttpClient.HttpClient.With<E | HttpClientError.HttpClientError>,
  baseUrl: string,
  prefix: Either.Either<string, ApiClient.InvalidPath>,
  options: ApiClient.Options
): ApiClient.ApiClient<E> => {
  const base = httpClient
  const filtered = HttpClient.filterStatusOk(base)
  const filterByDefault = options.filterStatus ?? true
  const query = options.query ?? {}
  const defaultTimeout = options.timeout === undefined ? undefined : Duration.decode(options.timeout)

  const request = (method: HttpMethod.HttpMethod, path?: ApiClient.Path, requestOptions: ApiClient.RequestOptions = {}) =>
    Effect.gen(function* () {
      let full: string
      if (path instanceof URL || (typeof path === "string" && hasScheme(path))) {
        full = yield* sameOrigin(baseUrl, path)
      } else {
        const prefixPath = yield* prefix
        const relative = yield* encodePath(path)
        full = baseUrl + prefixPath + (prefixPath.length > 0 && relative.length > 0 && !prefixPath.endsWith("/") ? "/" : "") + relative
      }
      const urlParams = requestOptions.urlParams === undefined ? undefined : encodeQuery(requestOptions.urlParams, query)
      // JSON by default; the client's headers, then the request's, may override it
      let req = HttpClientRequest.make(method)(full, urlParams === undefined ? {} : { urlParams }).pipe(
        HttpClientRequest.acceptJson,
        HttpClientRequest.setHeaders(options.headers ?? {}),
        HttpClientRequest.setHeaders(requestOptions.headers ?? {})
      )
      if (requestOptions.body !== undefined) {
        req = HttpClientRequest.setBody(req, requestOptions.body)
      } else if (requestOptions.json !== undefined) {
        req = yield* HttpClientRequest.bodyJson(req, requestOptions.json).pipe(
          Effect.mapError((e) =>
            apiError("Encode", method, full, e.reason._tag === "JsonError" ? "the body cannot be encoded as JSON" : e.reason._tag)
          )
        )
      }
      const client = (requestOptions.filterStatus ?? filterByDefault) ? filtered : base
      const timeout = requestOptions.timeout === undefined ? defaultTimeout : Duration.decode(requestOptions.timeout)
      const sent = client.execute(req).pipe(Effect.catchAll(mapPlatformError<E>(method, full)))
      return yield* timeout === undefined
        ? sent
        : Effect.timeoutFail(sent, {
            duration: timeout,
            onTimeout: () => apiError("Timeout", method, full, `no answer within ${Duration.format(timeout)}`)
          })
    })

  const self: Internal<E> = {
    pipe() {
      // eslint-disable-next-line prefer-rest-params -- Effect's Pipeable idiom: pipeArguments reads the arguments object
      return pipeArguments(this, arguments)
    },
    baseUrl: baseUrl + Either.getOrElse(prefix, () => ""),
    httpClient,
    prefix,
    base: httpClient,
    options,
    request,
    get: (path, o) => request("GET", path, o),
    post: (path, o) => request("POST", path, o),
    put: (path, o) => request("PUT", path, o),
    patch: (path, o) => request("PATCH", path, o),
    del: (path, o) => request("DELETE", path, o),
    head: (path, o) => request("HEAD", path, o)
  }
  return self
}

/** @internal */
export const makeWith = <E>(
  httpClient: HttpClient.HttpClient.With<E>,
  options: ApiClient.Options
): Either.Either<ApiClient.ApiClient<Exclude<E, HttpClientError.HttpClientError>>, ApiClient.InvalidBaseUrl> =>
  Either.map(normaliseBaseUrl(options.baseUrl), (baseUrl) =>
    build(
      httpClient as HttpClient.HttpClient.With<Exclude<E, HttpClientError.HttpClientError> | HttpClientError.HttpClientError>,
      baseUrl,
      Either.right(""),
      options
    )
  )

const makeAny = <E>(
  options: ApiClient.MakeOptions<E>
): Effect.Effect<ApiClient.ApiClient<E | Bearer.ExpiredAccessToken>, ApiClient.InvalidBaseUrl, HttpClient.HttpClient> =>
  Effect.flatMap(Effect.zip(HttpClient.HttpClient, Effect.serviceOption(Dpop.Dpop)), ([httpClient, inContext]) => {
    const insecure = options.allowInsecureHttp === true
    const dpop = options.dpop ?? Option.getOrUndefined(inContext)
    const authenticated: HttpClient.HttpClient.With<HttpClientError.HttpClientError | E | Bearer.ExpiredAccessToken> =
      options.tokenSource === undefined
        ? httpClient
        : bearer.authenticate(httpClient, options.tokenSource, {
            ...(insecure ? { allowInsecureHttp: true } : {}),
            ...(dpop === undefined ? {} : { dpop })
          })
    const checked = Either.flatMap(normaliseBaseUrl(options.baseUrl), (baseUrl) =>
      options.tokenSource !== undefined && !insecure && isCleartext(baseUrl)
        ? Either.left(invalidBaseUrl(baseUrl, "a bearer token is not sent over plain http off loopback: use https, or allowInsecureHttp"))
        : Either.right(baseUrl)
    )
    return Either.flatMap(checked, () => makeWith(authenticated, options))
  })

/** @internal */
export const make: {
  <E>(
    options: ApiClient.MakeOptions<E> & { readonly tokenSource: TokenSource.TokenSource<E> }
  ): Effect.Effect<ApiClient.ApiClient<E | Bearer.ExpiredAccessToken>, ApiClient.InvalidBaseUrl, HttpClient.HttpClient>
  (options: ApiClient.Options): Effect.Effect<ApiClient.ApiClient, ApiClient.InvalidBaseUrl, HttpClient.HttpClient>
} = makeAny as never

/** @internal */
export const at = dual<
  (path: ApiClient.Path) => <E>(self: ApiClient.ApiClient<E>) => ApiClient.ApiClient<E>,
  <E>(self: ApiClient.ApiClient<E>, path: ApiClient.Path) => ApiClient.ApiClient<E>
>(2, <E>(self: ApiClient.ApiClient<E>, path: ApiClient.Path) => {
  const inner = self as Internal<E>
  const baseUrl = self.baseUrl.slice(0, self.baseUrl.length - Either.getOrElse(inner.prefix, () => "").length)
  const prefix = Either.flatMap(inner.prefix, (p) =>
    Either.map(encodePath(path), (relative) => {
      const joined = p + (p.length > 0 && relative.length > 0 && !p.endsWith("/") ? "/" : "") + relative
      return joined.length > 0 && !joined.endsWith("/") ? `${joined}/` : joined
    })
  )
  return build(inner.base, baseUrl, prefix, inner.options)
})

/** @internal */
export const json = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<unknown, ApiClient.ApiError> =>
  Effect.mapError(response.json, (e) =>
    apiError("Decode", response.request.method, response.request.url, e._tag === "ResponseError" ? (e.description ?? e.reason) : "not JSON")
  )

/** @internal */
export const schemaJson = <A, I, R>(schema: Schema.Schema<A, I, R>) => {
  const decode = Schema.decodeUnknown(schema)
  return (response: HttpClientResponse.HttpClientResponse): Effect.Effect<A, ApiClient.ApiError, R> =>
    Effect.flatMap(json(response), (body) =>
      Effect.mapError(decode(body), (e) =>
        apiError("Decode", response.request.method, response.request.url, ParseResult.TreeFormatter.formatErrorSync(e))
      )
    )
}
