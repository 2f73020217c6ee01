import { TestServer } from "@oauth2/testing"
import { Redacted } from "effect"
import * as jose from "jose"
import { randomBytes } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { codeFlow, jwks, token } from "./helpers.js"

let server: TestServer.StartedTestServer

beforeAll(async () => {
  server = await TestServer.start()
})
afterAll(() => server.stop())

const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
const ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token"
const ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token"

describe("token exchange (RFC 8693)", () => {
  it("exchanges a user's access token for a token for the test API", async () => {
    const user = await codeFlow(server, server.clients.public)
    const client = server.clients.clientSecretBasic
    const answer = await token(server, client, {
      grant_type: TOKEN_EXCHANGE,
      subject_token: user.body.access_token,
      subject_token_type: ACCESS_TOKEN,
      audience: server.resource,
      scope: "api:read"
    })
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    expect(answer.body).toMatchObject({ issued_token_type: ACCESS_TOKEN, token_type: "Bearer", scope: "api:read" })
    expect(answer.body.expires_in).toBeGreaterThan(0)
    const { payload } = await jose.jwtVerify(answer.body.access_token, jwks(server), {
      issuer: server.issuer,
      audience: server.resource,
      typ: "at+jwt"
    })
    expect(payload).toMatchObject({ sub: "alice", client_id: client.clientId, scope: "api:read" })
  })

  it("exchanges an ID token for a userinfo token, with an actor", async () => {
    const user = await codeFlow(server, server.clients.public, { login_hint: "bob" })
    const actor = await codeFlow(server, server.clients.public)
    const client = server.clients.clientSecretPost
    const answer = await token(server, client, {
      grant_type: TOKEN_EXCHANGE,
      subject_token: user.body.id_token,
      subject_token_type: ID_TOKEN,
      actor_token: actor.body.access_token,
      actor_token_type: ACCESS_TOKEN,
      scope: "openid email"
    })
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    const userinfo = await (
      await fetch(server.endpoints.userinfo, {
        headers: { authorization: `Bearer ${answer.body.access_token}` }
      })
    ).json()
    expect(userinfo).toMatchObject({ sub: "bob", email: "bob@example.test" })
  })

  it("exchanges a JWT access token issued for the test API", async () => {
    const client = server.clients.privateKeyJwt
    const first = await token(server, client, {
      grant_type: TOKEN_EXCHANGE,
      subject_token: (await codeFlow(server, server.clients.public)).body.access_token,
      subject_token_type: ACCESS_TOKEN,
      resource: server.resource
    })
    const second = await token(server, client, {
      grant_type: TOKEN_EXCHANGE,
      subject_token: first.body.access_token,
      subject_token_type: ACCESS_TOKEN,
      resource: server.resource,
      scope: "api:write"
    })
    expect(second.status, JSON.stringify(second.body)).toBe(200)
    expect(jose.decodeJwt(second.body.access_token)).toMatchObject({ sub: "alice", scope: "api:write" })
  })

  it("answers OAuth errors for bad requests", async () => {
    const client = server.clients.clientSecretBasic
    const user = await codeFlow(server, server.clients.public)
    const cases: Array<[Record<string, string>, string]> = [
      [{ subject_token_type: ACCESS_TOKEN }, "invalid_request"],
      [{ subject_token: user.body.access_token }, "invalid_request"],
      [{ subject_token: user.body.access_token, subject_token_type: "urn:x:unknown" }, "invalid_request"],
      [{ subject_token: "not-a-token", subject_token_type: ACCESS_TOKEN }, "invalid_grant"],
      [{ subject_token: user.body.access_token, subject_token_type: ID_TOKEN }, "invalid_grant"],
      [{ subject_token: user.body.access_token, subject_token_type: ACCESS_TOKEN, audience: "https://other.test" }, "invalid_target"],
      [{ subject_token: user.body.access_token, subject_token_type: ACCESS_TOKEN, scope: "api:read" }, "invalid_scope"],
      [
        {
          subject_token: user.body.access_token,
          subject_token_type: ACCESS_TOKEN,
          requested_token_type: "urn:ietf:params:oauth:token-type:refresh_token"
        },
        "invalid_request"
      ]
    ]
    for (const [form, error] of cases) {
      const answer = await token(server, client, { grant_type: TOKEN_EXCHANGE, ...form })
      expect(answer.status, JSON.stringify(form)).toBe(400)
      expect(answer.body.error, JSON.stringify(form)).toBe(error)
    }
  })
})

