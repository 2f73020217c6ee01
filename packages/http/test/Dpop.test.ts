/**
 * DPoP (RFC 9449) against a fake network: the proof of every request, the token type rule, nonces remembered per
 * origin and the single retry after `use_dpop_nonce` (never two), at the token endpoint, UserInfo and a resource.
 */
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { AuthorizationRequest, BearerToken, Dpop as CoreDpop, TokenRequest } from "@oauth2/core"
import { Bearer, Dpop, OAuthClient, Transport } from "@oauth2/http"
import { FakeHttp } from "@oauth2/testing"
import { ConfigProvider, DateTime, Effect, Exit, Layer, Redacted, TestClock } from "effect"
import * as jose from "jose"
import { inspect } from "node:util"

const endpoints = {
  issuer: "https://as.example.com",
  authorizationEndpoint: "https://as.example.com/authorize",
  tokenEndpoint: "https://as.example.com/token?tenant=a",
  userinfoEndpoint: "https://as.example.com/userinfo",
  pushedAuthorizationRequestEndpoint: "https://as.example.com/par",
  revocationEndpoint: "https://as.example.com/revoke"
}

const dpopToken = { access_token: "AT", token_type: "DPoP", expires_in: 60 }

/** The verified proof of a request (signature with its own `jwk` header, as a server checks it). */
const proofOf = async (request: FakeHttp.Request) => {
  const proof = request.headers["dpop"]
  expect(proof, `${request.method} ${request.url} has a DPoP header`).toBeTypeOf("string")
  const { payload, protectedHeader } = await jose.jwtVerify(proof!, jose.EmbeddedJWK, { typ: "dpop+jwt" })
  return { payload, protectedHeader }
}

const setup = (respond: FakeHttp.Respond<FakeHttp.Request>, options: { readonly dpop?: boolean } = {}) => {
  const fake = FakeHttp.makeFetch(respond)
  const transport = Transport.layerFetch({ fetch: fake.fetch, retry: false })
  const dpop = Dpop.layer()
  const client = OAuthClient.layer({ clientId: "c", clientSecret: Redacted.make("s"), endpoints }).pipe(
    Layer.provide(options.dpop === false ? transport : Layer.merge(transport, dpop))
  )
  // without DPoP, the tests do not ask for the Dpop service
  const layer = (options.dpop === false ? client : Layer.merge(client, dpop)) as Layer.Layer<OAuthClient.OAuthClient | Dpop.Dpop, unknown>
  return { fake, layer }
}

const clientCredentials = Effect.flatMap(OAuthClient.OAuthClient, (c) => c.token(TokenRequest.clientCredentials()))

