/**
 * The whole chain of a protected resource (what MCP clients do) against a real Authorization Server and its
 * protected resource (@oauth2/testing): 401 -> RFC 9728 metadata -> discovery -> RFC 7591 registration ->
 * authorization code + PKCE with `resource` -> token -> the call retried; and each refusal as its typed error.
 */
import { FetchHttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { ResourceMetadata, ServerMetadata } from "@oauth2/core"
import { ProtectedResource } from "@oauth2/flows"
import { OAuthClient, Transport } from "@oauth2/http"
import { ErrorLaws, FakeHttp, TestServer } from "@oauth2/testing"
import { Clock, Effect, Either, Layer, Redacted, TestClock } from "effect"
import * as jose from "jose"

const live = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.withClock(self, Clock.make())
const redirectUri = "http://127.0.0.1/callback"

/** The user agent: the test server's scripted browser signs alice in and consents. */
const UserAgentTest = Layer.effect(
  ProtectedResource.UserAgent,
  Effect.map(TestServer.TestServer, (server) => ({
    authorize: ({ url }: { readonly url: string }) => Effect.mapError(server.authorize(url), (e) => ProtectedResource.userAgentFailed(e.message, e))
  }))
)

const NetworkLive = Layer.mergeAll(Transport.layerFetch({ retry: false }), FetchHttpClient.layer)

const serverWith = (options: TestServer.Options = {}) =>
  Layer.provideMerge(UserAgentTest, TestServer.layer({ features: { registration: true }, protectedResource: {}, ...options }))

describe("ProtectedResource: the whole chain", () => {
  it.layer(Layer.merge(serverWith(), NetworkLive), { timeout: 60_000 })((it) => {
    it.effect("a 401 becomes metadata, discovery, registration, authorization with resource, and the retried call", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const resource = server.protectedResource!.resource
        const service = yield* ProtectedResource.make({ redirectUri })
        const response = yield* service.execute(HttpClientRequest.get(resource))
        expect(response.status).toBe(200)
        const body = (yield* response.json) as { resource: string; sub: string; client_id: string; scope: string }
        expect(body.resource).toBe(resource)
        expect(body.sub).toBe("alice")
        expect(body.scope).toBe(server.resourceScopes.join(" "))
        const token = (yield* service.token)!
        // RFC 8707: the access token is for this resource only
        const claims = jose.decodeJwt(Redacted.value(token.accessToken))
        expect(claims.aud).toBe(resource)
        expect(claims.client_id).toBe(body.client_id)
        // a second call reuses the token: no second registration or authorization
        const again = yield* service.execute(HttpClientRequest.get(resource))
        expect(again.status).toBe(200)
        expect(((yield* again.json) as { client_id: string }).client_id).toBe(body.client_id)
        expect(yield* service.token).toBe(token)
      }).pipe(live)
    )

    it.effect("a configured client skips registration", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const resource = server.protectedResource!.resource
        const response = yield* ProtectedResource.access(HttpClientRequest.get(resource), {
          redirectUri,
          client: {
            issuer: server.issuer,
            clientId: server.clients.clientSecretBasic.clientId,
            clientSecret: server.clients.clientSecretBasic.clientSecret
          }
        })
        expect(((yield* response.json) as { client_id: string }).client_id).toBe(server.clients.clientSecretBasic.clientId)
      }).pipe(live)
    )

    it.effect("an authorization server the chooser picks outside the list is refused before anything is sent to it", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const error = yield* Effect.flip(
          ProtectedResource.access(HttpClientRequest.get(server.protectedResource!.resource), {
            redirectUri,
            choose: () => "https://as.evil.example"
          })
        )
        expect(error._tag).toBe("AuthorizationServerNotListed")
      }).pipe(live)
    )

    it.effect("the user agent's failure is a typed error", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const error = yield* Effect.flip(
          ProtectedResource.access(HttpClientRequest.get(server.protectedResource!.resource), { redirectUri }).pipe(
            Effect.provide(ProtectedResource.layerUserAgent(() => Effect.fail(ProtectedResource.userAgentFailed("closed by the user"))))
          )
        )
        expect(error._tag).toBe("UserAgentFailed")
      }).pipe(live)
    )
  })

  it.layer(Layer.merge(serverWith({ protectedResource: { advertisedResource: "https://api.example.test/other" } }), NetworkLive), {
    timeout: 60_000
  })((it) => {
    it.effect("metadata for another resource is refused", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const error = yield* Effect.flip(ProtectedResource.access(HttpClientRequest.get(server.protectedResource!.resource), { redirectUri }))
        expect(error._tag).toBe("MismatchingResource")
      }).pipe(live)
    )
  })

  it.layer(Layer.merge(serverWith({ protectedResource: { authorizationServers: ["https://as.other.example"] } }), NetworkLive), {
    timeout: 60_000
  })((it) => {
    it.effect("a server a step of yours gives that is not in the resource's list is refused", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const error = yield* Effect.flip(
          ProtectedResource.access(HttpClientRequest.get(server.protectedResource!.resource), {
            redirectUri,
            steps: { authorizationServer: () => OAuthClient.discover({ issuer: server.issuer }) }
          })
        )
        expect(error._tag).toBe("AuthorizationServerNotListed")
        expect(error).toMatchObject({ issuer: server.issuer, listed: ["https://as.other.example"] })
      }).pipe(live)
    )

    it.effect("a chooser's pick outside the resource's list is refused", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const error = yield* Effect.flip(
          ProtectedResource.access(HttpClientRequest.get(server.protectedResource!.resource), { redirectUri, choose: () => server.issuer })
        )
        expect(error._tag).toBe("AuthorizationServerNotListed")
      }).pipe(live)
    )
  })

  it.layer(Layer.merge(serverWith({ features: { registration: false } }), NetworkLive), { timeout: 60_000 })((it) => {
    it.effect("without a configured client, a server without registration is EndpointNotSupported", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const error = yield* Effect.flip(ProtectedResource.access(HttpClientRequest.get(server.protectedResource!.resource), { redirectUri }))
        expect(error._tag).toBe("EndpointNotSupported")
      }).pipe(live)
    )
  })
})

