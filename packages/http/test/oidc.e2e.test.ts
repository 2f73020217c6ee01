/**
 * OpenID Connect end to end against a real OpenID Provider (node-oidc-provider, from @oauth2/testing): validated ID
 * tokens, encrypted ID tokens, request objects (JAR) sent directly and over PAR, UserInfo with the sub check, signed
 * CIBA requests, and signing key rotation between logins.
 */
import { describe, expect, it } from "@effect/vitest"
import { AuthorizationRequest, AuthorizationResponse, Jwt, TokenRequest } from "@oauth2/core"
import { ClientAuth, OAuthClient, Transport } from "@oauth2/http"
import { TestServer } from "@oauth2/testing"
import { Clock, Effect, Layer, Redacted, TestClock } from "effect"
import * as jose from "jose"

const ServerLive = TestServer.layer()
const TransportLive = Transport.layerFetch({ retry: false })

/** The server runs on real time: ID tokens carry real `iat`/`exp`, so these tests use the real clock. */
const live = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.withClock(self, Clock.make())

/** Starts a login for a pending request, plays the browser, validates the callback. */
const login = (server: TestServer.TestServer, request: AuthorizationRequest.PendingRequest, url: string = request.url) =>
  Effect.flatMap(server.authorize(url), (callback) => AuthorizationResponse.validate(request, callback))

const authorizationRequest = (
  client: OAuthClient.OAuthClient,
  registered: TestServer.ClientInfo,
  options: Partial<AuthorizationRequest.Options> = {}
) =>
  AuthorizationRequest.make({
    authorizationEndpoint: client.endpoints.authorizationEndpoint!,
    clientId: registered.clientId,
    redirectUri: registered.redirectUris[0]!,
    issuer: client.endpoints.issuer!,
    authorizationResponseIssParameterSupported: client.metadata?.authorizationResponseIssParameterSupported === true,
    ...options
  })