describe("DPoP at the authorization server", () => {
  it.effect("each token request carries a fresh proof: typ, jwk, jti, htm, htu without query, iat from the Clock", () => {
    const { fake, layer } = setup(() => FakeHttp.json(dpopToken))
    return Effect.gen(function* () {
      yield* TestClock.setTime(1_700_000_000_000)
      const first = yield* clientCredentials
      const second = yield* clientCredentials
      expect(first.tokenType).toBe("DPoP")
      expect(second.tokenType).toBe("DPoP")
      const service = yield* Dpop.Dpop
      const proofs = yield* Effect.promise(() => Promise.all(fake.seen.map(proofOf)))
      for (const { payload, protectedHeader } of proofs) {
        expect(protectedHeader.alg).toBe("ES256")
        expect(protectedHeader.jwk).toEqual(service.key.publicJwk)
        expect(protectedHeader.jwk).not.toHaveProperty("d")
        expect(payload.htm).toBe("POST")
        expect(payload.htu).toBe("https://as.example.com/token")
        expect(payload.iat).toBe(1_700_000_000)
        expect(payload.ath).toBeUndefined()
        expect(payload.nonce).toBeUndefined()
      }
      expect(proofs[0]!.payload.jti).not.toBe(proofs[1]!.payload.jti)
      // the client says it uses DPoP (how a profile layer tells)
      expect((yield* OAuthClient.OAuthClient).dpop).toBe(service)
      expect(yield* Dpop.isConfigured).toBe(true)
    }).pipe(Effect.provide(layer))
  })

  it.effect("use_dpop_nonce (400) with a DPoP-Nonce: exactly one retry, with the nonce", () => {
    const { fake, layer } = setup((_, i) =>
      i === 0 ? FakeHttp.json({ error: "use_dpop_nonce" }, 400, { "dpop-nonce": "n-1" }) : FakeHttp.json(dpopToken, 200, { "dpop-nonce": "n-2" })
    )
    return Effect.gen(function* () {
      const token = yield* clientCredentials
      expect(token.tokenType).toBe("DPoP")
      expect(fake.seen).toHaveLength(2)
      const [first, second] = yield* Effect.promise(() => Promise.all(fake.seen.map(proofOf)))
      expect(first!.payload.nonce).toBeUndefined()
      expect(second!.payload.nonce).toBe("n-1")
      // the nonce of the last answer is the one remembered
      expect((yield* Dpop.Dpop).nonce("https://as.example.com/anything")).toBe("n-2")
    }).pipe(Effect.provide(layer))
  })

  it.effect("never more than one retry: a second use_dpop_nonce is the call's error", () => {
    const { fake, layer } = setup((_, i) => FakeHttp.json({ error: "use_dpop_nonce" }, 400, { "dpop-nonce": `n-${i}` }))
    return Effect.gen(function* () {
      const exit = yield* Effect.exit(clientCredentials)
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag).toBe("UseDpopNonce")
      expect(fake.seen).toHaveLength(2)
      // and the next call starts with the newest nonce
      yield* Effect.exit(clientCredentials)
      const third = yield* Effect.promise(() => proofOf(fake.seen[2]!))
      expect(third.payload.nonce).toBe("n-1")
    }).pipe(Effect.provide(layer))
  })

  it.effect("use_dpop_nonce without a new nonce is not retried", () => {
    const { fake, layer } = setup(() => FakeHttp.json({ error: "use_dpop_nonce" }, 400))
    return Effect.gen(function* () {
      const exit = yield* Effect.exit(clientCredentials)
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag).toBe("UseDpopNonce")
      expect(fake.seen).toHaveLength(1)
    }).pipe(Effect.provide(layer))
  })

  it.effect("invalid_dpop_proof is its own typed error", () => {
    const { layer } = setup(() => FakeHttp.json({ error: "invalid_dpop_proof", error_description: "htu mismatch" }, 400))
    return Effect.gen(function* () {
      const error = yield* Effect.flip(clientCredentials)
      expect(error._tag).toBe("InvalidDpopProof")
    }).pipe(Effect.provide(layer))
  })

  it.effect("a nonce from a success answer goes in the next proofs to that origin, and is updated by later answers", () => {
    const { fake, layer } = setup((_, i) => FakeHttp.json(dpopToken, 200, { "dpop-nonce": `s-${i}` }))
    return Effect.gen(function* () {
      yield* clientCredentials
      yield* clientCredentials
      yield* clientCredentials
      const proofs = yield* Effect.promise(() => Promise.all(fake.seen.map(proofOf)))
      expect(proofs.map((p) => p.payload.nonce)).toEqual([undefined, "s-0", "s-1"])
      expect((yield* Dpop.Dpop).nonce("https://other.example.com/")).toBeUndefined()
    }).pipe(Effect.provide(layer))
  })

  it.effect("a Bearer answer to a request with a proof is accepted; another token type is not", () => {
    const { layer } = setup((_, i) => FakeHttp.json({ access_token: "AT", token_type: i === 0 ? "Bearer" : "mac" }))
    return Effect.gen(function* () {
      expect((yield* clientCredentials).tokenType).toBe("Bearer")
      expect((yield* Effect.flip(clientCredentials))._tag).toBe("UnexpectedResponse")
    }).pipe(Effect.provide(layer))
  })

  it.effect("without DPoP: no proof, and a DPoP token answer is DpopRequired", () => {
    const { fake, layer } = setup(() => FakeHttp.json(dpopToken), { dpop: false })
    return Effect.gen(function* () {
      const error = yield* Effect.flip(clientCredentials)
      expect(error._tag).toBe("DpopRequired")
      expect(CoreDpop.isDpopRequired(error)).toBe(true)
      expect(fake.seen[0]!.headers["dpop"]).toBeUndefined()
      expect(yield* Dpop.isConfigured).toBe(false)
    }).pipe(Effect.provide(layer))
  })

  it.effect("PAR, revocation and UserInfo get proofs; UserInfo sends the DPoP token with ath, and retries once on a nonce challenge", () => {
    const { fake, layer } = setup((request, i) => {
      if (request.url.endsWith("/par")) return FakeHttp.json({ request_uri: "urn:r", expires_in: 60 })
      if (request.url.endsWith("/revoke")) return new Response("", { status: 200 })
      return i === 2
        ? new Response("", { status: 401, headers: { "www-authenticate": 'DPoP error="use_dpop_nonce"', "dpop-nonce": "u-1" } })
        : FakeHttp.json({ sub: "alice" })
    })
    return Effect.gen(function* () {
      const client = yield* OAuthClient.OAuthClient
      const pending = yield* AuthorizationRequest.make({
        authorizationEndpoint: endpoints.authorizationEndpoint,
        clientId: "c",
        redirectUri: "https://app.example.com/cb",
        dpopJkt: client.dpop!.thumbprint
      })
      expect(new URL(pending.url).searchParams.get("dpop_jkt")).toBe(client.dpop!.thumbprint)
      yield* client.pushedAuthorization(pending)
      yield* client.revoke({ token: "RT", tokenTypeHint: "refresh_token" })
      const token = BearerToken.make({ accessToken: "AT", tokenType: "DPoP", issuedAt: DateTime.unsafeMake(0) })
      const info = yield* client.userinfo(token)
      expect(info.sub).toBe("alice")
      expect(fake.seen).toHaveLength(4)
      const [par, revoke, first, second] = yield* Effect.promise(() => Promise.all(fake.seen.map(proofOf)))
      expect(fake.seen[0]!.form.get("dpop_jkt")).toBe(client.dpop!.thumbprint)
      expect(par!.payload.htu).toBe("https://as.example.com/par")
      expect(revoke!.payload.htu).toBe("https://as.example.com/revoke")
      expect(fake.seen[2]!.headers["authorization"]).toBe("DPoP AT")
      expect(first!.payload.htm).toBe("GET")
      expect(first!.payload.ath).toBe(yield* CoreDpop.accessTokenHash("AT"))
      expect(second!.payload.nonce).toBe("u-1")
    }).pipe(Effect.provide(layer))
  })
})