describe("ProtectedResource over a fake network", () => {
  const resource = "https://api.example.com/mcp"
  const issuer = "https://as.example.com"
  const challenge = { "www-authenticate": 'Bearer resource_metadata="https://api.example.com/.well-known/oauth-protected-resource/mcp"' }
  /** The Authorization Server: metadata (RFC 8414), registration, token. */
  const authorizationServer = (refreshable = false) =>
    FakeHttp.makeFetch((request) => {
      const url = new URL(request.url)
      if (url.href === "https://api.example.com/.well-known/oauth-protected-resource/mcp") {
        return FakeHttp.json({ resource, authorization_servers: [issuer], scopes_supported: ["read"] })
      }
      if (url.href === `${issuer}/.well-known/oauth-authorization-server`) {
        return FakeHttp.json({
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          registration_endpoint: `${issuer}/register`
        })
      }
      if (url.href === `${issuer}/register`) return FakeHttp.json({ client_id: "registered", token_endpoint_auth_method: "none" }, 201)
      if (url.href === `${issuer}/token`) {
        return request.form.get("grant_type") === "refresh_token"
          ? FakeHttp.json({ access_token: "the-refreshed-token", token_type: "Bearer", expires_in: 60 })
          : FakeHttp.json({
              access_token: "the-token",
              token_type: "Bearer",
              expires_in: 60,
              ...(refreshable ? { refresh_token: "the-refresh-token" } : {})
            })
      }
      return new Response("not found", { status: 404 })
    })
  /** The user agent: approves at once, answering the request's state. */
  const UserAgentFake = ProtectedResource.layerUserAgent(({ redirectUri: back, url }) =>
    Effect.succeed(`${back}?code=the-code&state=${new URL(url).searchParams.get("state")}`)
  )

  it.effect("sends resource, PKCE and the registered client; a resource that refuses the new token is StillUnauthorized", () => {
    const as = authorizationServer()
    const api = FakeHttp.make(() => FakeHttp.json({ error: "unauthorized" }, 401, challenge))
    return Effect.gen(function* () {
      const error = yield* Effect.flip(ProtectedResource.access(HttpClientRequest.get(resource), { redirectUri }))
      expect(error._tag).toBe("StillUnauthorized")
      expect(api.seen.length).toBe(2)
      expect(api.seen[0]?.headers["authorization"]).toBeUndefined()
      expect(api.seen[1]?.headers["authorization"]).toBe("Bearer the-token")
      const register = as.seen.find((r) => r.url.endsWith("/register"))!
      expect(JSON.parse(register.body)).toMatchObject({
        redirect_uris: [redirectUri],
        token_endpoint_auth_method: "none",
        application_type: "native"
      })
      const token = as.seen.find((r) => r.url.endsWith("/token"))!
      expect(token.form.get("resource")).toBe(resource)
      expect(token.form.get("client_id")).toBe("registered")
      expect(token.form.get("code_verifier")?.length).toBeGreaterThanOrEqual(43)
    }).pipe(Effect.provide(Layer.mergeAll(api.layer, Transport.layerFetch({ fetch: as.fetch, retry: false }), UserAgentFake)))
  })

  it.effect("an answer other than 401 is passed through, without a token or any authorization", () => {
    const as = authorizationServer()
    const api = FakeHttp.make(() => FakeHttp.json({ ok: true }))
    return Effect.gen(function* () {
      const passed = yield* ProtectedResource.access(HttpClientRequest.get(resource), { redirectUri })
      expect(passed.status).toBe(200)
      expect(api.seen[0]?.headers["authorization"]).toBeUndefined()
      expect(as.seen.length).toBe(0)
    }).pipe(Effect.provide(Layer.mergeAll(api.layer, Transport.layerFetch({ fetch: as.fetch, retry: false }), UserAgentFake)))
  })

  it.effect("a state that does not match (a forged callback) is refused before the code is redeemed", () => {
    const as = authorizationServer()
    const api = FakeHttp.make(() => FakeHttp.json({ error: "unauthorized" }, 401, challenge))
    return Effect.gen(function* () {
      const error = yield* Effect.flip(ProtectedResource.access(HttpClientRequest.get(resource), { redirectUri }))
      expect(error._tag).toBe("MismatchingState")
      expect(as.seen.some((r) => r.url.endsWith("/token"))).toBe(false)
    }).pipe(
      Effect.provide(
        Layer.mergeAll(
          api.layer,
          Transport.layerFetch({ fetch: as.fetch, retry: false }),
          ProtectedResource.layerUserAgent(({ redirectUri: back }) => Effect.succeed(`${back}?code=c&state=forged`))
        )
      )
    )
  })

  it.effect("an expired token is not sent: the resource's 401 runs the chain again", () => {
    const as = authorizationServer()
    const api = FakeHttp.make((request) =>
      request.headers["authorization"] === undefined ? FakeHttp.json({}, 401, challenge) : FakeHttp.json({ ok: true })
    )
    return Effect.gen(function* () {
      const service = yield* ProtectedResource.make({ redirectUri })
      expect((yield* service.execute(HttpClientRequest.get(resource))).status).toBe(200)
      expect((yield* service.execute(HttpClientRequest.get(resource))).status).toBe(200)
      expect(api.seen.map((r) => r.headers["authorization"] !== undefined)).toEqual([false, true, true])
      yield* TestClock.adjust("61 seconds")
      expect((yield* service.execute(HttpClientRequest.get(resource))).status).toBe(200)
      expect(api.seen.map((r) => r.headers["authorization"] !== undefined)).toEqual([false, true, true, false, true])
      // one registration for the server, two authorizations
      expect(as.seen.filter((r) => r.url.endsWith("/register")).length).toBe(1)
      expect(as.seen.filter((r) => r.url.endsWith("/token")).length).toBe(2)
    }).pipe(Effect.provide(Layer.mergeAll(api.layer, Transport.layerFetch({ fetch: as.fetch, retry: false }), UserAgentFake)))
  })

  it.effect("an expired token with a refresh token is refreshed (with the resource), without the user", () => {
    const as = authorizationServer(true)
    const api = FakeHttp.make((request) =>
      request.headers["authorization"] === undefined ? FakeHttp.json({}, 401, challenge) : FakeHttp.json({ ok: true })
    )
    return Effect.gen(function* () {
      const service = yield* ProtectedResource.make({ redirectUri })
      expect((yield* service.execute(HttpClientRequest.get(resource))).status).toBe(200)
      yield* TestClock.adjust("61 seconds")
      expect((yield* service.execute(HttpClientRequest.get(resource))).status).toBe(200)
      expect(api.seen.map((r) => r.headers["authorization"])).toEqual([undefined, "Bearer the-token", "Bearer the-refreshed-token"])
      const refresh = as.seen.find((r) => r.form.get("grant_type") === "refresh_token")!
      expect(refresh.form.get("refresh_token")).toBe("the-refresh-token")
      expect(refresh.form.get("resource")).toBe(resource)
      expect(as.seen.filter((r) => r.url.endsWith("/token")).length).toBe(2)
    }).pipe(Effect.provide(Layer.mergeAll(api.layer, Transport.layerFetch({ fetch: as.fetch, retry: false }), UserAgentFake)))
  })

  it.effect("a token goes only to the resource it was obtained for: another resource gets none, and its own chain", () => {
    const other = "https://other.example.com/mcp"
    const metadataOf = (r: string) => `${new URL(r).origin}/.well-known/oauth-protected-resource${new URL(r).pathname}`
    const as = FakeHttp.makeFetch((request) => {
      const url = new URL(request.url)
      for (const r of [resource, other]) {
        if (url.href === metadataOf(r)) return FakeHttp.json({ resource: r, authorization_servers: [issuer] })
      }
      if (url.href === `${issuer}/.well-known/oauth-authorization-server`) {
        return FakeHttp.json({
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          registration_endpoint: `${issuer}/register`
        })
      }
      if (url.href === `${issuer}/register`) return FakeHttp.json({ client_id: "registered", token_endpoint_auth_method: "none" }, 201)
      if (url.href === `${issuer}/token`) {
        return FakeHttp.json({ access_token: `token-for-${request.form.get("resource")}`, token_type: "Bearer", expires_in: 60 })
      }
      return new Response("not found", { status: 404 })
    })
    const api = FakeHttp.make((request) => {
      const r = request.url.startsWith(other) ? other : resource
      return request.headers["authorization"] === `Bearer token-for-${r}`
        ? FakeHttp.json({ ok: true })
        : FakeHttp.json({}, 401, { "www-authenticate": `Bearer resource_metadata="${metadataOf(r)}"` })
    })
    return Effect.gen(function* () {
      const service = yield* ProtectedResource.make({ redirectUri })
      expect((yield* service.execute(HttpClientRequest.get(resource))).status).toBe(200)
      // resource A's token is not sent to B: B's 401 runs the chain for B
      expect((yield* service.execute(HttpClientRequest.get(other))).status).toBe(200)
      expect((yield* service.execute(HttpClientRequest.get(`${resource}/tools`))).status).toBe(200)
      expect((yield* service.execute(HttpClientRequest.get(other))).status).toBe(200)
      expect(api.seen.map((r) => r.headers["authorization"])).toEqual([
        undefined,
        `Bearer token-for-${resource}`,
        undefined,
        `Bearer token-for-${other}`,
        `Bearer token-for-${resource}`,
        `Bearer token-for-${other}`
      ])
      const tokens = as.seen.filter((r) => r.url.endsWith("/token")).map((r) => r.form.get("resource"))
      expect(tokens).toEqual([resource, other])
      // the same origin and a path at or under the identifier's, nothing else
      const sentTo = (url: string) => Effect.map(service.tokenFor(url), (t) => (t === undefined ? undefined : Redacted.value(t.accessToken)))
      expect(yield* sentTo(`${resource}?q=1`)).toBe(`token-for-${resource}`)
      expect(yield* sentTo("https://api.example.com/mcpx")).toBeUndefined()
      expect(yield* sentTo("https://api.example.com/")).toBeUndefined()
      expect(yield* sentTo("http://api.example.com/mcp")).toBeUndefined()
      expect(yield* sentTo("https://api.example.com:8443/mcp")).toBeUndefined()
      expect(yield* sentTo("https://evil.example/mcp")).toBeUndefined()
    }).pipe(Effect.provide(Layer.mergeAll(api.layer, Transport.layerFetch({ fetch: as.fetch, retry: false }), UserAgentFake)))
  })

  it.effect("a resource that refuses the refreshed token runs the chain again (the token sent is the one refused)", () => {
    const as = authorizationServer(true)
    const api = FakeHttp.make((request) =>
      request.headers["authorization"] === "Bearer the-token" ? FakeHttp.json({ ok: true }) : FakeHttp.json({}, 401, challenge)
    )
    return Effect.gen(function* () {
      const service = yield* ProtectedResource.make({ redirectUri })
      expect((yield* service.execute(HttpClientRequest.get(resource))).status).toBe(200)
      yield* TestClock.adjust("61 seconds")
      expect((yield* service.execute(HttpClientRequest.get(resource))).status).toBe(200)
      expect(api.seen.map((r) => r.headers["authorization"])).toEqual([
        undefined,
        "Bearer the-token",
        "Bearer the-refreshed-token",
        "Bearer the-token"
      ])
      expect(as.seen.filter((r) => r.url.endsWith("/token")).map((r) => r.form.get("grant_type"))).toEqual([
        "authorization_code",
        "refresh_token",
        "authorization_code"
      ])
    }).pipe(Effect.provide(Layer.mergeAll(api.layer, Transport.layerFetch({ fetch: as.fetch, retry: false }), UserAgentFake)))
  })

  it.effect("a configured client is used only with its own server: another issuer, or none given, is refused before it is sent", () => {
    const as = authorizationServer()
    const api = FakeHttp.make(() => FakeHttp.json({}, 401, challenge))
    let authorizations = 0
    const UserAgentCounting = ProtectedResource.layerUserAgent(({ redirectUri: back, url }) => {
      authorizations++
      return Effect.succeed(`${back}?code=the-code&state=${new URL(url).searchParams.get("state")}`)
    })
    return Effect.gen(function* () {
      for (const client of [
        { issuer: "https://as.mine.example", clientId: "mine", clientSecret: "the-secret" },
        { endpoints: { issuer: "https://as.mine.example" }, clientId: "mine", clientSecret: "the-secret" },
        { clientId: "mine", clientSecret: "the-secret" }
      ]) {
        const error = yield* Effect.flip(ProtectedResource.access(HttpClientRequest.get(resource), { redirectUri, client }))
        expect(error._tag).toBe("InvalidConfiguration")
        expect(error).toMatchObject({ field: "client.issuer" })
      }
      expect(authorizations).toBe(0)
      expect(as.seen.some((r) => r.url.endsWith("/token") || r.url.endsWith("/register"))).toBe(false)
      expect(as.seen.some((r) => r.body.includes("the-secret") || r.headers["authorization"] !== undefined)).toBe(false)
      // its own server: used
      const error = yield* Effect.flip(
        ProtectedResource.access(HttpClientRequest.get(resource), { redirectUri, client: { issuer, clientId: "mine", clientSecret: "the-secret" } })
      )
      expect(error._tag).toBe("StillUnauthorized")
      expect(as.seen.find((r) => r.url.endsWith("/token"))?.headers["authorization"]).toMatch(/^Basic /)
    }).pipe(Effect.provide(Layer.mergeAll(api.layer, Transport.layerFetch({ fetch: as.fetch, retry: false }), UserAgentCounting)))
  })

  it.effect("a challenge's resource_metadata is fetched only over https or at the resource's origin", () => {
    const as = authorizationServer()
    const api = FakeHttp.make(() => FakeHttp.json({}, 401, { "www-authenticate": 'Bearer resource_metadata="http://127.0.0.1:6379/"' }))
    return Effect.gen(function* () {
      const error = yield* Effect.flip(ProtectedResource.access(HttpClientRequest.get(resource), { redirectUri }))
      expect(error._tag).toBe("InvalidConfiguration")
      expect(error).toMatchObject({ field: "resource_metadata" })
      expect(as.seen.length).toBe(0)
    }).pipe(Effect.provide(Layer.mergeAll(api.layer, Transport.layerFetch({ fetch: as.fetch, retry: false }), UserAgentFake)))
  })

  it.effect("steps run your own way: cached resource metadata, pinned server metadata, a kept client", () => {
    const as = authorizationServer()
    const api = FakeHttp.make((request) =>
      request.headers["authorization"] === undefined ? FakeHttp.json({}, 401, challenge) : FakeHttp.json({ ok: true })
    )
    const sent: Array<string> = []
    const UserAgentRecording = ProtectedResource.layerUserAgent(({ redirectUri: back, url }) => {
      sent.push(url)
      return Effect.succeed(`${back}?code=the-code&state=${new URL(url).searchParams.get("state")}`)
    })
    return Effect.gen(function* () {
      const metadata = Either.getOrThrow(ResourceMetadata.decode({ resource, authorization_servers: [issuer] }, { resource }))
      const server = Either.getOrThrow(
        ServerMetadata.decode({ issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token` }, { issuer })
      )
      const response = yield* ProtectedResource.access(HttpClientRequest.get(resource), {
        redirectUri,
        steps: {
          metadata: () => Effect.succeed(metadata),
          authorizationServer: () => Effect.succeed(server),
          client: (s) => OAuthClient.make({ clientId: "kept-client", metadata: s })
        }
      })
      expect(response.status).toBe(200)
      // only the token request reached the authorization server
      expect(as.seen.map((r) => new URL(r.url).pathname)).toEqual(["/token"])
      expect(as.seen[0]?.form.get("client_id")).toBe("kept-client")
      // no scope known: none asked for (not OpenID Connect's default openid, which would require an ID token)
      const authorization = new URL(sent[0]!)
      expect(authorization.searchParams.has("scope")).toBe(false)
      expect(authorization.searchParams.get("resource")).toBe(resource)
      expect(authorization.searchParams.get("code_challenge_method")).toBe("S256")
    }).pipe(Effect.provide(Layer.mergeAll(api.layer, Transport.layerFetch({ fetch: as.fetch, retry: false }), UserAgentRecording)))
  })
})

describe("ProtectedResource errors", () => {
  it.effect("obey the error laws, and say what failed", () =>
    Effect.promise(async () => {
      for (const error of [
        ProtectedResource.userAgentFailed("closed"),
        ProtectedResource.resourceRequestFailed("https://api.example.com/x", new Error("reset")),
        ProtectedResource.stillUnauthorized("https://api.example.com/x", 401)
      ]) {
        await ErrorLaws.check(error)
        expect(ProtectedResource.isProtectedResourceError(error)).toBe(true)
      }
    })
  )
})
