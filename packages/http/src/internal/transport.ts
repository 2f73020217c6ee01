/** @internal */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { OAuthError, Params } from "@oauth2/core"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import type * as Transport from "../Transport.js"
import * as TransportError from "../TransportError.js"

type Endpoint = OAuthError.Endpoint

const defaults = {
  maxResponseBytes: 1024 * 1024,
  timeout: Duration.seconds(30),
  allowInsecureHttp: false
}


/** @internal */
export const defaultRetry: Schedule.Schedule<unknown, Transport.RetryInput> = Schedule.exponential("250 millis").pipe(
  Schedule.intersect(Schedule.recurs(3)),
  Schedule.asVoid
)

const maxRetryAfter = Duration.minutes(1)

/** @internal */
export const isLoopback = (url: URL): boolean => {
  const host = url.hostname
  return host === "localhost" || host === "[::1]" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host)
}

/** @internal */
export const validateUrl = (allowInsecureHttp: boolean) => (field: string, url: string): Either.Either<URL, TransportError.InvalidConfiguration> => {
  if (typeof url !== "string" || url.length === 0) return Either.left(TransportError.invalidConfiguration(field, "missing URL"))
  if (url.length > 8192) return Either.left(TransportError.invalidConfiguration(field, "URL too long"))
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return Either.left(TransportError.invalidConfiguration(field, `'${url.slice(0, 200)}' is not an absolute URL`))
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    return Either.left(TransportError.invalidConfiguration(field, `'${parsed.protocol}' is not an HTTP scheme`))
  }
  if (parsed.protocol === "http:" && !allowInsecureHttp && !isLoopback(parsed)) {
    return Either.left(TransportError.invalidConfiguration(field, `plain http is only allowed on loopback addresses: ${parsed.origin}`))
  }
  if (parsed.hash !== "") return Either.left(TransportError.invalidConfiguration(field, "an endpoint URL has no fragment"))
  if (parsed.username !== "" || parsed.password !== "") {
    return Either.left(TransportError.invalidConfiguration(field, "credentials in the URL are not allowed"))
  }
  return Either.right(parsed)
}

/** @internal */
export const mediaType = (contentType: string | undefined): string | undefined =>
  contentType === undefined ? undefined : contentType.split(";")[0]!.trim().toLowerCase() || undefined

/** @internal */
export const json = (endpoint: Endpoint, response: Transport.Response): Either.Either<unknown, OAuthError.UnexpectedResponse> => {
  const context = { status: response.status, ...(response.contentType === undefined ? {} : { contentType: response.contentType }) }
  if (response.body.trim().length === 0) return Either.left(OAuthError.unexpectedResponse(endpoint, "empty body where JSON was expected", "", context))
  try {
    return Either.right(JSON.parse(response.body) as unknown)
  } catch {
    return Either.left(OAuthError.unexpectedResponse(endpoint, "the body is not JSON", response.body, context))
  }
}

/** Parses the `error`, `error_description` and `error_uri` of a `WWW-Authenticate: Bearer ...` challenge. */
const parseBearerChallenge = (header: string | undefined): Record<string, string> | undefined => {
  if (header === undefined) return undefined
  // several challenges may share one header (RFC 7235 4.1): find the Bearer (or DPoP) one anywhere
  const match = /(?:^|,)\s*(?:Bearer|DPoP)\s+(.*)$/i.exec(header.slice(0, 4096))
  if (match === null) return undefined
  const out: Record<string, string> = {}
  // auth-params, until something that is not one (the next challenge: `Basic realm=...`)
  const param = /\s*([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]+))\s*(?:,|$)/y
  const rest = match[1]!
  for (let m = param.exec(rest); m !== null; m = param.exec(rest)) {
    const name = m[1]!.toLowerCase()
    if (!Object.hasOwn(out, name)) Object.defineProperty(out, name, { value: (m[2] ?? m[3] ?? "").replace(/\\(.)/g, "$1"), enumerable: true })
  }
  return typeof out.error === "string" ? out : undefined
}

/** Seconds or an HTTP date, relative to `now`. */
const parseRetryAfter = (header: string | undefined, now: number): Duration.Duration | undefined => {
  if (header === undefined) return undefined
  const value = header.trim()
  if (/^\d+$/.test(value)) return Duration.min(Duration.seconds(Number(value)), maxRetryAfter)
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Duration.min(Duration.millis(Math.max(0, at - now)), maxRetryAfter)
}

interface Failure {
  readonly error: unknown
  readonly transient: boolean
  readonly retryAfter?: Duration.Duration
}

const textDecoder = new TextDecoder("utf-8")

