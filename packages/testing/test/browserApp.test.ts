/**
 * The opt-in options for browser apps: the `spa` public web client (exact redirect URI, a refresh token without
 * offline_access, rotated), CORS limited to `corsOrigins`, and the sign-in page that asks for a password.
 */
import { TestServer } from "@oauth2/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { authorizationUrl, token } from "./helpers.js"

const app = "http://127.0.0.1:4173"
let server: TestServer.StartedTestServer

beforeAll(async () => {
  server = await TestServer.start({
    spa: { redirectUri: `${app}/callback`, postLogoutRedirectUris: [`${app}/`] },
    corsOrigins: [app],
    passwordLogin: { passwords: { alice: "wonderland" } }
  })
})
afterAll(() => server.stop())

const form = (cookie: string, fields: Record<string, string>): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html", cookie },
  body: new URLSearchParams(fields).toString(),
  redirect: "manual"
})

describe("browser apps", () => {
  it("registers the spa client only when asked", async () => {
    expect(server.clients.spa).toEqual({
      clientId: "spa",
      tokenEndpointAuthMethod: "none",
      redirectUris: [`${app}/callback`],
      grantTypes: ["authorization_code", "refresh_token"]
    })
    const plain = await TestServer.start({ features: { ciba: false, deviceFlow: false } })
    try {
      expect(plain.clients.spa).toBeUndefined()
    } finally {
      await plain.stop()
    }
  })

  it("the spa gets a refresh token without offline_access, rotated at every use", async () => {
    const spa = server.clients.spa!
    const request = authorizationUrl(server, spa, { redirect_uri: `${app}/callback`, scope: "openid profile", prompt: "login" })
    const code = new URL(await server.authorize(request.url)).searchParams.get("code") ?? ""
    const answer = await token(server, spa, {
      grant_type: "authorization_code",
      code,
      redirect_uri: `${app}/callback`,
      code_verifier: request.verifier
    })
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    expect(answer.body.scope).toBe("openid profile")
    expect(answer.body.refresh_token).toMatch(/.+/)
    const refreshed = await token(server, spa, { grant_type: "refresh_token", refresh_token: answer.body.refresh_token })
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200)
    expect(refreshed.body.refresh_token).not.toBe(answer.body.refresh_token)
    const reused = await token(server, spa, { grant_type: "refresh_token", refresh_token: answer.body.refresh_token })
    expect(reused.body.error).toBe("invalid_grant")
  })

  it("refuses another redirect URI for the spa", async () => {
    const url = new URL(server.endpoints.authorization)
    url.search = new URLSearchParams({
      client_id: "spa",
      response_type: "code",
      redirect_uri: "http://127.0.0.1:9999/callback",
      scope: "openid",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGUSjWQ-ck",
      code_challenge_method: "S256"
    }).toString()
    await expect(server.authorize(url)).rejects.toThrow(/redirect_uri/)
  })

  it("answers CORS requests from the allowed origins only", async () => {
    const preflight = await fetch(server.endpoints.token, {
      method: "OPTIONS",
      headers: { origin: app, "access-control-request-method": "POST" }
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get("access-control-allow-origin")).toBe(app)

    const body = new URLSearchParams({ grant_type: "refresh_token", refresh_token: "nope", client_id: "spa" }).toString()
    const headers = { "content-type": "application/x-www-form-urlencoded" }
    const allowed = await fetch(server.endpoints.token, { method: "POST", headers: { ...headers, origin: app }, body })
    expect(allowed.headers.get("access-control-allow-origin")).toBe(app)
    expect((await allowed.json()).error).toBe("invalid_grant")

    const other = await fetch(server.endpoints.token, { method: "POST", headers: { ...headers, origin: "http://127.0.0.1:1" }, body })
    expect(other.headers.get("access-control-allow-origin")).toBeNull()
    expect(await other.json()).toMatchObject({ error: "invalid_request", error_description: expect.stringMatching(/origin/) })
  })

  it("the HTML sign-in page asks for a password and checks it", async () => {
    const url = new URL(server.endpoints.authorization)
    url.search = new URLSearchParams({
      client_id: "spa",
      response_type: "code",
      redirect_uri: `${app}/callback`,
      scope: "openid",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGUSjWQ-ck",
      code_challenge_method: "S256"
    }).toString()
    const start = await fetch(url, { redirect: "manual", headers: { accept: "text/html" } })
    const interaction = new URL(start.headers.get("location")!, url)
    const cookie = start.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ")
    const page = await (await fetch(interaction, { headers: { accept: "text/html", cookie } })).text()
    expect(page).toContain(`type="password"`)
    expect(page).not.toContain("<select")

    const wrong = await fetch(`${interaction.href}/login`, form(cookie, { login: "alice", password: "nope" }))
    expect(wrong.status).toBe(401)
    expect(await wrong.text()).toContain("Wrong user name or password")
    const unknown = await fetch(`${interaction.href}/login`, form(cookie, { login: "bob", password: "wonderland" }))
    expect(unknown.status).toBe(401)

    const right = await fetch(`${interaction.href}/login`, form(cookie, { login: "alice", password: "wonderland" }))
    expect(right.status).toBe(303)
  })
})
