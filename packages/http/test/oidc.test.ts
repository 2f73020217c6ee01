/**
 * The OpenID Connect parts of the client service against an in-memory server: ID token validation wired to the
 * code exchange and refresh, JWKS refetch on an unknown kid under the cooldown (TestClock), JWT UserInfo and
 * introspection answers, signed CIBA requests, request objects.
 */
import { describe, expect, it, vi } from "@effect/vitest"
import { AuthorizationRequest, AuthorizationResponse, Jwt, ServerMetadata } from "@oauth2/core"
import { ClientAuth, OAuthClient, Transport } from "@oauth2/http"
import { FakeHttp } from "@oauth2/testing"
import { Effect, Either, Layer, Redacted, TestClock } from "effect"
import * as jose from "jose"
import { halfHash, keyPair, sign } from "./jwtFixtures.js"

const ISSUER = "https://as.example.com"
const NOW = 1_700_000_000
const endpoints = {
  issuer: ISSUER,
  authorizationEndpoint: `${ISSUER}/authorize`,
  tokenEndpoint: `${ISSUER}/token`,
  introspectionEndpoint: `${ISSUER}/introspect`,
  userinfoEndpoint: `${ISSUER}/userinfo`,
  pushedAuthorizationRequestEndpoint: `${ISSUER}/par`,
  backchannelAuthenticationEndpoint: `${ISSUER}/bc`,
  jwksUri: `${ISSUER}/jwks`
}
const CLIENT_ID = "client-1"
const SECRET = "a-client-secret-that-is-long-enough!"

const k1 = await keyPair("RS256", "k1")
const k2 = await keyPair("RS256", "k2")
const k3 = await keyPair("RS256", "k3")
const serverEnc = await keyPair("ECDH-ES", "enc-1", "enc")

const idClaims = (overrides: Record<string, unknown> = {}) => ({ iss: ISSUER, sub: "alice", aud: CLIENT_ID, iat: NOW, exp: NOW + 300, ...overrides })

/** A tiny in-memory AS: each endpoint answers from a mutable table; the JWKS answer is the current `keys`. */
const makeServer = () => {
  const state = {
    keys: [k1.publicJwk] as Array<jose.JWK>,
    token: (_seen: FakeHttp.ClientRequest): Response => FakeHttp.json({ access_token: "AT", token_type: "Bearer", expires_in: 60 }),
    userinfo: (_seen: FakeHttp.ClientRequest): Response => FakeHttp.json({ sub: "alice" }),
    introspection: (_seen: FakeHttp.ClientRequest): Response => FakeHttp.json({ active: true }),
    backchannel: (_seen: FakeHttp.ClientRequest): Response => FakeHttp.json({ auth_req_id: "R", expires_in: 60 }),
    jwksFetches: 0
  }
  const fake = FakeHttp.make((seen) => {
    const path = new URL(seen.url).pathname
    switch (path) {
      case "/jwks":
        state.jwksFetches++
        return FakeHttp.json({ keys: state.keys })
      case "/token":
        return state.token(seen)
      case "/userinfo":
        return state.userinfo(seen)
      case "/introspect":
        return state.introspection(seen)
      case "/bc":
        return state.backchannel(seen)
      default:
        return FakeHttp.json({ error: "invalid_request" }, 404)
    }
  })
  return { state, seen: fake.seen, layer: Transport.layer({ retry: false }).pipe(Layer.provide(fake.layer)) }
}

const lastTo = (server: ReturnType<typeof makeServer>, path: string): FakeHttp.ClientRequest =>
  server.seen.filter((s) => new URL(s.url).pathname === path).at(-1)!

/** A client of the fake server; an option given as `undefined` removes the default. */
const clientFor = (
  server: ReturnType<typeof makeServer>,
  options: { readonly [K in keyof OAuthClient.Options]?: OAuthClient.Options[K] | undefined } = {}
) => {
  const merged: Record<string, unknown> = {
    endpoints,
    clientId: CLIENT_ID,
    clientSecret: Redacted.make(SECRET),
    jwksCooldown: "30 seconds",
    ...options
  }
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k]
  return Effect.provide(OAuthClient.make(merged as OAuthClient.Options), server.layer)
}

/** A validated callback for a pending request, as if the user came back with `code`. */
const callback = (code: string, options: Partial<AuthorizationRequest.Options> = {}) =>
  Effect.gen(function* () {
    const request = yield* AuthorizationRequest.make({
      authorizationEndpoint: endpoints.authorizationEndpoint,
      clientId: CLIENT_ID,
      redirectUri: "https://app.example.com/cb",
      issuer: ISSUER,
      ...options
    })
    const response = yield* AuthorizationResponse.validate(request, `https://app.example.com/cb?code=${code}&state=${request.state}`)
    return { request, response }
  })