const readBody = (
  endpoint: Endpoint,
  url: string,
  response: HttpClientResponse.HttpClientResponse,
  limit: number
): Effect.Effect<string, Failure> => {
  const declared = Number(response.headers["content-length"])
  if (Number.isFinite(declared) && declared > limit) {
    return Effect.fail({ error: TransportError.responseTooLarge(endpoint, url, response.status, limit), transient: false })
  }
  const stream = response.stream.pipe(
    // a response without a body (204, a redirect) reads as empty
    Stream.catchAll((e) => (e._tag === "ResponseError" && e.reason === "EmptyBody" ? Stream.empty : Stream.fail(e)))
  )
  return Stream.runFoldEffect(
    stream,
    { chunks: [] as Array<Uint8Array>, size: 0 },
    (acc, chunk): Effect.Effect<{ chunks: Array<Uint8Array>; size: number }, Failure> => {
      const size = acc.size + chunk.length
      if (size > limit) return Effect.fail({ error: TransportError.responseTooLarge(endpoint, url, response.status, limit), transient: false })
      acc.chunks.push(chunk)
      return Effect.succeed({ chunks: acc.chunks, size })
    }
  ).pipe(
    Effect.mapError((e): Failure =>
      "transient" in e ? e : { error: TransportError.requestFailed(endpoint, url, "Decode", String(e.message ?? e._tag)), transient: true }
    ),
    Effect.map(({ chunks, size }) => {
      const all = new Uint8Array(size)
      let offset = 0
      for (const c of chunks) {
        all.set(c, offset)
        offset += c.length
      }
      return textDecoder.decode(all)
    })
  )
}

const buildRequest = (request: Transport.Request<Endpoint, unknown>): HttpClientRequest.HttpClientRequest => {
  const headers: Record<string, string> = { accept: request.accept ?? "application/json" }
  for (const [k, v] of Object.entries(request.headers ?? {})) headers[k.toLowerCase()] = typeof v === "string" ? v : Redacted.value(v)
  const base = request.method === "GET" ? HttpClientRequest.get(request.url) : HttpClientRequest.post(request.url)
  const withHeaders = HttpClientRequest.setHeaders(base, headers)
  return request.method === "POST"
    ? HttpClientRequest.bodyText(withHeaders, Params.encode(request.params ?? []), "application/x-www-form-urlencoded;charset=UTF-8")
    : withHeaders
}

const classify = (
  request: Transport.Request<Endpoint, unknown>,
  response: HttpClientResponse.HttpClientResponse,
  body: string,
  now: number
): Effect.Effect<Transport.Response, Failure> => {
  const status = response.status
  const contentType = mediaType(response.headers["content-type"])
  const result: Transport.Response = { status, headers: response.headers, contentType, body }
  if (status >= 200 && status < 300) {
    // some servers (GitHub's device flow, ...) answer errors with a 2xx: an object with a string `error` and no
    // `access_token` is an error answer whatever its status
    const parsed = body.length > 0 && body.length < 65_536 && body.includes("\"error\"") ? Either.getOrUndefined(json(request.endpoint, result)) : undefined
    const embedded =
      parsed !== undefined && typeof parsed === "object" && parsed !== null && !("access_token" in parsed)
        ? OAuthError.fromBody(request.endpoint, parsed, { status, ...(contentType === undefined ? {} : { contentType }) })
        : undefined
    return embedded === undefined ? Effect.succeed(result) : Effect.fail({ error: embedded, transient: false })
  }
  const retryAfter = parseRetryAfter(response.headers["retry-after"], now)
  const transient = status === 429 || status >= 500
  const context = { status, ...(contentType === undefined ? {} : { contentType }) }
  const failure = (error: Failure["error"]): Effect.Effect<never, Failure> =>
    Effect.fail({ error, transient, ...(retryAfter === undefined ? {} : { retryAfter }) })
  if (status >= 300 && status < 400) {
    return Effect.fail({ error: TransportError.unexpectedRedirect(request.endpoint, request.url, status, response.headers["location"]), transient: false })
  }
  const parsed = Either.getOrUndefined(json(request.endpoint, result))
  const fromBody = OAuthError.fromBody(request.endpoint, parsed, context)
  if (fromBody !== undefined) return failure(fromBody)
  const challenge = parseBearerChallenge(response.headers["www-authenticate"])
  if (challenge !== undefined) {
    return failure(
      OAuthError.make(request.endpoint, {
        error: challenge.error!,
        status,
        ...(challenge.error_description === undefined ? {} : { description: challenge.error_description }),
        ...(challenge.error_uri === undefined ? {} : { uri: challenge.error_uri })
      })
    )
  }
  return failure(
    OAuthError.unexpectedResponse(
      request.endpoint,
      body.trim().length === 0 ? `HTTP ${status} with an empty body` : `HTTP ${status} without a standard error body`,
      parsed ?? body,
      context
    )
  )
}

