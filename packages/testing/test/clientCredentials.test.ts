/**
 * Client credentials on the test server as documented (issue 13 item 18): `ttl.clientCredentials` applies, only the
 * test API's scopes are granted (anything else is `invalid_scope`), and its JWT access tokens can be introspected and
 * revoked (as the CLI examples do).
 */
import { TestServer } from "@oauth2/testing"
import * as jose from "jose"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { post, token } from "./helpers.js"

let server: TestServer.StartedTestServer

beforeAll(async () => {
  server = await TestServer.start({ ttl: { accessToken: 30, clientCredentials: 20 } })
})
afterAll(() => server.stop())

const clientCredentials = (scope?: string, client: TestServer.Clients[keyof TestServer.Clients] = server.clients.clientSecretBasic) =>
  token(server, client, { grant_type: "client_credentials", ...(scope === undefined ? {} : { scope }) })

describe("client_credentials on the test server", () => {
  it("its tokens last ttl.clientCredentials", async () => {
    const cc = await clientCredentials("api:read")
    expect(cc.status, JSON.stringify(cc.body)).toBe(200)
    expect(cc.body.expires_in).toBe(20)
    const payload = jose.decodeJwt(cc.body.access_token)
    expect(payload.exp! - payload.iat!).toBe(20)
  })

  it("grants the test API's scopes only: any other requested scope is invalid_scope", async () => {
    expect((await clientCredentials("api:read api:write")).body.scope).toBe("api:read api:write")
    for (const scope of ["api:delete", "openid", "api:read nonsense", "profile"]) {
      const refused = await clientCredentials(scope)
      expect(refused.status, scope).toBe(400)
      expect(refused.body.error, scope).toBe("invalid_scope")
    }
  })

  it("its JWT access tokens can be introspected and revoked", async () => {
    const client = server.clients.clientSecretPost
    const cc = await clientCredentials("api:read", client)
    const introspect = (as: TestServer.Clients[keyof TestServer.Clients] = client) =>
      post(server, server.endpoints.introspection, as, { token: cc.body.access_token })
    const active = await introspect()
    expect(active.status, JSON.stringify(active.body)).toBe(200)
    expect(active.body).toMatchObject({
      active: true,
      client_id: client.clientId,
      scope: "api:read",
      aud: server.resource,
      iss: server.issuer,
      token_type: "Bearer"
    })
    expect(active.body.exp - active.body.iat).toBe(20)
    // another confidential client (a resource server) may introspect it too
    expect((await introspect(server.clients.clientSecretBasic)).body.active).toBe(true)
    // a garbage or foreign JWT is inactive, not an error
    const forged = await post(server, server.endpoints.introspection, client, {
      token: await new jose.SignJWT({ scope: "api:read" }).setProtectedHeader({ alg: "HS256", typ: "at+jwt" }).sign(new Uint8Array(32))
    })
    expect(forged.body).toEqual({ active: false })

    // only its own client revokes it; afterwards it is inactive
    const foreign = await post(server, server.endpoints.revocation, server.clients.clientSecretBasic, {
      token: cc.body.access_token,
      token_type_hint: "access_token"
    })
    expect(foreign.status).toBe(200)
    expect((await introspect()).body.active).toBe(true)
    const revoked = await post(server, server.endpoints.revocation, client, { token: cc.body.access_token, token_type_hint: "access_token" })
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200)
    expect((await introspect()).body).toEqual({ active: false })
  })
})
