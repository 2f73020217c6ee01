/**
 * The web backend example driven over HTTP, as a browser would: against the test Authorization Server
 * (`@oauth2/testing`, with back-channel logout to the app), the app served on a loopback port by `HttpListener`.
 */
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { KeyedTokenSource } from "@oauth2/flows"
import { BackchannelLogout, ClientAuth, OAuthClient, Transport } from "@oauth2/http"
import { HttpListener, TestServer } from "@oauth2/testing"
import { Clock, Effect, Layer } from "effect"
import { makeApp } from "../src/app.js"

/** The app's side of a browser: its session cookie, redirects not followed. */
const appBrowser = () => {
  let session: string | undefined
  return (url: string, method = "GET") =>
    Effect.promise(async () => {
      const response = await fetch(url, { method, redirect: "manual", headers: session === undefined ? {} : { cookie: `session=${session}` } })
      for (const line of response.headers.getSetCookie()) {
        const [pair = ""] = line.split(";")
        const [name, value = ""] = pair.split("=")
        if (name === "session") session = value === "" ? undefined : value
      }
      return { status: response.status, location: response.headers.get("location"), body: await response.text() }
    })
}

const setup = Effect.gen(function* () {
  const listener = yield* HttpListener.make
  const server = yield* TestServer.make({
    backchannelLogout: { uri: `${listener.url}/backchannel-logout` },
    redirectUris: [`${listener.url}/callback`, `${listener.url}/logged-out`]
  })
  const registered = server.clients.clientSecretBasic
  const auth = yield* ClientAuth.clientSecretBasic({ clientId: registered.clientId, clientSecret: registered.clientSecret })
  const ClientLive = OAuthClient.layerDiscovery({ issuer: server.issuer, auth }).pipe(Layer.provide(Transport.layerFetch({ retry: false })))
  const AppLive = Layer.mergeAll(KeyedTokenSource.layer(), BackchannelLogout.layerMemory(), FetchHttpClient.layer).pipe(
    Layer.provideMerge(ClientLive)
  )
  // the services live as long as the test: renewals run in their scope
  const context = yield* Layer.build(AppLive)
  const app = yield* Effect.provide(makeApp({ baseUrl: listener.url, apiUrl: server.endpoints.userinfo }), context)
  yield* listener.serve(app)
  return { listener, server }
})

/** Signs in through the app: /login, the provider's pages (scripted), the callback; returns the provider's browser. */
const signIn = (server: TestServer.TestServer, app: ReturnType<typeof appBrowser>, base: string) =>
  Effect.gen(function* () {
    const login = yield* app(`${base}/login`)
    expect(login.status).toBe(302)
    expect(login.location!.startsWith(server.endpoints.authorization)).toBe(true)
    const browser = TestServer.makeBrowser()
    const callback = yield* server.authorize(login.location!, { browser })
    expect(callback.startsWith(`${base}/callback?`)).toBe(true)
    const back = yield* app(callback)
    expect(back).toMatchObject({ status: 302, location: `${base}/` })
    return browser
  })

describe("the web backend example over HTTP", () => {
  it.scoped("login, the protected page calls the API with the user's token, logout (RP-initiated) with the state checked", () =>
    Effect.gen(function* () {
      const { listener, server } = yield* setup
      const app = appBrowser()
      expect(yield* app(`${listener.url}/`)).toMatchObject({ status: 302, location: `${listener.url}/login` })
      const browser = yield* signIn(server, app, listener.url)

      const home = yield* app(`${listener.url}/`)
      expect(home.status).toBe(200)
      expect(home.body).toContain("Hello Alice Example") // the API (UserInfo) answered with alice's token

      const logout = yield* app(`${listener.url}/logout`, "POST")
      expect(logout.status).toBe(303)
      expect(logout.location!.startsWith(server.endpoints.endSession)).toBe(true)
      const landing = yield* server.endSession(logout.location!, { browser })
      expect(landing.startsWith(`${listener.url}/logged-out?state=`)).toBe(true)
      const done = yield* app(landing)
      expect(done.status).toBe(200)
      expect(done.body).toContain("Logged out")
      expect(yield* app(`${listener.url}/`)).toMatchObject({ status: 302, location: `${listener.url}/login` })
    }).pipe(Effect.withClock(Clock.make()))
  )

  it.scoped("the provider's back-channel logout ends the app's session", () =>
    Effect.gen(function* () {
      const { listener, server } = yield* setup
      const app = appBrowser()
      const browser = yield* signIn(server, app, listener.url)
      expect((yield* app(`${listener.url}/`)).status).toBe(200)
      const before = yield* listener.requests

      // the end-user signs out at the provider (not through the app): the provider POSTs a logout token to the app
      yield* server.endSession(server.endpoints.endSession, { browser })
      expect(yield* listener.requests).toBe(before + 1)
      expect(yield* app(`${listener.url}/`)).toMatchObject({ status: 302, location: `${listener.url}/login` })
    }).pipe(Effect.withClock(Clock.make()))
  )
})
