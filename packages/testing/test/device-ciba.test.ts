import { TestServer } from "@oauth2/testing"
import * as jose from "jose"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type AnyClient, post, token } from "./helpers.js"

let server: TestServer.StartedTestServer

beforeAll(async () => {
  server = await TestServer.start()
})
afterAll(() => server.stop())

const DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code"
const CIBA = "urn:openid:params:grant-type:ciba"

describe("device authorization grant", () => {
  const authorizeDevice = async (client: TestServer.Clients[keyof TestServer.Clients] = server.clients.public) => {
    const answer = await post(server, server.endpoints.deviceAuthorization, client, { scope: "openid profile offline_access" })
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    expect(answer.body.verification_uri).toBe(server.endpoints.deviceVerification)
    expect(answer.body.verification_uri_complete).toContain(encodeURIComponent(answer.body.user_code).replace(/%20/g, "+").slice(0, 4))
    return answer.body as { device_code: string; user_code: string; interval: number; expires_in: number }
  }

  it("is pending, then approved: the device gets tokens for the approving user", async () => {
    const client = server.clients.public
    const { device_code, user_code, interval } = await authorizeDevice(client)
    expect(interval).toBeUndefined() // oidc-provider omits it: RFC 8628 clients default to 5 s
    const pending = await token(server, client, { grant_type: DEVICE_CODE, device_code })
    expect(pending.status).toBe(400)
    expect(pending.body.error).toBe("authorization_pending")

    await server.approveDevice(user_code, { accountId: "bob" })
    const answer = await token(server, client, { grant_type: DEVICE_CODE, device_code })
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    expect(jose.decodeJwt(answer.body.id_token).sub).toBe("bob")
    expect(answer.body.refresh_token).toBeTypeOf("string")

    // the code is spent
    const again = await token(server, client, { grant_type: DEVICE_CODE, device_code })
    expect(again.body.error).toBe("invalid_grant")
  })

  it("denied: the device gets access_denied", async () => {
    const client = server.clients.clientSecretBasic
    const { device_code, user_code } = await authorizeDevice(client)
    await server.denyDevice(user_code)
    const answer = await token(server, client, { grant_type: DEVICE_CODE, device_code })
    expect(answer.status).toBe(400)
    expect(answer.body.error).toBe("access_denied")
  })

  it("accepts the user code without its dash and in lower case", async () => {
    const { device_code, user_code } = await authorizeDevice()
    await server.approveDevice(user_code.replace("-", "").toLowerCase())
    const answer = await token(server, server.clients.public, { grant_type: DEVICE_CODE, device_code })
    expect(answer.status).toBe(200)
  })

  it("rejects an unknown user code and a used one", async () => {
    await expect(server.approveDevice("BCDF-GHJK")).rejects.toThrow(/not accepted/)
    const { user_code } = await authorizeDevice()
    await server.approveDevice(user_code)
    await expect(server.denyDevice(user_code)).rejects.toThrow(/not accepted/)
  })
})

describe("CIBA (poll mode)", () => {
  const backchannel = async (client: AnyClient = server.clients.clientSecretPost, extra: Record<string, string> = {}) => {
    const answer = await post(server, server.endpoints.backchannelAuthentication, client, {
      scope: "openid email",
      login_hint: "alice",
      binding_message: "W4SCT",
      ...extra
    })
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    expect(answer.body.expires_in).toBe(600)
    return answer.body.auth_req_id as string
  }

  it("is pending, then approved", async () => {
    const client = server.clients.clientSecretPost
    const authReqId = await backchannel(client)
    const pending = await token(server, client, { grant_type: CIBA, auth_req_id: authReqId })
    expect(pending.body.error).toBe("authorization_pending")

    await server.approveCiba(authReqId)
    const answer = await token(server, client, { grant_type: CIBA, auth_req_id: authReqId })
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    const idToken = jose.decodeJwt(answer.body.id_token)
    expect(idToken).toMatchObject({ sub: "alice", aud: client.clientId })
    const userinfo = await (
      await fetch(server.endpoints.userinfo, {
        headers: { authorization: `Bearer ${answer.body.access_token}` }
      })
    ).json()
    expect(userinfo).toEqual({ sub: "alice", email: "alice@example.test", email_verified: true })
  })

  it("approves a request for the test API", async () => {
    const client = server.clients.privateKeyJwt
    const authReqId = await backchannel(client, { scope: "openid api:read", resource: server.resource })
    await server.approveCiba(authReqId)
    const answer = await token(server, client, { grant_type: CIBA, auth_req_id: authReqId, resource: server.resource })
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    expect(jose.decodeJwt(answer.body.access_token)).toMatchObject({ aud: server.resource, scope: "api:read", sub: "alice" })
  })

  it("denied: the client gets access_denied", async () => {
    const client = server.clients.clientSecretJwt
    const authReqId = await backchannel(client)
    await server.denyCiba(authReqId)
    const answer = await token(server, client, { grant_type: CIBA, auth_req_id: authReqId })
    expect(answer.status).toBe(400)
    expect(answer.body.error).toBe("access_denied")
    await expect(server.approveCiba(authReqId)).rejects.toThrow()
  })

  it("rejects an unknown login_hint and a bad binding_message", async () => {
    const unknown = await post(server, server.endpoints.backchannelAuthentication, server.clients.clientSecretBasic, {
      scope: "openid",
      login_hint: "mallory"
    })
    expect(unknown.body.error).toBe("unknown_user_id")
    const binding = await post(server, server.endpoints.backchannelAuthentication, server.clients.clientSecretBasic, {
      scope: "openid",
      login_hint: "alice",
      binding_message: "this one is far too long to display"
    })
    expect(binding.body.error).toBe("invalid_binding_message")
    await expect(server.approveCiba("nope")).rejects.toThrow(/unknown/)
  })
})
