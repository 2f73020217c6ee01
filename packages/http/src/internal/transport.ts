/** @internal */
import * as Headers from "@effect/platform/Headers"
import { OAuthError, Params, Url } from "@oauth2/core"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type * as Tracer from "effect/Tracer"
import * as ClientError from "../ClientError.js"
import type * as Transport from "../Transport.js"
import * as TransportError from "../TransportError.js"
import { oauthErrorChallenge } from "./challenge.js"

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
export const validateUrl =
  (allowInsecureHttp: boolean) =>
  (field: string, url: string): Either.Either<URL, ClientError.InvalidConfiguration> => {
    if (typeof url !== "string" || url.length === 0) return Either.left(ClientError.invalidConfiguration(field, "missing URL"))
    if (url.length > 8192) return Either.left(ClientError.invalidConfiguration(field, "URL too long"))
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      return Either.left(ClientError.invalidConfiguration(field, `'${url.slice(0, 200)}' is not an absolute URL`))
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
      return Either.left(ClientError.invalidConfiguration(field, `'${parsed.protocol}' is not an HTTP scheme`))
    }
    if (parsed.protocol === "http:" && !allowInsecureHttp && !Url.isLoopback(parsed)) {
      return Either.left(ClientError.invalidConfiguration(field, `plain http is only allowed on loopback addresses: ${parsed.origin}`))
    }
    if (parsed.hash !== "") return Either.left(ClientError.invalidConfiguration(field, "an endpoint URL has no fragment"))
    if (parsed.username !== "" || parsed.password !== "") {
      return Either.left(ClientError.invalidConfiguration(field, "credentials in the URL are not allowed"))
    }
    return Either.right(parsed)
  }

/** @internal */
export const mediaType = (contentType: string | undefined): string | undefined => {
  if (contentType === undefined) return undefined
  const end = contentType.indexOf(";")
  return (end === -1 ? contentType : contentType.slice(0, end)).trim().toLowerCase() || undefined
}

/**
 * The response context of an answer (status and media type) for the errors and decoders of its endpoint: the one
 * helper every endpoint module uses.
 * @internal
 */
export const responseContext = (response: Transport.Response): OAuthError.ResponseContext => ({
  status: response.status,
  ...(response.contentType === undefined ? {} : { contentType: response.contentType })
})

/** @internal */
export const json = (endpoint: Endpoint, response: Transport.Response): Either.Either<unknown, OAuthError.UnexpectedResponse> => {
  try {
    // the parse first: on a JSON answer (the usual case) nothing else is computed
    return Either.right(JSON.parse(response.body) as unknown)
  } catch {
    const context = responseContext(response)
    return response.body.trim().length === 0
      ? Either.left(OAuthError.unexpectedResponse(endpoint, "empty body where JSON was expected", "", context))
      : Either.left(OAuthError.unexpectedResponse(endpoint, "the body is not JSON", response.body, context))
  }
}

/** Seconds or an HTTP date, relative to `now`. */
const parseRetryAfter = (header: string | undefined, now: number): Duration.Duration | undefined => {
  if (header === undefined) return undefined
  const value = header.trim()
  if (/^\d+$/.test(value)) return Duration.min(Duration.seconds(Number(value)), maxRetryAfter)
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Duration.min(Duration.millis(Math.max(0, at - now)), maxRetryAfter)
}

/**
 * A failed attempt: the error the caller sees, and whether the retry policy may try again.
 *
 * @internal
 */
export interface Failure {
  readonly error: unknown
  readonly transient: boolean
  readonly retryAfter?: Duration.Duration
}

/**
 * A request with its secrets unwrapped, ready for the wire: what an implementation sends.
 *
 * @internal
 */
export interface Outgoing {
  readonly method: "GET" | "POST" | "PUT" | "DELETE"
  readonly url: string
  readonly headers: Record<string, string>
  /** The form-encoded body of a POST. */
  readonly body: string | undefined
}

/**
 * An answer as an implementation read it (the body within the size limit).
 *
 * @internal
 */