describe("DPoP at a resource server", () => {
  const token = BearerToken.make({ accessToken: "AT", tokenType: "DPoP", issuedAt: DateTime.unsafeMake(0) })
  const challenge = (nonce: string) =>
    new Response("", { status: 401, headers: { "www-authenticate": 'DPoP error="use_dpop_nonce", algs="ES256"', "dpop-nonce": nonce } })

  it.effect("Authorization: DPoP with a proof for the final URL (ath, htm, no query); one retry on a nonce challenge, never two", () =>
    Effect.gen(function* () {
      const dpop = yield* Dpop.make()
      const fake = FakeHttp.make((_, i) => (i < 3 ? challenge(`r-${i}`) : FakeHttp.json({ ok: true })))
      const api = fake.client.pipe(Bearer.withToken(Effect.succeed(token), { dpop }))
      const first = yield* api.post("https://api.example.com/things?x=1#frag")
      // the first call: a challenge, one retry with r-0, challenged again: that answer is returned
      expect(first.status).toBe(401)
      expect(fake.seen).toHaveLength(2)
      const proofs = yield* Effect.promise(() => Promise.all(fake.seen.map(proofOf)))
      expect(fake.seen[0]!.headers["authorization"]).toBe("DPoP AT")
      expect(proofs[0]!.payload.htm).toBe("POST")
      expect(proofs[0]!.payload.htu).toBe("https://api.example.com/things")
      expect(proofs[0]!.payload.ath).toBe(yield* CoreDpop.accessTokenHash("AT"))
      expect(proofs[0]!.payload.nonce).toBeUndefined()
      expect(proofs[1]!.payload.nonce).toBe("r-0")
      expect(proofs[0]!.payload.jti).not.toBe(proofs[1]!.payload.jti)
      // the next call starts with the newest nonce (r-1), is challenged (r-2), retries once and succeeds
      const second = yield* api.get("https://api.example.com/things")
      expect(second.status).toBe(200)
      const later = yield* Effect.promise(() => Promise.all(fake.seen.slice(2).map(proofOf)))
      expect(later.map((p) => p.payload.nonce)).toEqual(["r-1", "r-2"])
    })
  )

  it.effect("a Bearer token goes as Bearer, without a proof", () =>
    Effect.gen(function* () {
      const dpop = yield* Dpop.make()
      const fake = FakeHttp.make(() => FakeHttp.json({ ok: true }))
      const bearer = BearerToken.make({ accessToken: "AT", issuedAt: DateTime.unsafeMake(0) })
      const api = fake.client.pipe(Bearer.withToken(Effect.succeed(bearer), { dpop }))
      yield* api.get("https://api.example.com/things")
      expect(fake.seen[0]!.headers["authorization"]).toBe("Bearer AT")
      expect(fake.seen[0]!.headers["dpop"]).toBeUndefined()
    })
  )

  it.effect("a challenge for a request already sent with that nonce is not retried", () =>
    Effect.gen(function* () {
      const dpop = yield* Dpop.make()
      const fake = FakeHttp.make(() => challenge("same"))
      const api = fake.client.pipe(
        HttpClient.filterStatus(() => true),
        Bearer.withToken(Effect.succeed(token), { dpop })
      )
      yield* api.get("https://api.example.com/a")
      yield* api.get("https://api.example.com/a")
      // first call: sent, challenged with "same", retried with "same" (2); second call: sent with "same", challenged with "same": no retry (3)
      expect(fake.seen).toHaveLength(3)
    })
  )
})

