/** @internal */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type { OAuthError } from "@oauth2/core"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as Transport from "../Transport.js"
import * as TransportError from "../TransportError.js"
import { decode, describeCause, type Exchange, type Failure, formContentType, fromExchange, resolveOptions, tag, tooLarge } from "./transport.js"

type Endpoint = OAuthError.Endpoint

const readBody = (
  endpoint: Endpoint,
  url: string,
  response: HttpClientResponse.HttpClientResponse,
  limit: number
): Effect.Effect<string, Failure> => {
  const declared = Number(response.headers["content-length"])
  if (Number.isFinite(declared) && declared > limit) return Effect.fail(tooLarge(endpoint, url, response.status, limit))
  const stream = response.stream.pipe(
    // a response without a body (204, a redirect) reads as empty
    Stream.catchAll((e) => (e._tag === "ResponseError" && e.reason === "EmptyBody" ? Stream.empty : Stream.fail(e)))
  )
  return Stream.runFoldEffect(
    stream,
    { chunks: [] as Array<Uint8Array>, size: 0 },
    (acc, chunk): Effect.Effect<{ chunks: Array<Uint8Array>; size: number }, Failure> => {
      const size = acc.size + chunk.length
      if (size > limit) return Effect.fail(tooLarge(endpoint, url, response.status, limit))
      acc.chunks.push(chunk)
      return Effect.succeed({ chunks: acc.chunks, size })
    }
  ).pipe(
    Effect.mapError((e): Failure =>
      "transient" in e ? e : { error: TransportError.requestFailed(endpoint, url, "Decode", describeCause(e.cause ?? e), e.cause), transient: true }
    ),
    Effect.map(({ chunks, size }) => decode(chunks[0], chunks.length > 1 ? chunks.slice(1) : undefined, size))
  )
}

/** The exchange over an `HttpClient`: platform middleware, a proxy or mTLS agent through `FetchHttpClient.RequestInit`. */
const httpClientExchange =
  (client: HttpClient.HttpClient, fetchOptions: RequestInit): Exchange =>
  (endpoint, out, limit) => {
    const base = HttpClientRequest.make(out.method)(out.url)
    const withHeaders = HttpClientRequest.setHeaders(base, out.headers)
    const request =
      out.body === undefined ? withHeaders : HttpClientRequest.bodyText(withHeaders, out.body, out.headers["content-type"] ?? formContentType)
    return client.execute(request).pipe(
      Effect.mapError((e): Failure => ({
        error: TransportError.requestFailed(endpoint, out.url, e._tag === "RequestError" ? e.reason : "Decode", describeCause(e.cause ?? e), e.cause),
        transient: e._tag === "RequestError" && e.reason === "Transport"
      })),
      Effect.flatMap((response) =>
        Effect.map(readBody(endpoint, out.url, response, limit), (body) => ({
          status: response.status,
          headers: response.headers,
          contentType: response.headers["content-type"],
          body
        }))
      ),
      Effect.scoped,
      Effect.provideService(FetchHttpClient.RequestInit, fetchOptions)
    )
  }

/** @internal */
export const make = (options: Transport.Options = {}): Effect.Effect<Transport.Transport, never, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const base = yield* HttpClient.HttpClient
    const requestInit = yield* Effect.serviceOption(FetchHttpClient.RequestInit)
    const fetchOptions: RequestInit = { ...Option.getOrElse(requestInit, () => ({})), redirect: "manual" }
    const resolved = resolveOptions(options)
    const client = HttpClient.withTracerPropagation(base, resolved.tracePropagation)
    return fromExchange(resolved, httpClientExchange(client, fetchOptions))
  })

/** @internal */
export const layer = (options?: Transport.Options) => Layer.effect(tag, make(options))

/** @internal */
export const layerConfig = (config: Config.Config<Transport.Options>) => Layer.unwrapEffect(Effect.map(config, layer))
