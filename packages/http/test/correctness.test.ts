/**
 * Issue 13 (correctness) against an in-memory server: the JWKS cooldown after discovery, ID token validation of any
 * token answer, `s_hash`, request objects the server does not accept, static and published JWKS, revocation of a
 * `BearerToken`, and `layerConfig` errors.
 */
import { describe, expect, it } from "@effect/vitest"
import { AuthorizationRequest, AuthorizationResponse, BearerToken, Jwt, ServerMetadata } from "@oauth2/core"
import { OAuthClient, Transport } from "@oauth2/http"
import { FakeHttp } from "@oauth2/testing"
import { ConfigError, ConfigProvider, DateTime, Effect, Layer, Redacted, TestClock } from "effect"
import * as jose from "jose"
import { halfHash, keyPair, sign } from "./jwtFixtures.js"

const ISSUER = "https://as.example.com"
const NOW = 1_700_000_000
const endpoints = {
  issuer: ISSUER,
  authorizationEndpoint: `${ISSUER}/authorize`,
  tokenEndpoint: `${ISSUER}/token`,
  revocationEndpoint: `${ISSUER}/revoke`,
  jwksUri: `${ISSUER}/jwks`
}
const discovery = {
  issuer: ISSUER,
  authorization_endpoint: endpoints.authorizationEndpoint,
  token_endpoint: endpoints.tokenEndpoint,
  revocation_endpoint: endpoints.revocationEndpoint,
  jwks_uri: endpoints.jwksUri
}
const CLIENT_ID = "client-1"

const k1 = await keyPair("RS256", "k1")
const k2 = await keyPair("RS256", "k2")
const k3 = await keyPair("RS256", "k3")
const ec = await keyPair("ES256", "ec-1")
const encKey = await keyPair("RSA-OAEP-256", "enc-1", "enc")

const idClaims = (overrides: Record<string, unknown> = {}) => ({ iss: ISSUER, sub: "alice", aud: CLIENT_ID, iat: NOW, exp: NOW + 300, ...overrides })

/** A tiny in-memory AS with discovery: the JWKS answer is the current `keys`, the token answer the current `token`. */
const makeServer = (metadata: Record<string, unknown> = discovery) => {
  const state = {
    keys: [k1.publicJwk] as Array<jose.JWK>,
    token: (_seen: FakeHttp.ClientRequest): Response => FakeHttp.json({ access_token: "AT", token_type: "Bearer", expires_in: 60 }),
    jwksFetches: 0
  }
  const fake = FakeHttp.make((seen) => {
    switch (new URL(seen.url).pathname) {
      case "/.well-known/openid-configuration":
        return FakeHttp.json(metadata)
      case "/jwks":
        state.jwksFetches++
        return FakeHttp.json({ keys: state.keys })
      case "/token":
        return state.token(seen)
      case "/revoke":
        return new Response(null, { status: 200 })
      default:
        return FakeHttp.json({ error: "invalid_request" }, 404)
    }
  })
  return { state, seen: fake.seen, layer: Transport.layer({ retry: false }).pipe(Layer.provide(fake.layer)) }
}
type Server = ReturnType<typeof makeServer>

const discovered = (server: Server, options: Partial<OAuthClient.DiscoveryOptions> = {}) =>
  Effect.provide(OAuthClient.fromDiscovery({ issuer: ISSUER, clientId: CLIENT_ID, clientSecret: Redacted.make("s3cret"), ...options }), server.layer)

const made = (server: Server, options: Partial<OAuthClient.Options> = {}) =>
  Effect.provide(OAuthClient.make({ endpoints, clientId: CLIENT_ID, clientSecret: Redacted.make("s3cret"), ...options }), server.layer)

const tokenWith =
  (idToken: string | undefined, extra: Record<string, unknown> = {}) =>
  () =>
    FakeHttp.json({ access_token: "AT", token_type: "Bearer", expires_in: 60, ...(idToken === undefined ? {} : { id_token: idToken }), ...extra })

