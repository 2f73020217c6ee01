import { HttpBody, HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { TokenRequest } from "@oauth2/core"
import { BearerClient, TokenSource } from "@oauth2/flows"
import { Bearer } from "@oauth2/http"
import { FakeHttp } from "@oauth2/testing"
import { Effect, Stream } from "effect"
import { clientLayer, tokenAnswer } from "./support.js"

const grant = TokenRequest.clientCredentials()

/** An API answering `api` and a token endpoint issuing AT-n tokens; the test gets an authenticated client. */
const withApi = <A, E>(
  api: (seen: FakeHttp.ClientRequest, index: number) => Response,
  use: (
    client: HttpClient.HttpClient.With<unknown>,
    apiSeen: ReadonlyArray<FakeHttp.ClientRequest>,
    tokenSeen: ReadonlyArray<FakeHttp.ClientRequest>
  ) => Effect.Effect<A, E>
) => {
  const as = FakeHttp.make(() => tokenAnswer())
  const resource = FakeHttp.make(api)
  return TokenSource.make({ grant }).pipe(
    Effect.flatMap((source) => use(BearerClient.authenticate(resource.client, source), resource.seen, as.seen)),
    Effect.scoped,
    Effect.provide(clientLayer(as))
  )
}

const invalidToken = () =>
  FakeHttp.json({ message: "no" }, 401, {
    "www-authenticate": `Bearer realm="api", error="invalid_token", error_description="The access token expired"`
  })

describe("BearerClient.authenticate", () => {
  it.effect("adds the bearer header from the token source", () =>
    withApi(
      () => FakeHttp.json({ ok: true }),
      (client, apiSeen, tokenSeen) =>
        Effect.gen(function* () {
          yield* client.get("https://api.example.com/a")
          yield* client.get("https://api.example.com/b")
          expect(apiSeen.map((s) => s.headers.authorization)).toEqual([apiSeen[0]!.headers.authorization, apiSeen[0]!.headers.authorization])
          expect(apiSeen[0]!.headers.authorization).toMatch(/^Bearer AT-\d+$/)
          expect(tokenSeen.length).toBe(1)
        })
    )
  )

  it.effect("on 401 invalid_token: invalidates the token and retries once with a new one", () =>
    withApi(
      (_, i) => (i === 0 ? invalidToken() : FakeHttp.json({ ok: true })),
      (client, apiSeen, tokenSeen) =>
        Effect.gen(function* () {
          const response = yield* client.post("https://api.example.com/items", { body: HttpBody.text("payload") })
          expect(response.status).toBe(200)
          expect(apiSeen.length).toBe(2)
          expect(tokenSeen.length).toBe(2)
          expect(apiSeen[1]!.headers.authorization).not.toBe(apiSeen[0]!.headers.authorization)
          expect(apiSeen[1]!).toMatchObject({ method: "POST", body: "payload" })
        })
    )
  )

  it.effect("retries only once: a second 401 is answered as is", () =>
    withApi(
      () => invalidToken(),
      (client, apiSeen, tokenSeen) =>
        Effect.gen(function* () {
          const response = yield* client.get("https://api.example.com/a")
          expect(response.status).toBe(401)
          expect(apiSeen.length).toBe(2)
          expect(tokenSeen.length).toBe(2)
        })
    )
  )

  it.effect("does not retry other refusals: 403 insufficient_scope, 401 without invalid_token, another scheme", () =>
    Effect.gen(function* () {
      for (const answer of [
        FakeHttp.json({}, 403, { "www-authenticate": `Bearer error="insufficient_scope", scope="write"` }),
        FakeHttp.json({}, 401, { "www-authenticate": `Bearer realm="api"` }),
        FakeHttp.json({}, 401, { "www-authenticate": `DPoP error="invalid_token", Bearer realm="api"` }),
        FakeHttp.json({}, 401)
      ]) {
        yield* withApi(
          () => answer.clone(),
          (client, apiSeen) =>
            Effect.gen(function* () {
              yield* client.get("https://api.example.com/a")
              expect(apiSeen.length).toBe(1)
            })
        )
      }
    })
  )

  it.effect("does not resend a streamed body", () =>
    withApi(
      () => invalidToken(),
      (client, apiSeen) =>
        Effect.gen(function* () {
          const request = HttpClientRequest.post("https://api.example.com/upload").pipe(
            HttpClientRequest.bodyStream(Stream.make(new Uint8Array([1, 2, 3])))
          )
          const response = yield* client.execute(request)
          expect(response.status).toBe(401)
          expect(apiSeen.length).toBe(1)
        })
    )
  )

  it.effect("fails with the token source's error, sending nothing", () =>
    Effect.gen(function* () {
      const as = FakeHttp.make(() => FakeHttp.json({ error: "invalid_client" }, 401))
      const resource = FakeHttp.make(() => FakeHttp.json({ ok: true }))
      const error = yield* TokenSource.make({ grant }).pipe(
        Effect.flatMap((source) => Effect.flip(BearerClient.authenticate(resource.client, source).get("https://api.example.com/a"))),
        Effect.scoped,
        Effect.provide(clientLayer(as))
      )
      expect(error._tag).toBe("InvalidClient")
      expect(resource.seen.length).toBe(0)
    })
  )
})

describe("WWW-Authenticate parsing (RFC 9110 11.6.1)", () => {
  it("parses schemes, quoted and token parameters, token68 and several challenges", () => {
    expect(BearerClient.parseChallenges(`Bearer realm="example", error="invalid_token", error_description="The access token \\"expired\\""`)).toEqual(
      [{ scheme: "bearer", params: { realm: "example", error: "invalid_token", error_description: `The access token "expired"` } }]
    )
    expect(BearerClient.parseChallenges(`Basic dXNlcjpwYXNz==, Bearer error=invalid_token`)).toEqual([
      { scheme: "basic", params: {} },
      { scheme: "bearer", params: { error: "invalid_token" } }
    ])
    expect(BearerClient.parseChallenges(`DPoP algs="ES256", error="invalid_token", Bearer realm="x"`)).toEqual([
      { scheme: "dpop", params: { algs: "ES256", error: "invalid_token" } },
      { scheme: "bearer", params: { realm: "x" } }
    ])
    expect(BearerClient.parseChallenges(``)).toEqual([])
    expect(BearerClient.parseChallenges(`"garbage`)).toEqual([])
  })

  it("is the one parser of @oauth2/http, the transport's (with its __proto__ guard)", () => {
    expect(BearerClient.parseChallenges).toBe(Bearer.parseChallenges)
    const [challenge] = BearerClient.parseChallenges(`Bearer __proto__="x", error="invalid_token"`)
    expect(Object.getPrototypeOf(challenge!.params)).toBe(null)
    expect(challenge!.params["__proto__"]).toBe("x")
  })
})