export interface Incoming {
  readonly status: number
  readonly headers: Headers.Headers
  /** The `Content-Type` header. */
  readonly contentType: string | undefined
  readonly body: string
}

/**
 * An answer read by fetch: the platform `Headers` (lower-case names) are built only if someone looks at them.
 *
 * @internal
 */
export const incoming = (status: number, web: globalThis.Headers, body: string): Incoming => {
  let headers: Headers.Headers | undefined
  return {
    status,
    body,
    contentType: web.get("content-type") ?? undefined,
    get headers() {
      return (headers ??= Headers.fromInput(web))
    }
  }
}

/**
 * What differs between implementations: how an outgoing request becomes an answer. Every other rule (validation,
 * authentication, classification, timeout, retry, span) is shared.
 *
 * @internal
 */
export type Exchange = (endpoint: Endpoint, outgoing: Outgoing, limit: number) => Effect.Effect<Incoming, Failure>

/** @internal */
export const formContentType = "application/x-www-form-urlencoded;charset=UTF-8"

/** The request on the wire, with the parameters and headers the client authentication gave (no copy of the request). */
const outgoing = (
  request: {
    readonly method: "GET" | "POST" | "PUT" | "DELETE"
    readonly url: string
    readonly accept?: string | undefined
    readonly json?: unknown
  },
  params: Params.Params | undefined,
  extra: Readonly<Record<string, string | Redacted.Redacted<string>>> | undefined
): Outgoing => {
  const headers: Record<string, string> = { accept: request.accept ?? "application/json" }
  if (extra !== undefined) {
    for (const k in extra) {
      if (!Object.hasOwn(extra, k)) continue
      const v = extra[k]!
      headers[k.toLowerCase()] = typeof v === "string" ? v : Redacted.value(v)
    }
  }
  if (request.json !== undefined) {
    headers["content-type"] = "application/json"
    return { method: request.method, url: request.url, headers, body: JSON.stringify(request.json) }
  }
  if (request.method === "GET" || request.method === "DELETE") return { method: request.method, url: request.url, headers, body: undefined }
  headers["content-type"] = formContentType
  return { method: request.method, url: request.url, headers, body: Params.encode(params ?? []) }
}

/** @internal */
export const tooLarge = (endpoint: Endpoint, url: string, status: number, limit: number): Failure => ({
  error: TransportError.responseTooLarge(endpoint, url, status, limit),
  transient: false
})

/**
 * The name, message and socket error code of a failure and of its causes (undici says only "fetch failed").
 *
 * @internal
 */
export const describeCause = (error: unknown): string => {
  const parts: Array<string> = []
  let current: unknown = error
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    if (current instanceof Error || (typeof current === "object" && "message" in current)) {
      const e = current as { name?: unknown; message?: unknown; code?: unknown; cause?: unknown }
      const name = typeof e.name === "string" ? e.name : "Error"
      const code = typeof e.code === "string" && !String(e.message).includes(e.code) ? ` (${e.code})` : ""
      parts.push(`${name}: ${String(e.message)}${code}`)
      current = e.cause
    } else {
      parts.push(String(current))
      break
    }
  }
  return parts.join(" <- ").slice(0, 512)
}

