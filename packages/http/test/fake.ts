import { HttpClient, HttpClientError, HttpClientResponse } from "@effect/platform"
import type { HttpClientRequest } from "@effect/platform"
import { Effect, Fiber, Layer, Option, TestClock } from "effect"
import type { Duration } from "effect"

/** A request as the fake server saw it. */
export interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: Record<string, string>
  readonly body: string
}

const bodyText = (request: HttpClientRequest.HttpClientRequest): string => {
  const body = request.body
  if (body._tag === "Uint8Array") return new TextDecoder().decode(body.body)
  if (body._tag === "Raw") return String(body.body)
  return ""
}

/**
 * An in-memory HttpClient: `respond` answers each request (a web `Response`, or an Effect of one, or a failing
 * Effect to simulate the network). Every request is recorded in `seen`.
 */
export const fakeClient = (
  respond: (seen: Seen, index: number) => Response | "reset" | Effect.Effect<Response>
) => {
  const seen: Array<Seen> = []
  const client = HttpClient.make((request, url) => {
    const s: Seen = { method: request.method, url: url.toString(), headers: { ...request.headers }, body: bodyText(request) }
    seen.push(s)
    const answer = respond(s, seen.length - 1)
    if (answer === "reset") {
      return Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: new Error("read ECONNRESET") }))
    }
    const effect = Effect.isEffect(answer) ? answer : Effect.succeed(answer)
    return Effect.map(effect, (response) => HttpClientResponse.fromWeb(request, response))
  })
  return { seen, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

export const jsonResponse = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } })

/**
 * An in-memory `fetch`: `respond` answers each request like {@link fakeClient}'s; "reset" rejects as undici does
 * for a reset connection, and an answer that never comes is abandoned (rejected) when the request is aborted.
 */
export const fakeFetch = (
  respond: (seen: Seen, index: number) => Response | "reset" | Effect.Effect<Response>
) => {
  const seen: Array<Seen> = []
  const aborted: Array<string> = []
  const fetch: typeof globalThis.fetch = (input, init) => {
    const headers: Record<string, string> = {}
    new Headers(init?.headers).forEach((v, k) => (headers[k] = v))
    const raw = init?.body
    const body = typeof raw === "string" ? raw : raw instanceof Uint8Array ? new TextDecoder().decode(raw) : ""
    const s: Seen = { method: init?.method ?? "GET", url: String(input instanceof Request ? input.url : input), headers, body }
    seen.push(s)
    const answer = respond(s, seen.length - 1)
    if (answer === "reset") {
      return Promise.reject(new TypeError("fetch failed", { cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) }))
    }
    if (!Effect.isEffect(answer)) return Promise.resolve(answer)
    return new Promise((resolve, reject) => {
      const signal = init?.signal
      signal?.addEventListener("abort", () => {
        aborted.push(s.url)
        reject(new DOMException("This operation was aborted", "AbortError"))
      })
      Effect.runPromise(answer).then(resolve, reject)
    })
  }
  return { seen, aborted, fetch }
}

/**
 * Advances the TestClock by `step` until the fiber is done, with a short real pause at each step: a program that does
 * real async work (WebCrypto hashing or signing) before it sleeps may register its sleep after any single adjust on a
 * loaded machine. Gives up after ~2000 steps (~10 s of real time at least).
 */
export const advanceUntilDone = <A, E>(fiber: Fiber.RuntimeFiber<A, E>, step: Duration.DurationInput) =>
  Effect.gen(function* () {
    for (let i = 0; i < 2000 && Option.isNone(yield* Fiber.poll(fiber)); i++) {
      yield* TestClock.adjust(step)
      yield* Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 5)))
    }
    return yield* Fiber.join(fiber)
  })
