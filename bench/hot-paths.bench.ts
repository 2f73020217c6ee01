/**
 * Benchmarks of the hot paths: decoding a token answer, building a token request, the transport round trip over an
 * in-memory HttpClient, a cached token source `get`, and a single-flight renewal shared by 10,000 fibers.
 * Run with `npm run bench`; numbers are for comparison between commits on the same machine.
 */
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { BearerToken, Params, TokenRequest } from "@oauth2/core"
import { TokenSource } from "@oauth2/flows"
import { OAuthClient, Transport } from "@oauth2/http"
import { Effect, Layer, ManagedRuntime } from "effect"
import { bench, describe } from "vitest"

const answer = {
  access_token: "2YotnFZFEjr1zCsicMWpAA",
  token_type: "Bearer",
  expires_in: 3600,
  refresh_token: "tGzv3JOkF0XG5Qx2TlKWIA",
  scope: "read write",
  extra: { a: 1 }
}
const body = JSON.stringify(answer)

let requests = 0
const network = Layer.succeed(
  HttpClient.HttpClient,
  HttpClient.make((request) =>
    Effect.sync(() => {
      requests++
      return HttpClientResponse.fromWeb(request, new Response(body, { headers: { "content-type": "application/json" } }))
    })
  )
)
const ClientLive = OAuthClient.layer({ clientId: "c", clientSecret: "s", endpoints: { tokenEndpoint: "https://as.example.com/token" } }).pipe(
  Layer.provide(Transport.layer({ retry: false }).pipe(Layer.provide(network)))
)
const SourceLive = TokenSource.layer({ grant: TokenRequest.clientCredentials({ scope: "read" }) }).pipe(Layer.provideMerge(ClientLive))
const runtime = ManagedRuntime.make(SourceLive)
const source = await runtime.runPromise(TokenSource.TokenSource)
const clientCredentials = Effect.flatMap(OAuthClient.OAuthClient, (client) => client.token(TokenRequest.clientCredentials({ scope: "read" })))

describe("core", () => {
  bench("BearerToken.decode", () => {
    Effect.runSync(BearerToken.decode(answer))
  })
  bench("TokenRequest.clientCredentials + encode", () => {
    Params.encode(TokenRequest.toParams(TokenRequest.clientCredentials({ scope: ["read", "write"], resource: "https://api.example.com" })))
  })
})

describe("http", () => {
  bench("token request over the transport (in-memory HttpClient)", async () => {
    await runtime.runPromise(clientCredentials)
  })
})

describe("flows", () => {
  bench("TokenSource.get (cached)", async () => {
    await runtime.runPromise(source.get)
  })
  bench(
    "10,000 concurrent gets of an invalidated token: one request",
    async () => {
      const before = requests
      await runtime.runPromise(
        Effect.zipRight(
          source.invalidate(),
          Effect.all(
            Array.from({ length: 10_000 }, () => source.get),
            { concurrency: "unbounded", discard: true }
          )
        )
      )
      if (requests - before !== 1) throw new Error(`expected one token request, saw ${requests - before}`)
    },
    { iterations: 5 }
  )
})