describe("JWKS: the fetch at construction does not start the refetch cooldown (issue 13.1)", () => {
  it.effect("a client discovered just before a key rotation accepts the first ID token signed with the new key", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW * 1000)
      const server = makeServer()
      const client = yield* discovered(server, { jwksCooldown: "30 seconds" })
      expect(server.state.jwksFetches).toBe(1)
      // the provider publishes k2 and signs with it right away
      server.state.keys = [k1.publicJwk, k2.publicJwk]
      const claims = yield* client.validateIdToken(yield* sign(idClaims(), k2))
      expect(claims.sub).toBe("alice")
      expect(server.state.jwksFetches).toBe(2)
      // an unknown kid still causes at most one refetch per cooldown
      server.state.keys = [k1.publicJwk, k2.publicJwk, k3.publicJwk]
      const byK3 = yield* sign(idClaims(), k3)
      expect(yield* Effect.flip(client.validateIdToken(byK3))).toMatchObject({ reason: "NoMatchingKey" })
      expect(server.state.jwksFetches).toBe(2)
      yield* TestClock.adjust("31 seconds")
      yield* Effect.all(
        Array.from({ length: 10 }, () => client.validateIdToken(byK3)),
        { concurrency: "unbounded" }
      )
      expect(server.state.jwksFetches).toBe(3)
    })
  )
})

describe("validateToken: the ID token of any token answer (issue 13.2)", () => {
  it.effect("checks at_hash against the access token, sub against the previous ID token, and requires an ID token when asked", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW * 1000)
      const server = makeServer()
      const client = yield* made(server)
      const now = yield* DateTime.now
      const answer = (idToken: string | undefined, accessToken = "AT") =>
        BearerToken.decodeAt(
          { access_token: accessToken, token_type: "Bearer", expires_in: 60, ...(idToken === undefined ? {} : { id_token: idToken }) },
          now
        )

      // a device flow / CIBA answer: no nonce was sent
      const good = yield* answer(yield* sign(idClaims({ at_hash: halfHash("AT") }), k1))
      const validated = yield* client.validateToken(good)
      expect(validated.idToken?.sub).toBe("alice")
      expect(validated.token).toBe(good)
      // the access token of the answer is checked against at_hash
      const swapped = yield* answer(yield* sign(idClaims({ at_hash: halfHash("AT") }), k1), "another-AT")
      expect(yield* Effect.flip(client.validateToken(swapped))).toMatchObject({ _tag: "InvalidIdToken", reason: "AtHashMismatch" })
      // an unexpected nonce is refused: no authorization request sent one
      const withNonce = yield* answer(yield* sign(idClaims({ nonce: "n" }), k1))
      expect(yield* Effect.flip(client.validateToken(withNonce))).toMatchObject({ reason: "NonceMismatch" })
      // with the previous ID token (a refresh): sub must not change
      const mallory = yield* answer(yield* sign(idClaims({ sub: "mallory" }), k1))
      expect(yield* Effect.flip(client.validateToken(mallory, { previous: validated.idToken! }))).toMatchObject({ reason: "SubjectChanged" })
      // without ID token: the previous claims are kept; MissingIdToken when one is required
      const plain = yield* answer(undefined)
      expect(yield* client.validateToken(plain)).toEqual({ token: plain })
      expect(yield* client.validateToken(plain, { previous: validated.idToken! })).toEqual({ token: plain, idToken: validated.idToken })
      expect(yield* Effect.flip(client.validateToken(plain, { requireIdToken: true }))).toMatchObject({ reason: "MissingIdToken" })
    })
  )
})

describe("s_hash (issue 13.3)", () => {
  it.effect("the code exchange checks s_hash against the state of the callback", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW * 1000)
      const server = makeServer()
      const client = yield* made(server)
      const request = yield* AuthorizationRequest.make({
        authorizationEndpoint: endpoints.authorizationEndpoint,
        clientId: CLIENT_ID,
        issuer: ISSUER
      })
      const response = yield* AuthorizationResponse.validate(request, `https://app.example.com/cb?code=C&state=${request.state}`)
      server.state.token = tokenWith(yield* sign(idClaims({ nonce: request.nonce, s_hash: halfHash("another-state") }), k1))
      expect(yield* Effect.flip(client.authorizationCode(response))).toMatchObject({ _tag: "InvalidIdToken", reason: "SHashMismatch" })
      server.state.token = tokenWith(yield* sign(idClaims({ nonce: request.nonce, s_hash: halfHash(request.state!) }), k1))
      expect((yield* client.authorizationCode(response)).idToken?.sub).toBe("alice")
    })
  )
})

