import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { HttpListener, TestServer } from "@oauth2/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import * as jose from "jose"

/** Logs a confidential client's user in with `browser`; returns the ID token of the answer. */
const login = (server: TestServer.TestServer, browser: TestServer.Browser) =>
  Effect.gen(function* () {
    const client = server.clients.clientSecretPost
    const url = new URL(server.endpoints.authorization)
    url.search = new URLSearchParams({
      client_id: client.clientId,
      redirect_uri: client.redirectUris[0]!,
      response_type: "code",
      scope: "openid",
      nonce: "n-1"
    }).toString()
    const callback = new URL(yield* server.authorize(url, { browser }))
    const answer = yield* Effect.promise(async () => {
      const response = await fetch(server.endpoints.token, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "authorization_code",
          code: callback.searchParams.get("code")!,
          redirect_uri: client.redirectUris[0]!,
          client_id: client.clientId,
          client_secret: Redacted.value(client.clientSecret)
        })
      })
      return (await response.json()) as { id_token: string }
    })
    return answer.id_token
  })

describe("logout", () => {
  it.scoped("HttpListener serves an HttpApp on a loopback port, 503 before one is served", () =>
    Effect.gen(function* () {
      const listener = yield* HttpListener.make
      assert.match(listener.url, /^http:\/\/127\.0\.0\.1:\d+$/)
      assert.strictEqual((yield* Effect.promise(() => fetch(listener.url))).status, 503)
      yield* listener.serve(
        Effect.map(HttpServerRequest.HttpServerRequest, (request) =>
          HttpServerResponse.text(`${request.method} ${request.url}`, { headers: { "x-test": "yes" } })
        )
      )
      const response = yield* Effect.promise(() => fetch(`${listener.url}/a?b=c`, { method: "POST", body: "x" }))
      assert.strictEqual(response.headers.get("x-test"), "yes")
      assert.strictEqual(yield* Effect.promise(() => response.text()), "POST /a?b=c")
      assert.strictEqual(yield* listener.requests, 2)
    })
  )

  it.scoped("backchannelLogout: endSession confirms the logout, and the server POSTs a logout token to the registered URI", () =>
    Effect.gen(function* () {
      const listener = yield* HttpListener.make
      const received: Array<string> = []
      yield* listener.serve(
        Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
          Effect.map(request.urlParamsBody, (params) => {
            received.push(params.find(([name]) => name === "logout_token")?.[1] ?? "")
            return HttpServerResponse.empty({ status: 200 })
          })
        ).pipe(Effect.orDie)
      )
      const server = yield* TestServer.make({ backchannelLogout: { uri: `${listener.url}/bcl` } })
      const metadata = (yield* Effect.promise(() => fetch(server.endpoints.discovery).then((r) => r.json()))) as Record<string, unknown>
      assert.strictEqual(metadata.backchannel_logout_supported, true)
      const browser = TestServer.makeBrowser()
      const idToken = yield* login(server, browser)
      const sid = jose.decodeJwt(idToken).sid
      assert.isString(sid)

      const client = server.clients.clientSecretPost
      const url = new URL(server.endpoints.endSession)
      url.search = new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: client.redirectUris[0]!, state: "s-1" }).toString()
      const landing = yield* server.endSession(url, { browser })
      assert.strictEqual(landing, `${client.redirectUris[0]}?state=s-1`)

      assert.strictEqual(received.length, 1)
      const header = jose.decodeProtectedHeader(received[0]!)
      const claims = jose.decodeJwt(received[0]!)
      assert.strictEqual(header.typ, "logout+jwt")
      assert.strictEqual(claims.sub, "alice")
      assert.strictEqual(claims.sid, sid)
      assert.deepStrictEqual(claims.events, { "http://schemas.openid.net/event/backchannel-logout": {} })

      // the session is over: a second logout has nothing to confirm and lands on the server's page
      const again = yield* server.endSession(server.endpoints.endSession, { browser })
      assert.isTrue(again.startsWith(server.issuer))
      assert.strictEqual(received.length, 1)
    })
  )

  it.scoped("without the option, no client has a back-channel logout URI", () =>
    Effect.gen(function* () {
      const server = yield* TestServer.make()
      const metadata = (yield* Effect.promise(() => fetch(server.endpoints.discovery).then((r) => r.json()))) as Record<string, unknown>
      assert.isUndefined(metadata.backchannel_logout_supported)
    })
  )
})