describe("JWT bearer (RFC 7523)", () => {
  const assertion = async (subject = "alice", audience: string = server.issuer) => {
    const jwk = Redacted.value(server.clients.privateKeyJwt.privateJwk)
    return new jose.SignJWT({})
      .setProtectedHeader({ alg: jwk.alg, kid: jwk.kid })
      .setIssuer(server.clients.privateKeyJwt.clientId)
      .setSubject(subject)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime("2m")
      .setJti(randomBytes(12).toString("base64url"))
      .sign(await jose.importJWK(jwk, jwk.alg))
  }

  it("issues an access token for the assertion's subject", async () => {
    const client = server.clients.clientSecretBasic
    const answer = await token(server, client, {
      grant_type: JWT_BEARER,
      assertion: await assertion("alice", server.endpoints.token),
      scope: "openid profile"
    })
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    expect(answer.body).toMatchObject({ token_type: "Bearer", scope: "openid profile" })
    const userinfo = await (
      await fetch(server.endpoints.userinfo, {
        headers: { authorization: `Bearer ${answer.body.access_token}` }
      })
    ).json()
    expect(userinfo).toMatchObject({ sub: "alice", name: "Alice Example" })
  })

  it("issues a test API token with a resource", async () => {
    const answer = await token(server, server.clients.privateKeyJwt, {
      grant_type: JWT_BEARER,
      assertion: await assertion(),
      resource: server.resource
    })
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    expect(jose.decodeJwt(answer.body.access_token)).toMatchObject({ aud: server.resource, scope: "api:read api:write" })
  })

  it("rejects replays, wrong audiences, unknown subjects, unknown issuers and bad signatures", async () => {
    const client = server.clients.clientSecretPost
    const once = await assertion()
    expect((await token(server, client, { grant_type: JWT_BEARER, assertion: once })).status).toBe(200)
    const replay = await token(server, client, { grant_type: JWT_BEARER, assertion: once })
    expect(replay.body).toMatchObject({ error: "invalid_grant", error_description: expect.stringMatching(/jti/) })

    const wrongAudience = await token(server, client, {
      grant_type: JWT_BEARER,
      assertion: await assertion("alice", "https://elsewhere.test")
    })
    expect(wrongAudience.body.error).toBe("invalid_grant")

    const unknownUser = await token(server, client, { grant_type: JWT_BEARER, assertion: await assertion("mallory") })
    expect(unknownUser.body.error).toBe("invalid_grant")

    const { privateKey } = await jose.generateKeyPair("ES256")
    const forged = await new jose.SignJWT({})
      .setProtectedHeader({ alg: "ES256", kid: server.clients.privateKeyJwt.publicJwk.kid })
      .setIssuer(server.clients.privateKeyJwt.clientId)
      .setSubject("alice")
      .setAudience(server.issuer)
      .setExpirationTime("2m")
      .sign(privateKey)
    expect((await token(server, client, { grant_type: JWT_BEARER, assertion: forged })).body.error).toBe("invalid_grant")

    const untrusted = await new jose.SignJWT({})
      .setProtectedHeader({ alg: "ES256" })
      .setIssuer("someone-else")
      .setSubject("alice")
      .setAudience(server.issuer)
      .setExpirationTime("2m")
      .sign(privateKey)
    expect((await token(server, client, { grant_type: JWT_BEARER, assertion: untrusted })).body.error).toBe("invalid_grant")

    const missing = await token(server, client, { grant_type: JWT_BEARER })
    expect(missing.body.error).toBe("invalid_request")
  })
})
