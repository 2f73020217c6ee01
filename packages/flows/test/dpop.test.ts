/**
 * DPoP in the bearer client, on a fake network: DPoP tokens from a token source on a DPoP client go with proofs,
 * `invalid_token` in a `DPoP` challenge renews the token once, a nonce challenge is answered once.
 */
import { describe, expect, it } from "@effect/vitest"
import { TokenRequest } from "@oauth2/core"
import { BearerClient, TokenSource } from "@oauth2/flows"
import { Dpop } from "@oauth2/http"
import { FakeHttp } from "@oauth2/testing"
import { Effect, Layer } from "effect"
import * as jose from "jose"
import { clientLayer, tokenAnswer } from "./support.js"

const withApi = <A, E>(
  api: (seen: FakeHttp.ClientRequest, index: number) => Response,
  use: (
    get: (url: string) => Effect.Effect<number, unknown>,
    apiSeen: ReadonlyArray<FakeHttp.ClientRequest>,
    tokenSeen: ReadonlyArray<FakeHttp.ClientRequest>
  ) => Effect.Effect<A, E>
) => {
  const as = FakeHttp.make(() => tokenAnswer({ token_type: "DPoP" }))
  const resource = FakeHttp.make(api)
  const DpopLive = Dpop.layer()
  return TokenSource.make({ grant: TokenRequest.clientCredentials() }).pipe(
    Effect.flatMap((source) =>
      Effect.flatMap(Effect.provideService(BearerClient.make, TokenSource.TokenSource, source), (client) =>
        use((url) => Effect.map(client.get(url), (r) => r.status), resource.seen, as.seen)
      )
    ),
    Effect.scoped,
    Effect.provide(Layer.mergeAll(clientLayer(as).pipe(Layer.provide(DpopLive)), DpopLive, resource.layer))
  )
}

const proofOf = (request: FakeHttp.ClientRequest) => jose.decodeJwt(request.headers["dpop"]!)

describe("BearerClient with DPoP", () => {
  it.effect("DPoP tokens go as Authorization: DPoP with a proof, the token request too", () =>
    withApi(
      () => FakeHttp.json({ ok: true }),
      (get, apiSeen, tokenSeen) =>
        Effect.gen(function* () {
          expect(yield* get("https://api.example.com/a?b=c")).toBe(200)
          expect(tokenSeen[0]!.headers["dpop"]).toBeTypeOf("string")
          expect(apiSeen[0]!.headers.authorization).toMatch(/^DPoP AT-\d+$/)
          expect(proofOf(apiSeen[0]!)).toMatchObject({ htm: "GET", htu: "https://api.example.com/a" })
        })
    )
  )

  it.effect("a DPoP invalid_token challenge renews the token once; a nonce challenge is answered once", () =>
    withApi(
      (_, i) =>
        i === 0
          ? FakeHttp.json({}, 401, { "www-authenticate": `DPoP error="invalid_token"` })
          : i === 1
            ? FakeHttp.json({}, 401, { "www-authenticate": `DPoP error="use_dpop_nonce"`, "dpop-nonce": "n-1" })
            : FakeHttp.json({ ok: true }),
      (get, apiSeen, tokenSeen) =>
        Effect.gen(function* () {
          expect(yield* get("https://api.example.com/a")).toBe(200)
          expect(tokenSeen).toHaveLength(2)
          expect(apiSeen).toHaveLength(3)
          expect(apiSeen[1]!.headers.authorization).not.toBe(apiSeen[0]!.headers.authorization)
          expect(proofOf(apiSeen[2]!).nonce).toBe("n-1")
        })
    )
  )
})
