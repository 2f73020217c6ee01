import { Fault, TestServer } from "@oauth2/testing"
import * as jose from "jose"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { codeFlow, post, token } from "./helpers.js"

let server: TestServer.StartedTestServer

beforeAll(async () => {
  server = await TestServer.start({ ttl: { accessToken: 30, clientCredentials: 20, refreshToken: 120, idToken: 40 } })
})
afterAll(() => server.stop())

const DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code"

const kids = async () =>
  ((await (await fetch(server.endpoints.jwks)).json()).keys as Array<jose.JWK>).filter((k) => k.use === "sig").map((k) => k.kid)

describe("misbehaviour knobs", () => {
  it("short token lifetimes", async () => {
    const cc = await token(server, server.clients.clientSecretBasic, { grant_type: "client_credentials" })
    const ccPayload = jose.decodeJwt(cc.body.access_token)
    expect(cc.body.expires_in).toBe(20) // client_credentials tokens follow ttl.clientCredentials
    expect(ccPayload.exp! - ccPayload.iat!).toBe(20)
    const user = await codeFlow(server, server.clients.clientSecretBasic)
    expect(user.body.expires_in).toBe(30)
    const idToken = jose.decodeJwt(user.body.id_token)
    expect(idToken.exp! - idToken.iat!).toBe(40)
    const refresh = await post(server, server.endpoints.introspection, server.clients.clientSecretBasic, {
      token: user.body.refresh_token
    })
    expect(refresh.body.exp - refresh.body.iat).toBe(120)
  })

  it("the next N device polls answer slow_down", async () => {
    const client = server.clients.public
    const { body } = await post(server, server.endpoints.deviceAuthorization, client, { scope: "openid" })
    await server.slowDown(2)
    for (const expected of ["slow_down", "slow_down", "authorization_pending"]) {
      const poll = await token(server, client, { grant_type: DEVICE_CODE, device_code: body.device_code })
      expect(poll.status).toBe(400)
      expect(poll.body.error).toBe(expected)
    }
    // other grants are not affected while slow_down is armed
    await server.slowDown(1)
    expect((await token(server, server.clients.clientSecretPost, { grant_type: "client_credentials" })).status).toBe(200)
    await server.approveDevice(body.user_code)
    expect((await token(server, client, { grant_type: DEVICE_CODE, device_code: body.device_code })).body.error).toBe("slow_down")
    expect((await token(server, client, { grant_type: DEVICE_CODE, device_code: body.device_code })).status).toBe(200)
  })

  it("the next request to an endpoint answers a given fault", async () => {
    const client = server.clients.clientSecretBasic
    server.failNext("token", Fault.status(503), { times: 2 })
    server.failNext("token", Fault.oauthError("temporarily_unavailable", { description: "maintenance" }))
    server.failNext("token", Fault.html())

    const first = await fetch(server.endpoints.token, { method: "POST", body: new URLSearchParams({ grant_type: "x" }) })
    expect(first.status).toBe(503)
    expect(await first.text()).toBe("")
    expect((await token(server, client, { grant_type: "client_credentials" })).status).toBe(503)

    const oauth = await token(server, client, { grant_type: "client_credentials" })
    expect(oauth.status).toBe(400)
    expect(oauth.body).toEqual({ error: "temporarily_unavailable", error_description: "maintenance" })

    const html = await fetch(server.endpoints.token, { method: "POST" })
    expect(html.status).toBe(502)
    expect(html.headers.get("content-type")).toMatch(/text\/html/)
    expect(await html.text()).toMatch(/Bad Gateway/)

    expect((await token(server, client, { grant_type: "client_credentials" })).status).toBe(200)

    server.failNext("discovery", Fault.json(500, { oops: true }))
    server.failNext("jwks", Fault.status(404))
    expect((await fetch(server.endpoints.discovery)).status).toBe(500)
    expect((await fetch(server.endpoints.discovery)).status).toBe(200)
    server.clearFaults()
    expect((await fetch(server.endpoints.jwks)).status).toBe(200)
  })

  it("counts the requests per endpoint, faults included", async () => {
    const before = { token: server.requests("token"), introspection: server.requests("introspection") }
    await token(server, server.clients.clientSecretBasic, { grant_type: "client_credentials" })
    server.failNext("token", Fault.status(500))
    expect((await token(server, server.clients.clientSecretBasic, { grant_type: "client_credentials" })).status).toBe(500)
    await fetch(server.endpoints.token, { method: "OPTIONS", headers: { origin: "http://127.0.0.1", "access-control-request-method": "POST" } })
    expect(server.requests("token")).toBe(before.token + 2)
    expect(server.requests("introspection")).toBe(before.introspection)
  })

  it("a fault on the authorization endpoint makes the scripted login fail", async () => {
    server.failNext("authorization", Fault.html(500, "<html><body>down</body></html>"))
    await expect(codeFlow(server, server.clients.public)).rejects.toThrow(/HTTP 500/)
  })

  it("rotates the signing key: new kid in the JWKS, new tokens signed with it, old ones still verify", async () => {
    const before = await kids()
    const old = await codeFlow(server, server.clients.clientSecretBasic)
    const oldKid = jose.decodeProtectedHeader(old.body.id_token).kid

    const rotated = await server.rotateSigningKey()
    expect(rotated.alg).toBe("RS256")
    expect(rotated.removedKids).toEqual([])
    const after = await kids()
    expect(after).toEqual([rotated.kid, ...before])

    // sessions, grants and tokens survive the rotation
    const refreshed = await token(server, server.clients.clientSecretBasic, {
      grant_type: "refresh_token",
      refresh_token: old.body.refresh_token
    })
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200)
    expect(jose.decodeProtectedHeader(refreshed.body.id_token).kid).toBe(rotated.kid)
    const jwks = jose.createLocalJWKSet(await (await fetch(server.endpoints.jwks)).json())
    await jose.jwtVerify(old.body.id_token, jwks)

    // without keepPrevious the old key leaves the JWKS
    const replaced = await server.rotateSigningKey({ keepPrevious: false })
    expect(replaced.removedKids).toEqual([rotated.kid, oldKid])
    const final = await kids()
    expect(final).not.toContain(oldKid)
    expect(final).not.toContain(rotated.kid)
    expect(final[0]).toBe(replaced.kid)
    const cc = await token(server, server.clients.clientSecretPost, { grant_type: "client_credentials" })
    expect(jose.decodeProtectedHeader(cc.body.access_token).kid).toBe(replaced.kid)
    await expect(jose.jwtVerify(old.body.id_token, jose.createLocalJWKSet(await (await fetch(server.endpoints.jwks)).json()))).rejects.toThrow()

    // an ES256 key can be rotated too
    const ec = await server.rotateSigningKey({ alg: "ES256" })
    expect(ec.alg).toBe("ES256")
    expect(await kids()).toContain(ec.kid)
  })
})
