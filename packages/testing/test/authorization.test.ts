import { TestServer } from "@oauth2/testing"
import { Redacted } from "effect"
import * as jose from "jose"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { authorizationUrl, codeFlow, jwks, post, token } from "./helpers.js"

let server: TestServer.StartedTestServer

beforeAll(async () => {
  server = await TestServer.start()
})
afterAll(() => server.stop())

const bearer = (accessToken: string) => ({ authorization: `Bearer ${accessToken}` })

describe("authorization code with PKCE", () => {
  it("the scripted login returns the callback with code, state and iss", async () => {
    const request = authorizationUrl(server, server.clients.clientSecretBasic)
    const callback = new URL(await server.authorize(request.url))
    expect(callback.origin + callback.pathname).toBe("http://127.0.0.1/callback")
    expect(callback.searchParams.get("code")).toMatch(/.+/)
    expect(callback.searchParams.get("state")).toBe(request.state)
    expect(callback.searchParams.get("iss")).toBe(server.issuer)
  })

  it("exchanges the code, calls userinfo, refreshes with rotation", async () => {
    const client = server.clients.clientSecretBasic
    const answer = await codeFlow(server, client)
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    expect(answer.body.scope).toBe("openid profile email offline_access")
    const { payload } = await jose.jwtVerify(answer.body.id_token, jwks(server), {
      issuer: server.issuer,
      audience: client.clientId
    })
    expect(payload, JSON.stringify(payload)).toMatchObject({ sub: "alice", nonce: answer.request.nonce })

    const userinfo = await (await fetch(server.endpoints.userinfo, { headers: bearer(answer.body.access_token) })).json()
    expect(userinfo).toMatchObject({ sub: "alice", email: "alice@example.test", name: "Alice Example" })

    const refreshed = await token(server, client, { grant_type: "refresh_token", refresh_token: answer.body.refresh_token })
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200)
    expect(refreshed.body.refresh_token).not.toBe(answer.body.refresh_token)
    const { payload: refreshedIdToken } = await jose.jwtVerify(refreshed.body.id_token, jwks(server))
    expect(refreshedIdToken.sub).toBe("alice")

    // the rotated refresh token is spent: reusing it fails and revokes the grant
    const reused = await token(server, client, { grant_type: "refresh_token", refresh_token: answer.body.refresh_token })
    expect(reused.status).toBe(400)
    expect(reused.body.error).toBe("invalid_grant")
  })

  it("keeps refresh tokens when rotation is off", async () => {
    const other = await TestServer.start({ rotateRefreshToken: false })
    try {
      const answer = await codeFlow(other, other.clients.clientSecretPost)
      const refreshed = await token(other, other.clients.clientSecretPost, {
        grant_type: "refresh_token",
        refresh_token: answer.body.refresh_token
      })
      expect(refreshed.status).toBe(200)
      expect(refreshed.body.refresh_token ?? answer.body.refresh_token).toBe(answer.body.refresh_token)
    } finally {
      await other.stop()
    }
  })

  it("gives a JWT for the test API when the token request names the resource", async () => {
    const client = server.clients.privateKeyJwt
    const request = authorizationUrl(server, client, { scope: "openid api:read", resource: server.resource })
    const code = new URL(await server.authorize(request.url)).searchParams.get("code")!
    const answer = await token(server, client, {
      grant_type: "authorization_code",
      code,
      redirect_uri: "http://127.0.0.1/callback",
      code_verifier: request.verifier,
      resource: server.resource
    })
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    const { payload } = await jose.jwtVerify(answer.body.access_token, jwks(server), { audience: server.resource })
    expect(payload).toMatchObject({ sub: "alice", scope: "api:read", client_id: client.clientId })
  })

  it("denied consent redirects with error=access_denied", async () => {
    const request = authorizationUrl(server, server.clients.public)
    const callback = new URL(await server.authorize(request.url, { consent: "deny" }))
    expect(callback.searchParams.get("error")).toBe("access_denied")
    expect(callback.searchParams.get("state")).toBe(request.state)
    expect(callback.searchParams.get("iss")).toBe(server.issuer)
    expect(callback.searchParams.get("code")).toBeNull()
  })

  it("prompt=none without a session answers login_required; with a session it signs in silently", async () => {
    const client = server.clients.clientSecretBasic
    const silent = authorizationUrl(server, client, { prompt: "none", scope: "openid" })
    const callback = new URL(await server.authorize(silent.url))
    expect(callback.searchParams.get("error")).toBe("login_required")
    expect(callback.searchParams.get("state")).toBe(silent.state)

    const browser = TestServer.makeBrowser()
    const first = authorizationUrl(server, client, { scope: "openid" })
    expect(new URL(await server.authorize(first.url, { browser })).searchParams.get("code")).toBeTruthy()
    const again = authorizationUrl(server, client, { prompt: "none", scope: "openid" })
    const silentCallback = new URL(await server.authorize(again.url, { browser }))
    expect(silentCallback.searchParams.get("error")).toBeNull()
    expect(silentCallback.searchParams.get("code")).toBeTruthy()

    // the public (native) client always needs the end-user (RFC 8252 section 8.6)
    const native = authorizationUrl(server, server.clients.public, { prompt: "none", scope: "openid" })
    expect(new URL(await server.authorize(native.url, { browser })).searchParams.get("error")).toBe("interaction_required")
  })

  it("signs in the user named by login_hint, or the one asked for", async () => {
    const hinted = await codeFlow(server, server.clients.public, { login_hint: "bob" })
    expect(jose.decodeJwt(hinted.body.id_token).sub).toBe("bob")
    const request = authorizationUrl(server, server.clients.public)
    const code = new URL(await server.authorize(request.url, { accountId: "bob" })).searchParams.get("code")!
    const answer = await token(server, server.clients.public, {
      grant_type: "authorization_code",
      code,
      redirect_uri: "http://127.0.0.1/callback",
      code_verifier: request.verifier
    })
    expect(jose.decodeJwt(answer.body.id_token).sub).toBe("bob")
  })

  it("returns form_post responses as the action URL with the fields in its query", async () => {
    const request = authorizationUrl(server, server.clients.public, { response_mode: "form_post" })
    const callback = new URL(await server.authorize(request.url))
    expect(callback.origin + callback.pathname).toBe("http://127.0.0.1/callback")
    expect(callback.searchParams.get("code")).toBeTruthy()
    expect(callback.searchParams.get("state")).toBe(request.state)
    expect(callback.searchParams.get("iss")).toBe(server.issuer)
  })

  it("accepts a loopback redirect_uri on any port", async () => {
    const request = authorizationUrl(server, server.clients.public, { redirect_uri: "http://127.0.0.1:8123/callback" })
    const callback = new URL(await server.authorize(request.url))
    expect(callback.host).toBe("127.0.0.1:8123")
    expect(callback.searchParams.get("code")).toBeTruthy()
  })

  it("fails with a clear error when the request is rejected before any redirect", async () => {
    const request = authorizationUrl(server, server.clients.public, { redirect_uri: "https://evil.example/cb" })
    await expect(server.authorize(request.url)).rejects.toThrow(/redirect_uri/)
  })
})

