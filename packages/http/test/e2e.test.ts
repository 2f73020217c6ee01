/**
 * Every endpoint and every client authentication method against a real Authorization Server (node-oidc-provider,
 * from @oauth2/testing).
 */
import { describe, expect, it } from "@effect/vitest"
import { AuthorizationRequest, AuthorizationResponse, BearerToken, TokenRequest } from "@oauth2/core"
import { ClientAuth, OAuthClient, Transport } from "@oauth2/http"
import { Fault, TestServer } from "@oauth2/testing"
import { Clock, DateTime, Effect, Layer, Redacted } from "effect"
import * as jose from "jose"

// opaque access tokens, so that they can be introspected
const ServerLive = TestServer.layer({ accessTokenFormat: "opaque" })
const TransportLive = Transport.layerFetch({ retry: false })

type Clients = TestServer.Clients

/** The server runs on real time: client assertions must carry real `iat`/`exp`, so these tests use the real clock. */
const live = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.withClock(self, Clock.make())

const authFor = (server: TestServer.TestServer, name: keyof Omit<Clients, "public" | "encryptedIdToken" | "spa" | "dpop">) =>
  ClientAuth.fromRegistration(server.clients[name])

/** The claims of a token answer's ID token, unverified (what the server put there). */
const idTokenClaims = (token: BearerToken.BearerToken) => (token.idToken === undefined ? undefined : jose.decodeJwt(Redacted.value(token.idToken)))

/** A discovered client for a registered client of the test server. */
const clientFor = (server: TestServer.TestServer, auth: ClientAuth.ClientAuth) => OAuthClient.fromDiscovery({ issuer: server.issuer, auth })