describe("request objects the server does not accept (issue 13.6)", () => {
  it.effect("request_parameter_supported: false and no PAR endpoint: refused before anything is signed", () =>
    Effect.gen(function* () {
      const metadata = yield* ServerMetadata.decode({ ...discovery, request_parameter_supported: false }, { issuer: ISSUER })
      const server = makeServer()
      const client = yield* Effect.provide(OAuthClient.make({ metadata, clientId: CLIENT_ID }), server.layer)
      const signingKey = yield* Jwt.signingKey(k1.privateJwk)
      const request = yield* AuthorizationRequest.make({ authorizationEndpoint: endpoints.authorizationEndpoint, clientId: CLIENT_ID })
      const refused = yield* Effect.flip(client.requestObject(request, { signingKey }))
      expect(refused).toMatchObject({ _tag: "InvalidConfiguration", field: "requestParameterSupported" })
      // with a PAR endpoint, the object can still be pushed
      const withPar = yield* ServerMetadata.decode(
        { ...discovery, request_parameter_supported: false, pushed_authorization_request_endpoint: `${ISSUER}/par` },
        { issuer: ISSUER }
      )
      const parClient = yield* Effect.provide(OAuthClient.make({ metadata: withPar, clientId: CLIENT_ID }), server.layer)
      expect((yield* parClient.requestObject(request, { signingKey }))._tag).toBe("RequestObjectRequest")
      // and a server that says nothing, or true, gets it as before
      const silent = yield* Effect.provide(
        OAuthClient.make({ metadata: yield* ServerMetadata.decode(discovery, { issuer: ISSUER }), clientId: CLIENT_ID }),
        server.layer
      )
      expect((yield* silent.requestObject(request, { signingKey }))._tag).toBe("RequestObjectRequest")
    })
  )
})

