/** @internal */
import * as Headers from "@effect/platform/Headers"
import type * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Buffer } from "node:buffer"
import * as zlib from "node:zlib"
import { request as undiciRequest } from "undici"
import type { Dispatcher } from "undici"
import type * as NodeTransport from "../NodeTransport.js"
import type { Exchange, Incoming } from "./transport.js"
import {
  decode,
  fromExchange,
  promiseExchange,
  resolveOptions,
  tag,
  tooLargeMarker,
  withTracePropagation,
  config as transportConfig
} from "./transport.js"

type RawHeaders = Record<string, string | Array<string> | undefined>

const first = (value: string | Array<string> | undefined): string | undefined => (Array.isArray(value) ? value[0] : value)

/** An answer read by undici: the platform `Headers` are built only if someone looks at them. */
const incoming = (status: number, raw: RawHeaders, body: string): Incoming => {
  let headers: Headers.Headers | undefined
  return {
    status,
    body,
    contentType: first(raw["content-type"]),
    get headers() {
      if (headers === undefined) {
        const present: Record<string, string | ReadonlyArray<string>> = {}
        for (const k in raw) {
          const v = raw[k]
          if (v !== undefined) present[k] = v
        }
        headers = Headers.fromInput(present)
      }
      return headers
    }
  }
}

/**
 * Undoes the content codings of an answer (undici's `request`, unlike `fetch`, leaves them to the caller), with the
 * decoded size bounded by `limit`: a decompression bomb stops at the limit. Unknown codings are left as they are, as
 * `fetch` does.
 */
const decodeContent = (encoding: string, bytes: Buffer, limit: number): Buffer | typeof tooLargeMarker => {
  let out = bytes
  const codings = encoding
    .split(",")
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c.length > 0 && c !== "identity")
  for (let i = codings.length - 1; i >= 0; i--) {
    const options = { maxOutputLength: limit }
    try {
      switch (codings[i]) {
        case "gzip":
        case "x-gzip":
          out = zlib.gunzipSync(out, { ...options, finishFlush: zlib.constants.Z_SYNC_FLUSH })
          break
        case "deflate":
          // zlib-wrapped as the RFC says, or raw deflate as some servers send it
          out = (out[0]! & 0x0f) === 0x08 ? zlib.inflateSync(out, options) : zlib.inflateRawSync(out, options)
          break
        case "br":
          out = zlib.brotliDecompressSync(out, options)
          break
        default:
          return out
      }
    } catch (error) {
      if ((error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") return tooLargeMarker
      throw error
    }
  }
  return out
}

const ignore = () => undefined

/**
 * Reads an undici body within `limit` bytes: a declared `Content-Length` over the limit is refused before reading;
 * otherwise bytes are counted as they arrive and the stream is destroyed as soon as they pass the limit.
 */
const readLimited = (response: Dispatcher.ResponseData, limit: number): Promise<string | typeof tooLargeMarker> => {
  const body = response.body
  const declared = first(response.headers["content-length"])
  if (declared !== undefined && Number(declared) > limit) {
    body.on("error", ignore).destroy()
    return Promise.resolve(tooLargeMarker)
  }
  const encoding = first(response.headers["content-encoding"])
  return new Promise((resolve, reject) => {
    let head: Uint8Array | undefined
    let rest: Array<Uint8Array> | undefined
    let size = 0
    body.on("data", (chunk: Buffer) => {
      size += chunk.byteLength
      if (size > limit) {
        body.on("error", ignore).destroy()
        resolve(tooLargeMarker)
        return
      }
      if (head === undefined) head = chunk
      else (rest ??= []).push(chunk)
    })
    body.on("error", reject)
    body.on("end", () => {
      if (encoding === undefined || encoding === "identity" || head === undefined) return resolve(decode(head, rest, size))
      try {
        const bytes = rest === undefined ? Buffer.from(head.buffer, head.byteOffset, head.byteLength) : Buffer.concat([head, ...rest], size)
        const decoded = decodeContent(encoding, bytes, limit)
        resolve(decoded === tooLargeMarker ? decoded : decode(decoded, undefined, decoded.byteLength))
      } catch (error) {
        reject(error)
      }
    })
  })
}

/**
 * How an outgoing request becomes an answer over undici's `request`: no WHATWG streams, no redirects (undici's
 * `request` follows none), one abort signal for interruption and the timeout.
 *
 * @internal
 */
export const requestExchange = (dispatcher: Dispatcher | undefined, timeout: Duration.Duration): Exchange =>
  promiseExchange(
    timeout,
    (out, signal) =>
      undiciRequest(out.url, {
        method: out.method,
        headers: out.headers,
        body: out.body ?? null,
        signal,
        ...(dispatcher === undefined ? {} : { dispatcher })
      }),
    (response, limit) =>
      readLimited(response, limit).then((body) =>
        body === tooLargeMarker ? { tooLarge: response.statusCode } : incoming(response.statusCode, response.headers, body)
      )
  )

/** @internal */
export const make = (options: NodeTransport.Options = {}) => {
  const resolved = resolveOptions(options)
  const exchange = requestExchange(options.dispatcher, Duration.decode(resolved.timeout))
  return fromExchange(resolved, resolved.tracePropagation ? withTracePropagation(exchange) : exchange, true)
}

/** @internal */
export const layer = (options?: NodeTransport.Options) => Layer.sync(tag, () => make(options))

/** @internal */
export const layerConfig = (config: Config.Config<NodeTransport.Options> = transportConfig) => Layer.unwrapEffect(Effect.map(config, layer))
