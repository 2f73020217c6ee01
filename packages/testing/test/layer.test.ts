import { Fault, TestServer } from "@oauth2/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Redacted } from "effect"

const fetchJson = (input: string, init?: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(input, init)
    return { status: response.status, body: (await response.json()) as Record<string, any> }
  })

const clientCredentials = (server: TestServer.TestServer) =>
  fetchJson(server.endpoints.token, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: server.clients.clientSecretPost.clientId,
      client_secret: Redacted.value(server.clients.clientSecretPost.clientSecret)
    })
  })

const TestServerLive = TestServer.layer({ issuerPath: "/oidc" })

describe("TestServer.layer", () => {
  it.layer(TestServerLive)("shared by the tests of a file", (it) => {
    it.effect("exposes the issuer and answers discovery", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        assert.match(server.issuer, /^http:\/\/127\.0\.0\.1:\d+\/oidc$/)
        const { body } = yield* fetchJson(server.endpoints.discovery)
        assert.strictEqual(body.issuer, server.issuer)
        assert.strictEqual(String(server.clients.clientSecretBasic.clientSecret), "<redacted>")
      })
    )

    it.effect("scripted authorization and helpers are effects", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const url = new URL(server.endpoints.authorization)
        url.search = new URLSearchParams({
          client_id: server.clients.clientSecretBasic.clientId,
          response_type: "code",
          redirect_uri: "http://127.0.0.1/callback",
          scope: "openid",
          state: "xyz"
        }).toString()
        const callback = new URL(yield* server.authorize(url))
        assert.strictEqual(callback.searchParams.get("state"), "xyz")
        assert.strictEqual(callback.searchParams.get("iss"), server.issuer)
        const denied = new URL(yield* server.authorize(url, { consent: "deny" }))
        assert.strictEqual(denied.searchParams.get("error"), "access_denied")

        yield* server.failNext("token", Fault.oauthError("server_error", { status: 500 }))
        assert.strictEqual((yield* clientCredentials(server)).status, 500)
        assert.strictEqual((yield* clientCredentials(server)).status, 200)
      })
    )

    it.effect("helpers fail with TestServerError", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const exit = yield* Effect.exit(server.approveCiba("unknown"))
        assert.isTrue(Exit.isFailure(exit))
        const error = yield* Effect.flip(server.authorize("https://elsewhere.test/auth"))
        assert.strictEqual(error._tag, "TestServerError")
        assert.strictEqual(error.operation, "authorize")
      })
    )
  })

  it.effect("stops the server when the scope closes", () =>
    Effect.gen(function* () {
      const issuer = yield* Effect.scoped(Effect.map(TestServer.make(), (server) => server.issuer))
      const result = yield* Effect.promise(() =>
        fetch(`${issuer}/jwks`).then(
          () => "reachable",
          () => "closed"
        )
      )
      assert.strictEqual(result, "closed")
    })
  )

  it.effect("fails to build with bad options", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Layer.build(TestServer.layer({ ttl: { accessToken: -1 } })).pipe(Effect.scoped))
      assert.strictEqual(error.operation, "start")
      assert.match(error.message, /ttl\.accessToken/)
    })
  )
})
