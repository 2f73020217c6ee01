/**
 * Every flow against a real Authorization Server (node-oidc-provider, from @oauth2/testing), on the real clock (the
 * server checks client assertions against real time). Polling uses a fast schedule: the server has no interval.
 */
import { FetchHttpClient, HttpClient } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import { BearerToken, Jwt, TokenRequest } from "@oauth2/core"
import { BearerClient, Grants, Polling, TokenSource } from "@oauth2/flows"
import { ClientAuth, OAuthClient, Transport } from "@oauth2/http"
import { TestServer } from "@oauth2/testing"
import { Duration, Effect, Fiber, Layer, Redacted, Schedule } from "effect"
import * as jose from "jose"

const TransportLive = Transport.layerFetch({ retry: false })
const ServerLive = TestServer.layer()
const ShortLivedServerLive = TestServer.layer({ ttl: { accessToken: 3, clientCredentials: 3 } })

type Confidential = "clientSecretBasic" | "clientSecretPost" | "clientSecretJwt" | "privateKeyJwt"

const authFor = (server: TestServer.TestServer, name: Confidential | "public") => ClientAuth.fromRegistration(server.clients[name])

/** Runs `program` with a discovered client for a registered client of the test server in context. */
const asClient =
  (name: Confidential | "public") =>
  <A, E, R>(program: Effect.Effect<A, E, R>) =>
    Effect.gen(function* () {
      const server = yield* TestServer.TestServer
      const client = yield* OAuthClient.fromDiscovery({ issuer: server.issuer, auth: yield* authFor(server, name) })
      return yield* Effect.provideService(program, OAuthClient.OAuthClient, client)
    })

/** Polls every 50 ms (+50 ms per slow_down): the test server sends no interval, and does not enforce one. */
const fast = Polling.schedule({ interval: "50 millis", slowDownIncrement: "50 millis" })

const claimsOf = (token: BearerToken.BearerToken) => jose.decodeJwt(Redacted.value(token.accessToken))
const value = (token: BearerToken.BearerToken) => Redacted.value(token.accessToken)

/** A user token obtained with the device flow, approved by `alice`. */
const deviceToken = (scope = "openid profile offline_access") =>
  Effect.gen(function* () {
    const server = yield* TestServer.TestServer
    const flow = yield* Grants.deviceFlow({ scope, poll: { schedule: fast } })
    const poller = yield* Effect.fork(flow.token)
    yield* server.approveDevice(flow.authorization.userCode)
    return yield* Fiber.join(poller)
  })