describe("PAR and JAR", () => {
  it("pushes the request (PAR) and authorizes with the request_uri", async () => {
    const client = server.clients.clientSecretPost
    const request = authorizationUrl(server, client)
    const pushed = await post(server, server.endpoints.pushedAuthorizationRequest, client, Object.fromEntries(request.url.searchParams))
    expect(pushed.status, JSON.stringify(pushed.body)).toBe(201)
    expect(pushed.body.request_uri).toMatch(/^urn:ietf:params:oauth:request_uri:/)
    const url = new URL(server.endpoints.authorization)
    url.searchParams.set("client_id", client.clientId)
    url.searchParams.set("request_uri", pushed.body.request_uri)
    const callback = new URL(await server.authorize(url))
    expect(callback.searchParams.get("state")).toBe(request.state)
    expect(callback.searchParams.get("code")).toBeTruthy()
  })

  it("accepts a signed request object (JAR), also signed then encrypted", async () => {
    const client = server.clients.privateKeyJwt
    const jwk = Redacted.value(client.privateJwk)
    const key = await jose.importJWK(jwk, jwk.alg)
    const request = authorizationUrl(server, client)
    const requestObject = await new jose.SignJWT(Object.fromEntries(request.url.searchParams))
      .setProtectedHeader({ alg: jwk.alg, kid: jwk.kid, typ: "oauth-authz-req+jwt" })
      .setIssuer(client.clientId)
      .setAudience(server.issuer)
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(key)
    const url = new URL(server.endpoints.authorization)
    url.searchParams.set("client_id", client.clientId)
    url.searchParams.set("request", requestObject)
    const callback = new URL(await server.authorize(url))
    expect(callback.searchParams.get("state")).toBe(request.state)
    expect(callback.searchParams.get("code")).toBeTruthy()

    const serverKeys = (await (await fetch(server.endpoints.jwks)).json()).keys as Array<jose.JWK>
    const encryptionKey = serverKeys.find((k) => k.use === "enc")!
    const encrypted = await new jose.CompactEncrypt(new TextEncoder().encode(requestObject))
      .setProtectedHeader({ alg: "ECDH-ES", enc: "A256GCM", kid: encryptionKey.kid!, cty: "JWT" })
      .encrypt(await jose.importJWK(encryptionKey, "ECDH-ES"))
    url.searchParams.set("request", encrypted)
    const encryptedCallback = new URL(await server.authorize(url))
    expect(encryptedCallback.searchParams.get("code")).toBeTruthy()
  })
})

describe("introspection and revocation", () => {
  it("introspects and revokes an opaque access token", async () => {
    const client = server.clients.clientSecretBasic
    const { body } = await codeFlow(server, client)
    const active = await post(server, server.endpoints.introspection, client, { token: body.access_token })
    expect(active.body).toMatchObject({ active: true, sub: "alice", client_id: client.clientId, token_type: "Bearer" })
    const refresh = await post(server, server.endpoints.introspection, client, {
      token: body.refresh_token,
      token_type_hint: "refresh_token"
    })
    expect(refresh.body).toMatchObject({ active: true, sub: "alice", client_id: client.clientId })

    const revoked = await post(server, server.endpoints.revocation, client, { token: body.access_token })
    expect(revoked.status).toBe(200)
    const inactive = await post(server, server.endpoints.introspection, client, { token: body.access_token })
    expect(inactive.body).toEqual({ active: false })
  })
})