const classify = (request: Transport.Request<Endpoint, unknown>, incoming: Incoming, now: number): Either.Either<Transport.Response, Failure> => {
  const { status, headers, body } = incoming
  const contentType = mediaType(incoming.contentType)
  const result: Transport.Response = { status, headers, contentType, body }
  if (status >= 200 && status < 300) {
    // some servers (GitHub's device flow, ...) answer errors with a 2xx: an object with a string `error` and no
    // `access_token` is an error answer whatever its status
    if (body.length === 0 || body.length >= 65_536 || !body.includes('"error"')) return Either.right(result)
    const parsed = Either.getOrUndefined(json(request.endpoint, result))
    const embedded =
      parsed !== undefined && typeof parsed === "object" && parsed !== null && !("access_token" in parsed)
        ? OAuthError.fromBody(request.endpoint, parsed, { status, ...(contentType === undefined ? {} : { contentType }) })
        : undefined
    return embedded === undefined ? Either.right(result) : Either.left({ error: embedded, transient: false })
  }
  if (status >= 300 && status < 400) {
    return Either.left({ error: TransportError.unexpectedRedirect(request.endpoint, request.url, status, headers["location"]), transient: false })
  }
  const retryAfter = parseRetryAfter(headers["retry-after"], now)
  const transient = status === 429 || status >= 500
  const context = { status, ...(contentType === undefined ? {} : { contentType }) }
  const failure = (error: Failure["error"]): Either.Either<never, Failure> =>
    Either.left({ error, transient, ...(retryAfter === undefined ? {} : { retryAfter }) })
  const parsed = Either.getOrUndefined(json(request.endpoint, result))
  const fromBody = OAuthError.fromBody(request.endpoint, parsed, context)
  if (fromBody !== undefined) return failure(fromBody)
  const challenge = oauthErrorChallenge(headers["www-authenticate"])
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
export const resolveOptions = (options: Transport.Options = {}): Transport.Transport["options"] => ({
  maxResponseBytes: options.maxResponseBytes ?? defaults.maxResponseBytes,
  timeout: options.timeout === undefined ? defaults.timeout : Duration.decode(options.timeout),
  allowInsecureHttp: options.allowInsecureHttp ?? defaults.allowInsecureHttp,
  retry: options.retry === undefined ? defaultRetry : options.retry,
  tracePropagation: options.tracePropagation ?? false
})

/** The answer as the caller sees it; `headers` stays lazy when the implementation made it so. */
const toResponse = (incoming: Incoming): Transport.Response => ({
  status: incoming.status,
  contentType: mediaType(incoming.contentType),
  body: incoming.body,
  get headers() {
    return incoming.headers
  }
})

const okStatus = (incoming: Incoming): boolean =>
  incoming.status >= 200 && incoming.status < 300 && (incoming.body.length === 0 || !incoming.body.includes('"error"'))

let defaultTracer: Tracer.Tracer | undefined

/**
 * effect's built-in tracer, in force when no tracer was installed (`Layer.setTracer`, `@effect/opentelemetry`): it
 * exports nothing, and a span under it costs about a quarter of a loopback token call (measured: ~85 µs of ~330 µs),
 * so the call's span is made only when a real tracer is there to receive it.
 */
const builtInTracer = (): Tracer.Tracer => (defaultTracer ??= Effect.runSync(Effect.tracer))

/**
 * Builds the service around an implementation's exchange: the rules every implementation shares.
 *
 * @internal
 */
export const fromExchange = (
  resolved: Transport.Transport["options"],
  exchange: Exchange,
  /** The exchange enforces the timeout itself. */
  timesOut = false
): Transport.Transport => {
  const timeoutMillis = Duration.toMillis(resolved.timeout)
  const validate = validateUrl(resolved.allowInsecureHttp)
  const limit = resolved.maxResponseBytes
  // endpoint URLs are few and fixed: remember the ones already checked (bounded, so arbitrary URLs cannot grow it)
  const validated = new Map<string, true>()

  const exchangeAndClassify = (request: Transport.Request<Endpoint, unknown>, out: Outgoing): Effect.Effect<Transport.Response, Failure> =>
    Effect.flatMap(exchange(request.endpoint, out, limit), (incoming) => {
      // every answer, error ones too (DPoP nonces); absent on every request that did not ask
      if (request.onResponse !== undefined) request.onResponse(incoming)
      return okStatus(incoming)
        ? Effect.succeed(toResponse(incoming))
        : Effect.flatMap(Clock.currentTimeMillis, (now) => classify(request, incoming, now))
    })

  const attempt = (request: Transport.Request<Endpoint, unknown>): Effect.Effect<Transport.Response, Failure> => {
    const authenticate = request.authenticate
    const run =
      authenticate === undefined
        ? Effect.suspend(() => exchangeAndClassify(request, outgoing(request, request.params, request.headers)))
        : // suspended: every attempt (a retry too) authenticates afresh
          Effect.matchEffect(
            Effect.suspend(() => authenticate({ params: request.params ?? [], headers: request.headers ?? {} })),
            {
              onFailure: (error): Effect.Effect<never, Failure> => Effect.fail({ error, transient: false }),
              onSuccess: (authenticated) => exchangeAndClassify(request, outgoing(request, authenticated.params, authenticated.headers))
            }
          )
    return timesOut
      ? run
      : Effect.timeoutFail(run, {
          duration: resolved.timeout,
          onTimeout: (): Failure => ({ error: TransportError.timeout(request.endpoint, request.url, timeoutMillis), transient: true })
        })
  }

  const retrySchedule =
    resolved.retry === false
      ? undefined
      : (resolved.retry.pipe(
          Schedule.intersect(Schedule.identity<Failure>()),
          Schedule.modifyDelay(([, failure], delay) => (failure.retryAfter === undefined ? delay : Duration.max(delay, failure.retryAfter))),
          Schedule.whileInput((failure: Failure) => failure.transient)
        ) as Schedule.Schedule<unknown, Failure>)

  /** `Effect.retry` as if it had run the first attempt itself: the schedule sees the first failure, then retries. */
  const retryAfterFirst = (
    first: Failure,
    again: Effect.Effect<Transport.Response, Failure>,
    schedule: Schedule.Schedule<unknown, Failure>
  ): Effect.Effect<Transport.Response, Failure> => {
    let pending: Failure | undefined = first
    return Effect.retry(
      Effect.suspend(() => {
        if (pending === undefined) return again
        const failure = pending
        pending = undefined
        return Effect.fail(failure)
      }),
      schedule
    )
  }

  const send = <E extends Endpoint, A = never>(request: Transport.Request<E, A>) => {
    if (!validated.has(request.url)) {
      const checked = validate(`${request.endpoint} endpoint`, request.url)
      if (Either.isLeft(checked)) {
        // a bad URL reaching send is a transport failure of that call, with the configuration message
        return Effect.fail(TransportError.requestFailed(request.endpoint, String(request.url).slice(0, 200), "InvalidUrl", checked.left.message))
      }
      if (validated.size < 256) validated.set(request.url, true)
    }
    const once = attempt(request)
    // the retry machinery is set up only once an attempt has failed with something worth retrying
    const retried =
      request.retry && retrySchedule !== undefined
        ? Effect.catchAll(once, (failure) => (failure.transient ? retryAfterFirst(failure, attempt(request), retrySchedule) : Effect.fail(failure)))
        : once
    const call = Effect.mapError(retried, (failure) => failure.error)
    return Effect.tracerWith((tracer) =>
      tracer === builtInTracer()
        ? call
        : Effect.withSpan(call, `oauth2.${request.endpoint}`, {
            kind: "client",
            captureStackTrace: false,
            attributes: { "oauth2.endpoint": request.endpoint, "http.request.method": request.method, "url.full": request.url }
          })
    ) as Effect.Effect<Transport.Response, TransportError.TransportError | OAuthError.ErrorOf<E> | OAuthError.UnexpectedResponse | A>
  }

  return { send, validateUrl: validate, options: resolved }
}

const textDecoder = new TextDecoder("utf-8")

/**
 * Concatenates the chunks read and decodes them as UTF-8 (invalid sequences become U+FFFD, as `Response.text()`).
 *
 * @internal
 */
export const decode = (first: Uint8Array | undefined, rest: Array<Uint8Array> | undefined, size: number): string => {
  if (first === undefined) return ""
  if (rest === undefined) return textDecoder.decode(first)
  const all = new Uint8Array(size)
  let offset = 0
  all.set(first, 0)
  offset += first.byteLength
  for (const chunk of rest) {
    all.set(chunk, offset)
    offset += chunk.byteLength
  }
  return textDecoder.decode(all)
}

/** @internal */
export const tooLargeMarker: unique symbol = Symbol("tooLarge")

/**
 * Reads a web body within `limit` bytes in one promise: a declared `Content-Length` over the limit is refused before
 * reading; otherwise bytes are counted as they arrive (chunked, or decompressed) and the read is cancelled as soon as
 * they pass the limit, so an endless or decompression-bomb body is never held whole.
 */
const readLimited = async (response: globalThis.Response, limit: number): Promise<string | typeof tooLargeMarker> => {
  const declared = response.headers.get("content-length")
  const body = response.body
  if (declared !== null && Number(declared) > limit) {
    if (body !== null) body.cancel().catch(() => undefined)
    return tooLargeMarker
  }
  if (body === null) return ""
  const reader = body.getReader()
  let first: Uint8Array | undefined
  let rest: Array<Uint8Array> | undefined
  let size = 0
  for (;;) {
    const next = await reader.read()
    if (next.done) break
    const chunk = next.value
    size += chunk.byteLength
    if (size > limit) {
      reader.cancel().catch(() => undefined)
      return tooLargeMarker
    }
    if (first === undefined) first = chunk
    else (rest ??= []).push(chunk)
  }
  return decode(first, rest, size)
}

let liveClock: Clock.Clock | undefined
let liveScheduler: Clock.ClockScheduler | null | undefined

/**
 * The timer scheduler of effect's live clock, when `clock` is that clock (not a `TestClock` or a clock of the user's).
 * effect does not export it, so it is looked up once and every failure to find it falls back to sleeping on a fiber.
 */
const liveSchedulerOf = (clock: Clock.Clock): Clock.ClockScheduler | undefined => {
  liveClock ??= Clock.make()
  if (clock.sleep !== liveClock.sleep) return undefined
  if (liveScheduler === undefined) {
    const scheduler = (liveClock as unknown as { readonly scheduler?: () => Effect.Effect<Clock.ClockScheduler> }).scheduler
    const found = typeof scheduler === "function" ? Effect.runSyncExit(scheduler.call(liveClock)) : undefined
    liveScheduler = found !== undefined && Exit.isSuccess(found) && typeof found.value?.unsafeSchedule === "function" ? found.value : null
  }
  return liveScheduler ?? undefined
}

/**
 * Calls `onTimeout` after `duration` on the Clock in context, so that it runs under `TestClock`; returns the canceller.
 * On the live clock this is one timer; on any other clock, a fiber sleeping on it (both far cheaper than racing two
 * fibers with `Effect.timeout` at every call).
 */
const startTimer = (clock: Clock.Clock, duration: Duration.Duration, onTimeout: () => void): (() => void) => {
  const scheduler = liveSchedulerOf(clock)
  if (scheduler !== undefined) {
    const cancel = scheduler.unsafeSchedule(onTimeout, duration)
    return () => {
      cancel()
    }
  }
  const fiber = Effect.runFork(clock.sleep(duration))
  fiber.addObserver((exit) => {
    if (Exit.isSuccess(exit)) onTimeout()
  })
  return () => fiber.unsafeInterruptAsFork(FiberId.none)
}

/**
 * An answer over the size limit, with its status: what a reader gives instead of an {@link Incoming}.
 *
 * @internal
 */
export interface TooLarge {
  readonly tooLarge: number
}

/**
 * An exchange over a promise-based client, with what every such implementation must do alike: one abort signal for
 * interruption and the timeout (one timer on the `Clock`), a failure before the answer arrived reported as a
 * `Transport` stage and one while reading it as `Decode`, both transient; an answer over the limit is
 * `ResponseTooLarge`.
 *
 * @internal
 */
export const promiseExchange = <R>(
  timeout: Duration.Duration,
  send: (out: Outgoing, signal: AbortSignal) => Promise<R>,
  read: (response: R, limit: number) => Promise<Incoming | TooLarge>
): Exchange => {
  const timeoutMillis = Duration.toMillis(timeout)
  return (endpoint, out, limit) =>
    Effect.clockWith((clock) =>
      Effect.async<Incoming, Failure>((resume) => {
        const controller = new AbortController()
        let settled = false
        const cancelTimer = startTimer(clock, timeout, () => {
          if (settled) return
          settled = true
          controller.abort()
          resume(Effect.fail({ error: TransportError.timeout(endpoint, out.url, timeoutMillis), transient: true }))
        })
        const settle = (result: Effect.Effect<Incoming, Failure>) => {
          if (settled) return
          settled = true
          cancelTimer()
          resume(result)
        }
        let stage: "Transport" | "Decode" = "Transport"
        let sending: Promise<R>
        try {
          sending = send(out, controller.signal)
        } catch (error) {
          sending = Promise.reject(error)
        }
        sending
          .then((response) => {
            stage = "Decode"
            return read(response, limit).then((answer) =>
              settle("tooLarge" in answer ? Effect.fail(tooLarge(endpoint, out.url, answer.tooLarge, limit)) : Effect.succeed(answer))
            )
          })
          .catch((error: unknown) =>
            settle(
              Effect.fail({
                error: TransportError.requestFailed(endpoint, out.url, stage, describeCause(error), error),
                // a request that never got an answer may be sent again; so may one whose answer was cut off
                transient: true
              })
            )
          )
        // interruption aborts the request and stops the timer
        return Effect.sync(() => {
          if (settled) return
          settled = true
          cancelTimer()
          controller.abort()
        })
      })
    )
}

/** @internal */
export const fetchExchange = (
  fetch: typeof globalThis.fetch,
  requestInit: RequestInit | undefined,
  tracePropagation: boolean,
  timeout: Duration.Duration
): Exchange => {
  const exchange = promiseExchange(
    timeout,
    (out, signal) => {
      const init: RequestInit = { ...requestInit, method: out.method, headers: out.headers, redirect: "manual", signal }
      if (out.body !== undefined) init.body = out.body
      return fetch(out.url, init)
    },
    (response, limit) =>
      readLimited(response, limit).then((body) =>
        body === tooLargeMarker ? { tooLarge: response.status } : incoming(response.status, response.headers, body)
      )
  )
  return tracePropagation ? withTracePropagation(exchange) : exchange
}

/**
 * The exchange sending W3C trace context and b3 headers from the call's span (only when asked for: the AS is usually
 * someone else's service).
 *
 * @internal
 */
export const withTracePropagation =
  (exchange: Exchange): Exchange =>
  (endpoint, out, limit) =>
    Effect.flatMap(Effect.option(Effect.currentSpan), (span) => {
      if (Option.isNone(span)) return exchange(endpoint, out, limit)
      const { sampled, spanId, traceId } = span.value
      const headers = {
        ...out.headers,
        traceparent: `00-${traceId}-${spanId}-${sampled ? "01" : "00"}`,
        b3: `${traceId}-${spanId}-${sampled ? "1" : "0"}`
      }
      return exchange(endpoint, { ...out, headers }, limit)
    })

/** @internal */
export const tag = Context.GenericTag<Transport.Transport>("@oauth2/http/Transport")

// looked up at each call, so that fetch instrumentation installed after the layer was built still sees the requests
const globalFetch: typeof globalThis.fetch = (input, init) => globalThis.fetch(input, init)

/** @internal */
export const makeFetch = (options: Transport.FetchOptions = {}): Transport.Transport => {
  const resolved = resolveOptions(options)
  return fromExchange(
    resolved,
    fetchExchange(options.fetch ?? globalFetch, options.requestInit, resolved.tracePropagation, Duration.decode(resolved.timeout)),
    true
  )
}

/** @internal */
export const layerFetch = (options?: Transport.FetchOptions) => Layer.sync(tag, () => makeFetch(options))

/** @internal */
export const config: Config.Config<Transport.Options> = Config.all({
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
export const layerFetchConfig = (config: Config.Config<Transport.Options>) => Layer.unwrapEffect(Effect.map(config, layerFetch))

/** @internal */
export const send = <E extends Endpoint, A = never>(request: Transport.Request<E, A>) => Effect.flatMap(tag, (t) => t.send(request))
