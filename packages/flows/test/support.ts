/**
 * An in-memory Authorization Server for unit tests: a fake `HttpClient` whose answers are scripted per request, and
 * the real `OAuthClient` over it (so every request goes through the real transport and codecs).
 */
import { HttpClient, HttpClientError, HttpClientResponse } from "@effect/platform"
import type { HttpClientRequest } from "@effect/platform"
import { OAuthClient, Transport } from "@oauth2/http"
import { Clock, Effect, Layer, Redacted } from "effect"

/** A request as the fake server saw it. */
export interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: Record<string, string>
  readonly body: string
  /** The form body, parsed. */
  readonly form: URLSearchParams
  /** When it arrived, by the (test) clock, in milliseconds. */
  readonly at: number
}

const bodyText = (request: HttpClientRequest.HttpClientRequest): string => {
  const body = request.body
  if (body._tag === "Uint8Array") return new TextDecoder().decode(body.body)
  if (body._tag === "Raw") return String(body.body)
  return ""
}

export type Answer = Response | "reset"

/** An in-memory HttpClient. Every request is recorded in `seen`; `respond` answers it. */
export const fakeHttp = (respond: (seen: Seen, index: number) => Answer | Effect.Effect<Answer>) => {
  const seen: Array<Seen> = []
  const client = HttpClient.make((request, url) =>
    Effect.gen(function* () {
      const at = yield* Clock.currentTimeMillis
      const body = bodyText(request)
      const s: Seen = { method: request.method, url: url.toString(), headers: { ...request.headers }, body, form: new URLSearchParams(body), at }
      seen.push(s)
      const answer = respond(s, seen.length - 1)
      const resolved = Effect.isEffect(answer) ? yield* answer : answer
      if (resolved === "reset") {
        return yield* Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: new Error("read ECONNRESET") }))
      }
      return HttpClientResponse.fromWeb(request, resolved)
    })
  )
  return { seen, layer: Layer.succeed(HttpClient.HttpClient, client), client }
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } })

export const oauthError = (error: string, status = 400, description?: string): Response =>
  json({ error, ...(description === undefined ? {} : { error_description: description }) }, status)

export const endpoints = {
  issuer: "https://as.example.com",
  tokenEndpoint: "https://as.example.com/token",
  deviceAuthorizationEndpoint: "https://as.example.com/device",
  backchannelAuthenticationEndpoint: "https://as.example.com/bc",
  revocationEndpoint: "https://as.example.com/revoke",
  userinfoEndpoint: "https://as.example.com/userinfo"
}

/** The real client over a fake network, without transport retries (so that failures are seen as they are). */
export const clientLayer = (http: { readonly layer: Layer.Layer<HttpClient.HttpClient> }) =>
  OAuthClient.layer({ ...endpoints, clientId: "client", clientSecret: Redacted.make("secret") }).pipe(
    Layer.provide(Transport.layer({ retry: false })),
    Layer.provide(http.layer),
    Layer.orDie
  )

/** The token requests among the requests seen. */
export const tokenRequests = (seen: ReadonlyArray<Seen>) => seen.filter((s) => s.url === endpoints.tokenEndpoint)

let counter = 0
/** A token endpoint answer with a new access token each time. */
export const tokenAnswer = (fields: Record<string, unknown> = {}): Response =>
  json({ access_token: `AT-${++counter}`, token_type: "Bearer", expires_in: 3600, ...fields })
