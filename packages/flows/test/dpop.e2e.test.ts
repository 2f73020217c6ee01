/**
 * DPoP through the flows: a `TokenSource` on a client with the `Dpop` service in context gets DPoP-bound tokens, and
 * `BearerClient.make` and `ApiClient.make` (which take the service from the context) call a resource server that
 * checks proofs and nonces (@oauth2/testing `DpopResourceServer`).
 */
import { FetchHttpClient, HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { TokenRequest } from "@oauth2/core"
import { ApiClient, BearerClient, TokenSource } from "@oauth2/flows"
import { ClientAuth, Dpop, OAuthClient, Transport } from "@oauth2/http"
import { DpopResourceServer, TestServer } from "@oauth2/testing"
import { Clock, Effect, Layer } from "effect"

const ServersLive = DpopResourceServer.layer().pipe(Layer.provideMerge(TestServer.layer({ features: { dpop: { requireNonce: true } } })))
const DpopLive = Dpop.layer()

/** The client of `Clients.dpop`, discovered, with the Dpop service of the context. */
const ClientLive = Layer.unwrapEffect(
  Effect.gen(function* () {
    const server = yield* TestServer.TestServer
    const auth = yield* ClientAuth.fromRegistration(server.clients.dpop!)
    return OAuthClient.layerDiscovery({ issuer: server.issuer, auth })
  })
).pipe(Layer.provide(Layer.mergeAll(Transport.layerFetch({ retry: false }), DpopLive)))

const live = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.withClock(self, Clock.make())

describe("DPoP through TokenSource, BearerClient and ApiClient", () => {
  it.layer(Layer.mergeAll(ClientLive, DpopLive, FetchHttpClient.layer).pipe(Layer.provideMerge(ServersLive)), { timeout: 60_000 })((it) => {
    it.scoped("a token source's DPoP tokens reach the resource server with proofs; nonce challenges are answered once", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const rs = yield* DpopResourceServer.DpopResourceServer
        const source = yield* TokenSource.make({ grant: TokenRequest.clientCredentials({ resource: server.resource }) })
        const token = yield* source.get
        expect(token.tokenType).toBe("DPoP")

        const before = rs.seen.length
        const bearer = (yield* Effect.provideService(BearerClient.make, TokenSource.TokenSource, source)).pipe(HttpClient.filterStatusOk)
        const answer = yield* Effect.flatMap(bearer.get(`${rs.url}/bearer-client`), (r) => r.json)
        expect(answer).toMatchObject({ path: "/bearer-client", client_id: "dpop", jkt: (yield* Dpop.Dpop).thumbprint })
        expect(rs.seen.slice(before).map((s) => s.outcome)).toEqual(["use_dpop_nonce", "ok"])

        rs.rotateNonce()
        const api = yield* ApiClient.make({ baseUrl: `${rs.url}/v1/`, tokenSource: source })
        const body = yield* api.get("items").pipe(Effect.flatMap((r) => r.json))
        expect(body).toMatchObject({ path: "/v1/items", jkt: (yield* Dpop.Dpop).thumbprint })
        expect(rs.seen.slice(before + 2).map((s) => s.outcome)).toEqual(["use_dpop_nonce", "ok"])
      }).pipe(live)
    )
  })
})