describe("DPoP keys", () => {
  it.effect("the private key never appears in a rendering; an exported key comes back with the same thumbprint", () =>
    Effect.gen(function* () {
      for (const algorithm of CoreDpop.algorithms) {
        const key = yield* CoreDpop.generate({ algorithm, extractable: true })
        const stored = yield* CoreDpop.exportKey(key)
        const d = (JSON.parse(Redacted.value(stored)) as { d: string }).d
        for (const text of [
          JSON.stringify(key),
          String(key),
          inspect(key, { depth: 10, showHidden: false }),
          JSON.stringify({ stored }),
          String(stored)
        ]) {
          expect(text).not.toContain(d)
        }
        const again = yield* CoreDpop.fromKey(stored)
        expect(again.thumbprint).toBe(key.thumbprint)
        expect(again.algorithm).toBe(algorithm)
        const proof = yield* CoreDpop.proof(again, { method: "get", url: "https://rs.example.com/x?y" })
        const { payload } = yield* Effect.promise(() => jose.jwtVerify(proof, jose.EmbeddedJWK, { typ: "dpop+jwt" }))
        expect(payload.htm).toBe("GET")
        expect(yield* Effect.promise(() => jose.calculateJwkThumbprint(jose.decodeProtectedHeader(proof).jwk!))).toBe(key.thumbprint)
      }
    })
  )

  it.effect("a generated key is not exportable unless asked; a bad key input is InvalidArgument", () =>
    Effect.gen(function* () {
      const key = yield* CoreDpop.generate()
      expect((yield* Effect.flip(CoreDpop.exportKey(key)))._tag).toBe("InvalidArgument")
      expect((yield* Effect.flip(CoreDpop.fromKey({ kty: "oct", k: "AAAA" } as never)))._tag).toBe("InvalidArgument")
      expect((yield* Effect.flip(CoreDpop.generate({ algorithm: "HS256" as never })))._tag).toBe("InvalidArgument")
      expect((yield* Effect.flip(Dpop.make({ key: "not a key" })))._tag).toBe("InvalidArgument")
    })
  )

  it.effect("layerConfig: the key from OAUTH2_DPOP_KEY (a secret JSON JWK), the algorithm from OAUTH2_DPOP_ALGORITHM", () =>
    Effect.gen(function* () {
      const key = yield* CoreDpop.generate({ algorithm: "PS256", extractable: true })
      const stored = yield* CoreDpop.exportKey(key)
      const provider = ConfigProvider.fromMap(new Map([["OAUTH2_DPOP_KEY", Redacted.value(stored)]]))
      const service = yield* Effect.provide(Dpop.Dpop, Dpop.layerConfig(Dpop.config).pipe(Layer.provide(Layer.setConfigProvider(provider))))
      expect(service.thumbprint).toBe(key.thumbprint)
      expect(service.key.algorithm).toBe("PS256")
      const generated = ConfigProvider.fromMap(new Map([["OAUTH2_DPOP_ALGORITHM", "EdDSA"]]))
      const other = yield* Effect.provide(Dpop.Dpop, Dpop.layerConfig(Dpop.config).pipe(Layer.provide(Layer.setConfigProvider(generated))))
      expect(other.key.algorithm).toBe("EdDSA")
    })
  )
})