/** @internal */
export const make = (options: Transport.Options = {}): Effect.Effect<Transport.TransportService, never, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const base = yield* HttpClient.HttpClient
    const requestInit = yield* Effect.serviceOption(FetchHttpClient.RequestInit)
    const fetchOptions: RequestInit = { ...Option.getOrElse(requestInit, () => ({})), redirect: "manual" }
    const resolved = {
      maxResponseBytes: options.maxResponseBytes ?? defaults.maxResponseBytes,
      timeout: options.timeout === undefined ? defaults.timeout : Duration.decode(options.timeout),
      allowInsecureHttp: options.allowInsecureHttp ?? defaults.allowInsecureHttp,
      retry: options.retry === undefined ? defaultRetry : options.retry,
      tracePropagation: options.tracePropagation ?? false
    }
    const client = HttpClient.withTracerPropagation(base, resolved.tracePropagation)
    const timeoutMillis = Duration.toMillis(resolved.timeout)
    const validate = validateUrl(resolved.allowInsecureHttp)

    const attempt = (request: Transport.Request<Endpoint, unknown>): Effect.Effect<Transport.Response, Failure> =>
      Effect.gen(function* () {
        const authenticated =
          request.authenticate === undefined
            ? request
            : {
              ...request,
              ...(yield* Effect.mapError(
                request.authenticate({ params: request.params ?? [], headers: request.headers ?? {} }),
                (error): Failure => ({ error, transient: false })
              ))
            }
        const response = yield* client.execute(buildRequest(authenticated)).pipe(
          Effect.mapError((e): Failure => ({
            error: TransportError.requestFailed(
              request.endpoint,
              request.url,
              e._tag === "RequestError" ? e.reason : "Decode",
              e.cause instanceof Error ? `${e.cause.name}: ${e.cause.message}` : e.message
            ),
            transient: e._tag === "RequestError" && e.reason === "Transport"
          }))
        )
        const body = yield* readBody(request.endpoint, request.url, response, resolved.maxResponseBytes)
        const now = yield* Clock.currentTimeMillis
        return yield* classify(request, response, body, now)
      }).pipe(
        Effect.scoped,
        Effect.provideService(FetchHttpClient.RequestInit, fetchOptions),
        Effect.timeoutFail({
          duration: resolved.timeout,
          onTimeout: (): Failure => ({ error: TransportError.timeout(request.endpoint, request.url, timeoutMillis), transient: true })
        })
      )

    const send = <E extends Endpoint, A = never>(request: Transport.Request<E, A>) => {
      const validated = validate(`${request.endpoint} endpoint`, request.url)
      if (Either.isLeft(validated)) {
        // a bad URL reaching send is a transport failure of that call, with the configuration message
        return Effect.fail(TransportError.requestFailed(request.endpoint, request.url.slice(0, 200), "InvalidUrl", validated.left.message))
      }
      const once = attempt(request)
      const retried =
        request.retry && resolved.retry !== false
          ? Effect.retry(once, {
              schedule: resolved.retry.pipe(
                Schedule.intersect(Schedule.identity<Failure>()),
                Schedule.modifyDelay(([, failure], delay) =>
                  failure.retryAfter === undefined ? delay : Duration.max(delay, failure.retryAfter)
                ),
                Schedule.whileInput((failure: Failure) => failure.transient)
              ) as Schedule.Schedule<unknown, Failure>
            })
          : once
      return retried.pipe(
        Effect.mapError((failure) => failure.error),
        Effect.withSpan(`oauth2.${request.endpoint}`, {
          kind: "client",
          attributes: { "oauth2.endpoint": request.endpoint, "http.request.method": request.method, "url.full": request.url }
        })
      ) as Effect.Effect<Transport.Response, TransportError.TransportError | OAuthError.ErrorOf<E> | OAuthError.UnexpectedResponse | A>
    }

    return { send, validateUrl: validate, options: resolved } satisfies Transport.TransportService
  })

/** @internal */
export const tag = Context.GenericTag<Transport.Transport, Transport.TransportService>("@oauth2/http/Transport")

/** @internal */
export const layer = (options?: Transport.Options) => Layer.effect(tag, make(options))

/** @internal */
export const layerFetch = (options?: Transport.Options) => Layer.provide(layer(options), FetchHttpClient.layer)

/** @internal */
export const optionsConfig: Config.Config<Transport.Options> = Config.all({
  timeout: Config.option(Config.duration("OAUTH2_TIMEOUT")),
  maxResponseBytes: Config.option(Config.integer("OAUTH2_MAX_RESPONSE_BYTES")),
  allowInsecureHttp: Config.option(Config.boolean("OAUTH2_ALLOW_INSECURE_HTTP"))
}).pipe(
  Config.map((c) => ({
    ...(Option.isSome(c.timeout) ? { timeout: c.timeout.value } : {}),
    ...(Option.isSome(c.maxResponseBytes) ? { maxResponseBytes: c.maxResponseBytes.value } : {}),
    ...(Option.isSome(c.allowInsecureHttp) ? { allowInsecureHttp: c.allowInsecureHttp.value } : {})
  }))
)

/** @internal */
export const layerConfig = (config: Config.Config<Transport.Options>) =>
  Layer.unwrapEffect(Effect.map(config, (options) => layer(options)))

/** @internal */
export const send = <E extends Endpoint, A = never>(request: Transport.Request<E, A>) => Effect.flatMap(tag, (t) => t.send(request))