describe("OAuthClient against @oauth2/testing", () => {
  it.layer(Layer.merge(ServerLive, TransportLive), { timeout: 60_000 })((it) => {
    it.effect("discovers the server: issuer checked, every endpoint known, JWKS fetched", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const auth = yield* ClientAuth.none({ clientId: server.clients.public.clientId })
        const client = yield* clientFor(server, auth)
        expect(client.endpoints.issuer).toBe(server.issuer)
        expect(client.endpoints.tokenEndpoint).toBe(server.endpoints.token)
        expect(client.endpoints.pushedAuthorizationRequestEndpoint).toBe(server.endpoints.pushedAuthorizationRequest)
        const keys = yield* client.jwks()
        expect(keys.keys.length).toBeGreaterThan(0)
        // a metadata document for another issuer is refused
        const wrong = yield* Effect.flip(OAuthClient.discover({ issuer: `${server.issuer}/other`, metadataUrl: server.endpoints.discovery }))
        expect(wrong._tag).toBe("MismatchingIssuer")
      }).pipe(live)
    )

    for (const name of ["clientSecretBasic", "clientSecretPost", "clientSecretJwt", "privateKeyJwt"] as const) {
      it.effect(`client_credentials, introspection and revocation with ${name}`, () =>
        Effect.gen(function* () {
          const server = yield* TestServer.TestServer
          const client = yield* clientFor(server, yield* authFor(server, name))
          const token = yield* client.token(TokenRequest.clientCredentials({ scope: server.resourceScopes, resource: server.resource }))
          expect(token.scope).toBe(server.resourceScopes.join(" "))
          expect(BearerToken.isBearer(token)).toBe(true)
          // the test server's client_credentials lifetime (ttl.clientCredentials, 600 s by default)
          expect(token.expiresAt && DateTime.distance(token.issuedAt, token.expiresAt)).toBe(600_000)
          const before = yield* client.introspect({ token: token.accessToken, tokenTypeHint: "access_token" })
          expect(before.active).toBe(true)
          yield* client.revoke({ token: token.accessToken, tokenTypeHint: "access_token" })
          const after = yield* client.introspect({ token: token.accessToken })
          expect(after.active).toBe(false)
        }).pipe(live)
      )
    }

    it.effect("a wrong client secret is InvalidClient", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const auth = yield* ClientAuth.clientSecretBasic({
          clientId: server.clients.clientSecretBasic.clientId,
          clientSecret: Redacted.make("wrong")
        })
        const client = yield* clientFor(server, auth)
        const error = yield* Effect.flip(client.token(TokenRequest.clientCredentials()))
        expect(error).toMatchObject({ _tag: "InvalidClient", status: 401, endpoint: "token" })
      }).pipe(live)
    )

    it.effect("authorization code + PKCE for a public client (none), userinfo, refresh", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const publicClient = server.clients.public
        const client = yield* clientFor(server, yield* ClientAuth.none({ clientId: publicClient.clientId }))
        const request = yield* AuthorizationRequest.make({
          authorizationEndpoint: client.endpoints.authorizationEndpoint!,
          clientId: publicClient.clientId,
          redirectUri: publicClient.redirectUris[0]!,
          scope: "openid profile email offline_access",
          prompt: "consent",
          issuer: server.issuer,
          authorizationResponseIssParameterSupported: client.metadata?.authorizationResponseIssParameterSupported === true
        })
        const callback = yield* server.authorize(request.url)
        const response = yield* AuthorizationResponse.validate(request, callback)
        const token = yield* client.token(TokenRequest.authorizationCode(AuthorizationResponse.tokenRequestInputs(response)))
        expect(idTokenClaims(token)).toMatchObject({ iss: server.issuer, sub: "alice", aud: publicClient.clientId, nonce: request.nonce })
        expect(token.refreshToken && Redacted.value(token.refreshToken)).toMatch(/^[A-Za-z0-9_-]{20,}$/)
        expect(Redacted.value(token.refreshToken!)).not.toBe(Redacted.value(token.accessToken))
        const user = yield* client.userinfo(token, { subject: "alice" })
        expect(user.sub).toBe("alice")
        expect(user.email).toBe("alice@example.test")
        const refreshed = yield* client.token(yield* TokenRequest.refreshToken({ refreshToken: token }))
        expect(Redacted.value(refreshed.accessToken)).not.toBe(Redacted.value(token.accessToken))
        // the code is single-use
        const replay = yield* Effect.flip(client.token(TokenRequest.authorizationCode(AuthorizationResponse.tokenRequestInputs(response))))
        expect(replay._tag).toBe("InvalidGrant")
      }).pipe(live)
    )

    it.effect("pushed authorization request, then the request_uri login", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const c = server.clients.clientSecretBasic
        const client = yield* clientFor(server, yield* authFor(server, "clientSecretBasic"))
        const request = yield* AuthorizationRequest.make({
          authorizationEndpoint: client.endpoints.authorizationEndpoint!,
          clientId: c.clientId,
          redirectUri: c.redirectUris[0]!,
          issuer: server.issuer
        })
        const pushed = yield* client.pushedAuthorization(request)
        expect(pushed.requestUri).toMatch(/^urn:ietf:params:oauth:request_uri:/)
        const callback = yield* server.authorize(pushed.url)
        const response = yield* AuthorizationResponse.validate(pushed, callback)
        const token = yield* client.token(TokenRequest.authorizationCode(AuthorizationResponse.tokenRequestInputs(response)))
        expect(idTokenClaims(token)).toMatchObject({ iss: server.issuer, sub: "alice", aud: c.clientId, nonce: request.nonce })
      }).pipe(live)
    )

    it.effect("device authorization and CIBA start, with their typed answers", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const client = yield* clientFor(server, yield* authFor(server, "clientSecretPost"))
        const device = yield* client.deviceAuthorization({ scope: "openid" })
        expect(device.userCode.length).toBeGreaterThan(0)
        const pending = yield* Effect.flip(client.token(TokenRequest.deviceCode({ deviceCode: device.deviceCode })))
        expect(pending._tag).toBe("AuthorizationPending")
        yield* server.approveDevice(device.userCode)
        const token = yield* client.token(TokenRequest.deviceCode({ deviceCode: device.deviceCode }))
        expect(idTokenClaims(token)).toMatchObject({ iss: server.issuer, sub: "alice", aud: server.clients.clientSecretPost.clientId })
        const ciba = yield* client.backchannelAuthentication({ scope: "openid", loginHint: "alice" })
        const cibaPending = yield* Effect.flip(client.token(TokenRequest.ciba({ authReqId: ciba.authReqId })))
        expect(cibaPending._tag).toBe("AuthorizationPending")
        yield* server.denyCiba(Redacted.value(ciba.authReqId))
        const denied = yield* Effect.flip(client.token(TokenRequest.ciba({ authReqId: ciba.authReqId })))
        expect(denied._tag).toBe("AccessDenied")
      }).pipe(live)
    )

    it.effect("token exchange and JWT bearer grants", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const client = yield* clientFor(server, yield* authFor(server, "privateKeyJwt"))
        // the subject must be an end-user's token: get one with the device flow
        const device = yield* client.deviceAuthorization({ scope: "openid" })
        yield* server.approveDevice(device.userCode)
        const subject = yield* client.token(TokenRequest.deviceCode({ deviceCode: device.deviceCode }))
        const exchanged = yield* client.token(yield* TokenRequest.tokenExchange({ subjectToken: subject, audience: server.resource }))
        expect(Redacted.value(exchanged.accessToken).length).toBeGreaterThan(0)
        // RFC 7523: an assertion about alice, signed with the client's key
        const jwk = Redacted.value(server.clients.privateKeyJwt.privateJwk)
        const assertion = yield* Effect.promise(async () =>
          new jose.SignJWT({})
            .setProtectedHeader({ alg: jwk.alg!, kid: jwk.kid! })
            .setIssuer(server.clients.privateKeyJwt.clientId)
            .setSubject("alice")
            .setAudience(server.issuer)
            .setIssuedAt()
            .setExpirationTime("1m")
            .setJti(crypto.randomUUID())
            .sign(await jose.importJWK(jwk, jwk.alg))
        )
        const granted = yield* client.token(TokenRequest.jwtBearer({ assertion, scope: "openid" }))
        expect(Redacted.value(granted.accessToken).length).toBeGreaterThan(0)
        const bad = yield* Effect.flip(client.token(TokenRequest.jwtBearer({ assertion: "not.a.jwt" })))
        expect(bad._tag).toBe("InvalidGrant")
      }).pipe(live)
    )

    it.effect("faults: an HTML 502, a 503 with an OAuth error, a redirect", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const client = yield* clientFor(server, yield* authFor(server, "clientSecretBasic"))
        yield* server.failNext("token", Fault.html(502, "<h1>Bad gateway</h1>"))
        const html = yield* Effect.flip(client.token(TokenRequest.clientCredentials()))
        expect(html).toMatchObject({ _tag: "UnexpectedResponse", status: 502, contentType: "text/html" })
        yield* server.failNext("token", Fault.oauthError("temporarily_unavailable", { status: 503, description: "maintenance" }))
        const busy = yield* Effect.flip(client.token(TokenRequest.authorizationCode({ code: "x" })))
        expect(busy).toMatchObject({ _tag: "TemporarilyUnavailable", status: 503, description: "maintenance" })
        yield* server.failNext("introspection", { status: 302, headers: { location: "https://elsewhere.example/" }, body: "" } as Fault.Fault)
        const moved = yield* Effect.flip(client.introspect({ token: "t" }))
        expect(moved).toMatchObject({ _tag: "UnexpectedRedirect", status: 302 })
      }).pipe(live)
    )
  })
})