describe("static and published JWKS (issue 13.15)", () => {
  it.effect("a static JWKS is used instead of jwks_uri: nothing is fetched", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW * 1000)
      const server = makeServer()
      const { jwksUri: _, ...withoutJwksUri } = endpoints
      const client = yield* Effect.provide(
        OAuthClient.make({ endpoints: withoutJwksUri, clientId: CLIENT_ID, jwks: { keys: [k1.publicJwk] } }),
        server.layer
      )
      expect((yield* client.validateIdToken(yield* sign(idClaims(), k1))).sub).toBe("alice")
      expect(yield* Effect.flip(client.validateIdToken(yield* sign(idClaims(), k2)))).toMatchObject({ reason: "NoMatchingKey" })
      expect(server.state.jwksFetches).toBe(0)
      // pinned keys win over the server's jwks_uri
      const pinned = yield* made(server, { jwks: { keys: [k2.publicJwk] } })
      expect((yield* pinned.validateIdToken(yield* sign(idClaims(), k2))).sub).toBe("alice")
      expect(server.state.jwksFetches).toBe(0)
      // a malformed set is a configuration error
      const bad = yield* Effect.flip(made(server, { jwks: { keys: [{ kid: "x" }] } as never }))
      expect(bad).toMatchObject({ _tag: "InvalidConfiguration", field: "jwks" })
    })
  )

  it.effect("publicJwks: the client's public signing and encryption keys, without a private member", () =>
    Effect.gen(function* () {
      const set = yield* OAuthClient.publicJwks([
        { key: k1.privateJwk, use: "sig" },
        { key: ec.privateJwk, use: "sig" },
        { key: Redacted.make(encKey.privateJwk), use: "enc" }
      ])
      expect(set.keys).toHaveLength(3)
      expect(set.keys[0]).toMatchObject({ kty: "RSA", kid: "k1", alg: "RS256", use: "sig", n: k1.publicJwk.n, e: k1.publicJwk.e })
      expect(set.keys[1]).toMatchObject({ kty: "EC", kid: "ec-1", alg: "ES256", use: "sig", x: ec.publicJwk.x })
      expect(set.keys[2]).toMatchObject({ kty: "RSA", kid: "enc-1", alg: "RSA-OAEP-256", use: "enc" })
      for (const key of set.keys) for (const member of ["d", "p", "q", "dp", "dq", "qi", "k"]) expect(key).not.toHaveProperty(member)
      // a symmetric key is never published; a key without kid gets its RFC 7638 thumbprint
      const secret = yield* Effect.flip(OAuthClient.publicJwks([{ key: { kty: "oct", k: "c2VjcmV0" }, use: "sig" }]))
      expect(secret).toMatchObject({ _tag: "InvalidArgument" })
      const { kid: _, ...anonymous } = ec.privateJwk
      const [thumbprinted] = (yield* OAuthClient.publicJwks([{ key: anonymous, use: "sig" }])).keys
      expect(thumbprinted!.kid).toBe(yield* Effect.promise(() => jose.calculateJwkThumbprint(ec.publicJwk)))
    })
  )

  it.effect("publicJwks keeps the public members only (Jwt.publicJwk): a private member it does not know never leaks", () =>
    Effect.gen(function* () {
      const [published] = (yield* OAuthClient.publicJwks([
        { key: { ...ec.privateJwk, key_ops: ["sign"], ext: true, x5c: ["MIIB"], priv: "not-for-publication" } as jose.JWK, use: "sig" }
      ])).keys
      expect(published).toEqual({ ...Jwt.publicJwk(ec.publicJwk), x5c: ["MIIB"], use: "sig" })
      expect(JSON.stringify(published)).not.toContain("not-for-publication")
      // behaviour change: a key type whose private members are not known here (AKP carries 'priv') is refused
      const akp = { kty: "AKP", alg: "ML-DSA-44", pub: "AAAA", priv: "not-for-publication" } as jose.JWK
      const refused = yield* Effect.flip(OAuthClient.publicJwks([{ key: akp, use: "sig", kid: "pq" }]))
      expect(refused).toMatchObject({ _tag: "InvalidArgument", argument: "keys.0" })
      expect(refused.message).not.toContain("not-for-publication")
    })
  )
})

describe("revoke a BearerToken (issue 13.16)", () => {
  it.effect("its refresh token by default (with the hint), or its access token", () =>
    Effect.gen(function* () {
      const server = makeServer()
      const client = yield* made(server)
      const now = yield* DateTime.now
      const token = yield* BearerToken.decodeAt({ access_token: "AT", token_type: "Bearer", refresh_token: "RT" }, now)
      const bodies = () => server.seen.filter((s) => s.url.endsWith("/revoke")).map((s) => s.body)
      yield* client.revoke(token)
      yield* client.revoke(token, { token: "access_token" })
      yield* client.revoke(token, { token: "refresh_token" })
      const accessOnly = yield* BearerToken.decodeAt({ access_token: "AT2", token_type: "Bearer" }, now)
      yield* client.revoke(accessOnly)
      expect(bodies()).toEqual([
        "token=RT&token_type_hint=refresh_token",
        "token=AT&token_type_hint=access_token",
        "token=RT&token_type_hint=refresh_token",
        "token=AT2&token_type_hint=access_token"
      ])
      expect(yield* Effect.flip(client.revoke(accessOnly, { token: "refresh_token" }))).toMatchObject({ _tag: "InvalidArgument" })
      // a revocation request as before
      yield* client.revoke({ token: Redacted.make("X") })
      expect(bodies().at(-1)).toBe("token=X")
    })
  )
})

describe("OAuthClient.layerConfig (issue 13.17)", () => {
  it.effect("a missing variable is the ConfigError itself, with its detail", () =>
    Effect.gen(function* () {
      const server = makeServer()
      const error = yield* Effect.flip(
        OAuthClient.OAuthClient.pipe(
          Effect.provide(OAuthClient.layerConfig().pipe(Layer.provide(server.layer))),
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["OAUTH2_ISSUER", ISSUER]])))
        )
      )
      expect(ConfigError.isConfigError(error)).toBe(true)
      expect(String(error)).toContain("OAUTH2_CLIENT_ID")
    })
  )
})
