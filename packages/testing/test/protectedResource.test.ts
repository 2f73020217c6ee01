import { TestServer } from "@oauth2/testing"
import { Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { token } from "./helpers.js"

let server: TestServer.StartedTestServer
let plain: TestServer.StartedTestServer

beforeAll(async () => {
  ;[server, plain] = await Promise.all([
    TestServer.start({
      features: { registration: true, registrationManagement: true },
      initialAccessToken: "iat",
      protectedResource: { path: "/api/mcp" }
    }),
    TestServer.start()
  ])
})
afterAll(() => Promise.all([server.stop(), plain.stop()]))

const register = (body: unknown, initialAccessToken?: string) =>
  fetch(server.endpoints.registration, {
    method: "POST",
    headers: { "content-type": "application/json", ...(initialAccessToken === undefined ? {} : { authorization: `Bearer ${initialAccessToken}` }) },
    body: JSON.stringify(body)
  })

describe("opt-in registration and protected resource", () => {
  it("are off by default", async () => {
    const metadata = await (await fetch(plain.endpoints.discovery)).json()
    expect(metadata.registration_endpoint).toBeUndefined()
    expect(plain.protectedResource).toBeUndefined()
    expect((await fetch(`${new URL(plain.issuer).origin}/.well-known/oauth-protected-resource/mcp`)).status).toBe(404)
  })

  it("registration requires the initial access token; management works with the registration access token", async () => {
    const metadata = await (await fetch(server.endpoints.discovery)).json()
    expect(metadata.registration_endpoint).toBe(server.endpoints.registration)
    const body = { grant_types: ["client_credentials"], response_types: [], redirect_uris: [], token_endpoint_auth_method: "client_secret_basic" }
    expect((await register(body)).status).toBe(401)
    const created = await register(body, "iat")
    expect(created.status).toBe(201)
    const client = await created.json()
    expect(client.registration_access_token).toBeTypeOf("string")
    const read = await fetch(client.registration_client_uri, { headers: { authorization: `Bearer ${client.registration_access_token}` } })
    expect(read.status).toBe(200)
    const answer = await token(
      server,
      { clientId: client.client_id, tokenEndpointAuthMethod: "client_secret_basic", clientSecret: Redacted.make(client.client_secret) } as never,
      {
        grant_type: "client_credentials",
        resource: server.resource
      }
    )
    expect(answer.status).toBe(200)
  })

  it("the protected resource: 401 with resource_metadata, RFC 9728 metadata, and the tokens of its audience only", async () => {
    const pr = server.protectedResource!
    expect(pr.resource).toBe(`${new URL(server.issuer).origin}/api/mcp`)
    const unauthenticated = await fetch(pr.resource)
    expect(unauthenticated.status).toBe(401)
    expect(unauthenticated.headers.get("www-authenticate")).toBe(`Bearer resource_metadata="${pr.metadataUrl}"`)
    expect(pr.metadataUrl).toBe(`${new URL(server.issuer).origin}/.well-known/oauth-protected-resource/api/mcp`)
    expect(await (await fetch(pr.metadataUrl)).json()).toMatchObject({ resource: pr.resource, authorization_servers: [server.issuer] })
    // a token for the test API is not a token for this resource
    const other = await token(server, server.clients.clientSecretBasic, { grant_type: "client_credentials", resource: server.resource })
    const refused = await fetch(pr.resource, { headers: { authorization: `Bearer ${other.body.access_token}` } })
    expect(refused.status).toBe(401)
    expect(refused.headers.get("www-authenticate")).toContain('error="invalid_token"')
    const mine = await token(server, server.clients.clientSecretBasic, { grant_type: "client_credentials", resource: pr.resource, scope: "api:read" })
    const accepted = await fetch(pr.resource, { headers: { authorization: `Bearer ${mine.body.access_token}` } })
    expect(accepted.status).toBe(200)
    expect(await accepted.json()).toMatchObject({ resource: pr.resource, client_id: server.clients.clientSecretBasic.clientId, scope: "api:read" })
  })
})
