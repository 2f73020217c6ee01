/** @internal */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as FakeHttp from "../FakeHttp.js"
import type { Fault } from "../Fault.js"

const textDecoder = new TextDecoder()

const bodyText = (request: HttpClientRequest.HttpClientRequest): string => {
  const body = request.body
  if (body._tag === "Uint8Array") return textDecoder.decode(body.body)
  if (body._tag === "Raw") return typeof body.body === "string" ? body.body : String(body.body)
  return ""
}

/** What undici rejects with when the connection is reset. */
const resetError = () => new TypeError("fetch failed", { cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) })

/** @internal */
export const make = (respond: FakeHttp.Respond<FakeHttp.ClientRequest>): FakeHttp.FakeClient => {
  const seen: Array<FakeHttp.ClientRequest> = []
  const client = HttpClient.make((request, url) =>
    Effect.gen(function* () {
      const at = yield* Clock.currentTimeMillis
      const body = bodyText(request)
      const received: FakeHttp.ClientRequest = {
        method: request.method,
        url: url.toString(),
        headers: { ...request.headers },
        body,
        form: new URLSearchParams(body),
        at
      }
      seen.push(received)
      const answer = respond(received, seen.length - 1)
      const resolved = Effect.isEffect(answer) ? yield* answer : answer
      if (resolved === "reset") {
        return yield* Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: new Error("read ECONNRESET") }))
      }
      return HttpClientResponse.fromWeb(request, resolved)
    })
  )
  return { seen, client, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

/** @internal */
export const makeFetch = (respond: FakeHttp.Respond<FakeHttp.Request>): FakeHttp.FakeFetch => {
  const seen: Array<FakeHttp.Request> = []
  const aborted: Array<string> = []
  const fetch: typeof globalThis.fetch = (input, init) => {
    const headers: Record<string, string> = {}
    new Headers(init?.headers).forEach((v, k) => (headers[k] = v))
    const raw = init?.body
    const body =
      typeof raw === "string" ? raw : raw instanceof Uint8Array ? textDecoder.decode(raw) : raw instanceof URLSearchParams ? raw.toString() : ""
    const url = typeof input === "string" ? input : input instanceof URL ? input.toString() : input.url
    const received: FakeHttp.Request = { method: init?.method ?? "GET", url, headers, body, form: new URLSearchParams(body) }
    seen.push(received)
    const answer = respond(received, seen.length - 1)
    if (answer === "reset") return Promise.reject(resetError())
    if (!Effect.isEffect(answer)) return Promise.resolve(answer)
    return new Promise((resolve, reject) => {
      init?.signal?.addEventListener("abort", () => {
        aborted.push(received.url)
        reject(new DOMException("This operation was aborted", "AbortError"))
      })
      Effect.runPromise(answer).then((resolved) => (resolved === "reset" ? reject(resetError()) : resolve(resolved)), reject)
    })
  }
  return { seen, aborted, fetch }
}

/** @internal */
export const json = (body: unknown, status = 200, headers: Readonly<Record<string, string>> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } })

/** @internal */
export const fromFault = (fault: Fault): Response =>
  new Response(fault.body.length === 0 || fault.status === 204 || fault.status === 304 ? null : fault.body, {
    status: fault.status,
    headers: fault.headers
  })
