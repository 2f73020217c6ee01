import { TestServer } from "@oauth2/testing"
import { Redacted } from "effect"
import * as jose from "jose"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { codeFlow, jwks, post, token } from "./helpers.js"

let server: TestServer.StartedTestServer

beforeAll(async () => {
  server = await TestServer.start()
})
afterAll(() => server.stop())

describe("discovery", () => {
  it("serves OpenID and RFC 8414 metadata for its issuer", async () => {
    const openid = await (await fetch(server.endpoints.discovery)).json()
    const oauth = await (await fetch(server.endpoints.authorizationServerMetadata)).json()
    expect(openid.issuer).toBe(server.issuer)
    expect(oauth.issuer).toBe(server.issuer)
    expect(server.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(openid.token_endpoint).toBe(server.endpoints.token)
    expect(openid.authorization_response_iss_parameter_supported).toBe(true)
    expect(openid.grant_types_supported).toEqual(
      expect.arrayContaining([
        "authorization_code",
        "refresh_token",
        "client_credentials",
        "urn:ietf:params:oauth:grant-type:device_code",
        "urn:openid:params:grant-type:ciba",
        "urn:ietf:params:oauth:grant-type:token-exchange",
        "urn:ietf:params:oauth:grant-type:jwt-bearer"
      ])
    )
    for (const key of [
      "pushed_authorization_request_endpoint",
      "device_authorization_endpoint",
      "backchannel_authentication_endpoint",
      "introspection_endpoint",
      "revocation_endpoint",
      "userinfo_endpoint",
      "jwks_uri"
    ])
      expect(openid[key]).toMatch(/^http:\/\/127\.0\.0\.1/)
    expect(openid.request_parameter_supported).toBe(true)
    const keys = (await (await fetch(server.endpoints.jwks)).json()).keys
    expect(keys.map((k: jose.JWK) => k.alg)).toEqual(["RS256", "ES256", "ECDH-ES"])
    expect(keys.every((k: jose.JWK) => k.d === undefined)).toBe(true)
  })

  it("supports an issuer path, with RFC 8414 path insertion", async () => {
    const other = await TestServer.start({ issuerPath: "/tenant/a" })
    try {
      expect(other.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/tenant\/a$/)
      expect(other.endpoints.authorizationServerMetadata).toBe(`${new URL(other.issuer).origin}/.well-known/oauth-authorization-server/tenant/a`)
      const openid = await (await fetch(other.endpoints.discovery)).json()
      const oauth = await (await fetch(other.endpoints.authorizationServerMetadata)).json()
      expect(openid.issuer).toBe(other.issuer)
      expect(oauth.issuer).toBe(other.issuer)
      expect(openid.token_endpoint).toBe(`${other.issuer}/token`)
      const outside = await fetch(`${new URL(other.issuer).origin}/token`, { method: "POST" })
      expect(outside.status).toBe(404)
      // the whole code flow works under the path
      const answer = await codeFlow(other, other.clients.public)
      expect(answer.status).toBe(200)
      expect(answer.callback.searchParams.get("iss")).toBe(other.issuer)
    } finally {
      await other.stop()
    }
  })
})

describe("client authentication", () => {
  const confidential = ["clientSecretBasic", "clientSecretPost", "clientSecretJwt", "privateKeyJwt", "encryptedIdToken"] as const

  it.each(confidential)("%s gets a client_credentials token for the test API", async (name) => {
    const client = server.clients[name]
    const answer = await token(server, client, { grant_type: "client_credentials", scope: "api:read" })
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    expect(answer.body.token_type).toBe("Bearer")
    expect(answer.body.scope).toBe("api:read")
    const { payload, protectedHeader } = await jose.jwtVerify(answer.body.access_token, jwks(server), {
      issuer: server.issuer,
      audience: server.resource,
      typ: "at+jwt"
    })
    expect(payload.client_id).toBe(client.clientId)
    expect(protectedHeader.alg).toBe("RS256")
  })

  it("answers invalid_client for a wrong secret", async () => {
    const wrong = { ...server.clients.clientSecretBasic, clientSecret: Redacted.make("nope") }
    const answer = await token(server, wrong, { grant_type: "client_credentials" })
    expect(answer.status).toBe(401)
    expect(answer.body.error).toBe("invalid_client")
  })

  it("gives opaque API tokens with accessTokenFormat opaque, and short lifetimes", async () => {
    // client_credentials tokens last ttl.clientCredentials, not ttl.accessToken
    const other = await TestServer.start({ accessTokenFormat: "opaque", ttl: { accessToken: 5, clientCredentials: 7 } })
    try {
      const answer = await token(other, other.clients.clientSecretPost, {
        grant_type: "client_credentials",
        resource: other.resource,
        scope: "api:read api:write"
      })
      expect(answer.status).toBe(200)
      expect(answer.body.access_token.split(".")).toHaveLength(1)
      expect(answer.body.expires_in).toBe(7)
      const introspection = await post(other, other.endpoints.introspection, other.clients.clientSecretPost, {
        token: answer.body.access_token
      })
      expect(introspection.body).toMatchObject({ active: true, aud: other.resource, scope: "api:read api:write" })
    } finally {
      await other.stop()
    }
  })

  it("the public client gets tokens with the authorization code flow and PKCE", async () => {
    const answer = await codeFlow(server, server.clients.public)
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    expect(answer.body.refresh_token).toBeTypeOf("string")
    const { payload } = await jose.jwtVerify(answer.body.id_token, jwks(server), {
      issuer: server.issuer,
      audience: "public"
    })
    expect(payload.sub).toBe("alice")
    expect(payload.nonce).toBe(answer.request.nonce)
  })

  it("the public client must use PKCE", async () => {
    const url = new URL(server.endpoints.authorization)
    url.search = new URLSearchParams({
      client_id: "public",
      response_type: "code",
      redirect_uri: "http://127.0.0.1/callback",
      scope: "openid",
      state: "s"
    }).toString()
    const callback = new URL(await server.authorize(url))
    expect(callback.searchParams.get("error")).toBe("invalid_request")
  })

  it("encrypts ID tokens for the encrypted-id-token client", async () => {
    const client = server.clients.encryptedIdToken
    const answer = await codeFlow(server, client)
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    const jwe: string = answer.body.id_token
    expect(jwe.split(".")).toHaveLength(5)
    const header = jose.decodeProtectedHeader(jwe)
    expect(header).toMatchObject({ alg: "RSA-OAEP-256", enc: "A256GCM", kid: client.idTokenEncryption.publicJwk.kid })
    const decryptionJwk = Redacted.value(client.idTokenEncryption.decryptionJwk)
    const key = await jose.importJWK(decryptionJwk, decryptionJwk.alg)
    const { plaintext } = await jose.compactDecrypt(jwe, key)
    const { payload } = await jose.jwtVerify(new TextDecoder().decode(plaintext), jwks(server), {
      issuer: server.issuer,
      audience: client.clientId
    })
    expect(payload.sub).toBe("alice")
  })
})

describe("features", () => {
  it("can be switched off", async () => {
    const off = await TestServer.start({
      features: {
        ciba: false,
        deviceFlow: false,
        tokenExchange: false,
        jwtBearer: false,
        encryption: false,
        resourceIndicators: false,
        clientCredentials: false,
        refreshToken: false,
        introspection: false,
        revocation: false,
        pushedAuthorizationRequests: false,
        requestObjects: false
      }
    })
    try {
      const metadata = await (await fetch(off.endpoints.discovery)).json()
      expect(metadata.grant_types_supported).not.toContain("client_credentials")
      expect(metadata.grant_types_supported).not.toContain("urn:ietf:params:oauth:grant-type:token-exchange")
      expect(metadata.device_authorization_endpoint).toBeUndefined()
      expect(metadata.backchannel_authentication_endpoint).toBeUndefined()
      expect(metadata.pushed_authorization_request_endpoint).toBeUndefined()
      expect(off.clients.clientSecretBasic.grantTypes).toEqual(["authorization_code"])
      const answer = await codeFlow(off, off.clients.encryptedIdToken)
      expect(answer.status, JSON.stringify(answer.body)).toBe(200)
      expect(answer.body.id_token.split(".")).toHaveLength(3)
      expect(answer.body.refresh_token).toBeUndefined()
      const cc = await token(off, off.clients.clientSecretBasic, { grant_type: "client_credentials" })
      expect(cc.body.error).toBe("unsupported_grant_type")
      expect((await fetch(off.endpoints.deviceAuthorization, { method: "POST" })).status).toBe(404)
    } finally {
      await off.stop()
    }
  })

  it("requires PKCE from every client with requirePkce, and PAR with requirePushedAuthorizationRequests", async () => {
    const strict = await TestServer.start({ requirePkce: true, features: { requirePushedAuthorizationRequests: true } })
    try {
      const url = new URL(strict.endpoints.authorization)
      url.search = new URLSearchParams({
        client_id: strict.clients.clientSecretBasic.clientId,
        response_type: "code",
        redirect_uri: "http://127.0.0.1/callback",
        scope: "openid"
      }).toString()
      const rejected = new URL(await strict.authorize(url))
      expect(rejected.searchParams.get("error")).toBe("invalid_request")
      expect(rejected.searchParams.get("error_description")).toMatch(/pushed authorization request/i)
      const pushed = await post(strict, strict.endpoints.pushedAuthorizationRequest, strict.clients.clientSecretBasic, {
        client_id: strict.clients.clientSecretBasic.clientId, // required in the body even with client_secret_basic
        response_type: "code",
        redirect_uri: "http://127.0.0.1/callback",
        scope: "openid"
      })
      expect(pushed.body.error).toBe("invalid_request")
      expect(pushed.body.error_description).toMatch(/PKCE/)
    } finally {
      await strict.stop()
    }
  })
})