const tokenWith =
  (idToken: string | undefined, extra: Record<string, unknown> = {}) =>
  () =>
    FakeHttp.json({ access_token: "AT", token_type: "Bearer", expires_in: 60, ...(idToken === undefined ? {} : { id_token: idToken }), ...extra })

describe("OAuthClient: OpenID Connect", () => {
  it.effect("the code exchange validates the ID token against the pending request (nonce, at_hash, c_hash)", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW * 1000)
      const server = makeServer()
      const client = yield* clientFor(server)
      const { request, response } = yield* callback("the-code", { maxAge: 60 })
      const good = { nonce: request.nonce, auth_time: NOW - 5, at_hash: halfHash("AT"), c_hash: halfHash("the-code") }

      server.state.token = tokenWith(yield* sign(idClaims(good), k1))
      const ok = yield* client.authorizationCode(response)
      expect(ok.idToken).toMatchObject({ sub: "alice", nonce: request.nonce })
      expect(Redacted.value(ok.token.accessToken)).toBe("AT")
      const body = new URLSearchParams(lastTo(server, "/token").body)
      expect(body.get("code")).toBe("the-code")
      expect(body.get("code_verifier")).toBe(Redacted.value(request.codeVerifier!))

      const cases = [
        [{ nonce: "other" }, "NonceMismatch"],
        [{ at_hash: halfHash("another access token") }, "AtHashMismatch"],
        [{ c_hash: halfHash("another code") }, "CHashMismatch"],
        [{ auth_time: NOW - 200 }, "MaxAgeExceeded"],
        [{ aud: "another-client" }, "AudienceMismatch"]
      ] as const
      for (const [overrides, reason] of cases) {
        server.state.token = tokenWith(yield* sign(idClaims({ ...good, ...overrides }), k1))
        const e = yield* Effect.flip(client.authorizationCode(response))
        expect(e).toMatchObject({ _tag: "InvalidIdToken", reason })
      }
      // an OpenID Connect request (it sent a nonce) requires an ID token
      server.state.token = tokenWith(undefined)
      expect(yield* Effect.flip(client.authorizationCode(response))).toMatchObject({ _tag: "InvalidIdToken", reason: "MissingIdToken" })
      const plain = yield* callback("c2", { scope: "read", nonce: false })
      expect((yield* client.authorizationCode(plain.response)).idToken).toBeUndefined()
    })
  )

  it.effect("a code exchange whose request sent no nonce refuses an ID token that carries one (OpenID Connect Core 3.1.3.7)", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW * 1000)
      const server = makeServer()
      const client = yield* clientFor(server)
      for (const options of [{ nonce: false }, { scope: "read", nonce: false }] as const) {
        const { request, response } = yield* callback("the-code", options)
        expect(request.nonce).toBeUndefined()
        expect(response.nonce).toBeUndefined()
        // a nonce the client never sent: replayed from another session, or injected
        server.state.token = tokenWith(yield* sign(idClaims({ nonce: "injected" }), k1))
        const e = yield* Effect.flip(client.authorizationCode(response))
        expect(e).toMatchObject({ _tag: "InvalidIdToken", reason: "NonceMismatch", claim: "nonce" })
        // the same ID token without a nonce is accepted
        server.state.token = tokenWith(yield* sign(idClaims(), k1))
        const ok = yield* client.authorizationCode(response)
        expect(ok.idToken).toMatchObject({ sub: "alice" })
        expect(ok.idToken).not.toHaveProperty("nonce")
      }
    })
  )

  it.effect("a pending request for another issuer is refused before the code is spent", () =>
    Effect.gen(function* () {
      const server = makeServer()
      const client = yield* clientFor(server)
      const { response } = yield* callback("code")
      const e = yield* Effect.flip(client.authorizationCode({ ...response, issuer: "https://other.example.com" }))
      expect(e).toMatchObject({ _tag: "InvalidConfiguration", field: "issuer" })
      expect(server.seen).toHaveLength(0)
    })
  )

  it.effect("refresh: the new ID token must keep iss and sub", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW * 1000)
      const server = makeServer()
      const client = yield* clientFor(server)
      const { request, response } = yield* callback("code")
      server.state.token = tokenWith(yield* sign(idClaims({ nonce: request.nonce }), k1), { refresh_token: "RT1" })
      const first = yield* client.authorizationCode(response)

      server.state.token = tokenWith(yield* sign(idClaims({ iat: NOW + 10 }), k1), { refresh_token: "RT2" })
      const second = yield* client.refresh(first)
      expect(second.idToken?.sub).toBe("alice")
      expect(new URLSearchParams(lastTo(server, "/token").body).get("refresh_token")).toBe("RT1")

      server.state.token = tokenWith(yield* sign(idClaims({ sub: "mallory" }), k1), { refresh_token: "RT3" })
      expect(yield* Effect.flip(client.refresh(second))).toMatchObject({ _tag: "InvalidIdToken", reason: "SubjectChanged" })
      // an answer without ID token keeps the previous claims
      server.state.token = tokenWith(undefined, { refresh_token: "RT4" })
      const third = yield* client.refresh(second)
      expect(third.idToken).toEqual(second.idToken)
    })
  )

  it.effect("key rotation just before signing: an unknown kid refetches the JWKS once per cooldown", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW * 1000)
      const server = makeServer()
      const client = yield* clientFor(server)
      yield* client.validateIdToken(yield* sign(idClaims(), k1))
      expect(server.state.jwksFetches).toBe(1)

      // the server rotates and signs with the new key right away: the first fetch started no cooldown, one refetch
      server.state.keys = [k1.publicJwk, k2.publicJwk]
      const byK2 = yield* sign(idClaims(), k2)
      yield* Effect.all(
        Array.from({ length: 20 }, () => client.validateIdToken(byK2)),
        { concurrency: "unbounded" }
      )
      expect(server.state.jwksFetches).toBe(2)
      // a kid that is still unknown right after a refetch does not refetch again
      server.state.keys = [k1.publicJwk, k2.publicJwk, k3.publicJwk]
      const byK3 = yield* sign(idClaims(), k3)
      expect(yield* Effect.flip(client.validateIdToken(byK3))).toMatchObject({ reason: "NoMatchingKey" })
      expect(server.state.jwksFetches).toBe(2)
      // after the cooldown: one refetch, even for many concurrent validations
      yield* TestClock.adjust("31 seconds")
      yield* Effect.all(
        Array.from({ length: 20 }, () => client.validateIdToken(byK3)),
        { concurrency: "unbounded" }
      )
      expect(server.state.jwksFetches).toBe(3)
      // the previous key is gone from the set: its tokens no longer verify once the set is refreshed
      server.state.keys = [k2.publicJwk, k3.publicJwk]
      yield* TestClock.adjust("31 seconds")
      expect(yield* Effect.flip(client.validateIdToken(yield* sign(idClaims(), { ...k1, kid: "k-gone" })))).toMatchObject({ reason: "NoMatchingKey" })
      expect(server.state.jwksFetches).toBe(4)
      expect(yield* Effect.flip(client.validateIdToken(yield* sign(idClaims(), k1)))).toMatchObject({ reason: "NoMatchingKey" })
    })
  )

  it.effect("the keys of a cached JWKS are imported once per cache entry, not per validation", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW * 1000)
      const server = makeServer()
      const client = yield* clientFor(server)
      const byK1 = yield* sign(idClaims(), k1)
      const importKey = vi.spyOn(globalThis.crypto.subtle, "importKey")
      yield* Effect.gen(function* () {
        for (let i = 0; i < 5; i++) yield* client.validateIdToken(byK1)
        expect(importKey).toHaveBeenCalledTimes(1)
        // the cache answers the same set object while the entry lives
        expect(yield* client.jwks()).toBe(yield* client.jwks())

        // a refetch makes a new entry: its keys are imported at their first use, once
        server.state.keys = [k1.publicJwk, k2.publicJwk]
        yield* TestClock.adjust("31 seconds")
        const byK2 = yield* sign(idClaims(), k2)
        for (let i = 0; i < 3; i++) yield* client.validateIdToken(byK2)
        for (let i = 0; i < 3; i++) yield* client.validateIdToken(byK1)
        expect(server.state.jwksFetches).toBe(2)
        expect(importKey).toHaveBeenCalledTimes(3)
      }).pipe(Effect.ensuring(Effect.sync(() => importKey.mockRestore())))
    })
  )

  it.effect("algorithms: none only when registered and from the token endpoint; HS256 with the client secret", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW * 1000)
      const server = makeServer()
      const b64 = (v: unknown) => jose.base64url.encode(JSON.stringify(v))
      const { request, response } = yield* callback("code")
      const unsigned = `${b64({ alg: "none" })}.${b64(idClaims({ nonce: request.nonce }))}.`
      server.state.token = tokenWith(unsigned)
      const strict = yield* clientFor(server)
      expect(yield* Effect.flip(strict.authorizationCode(response))).toMatchObject({ reason: "AlgorithmNotAllowed" })
      const registeredNone = yield* clientFor(server, { idToken: { signingAlgorithms: ["none"] } })
      expect((yield* registeredNone.authorizationCode(response)).idToken?.alg).toBe("none")
      // the same unsigned token from anywhere else
      expect(yield* Effect.flip(registeredNone.validateIdToken(unsigned, { nonce: request.nonce! }))).toMatchObject({ reason: "AlgorithmNotAllowed" })

      const hs = yield* sign(idClaims(), { alg: "HS256", privateKey: new TextEncoder().encode(SECRET) })
      const withSecret = yield* clientFor(server, { idToken: { signingAlgorithms: ["HS256"] } })
      yield* withSecret.validateIdToken(hs)
      const publicClient = yield* clientFor(server, { clientSecret: undefined, idToken: { signingAlgorithms: ["HS256"] } })
      expect(yield* Effect.flip(publicClient.validateIdToken(hs))).toMatchObject({ reason: "AlgorithmNotAllowed" })
    })
  )

  it.effect("the advertised algorithms, and configuration errors", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW * 1000)
      const server = makeServer()
      const metadata = Either.getOrThrow(
        ServerMetadata.decode({ issuer: ISSUER, id_token_signing_alg_values_supported: ["ES256", "none"] }, { issuer: ISSUER })
      )
      const advertised = yield* clientFor(server, { metadata, idToken: { signingAlgorithms: "advertised" } })
      expect(yield* Effect.flip(advertised.validateIdToken(yield* sign(idClaims(), k1)))).toMatchObject({ reason: "AlgorithmNotAllowed" })
      for (const options of [
        { clockTolerance: "10 minutes" },
        { idToken: { signingAlgorithms: [] } },
        { decryptionKey: k1.publicJwk },
        { idToken: { encryption: { alg: "RSA1_5" as Jwt.KeyManagementAlgorithm } } }
      ] as const) {
        expect(yield* Effect.flip(clientFor(server, options as OAuthClient.Options))).toMatchObject({ _tag: "InvalidConfiguration" })
      }
      const { issuer: _, ...withoutIssuer } = endpoints
      const noIssuer = yield* clientFor(server, { endpoints: withoutIssuer })
      expect(yield* Effect.flip(noIssuer.validateIdToken("a.b.c"))).toMatchObject({ _tag: "InvalidConfiguration", field: "issuer" })
    })
  )

  it.effect("userinfo: a signed answer is verified, its sub checked against the ID token", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW * 1000)
      const server = makeServer()
      const client = yield* clientFor(server)
      const jwtAnswer = (jwt: string) => () => new Response(jwt, { status: 200, headers: { "content-type": "application/jwt; charset=utf-8" } })
      server.state.userinfo = jwtAnswer(yield* sign({ sub: "alice", email: "a@example.com", iss: ISSUER, aud: CLIENT_ID }, k1))
      const info = yield* client.userinfo("AT", { subject: "alice" })
      expect(info.email).toBe("a@example.com")
      const idToken = yield* client.validateIdToken(yield* sign(idClaims({ sub: "bob" }), k1))
      expect(yield* Effect.flip(client.userinfo("AT", { idToken }))).toMatchObject({ _tag: "MismatchingSubject", expected: "bob" })
      server.state.userinfo = jwtAnswer(yield* sign({ sub: "alice" }, { ...k2, kid: "k1" }))
      expect(yield* Effect.flip(client.userinfo("AT"))).toMatchObject({ _tag: "InvalidJwt", endpoint: "userinfo", reason: "InvalidSignature" })
      // a JSON answer is checked too
      server.state.userinfo = () => FakeHttp.json({ sub: "mallory" })
      expect(yield* Effect.flip(client.userinfo("AT", { idToken }))).toMatchObject({ _tag: "MismatchingSubject" })
      // a client that registered signed answers refuses a plain JSON one, and asks for JWT
      const signedOnly = yield* clientFor(server, { userinfo: { signingAlgorithms: ["RS256"] } })
      expect(yield* Effect.flip(signedOnly.userinfo("AT"))).toMatchObject({ _tag: "UnexpectedResponse", endpoint: "userinfo" })
      expect(lastTo(server, "/userinfo").headers.accept).toBe("application/jwt")
    })
  )

  it.effect("introspection: a JWT answer (RFC 9701) is asked for and verified", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW * 1000)
      const server = makeServer()
      const client = yield* clientFor(server)
      const jwt = yield* sign({ iss: ISSUER, aud: CLIENT_ID, iat: NOW, token_introspection: { active: true, scope: "read" } }, k1, {
        typ: "token-introspection+jwt"
      })
      server.state.introspection = () => new Response(jwt, { status: 200, headers: { "content-type": "application/token-introspection+jwt" } })
      const answer = yield* client.introspect({ token: "T" }, { jwt: true })
      expect(answer).toMatchObject({ active: true, scope: "read" })
      expect(lastTo(server, "/introspect").headers.accept).toBe("application/token-introspection+jwt")
      const forged = yield* sign({ iss: ISSUER, aud: "other", iat: NOW, token_introspection: { active: true } }, k1, {
        typ: "token-introspection+jwt"
      })
      server.state.introspection = () => new Response(forged, { status: 200, headers: { "content-type": "application/token-introspection+jwt" } })
      expect(yield* Effect.flip(client.introspect({ token: "T" }))).toMatchObject({ _tag: "InvalidJwt", reason: "AudienceMismatch" })
      // asked for a JWT, got JSON: refused
      server.state.introspection = () => FakeHttp.json({ active: true })
      expect(yield* Effect.flip(client.introspect({ token: "T" }, { jwt: true }))).toMatchObject({
        _tag: "UnexpectedResponse",
        endpoint: "introspection"
      })
      expect((yield* client.introspect({ token: "T" })).active).toBe(true)
    })
  )

  it.effect("CIBA: a signed authentication request carries the parameters in `request` only", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW * 1000)
      const server = makeServer()
      const client = yield* clientFor(server)
      const signingKey = yield* Jwt.signingKey(k1.privateJwk)
      yield* client.backchannelAuthentication({ scope: "openid", loginHint: "alice" }, { requestObject: { signingKey, lifetime: "1 minute" } })
      const seen = lastTo(server, "/bc")
      const body = new URLSearchParams(seen.body)
      expect([...body.keys()]).toEqual(["request"])
      expect(seen.headers.authorization).toMatch(/^Basic /)
      const claims = jose.decodeJwt(body.get("request")!)
      expect(claims).toMatchObject({ iss: CLIENT_ID, aud: ISSUER, scope: "openid", login_hint: "alice", iat: NOW, exp: NOW + 60 })
    })
  )

  it.effect("request objects: aud is the issuer; encrypt: true uses the server's encryption key", () =>
    Effect.gen(function* () {
      const server = makeServer()
      const client = yield* clientFor(server)
      const signingKey = yield* Jwt.signingKey(k1.privateJwk)
      const request = yield* AuthorizationRequest.make({ authorizationEndpoint: endpoints.authorizationEndpoint, clientId: CLIENT_ID })
      const signed = yield* client.requestObject(request, { signingKey })
      expect(jose.decodeJwt(signed.request)).toMatchObject({ aud: ISSUER, iss: CLIENT_ID, client_id: CLIENT_ID })
      expect(yield* Effect.flip(client.requestObject(request, { signingKey, encrypt: true }))).toMatchObject({
        _tag: "InvalidArgument",
        argument: "encrypt"
      })
      server.state.keys = [k1.publicJwk, serverEnc.publicJwk]
      yield* TestClock.adjust("31 seconds")
      yield* client.jwks({ kid: "enc-1" })
      const encrypted = yield* client.requestObject(request, { signingKey, encrypt: true })
      expect(jose.decodeProtectedHeader(encrypted.request)).toMatchObject({ alg: "ECDH-ES", enc: "A256GCM", kid: "enc-1", cty: "JWT" })
    })
  )

  it.effect("client authentication methods keep working with the OIDC options", () =>
    Effect.gen(function* () {
      const server = makeServer()
      const auth = yield* ClientAuth.clientSecretPost({ clientId: CLIENT_ID, clientSecret: SECRET })
      const client = yield* Effect.provide(OAuthClient.make({ endpoints, auth, idToken: { signingAlgorithms: ["HS256"] } }), server.layer)
      yield* TestClock.setTime(NOW * 1000)
      yield* client.validateIdToken(yield* sign(idClaims(), { alg: "HS256", privateKey: new TextEncoder().encode(SECRET) }))
    })
  )
})