describe("OpenID Connect against @oauth2/testing", () => {
  it.layer(Layer.merge(ServerLive, TransportLive), { timeout: 60_000 })((it) => {
    it.effect("authorization code + PKCE + nonce: the ID token is validated against the request; userinfo; refresh", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const registered = server.clients.public
        const client = yield* OAuthClient.fromDiscovery({ issuer: server.issuer, auth: yield* ClientAuth.none({ clientId: registered.clientId }) })
        const request = yield* authorizationRequest(client, registered, {
          scope: "openid profile email offline_access",
          prompt: "consent",
          maxAge: 600
        })
        expect(request.nonce).toBeDefined()
        expect(request.codeChallengeMethod).toBe("S256")
        const response = yield* login(server, request)
        const { idToken, token } = yield* client.authorizationCode(response)
        expect(idToken).toMatchObject({
          iss: server.issuer,
          sub: "alice",
          aud: [registered.clientId],
          nonce: request.nonce,
          alg: "RS256",
          encrypted: false
        })
        expect(idToken?.authTime).toBeDefined()
        expect(token.refreshToken).toBeDefined()

        // userinfo, with the sub check against the ID token
        const info = yield* client.userinfo(token, { idToken: idToken! })
        expect(info.sub).toBe("alice")
        expect(info.email).toBe("alice@example.test")
        const mismatch = yield* Effect.flip(client.userinfo(token, { subject: "bob" }))
        expect(mismatch).toMatchObject({ _tag: "MismatchingSubject", expected: "bob", received: "alice" })

        // refresh: a new ID token for the same end-user at the same issuer
        const refreshed = yield* client.refresh({ token, ...(idToken === undefined ? {} : { idToken }) })
        expect(refreshed.idToken?.sub).toBe("alice")
        expect(refreshed.idToken?.nonce).toBe(request.nonce)
        // the previous ID token cannot vouch for another end-user
        const elsewhere = yield* Effect.flip(client.refresh(refreshed.token, { idToken: { ...idToken!, sub: "bob" } }))
        expect(elsewhere).toMatchObject({ _tag: "InvalidIdToken", reason: "SubjectChanged" })
      }).pipe(live)
    )

    it.effect("an ID token for another session is refused (nonce); the code was spent all the same", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const registered = server.clients.clientSecretPost
        const auth = yield* ClientAuth.clientSecretPost({ clientId: registered.clientId, clientSecret: registered.clientSecret })
        const client = yield* OAuthClient.fromDiscovery({ issuer: server.issuer, auth })
        const request = yield* authorizationRequest(client, registered)
        const response = yield* login(server, request)
        // a callback replayed into another session: same code, another nonce
        const other = yield* Effect.flip(client.authorizationCode({ ...response, nonce: "another-session-nonce" }))
        expect(other).toMatchObject({ _tag: "InvalidIdToken", reason: "NonceMismatch" })
        expect(other.message).not.toContain(Redacted.value(response.code))
        const replay = yield* Effect.flip(client.authorizationCode(response))
        expect(replay).toMatchObject({ _tag: "InvalidGrant" })
        // acr_values the login does not satisfy (the test server logs in with ACR, and does not release acr at all)
        const stepUp = yield* login(server, yield* authorizationRequest(client, registered, { acrValues: ["urn:example:hardware-key"] }))
        const unmet = yield* Effect.flip(client.authorizationCode(stepUp))
        expect(unmet).toMatchObject({ _tag: "InvalidIdToken", claim: "acr" })
        expect(["MissingClaim", "AcrMismatch"]).toContain((unmet as { reason?: string }).reason)
      }).pipe(live)
    )

    it.effect("an encrypted ID token (JWE RSA-OAEP-256 / A256GCM) is decrypted with the client's key, then validated", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const registered = server.clients.encryptedIdToken
        const auth = yield* ClientAuth.clientSecretBasic({ clientId: registered.clientId, clientSecret: registered.clientSecret })
        const client = yield* OAuthClient.fromDiscovery({
          issuer: server.issuer,
          auth,
          decryptionKey: registered.idTokenEncryption.decryptionJwk,
          idToken: { encryption: { alg: registered.idTokenEncryption.alg, enc: registered.idTokenEncryption.enc } }
        })
        const request = yield* authorizationRequest(client, registered)
        const { idToken, token } = yield* client.authorizationCode(yield* login(server, request))
        expect(idToken).toMatchObject({ sub: "alice", encrypted: true, alg: "RS256", nonce: request.nonce })
        expect(Redacted.value(token.idToken!).split(".")).toHaveLength(5)

        // without the decryption key, the same ID token cannot be read
        const withoutKey = yield* OAuthClient.fromDiscovery({ issuer: server.issuer, auth })
        const refused = yield* Effect.flip(withoutKey.validateIdToken(token, { nonce: request.nonce! }))
        expect(refused).toMatchObject({ _tag: "InvalidIdToken", reason: "DecryptionFailed" })
        // and a client that registered encryption refuses a signed-only ID token
        const signedOnly = yield* Effect.flip(client.validateIdToken(yield* signedOnlyIdToken(server), { nonce: false }))
        expect(signedOnly).toMatchObject({ _tag: "InvalidIdToken", reason: "EncryptionRequired" })
      }).pipe(live)
    )

    it.effect("a signed and encrypted request object (JAR, private_key_jwt client, ES256 + ECDH-ES)", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const registered = server.clients.privateKeyJwt
        const auth = yield* ClientAuth.privateKeyJwt({ clientId: registered.clientId, privateKey: registered.privateJwk })
        const client = yield* OAuthClient.fromDiscovery({ issuer: server.issuer, auth })
        const signingKey = yield* Jwt.signingKey(registered.privateJwk)
        const request = yield* authorizationRequest(client, registered, { scope: "openid email", maxAge: 600 })
        for (const encrypt of [false, true]) {
          const jar = yield* client.requestObject(request, { signingKey, lifetime: "5 minutes", encrypt })
          expect(jar.request.split(".")).toHaveLength(encrypt ? 5 : 3)
          // OpenID Connect Core 6.1: response_type and scope outside the object too
          const query = new URL(jar.url).searchParams
          expect([...query.keys()]).toEqual(["client_id", "response_type", "scope", "request"])
          expect(query.get("scope")).toBe("openid email")
          const response = yield* login(server, jar)
          const { idToken } = yield* client.authorizationCode(response)
          expect(idToken).toMatchObject({ sub: "alice", nonce: request.nonce })
          expect(idToken?.authTime).toBeDefined()
        }
        // the server checks the signature: a request object signed by another key is refused
        const stranger = yield* Jwt.signingKey(
          yield* Effect.promise(async () => {
            const { privateKey } = await jose.generateKeyPair("ES256", { extractable: true })
            return { ...(await jose.exportJWK(privateKey)), kid: registered.publicJwk.kid }
          })
        )
        const forged = yield* client.requestObject(request, { signingKey: stranger })
        const outcome = yield* Effect.either(server.authorize(forged.url))
        // either an error page (the redirect_uri of an untrusted request object is not used) or an error redirect
        if (outcome._tag === "Right") expect(new URL(outcome.right).searchParams.get("code")).toBeNull()
      }).pipe(live)
    )

    it.effect("a request object over PAR (client_secret_basic client, HS256 with its secret)", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const registered = server.clients.clientSecretBasic
        const auth = yield* ClientAuth.clientSecretBasic({ clientId: registered.clientId, clientSecret: registered.clientSecret })
        const client = yield* OAuthClient.fromDiscovery({ issuer: server.issuer, auth })
        const signingKey = yield* Jwt.secretKey(registered.clientSecret)
        const request = yield* authorizationRequest(client, registered)
        const jar = yield* client.requestObject(request, { signingKey, lifetime: "1 minute" })
        const pushed = yield* client.pushedAuthorization(jar)
        expect(pushed._tag).toBe("RequestUriRequest")
        expect([...new URL(pushed.url).searchParams.keys()]).toEqual(["client_id", "request_uri"])
        const { idToken, token } = yield* client.authorizationCode(yield* login(server, pushed))
        expect(idToken).toMatchObject({ sub: "alice", nonce: request.nonce })
        const info = yield* client.userinfo(token, { idToken: idToken! })
        expect(info.sub).toBe("alice")
      }).pipe(live)
    )

    it.effect("a signed CIBA authentication request", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const registered = server.clients.privateKeyJwt
        const auth = yield* ClientAuth.privateKeyJwt({ clientId: registered.clientId, privateKey: registered.privateJwk })
        const client = yield* OAuthClient.fromDiscovery({ issuer: server.issuer, auth })
        const signingKey = yield* Jwt.signingKey(registered.privateJwk)
        const ack = yield* client.backchannelAuthentication({ scope: "openid", loginHint: "bob" }, { requestObject: { signingKey } })
        yield* server.approveCiba(Redacted.value(ack.authReqId))
        const token = yield* client.token(TokenRequest.ciba({ authReqId: ack.authReqId }))
        const claims = yield* client.validateIdToken(token, { nonce: false, fromTokenEndpoint: true, accessToken: token.accessToken })
        expect(claims.sub).toBe("bob")
      }).pipe(live)
    )

    it.effect(
      "signing key rotation between two logins: a client discovered before it finds the new kid with one refetch, then waits the cooldown",
      () =>
        Effect.gen(function* () {
          const server = yield* TestServer.TestServer
          const registered = server.clients.public
          // the server's tokens carry real iat/exp: the test clock follows the real time (synced before each exchange,
          // so a slow machine cannot push iat past the clock tolerance), plus a shift once the cooldown has to pass;
          // the cooldown is long enough that the real time of a slow run never crosses it
          let shift = 0
          const sync = Effect.suspend(() => TestClock.setTime(Date.now() + shift))
          yield* sync
          const client = yield* OAuthClient.fromDiscovery({
            issuer: server.issuer,
            auth: yield* ClientAuth.none({ clientId: registered.clientId }),
            jwksCooldown: "10 minutes"
          })
          const kids = (set: jose.JSONWebKeySet) => set.keys.map((k) => k.kid)
          const before = kids(yield* client.jwks())

          const first = yield* sync.pipe(
            Effect.zipRight(client.authorizationCode(yield* login(server, yield* authorizationRequest(client, registered))))
          )
          expect(first.idToken?.sub).toBe("alice")

          // the provider publishes a new key right after the client was built: the JWKS fetch of the discovery
          // started no cooldown, so the first ID token signed with the new key is accepted after one refetch
          const rotated = yield* server.rotateSigningKey({ alg: "RS256", keepPrevious: true })
          expect(before).not.toContain(rotated.kid)
          const second = yield* sync.pipe(
            Effect.zipRight(client.authorizationCode(yield* login(server, yield* authorizationRequest(client, registered))))
          )
          expect(second.idToken?.sub).toBe("alice")
          const after = kids(yield* client.jwks())
          expect(after).toContain(rotated.kid)

          // another rotation right after that refetch: within the cooldown the newer kid is not known yet
          const again = yield* server.rotateSigningKey({ alg: "RS256", keepPrevious: true })
          const tooSoon = yield* sync.pipe(
            Effect.zipRight(Effect.flip(client.authorizationCode(yield* login(server, yield* authorizationRequest(client, registered)))))
          )
          expect(tooSoon).toMatchObject({ _tag: "InvalidIdToken", reason: "NoMatchingKey", claim: "kid" })
          expect(kids(yield* client.jwks())).toEqual(after)

          // once the cooldown has passed, the unknown kid triggers one refetch
          shift = 11 * 60 * 1000
          const third = yield* sync.pipe(
            Effect.zipRight(client.authorizationCode(yield* login(server, yield* authorizationRequest(client, registered))))
          )
          expect(third.idToken?.sub).toBe("alice")
          expect(kids(yield* client.jwks())).toContain(again.kid)
          // tokens signed by the previous keys still verify while they are published
          yield* client.validateIdToken(first.token, { nonce: first.idToken!.nonce!, fromTokenEndpoint: true })
        })
    )
  })
})

/** An ID token signed (not encrypted) by the server: from another client's code exchange. */
const signedOnlyIdToken = (server: TestServer.TestServer) =>
  Effect.gen(function* () {
    const registered = server.clients.clientSecretPost
    const auth = yield* ClientAuth.clientSecretPost({ clientId: registered.clientId, clientSecret: registered.clientSecret })
    const client = yield* OAuthClient.fromDiscovery({ issuer: server.issuer, auth })
    const { token } = yield* client.authorizationCode(yield* login(server, yield* authorizationRequest(client, registered)))
    return token.idToken!
  })