describe("flows against @oauth2/testing", () => {
  layer(Layer.merge(ServerLive, TransportLive), { excludeTestServices: true, timeout: "60 seconds" })((it) => {
    for (const name of ["clientSecretBasic", "clientSecretPost", "clientSecretJwt", "privateKeyJwt"] as const) {
      it.effect(`client_credentials with ${name}, scope and resource passed through`, () =>
        Effect.gen(function* () {
          const server = yield* TestServer.TestServer
          const token = yield* Grants.clientCredentials({ scope: "api:read", resource: server.resource }).pipe(asClient(name))
          expect(BearerToken.isBearer(token)).toBe(true)
          expect(claimsOf(token)).toMatchObject({ aud: server.resource, scope: "api:read", client_id: server.clients[name].clientId })
        })
      )
    }

    it.effect("authorization code + PKCE + nonce: the callback is validated and the ID token checked", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const app = server.clients.public
        const flow = yield* Grants.authorizationCodeFlow({ redirectUri: app.redirectUris[0]!, scope: "openid email", maxAge: 600 })
        expect(new URL(flow.request.url).searchParams.get("code_challenge_method")).toBe("S256")
        const callback = yield* server.authorize(flow.request.url)
        const { token, idToken } = yield* flow.callback(callback)
        expect(idToken?.sub).toBe("alice")
        expect(idToken?.nonce).toBe(flow.request.nonce)
        expect(BearerToken.isBearer(token)).toBe(true)
        // a callback replayed against the same request: the code is single-use
        const replay = yield* Effect.flip(flow.callback(callback))
        expect(replay._tag).toBe("InvalidGrant")
      }).pipe(asClient("public"))
    )

    it.effect("authorization code over PAR with a signed request object (JAR)", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const app = server.clients.privateKeyJwt
        const signingKey = yield* Jwt.signingKey(Redacted.value(app.privateJwk))
        const flow = yield* Grants.authorizationCodeFlow({
          redirectUri: app.redirectUris[0]!,
          scope: "openid",
          pushed: true,
          requestObject: { signingKey }
        })
        expect([...new URL(flow.request.url).searchParams.keys()].sort()).toEqual(["client_id", "request_uri"])
        const { idToken } = yield* flow.callback(yield* server.authorize(flow.request.url))
        expect(idToken?.sub).toBe("alice")
      }).pipe(asClient("privateKeyJwt"))
    )

    it.effect("authorization code: a denied consent is AccessDenied, a forged state MismatchingState", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const app = server.clients.public
        const flow = yield* Grants.authorizationCodeFlow({ redirectUri: app.redirectUris[0]!, prompt: "consent" })
        const denied = yield* Effect.flip(flow.callback(yield* server.authorize(flow.request.url, { consent: "deny" })))
        expect(denied._tag).toBe("AccessDenied")
        const other = yield* Grants.authorizationCodeFlow({ redirectUri: app.redirectUris[0]!, prompt: "consent" })
        const forged = yield* Effect.flip(flow.callback(yield* server.authorize(other.request.url)))
        expect(forged._tag).toBe("MismatchingState")
      }).pipe(asClient("public"))
    )

    it.effect("device flow: the user approves while the device polls; then refresh, with rotation", () =>
      Effect.gen(function* () {
        const token = yield* deviceToken()
        expect(token.refreshToken).toBeDefined()
        expect(token.idToken).toBeDefined()
        const refreshed = yield* Grants.refreshToken({ refreshToken: token })
        expect(value(refreshed)).not.toBe(value(token))
        expect(Redacted.value(refreshed.refreshToken!)).not.toBe(Redacted.value(token.refreshToken!))
        // the old refresh token was rotated away: reusing it is refused
        const reused = yield* Effect.flip(Grants.refreshToken({ refreshToken: token }))
        expect(reused._tag).toBe("InvalidGrant")
      }).pipe(asClient("public"))
    )

    it.effect("device flow: the user says no", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const flow = yield* Grants.deviceFlow({ scope: "openid", poll: { schedule: fast } })
        const poller = yield* Effect.fork(Effect.flip(flow.token))
        yield* server.denyDevice(flow.authorization.userCode)
        expect((yield* Fiber.join(poller))._tag).toBe("AccessDenied")
      }).pipe(asClient("clientSecretBasic"))
    )

    it.effect("device flow: slow_down adds to the interval, then the flow completes", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const intervals: Array<number> = []
        const recorded = fast.pipe(Schedule.tapOutput((d) => Effect.sync(() => intervals.push(Duration.toMillis(d)))))
        const flow = yield* Grants.deviceFlow({ scope: "openid", poll: { schedule: recorded } })
        yield* server.slowDown(2)
        const poller = yield* Effect.fork(flow.token)
        yield* server.approveDevice(flow.authorization.userCode)
        const token = yield* Fiber.join(poller)
        expect(token.idToken).toBeDefined()
        expect(intervals.slice(0, 3)).toEqual([50, 100, 150])
      }).pipe(asClient("public"))
    )

    it.effect("CIBA: the user approves on their device", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const flow = yield* Grants.cibaFlow({ scope: "openid email", loginHint: "alice", bindingMessage: "W4SCT", poll: { schedule: fast } })
        const poller = yield* Effect.fork(flow.token)
        yield* server.approveCiba(Redacted.value(flow.authentication.authReqId))
        const token = yield* Fiber.join(poller)
        expect(jose.decodeJwt(Redacted.value(token.idToken!))).toMatchObject({ sub: "alice" })
      }).pipe(asClient("clientSecretPost"))
    )

    it.effect("CIBA: the user says no", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const flow = yield* Grants.cibaFlow({ scope: "openid", loginHint: "bob", poll: { schedule: fast } })
        const poller = yield* Effect.fork(Effect.flip(flow.token))
        yield* server.denyCiba(Redacted.value(flow.authentication.authReqId))
        expect((yield* Fiber.join(poller))._tag).toBe("AccessDenied")
      }).pipe(asClient("clientSecretJwt"))
    )

    it.effect("CIBA ping hook: a notification cuts the wait short", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        // a schedule that would wait an hour: only the notification makes the second poll happen
        const flow = yield* Grants.cibaFlow({
          scope: "openid",
          loginHint: "alice",
          poll: { schedule: Schedule.spaced("1 hour") }
        })
        const poller = yield* Effect.fork(flow.token)
        yield* server.approveCiba(Redacted.value(flow.authentication.authReqId))
        expect(yield* flow.notify(flow.authentication.authReqId)).toBe(true)
        const token = yield* Fiber.join(poller).pipe(Effect.timeout("10 seconds"))
        expect(token.idToken).toBeDefined()
      }).pipe(asClient("clientSecretBasic"))
    )

    it.effect("token exchange: a user's token for the test API", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const subject = yield* deviceToken("openid")
        const exchanged = yield* Grants.tokenExchange({ subjectToken: subject, audience: server.resource, scope: "api:read" })
        expect(exchanged.issuedTokenType).toBe("urn:ietf:params:oauth:token-type:access_token")
        expect(claimsOf(exchanged)).toMatchObject({ aud: server.resource, sub: "alice" })
      }).pipe(asClient("privateKeyJwt"))
    )

    it.effect("JWT bearer: an assertion signed with the client's key; a replayed one is refused", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const client = server.clients.privateKeyJwt
        const jwk = Redacted.value(client.privateJwk)
        const assertion = yield* Effect.promise(async () =>
          new jose.SignJWT({})
            .setProtectedHeader({ alg: jwk.alg, kid: jwk.kid })
            .setIssuer(client.clientId)
            .setSubject("bob")
            .setAudience(server.issuer)
            .setIssuedAt()
            .setExpirationTime("1m")
            .setJti(crypto.randomUUID())
            .sign(await jose.importJWK(jwk, jwk.alg))
        )
        const token = yield* Grants.jwtBearer({ assertion, scope: "api:read", resource: server.resource })
        expect(claimsOf(token)).toMatchObject({ sub: "bob", aud: server.resource })
        const replay = yield* Effect.flip(Grants.jwtBearer({ assertion, scope: "api:read", resource: server.resource }))
        expect(replay._tag).toBe("InvalidGrant")
      }).pipe(asClient("privateKeyJwt"))
    )

    it.effect("a custom grant the server does not know is UnsupportedGrantType", () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(Grants.custom("urn:example:grant", { ticket: "t" }))
        expect(error._tag).toBe("UnsupportedGrantType")
      }).pipe(asClient("clientSecretBasic"))
    )

    it.effect("BearerClient on userinfo: a refused token (invalid_token) is renewed by refresh, and the call retried", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const real = yield* deviceToken()
        // an access token the server does not know (as after a revocation or a key rotation), with a good refresh token
        const refused = BearerToken.make({ ...real, accessToken: "not-a-token-of-this-server" })
        const source = yield* TokenSource.make({ token: refused })
        const userinfo = BearerClient.authenticate(yield* HttpClient.HttpClient, source).pipe(HttpClient.filterStatusOk)
        const claims = yield* Effect.flatMap(userinfo.get(server.endpoints.userinfo), (r) => r.json)
        expect(claims).toMatchObject({ sub: "alice" })
        const renewed = yield* source.get
        expect(value(renewed)).not.toBe("not-a-token-of-this-server")
        // a source that cannot renew: the refused token is invalidated, and the call fails with why
        const stuck = BearerClient.authenticate(yield* HttpClient.HttpClient, yield* TokenSource.make({ token: refused, refresh: false }))
        expect(yield* Effect.flip(stuck.get(server.endpoints.userinfo))).toMatchObject({ _tag: "TokenUnavailable", reason: "NoGrant" })
      }).pipe(Effect.scoped, asClient("public"), Effect.provide(FetchHttpClient.layer))
    )
  })

  layer(Layer.merge(ShortLivedServerLive, TransportLive), { excludeTestServices: true, timeout: "60 seconds" })((it) => {
    it.effect("token source with 3 s tokens: cached, then renewed by the grant once within the leeway", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const source = yield* TokenSource.make({
          grant: TokenRequest.clientCredentials({ scope: "api:read", resource: server.resource }),
          leeway: "1 second"
        })
        const first = yield* source.get
        expect(value(yield* source.get)).toBe(value(first))
        yield* Effect.sleep("2100 millis")
        const second = yield* source.get
        expect(value(second)).not.toBe(value(first))
        expect(claimsOf(second)).toMatchObject({ aud: server.resource })
      }).pipe(Effect.scoped, asClient("clientSecretBasic"))
    )

    it.effect("token source from a user's token: renewed twice by refresh, with the rotated refresh token", () =>
      Effect.gen(function* () {
        const source = yield* TokenSource.make({ token: yield* deviceToken(), leeway: "1 second" })
        const tokens = [yield* source.get]
        for (let i = 0; i < 2; i++) {
          yield* Effect.sleep("2100 millis")
          tokens.push(yield* source.get)
        }
        expect(new Set(tokens.map(value)).size).toBe(3)
        expect(new Set(tokens.map((t) => Redacted.value(t.refreshToken!))).size).toBe(3)
      }).pipe(Effect.scoped, asClient("public"))
    )
  })
})
