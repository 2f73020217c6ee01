/**
 * DPoP (RFC 9449) end to end: node-oidc-provider demanding nonces (@oauth2/testing `features.dpop`) and a resource
 * server that checks proofs and token binding (`DpopResourceServer`): DPoP-bound client credentials and
 * authorization code + refresh, each with a nonce challenge at the token endpoint and at the resource server; a key
 * persisted beside the token keeps the refresh token working; the refusals a careful server gives.
 */
import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { AuthorizationRequest, AuthorizationResponse, BearerToken, Dpop as CoreDpop, TokenRequest } from "@oauth2/core"
import { Bearer, ClientAuth, Dpop, OAuthClient, Transport } from "@oauth2/http"
import { DpopResourceServer, TestServer } from "@oauth2/testing"
import { Clock, Effect, Layer, Redacted } from "effect"
import * as jose from "jose"

const ServersLive = DpopResourceServer.layer().pipe(Layer.provideMerge(TestServer.layer({ features: { dpop: { requireNonce: true } } })))
/** What the Authorization Server answered, in order: the nonce challenges are visible here. */
const answers: Array<{ readonly url: string; readonly status: number; readonly nonce: string | null }> = []
const TransportLive = Transport.layerFetch({
  retry: false,
  fetch: (input, init) =>
    globalThis.fetch(input, init).then((response) => {
      answers.push({ url: String(input), status: response.status, nonce: response.headers.get("dpop-nonce") })
      return response
    })
})

/** The servers run on real time: proofs must carry a real `iat`. */
const live = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.withClock(self, Clock.make())

const cnf = (token: BearerToken.BearerToken) => (jose.decodeJwt(Redacted.value(token.accessToken)) as { cnf?: { jkt?: string } }).cnf

/** A discovered client with its own DPoP service. */
const dpopClient = (server: TestServer.TestServer, auth: ClientAuth.ClientAuth, dpop: Dpop.Dpop) =>
  Effect.provideService(OAuthClient.fromDiscovery({ issuer: server.issuer, auth }), Dpop.Dpop, dpop)

/** A GET to the resource server with the token, through `Bearer.withToken`. */
const callApi = (rs: DpopResourceServer.DpopResourceServer, token: BearerToken.BearerToken, options: Bearer.Options, path = "/things?page=2") =>
  Effect.flatMap(HttpClient.HttpClient, (http) =>
    Effect.flatMap(http.pipe(Bearer.withToken(Effect.succeed(token), { allowInsecureHttp: true, ...options })).get(`${rs.url}${path}`), (response) =>
      Effect.map(response.json, (body) => ({
        status: response.status,
        body: body as Record<string, unknown>,
        challenge: response.headers["www-authenticate"]
      }))
    )
  )

const errorOf = (challenge: string | undefined) => (challenge === undefined ? undefined : /error="([^"]+)"/.exec(challenge)?.[1])

describe("DPoP against @oauth2/testing", () => {
  it.layer(Layer.mergeAll(ServersLive, TransportLive, FetchHttpClient.layer), { timeout: 60_000 })((it) => {
    it.effect("client credentials: a nonce challenge at the token endpoint, a DPoP-bound token, a nonce challenge at the resource server", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const rs = yield* DpopResourceServer.DpopResourceServer
        const dpop = yield* Dpop.make()
        const client = yield* dpopClient(server, yield* ClientAuth.fromRegistration(server.clients.dpop!), dpop)
        expect(client.dpop).toBe(dpop)
        const sent = answers.length
        const token = yield* client.token(TokenRequest.clientCredentials({ scope: server.resourceScopes, resource: server.resource }))
        expect(token.tokenType).toBe("DPoP")
        expect(cnf(token)?.jkt).toBe(dpop.thumbprint)
        // the server demanded a nonce (400 use_dpop_nonce with DPoP-Nonce): one retry with it; it is remembered
        const tokenAnswers = answers.slice(sent).filter((a) => a.url === server.endpoints.token)
        expect(tokenAnswers.map((a) => a.status)).toEqual([400, 200])
        expect(tokenAnswers[0]!.nonce).toBeTypeOf("string")
        expect(dpop.nonce(server.endpoints.token)).toBe(tokenAnswers[1]!.nonce ?? tokenAnswers[0]!.nonce)
        const before = rs.seen.length
        const answer = yield* callApi(rs, token, { dpop })
        expect(answer.status).toBe(200)
        expect(answer.body).toMatchObject({ method: "GET", path: "/things", client_id: "dpop", jkt: dpop.thumbprint })
        expect(rs.seen.slice(before).map((s) => s.outcome)).toEqual(["use_dpop_nonce", "ok"])
        // the next call carries the remembered nonce: no challenge
        expect((yield* callApi(rs, token, { dpop })).status).toBe(200)
        expect(rs.seen.slice(before + 2).map((s) => s.outcome)).toEqual(["ok"])
      }).pipe(live)
    )

    it.effect("a client registered for DPoP-bound tokens is refused a token without a proof", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const auth = yield* ClientAuth.fromRegistration(server.clients.dpop!)
        const plain = yield* OAuthClient.fromDiscovery({ issuer: server.issuer, auth })
        expect(plain.dpop).toBeUndefined()
        const refused = yield* Effect.flip(plain.token(TokenRequest.clientCredentials({ resource: server.resource })))
        // node-oidc-provider answers invalid_grant (the DpopRequired of a DPoP answer to a proofless request is in Dpop.test.ts)
        expect(refused._tag).toBe("InvalidGrant")
      }).pipe(live)
    )

    it.effect("authorization code (dpop_jkt) + refresh, with a key persisted beside the token across a restart", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const rs = yield* DpopResourceServer.DpopResourceServer
        const publicClient = server.clients.public
        const auth = yield* ClientAuth.none({ clientId: publicClient.clientId })
        // an exportable key, stored (Redacted) with the token
        const key = yield* CoreDpop.generate({ extractable: true })
        const storedKey = yield* CoreDpop.exportKey(key)
        const dpop = yield* Dpop.make({ key })
        const client = yield* dpopClient(server, auth, dpop)
        const request = yield* AuthorizationRequest.make({
          authorizationEndpoint: client.endpoints.authorizationEndpoint!,
          clientId: publicClient.clientId,
          redirectUri: publicClient.redirectUris[0]!,
          scope: "openid offline_access api:read",
          prompt: "consent",
          resource: server.resource,
          dpopJkt: dpop.thumbprint,
          issuer: server.issuer
        })
        const callback = yield* server.authorize(request.url)
        const response = yield* AuthorizationResponse.validate(request, callback)
        const sent = answers.length
        const { token } = yield* client.authorizationCode(response, { resource: server.resource })
        // a new key has no nonce yet: challenged once at the token endpoint, then the code is redeemed
        expect(answers.slice(sent).map((a) => a.status)).toEqual([400, 200])
        expect(token.tokenType).toBe("DPoP")
        expect(cnf(token)?.jkt).toBe(dpop.thumbprint)
        const stored = BearerToken.serialize(token)
        expect(stored).not.toContain((JSON.parse(Redacted.value(storedKey)) as { d: string }).d)
        // at the resource server: challenged for its nonce, then accepted
        rs.rotateNonce()
        expect((yield* callApi(rs, token, { dpop })).status).toBe(200)

        // "restart": a new client from the stored key and token
        const restoredKey = yield* CoreDpop.fromKey(storedKey)
        expect(restoredKey.thumbprint).toBe(key.thumbprint)
        const restarted = yield* dpopClient(server, auth, yield* Dpop.make({ key: restoredKey }))
        const restored = yield* BearerToken.deserialize(stored)
        const refreshed = yield* restarted.refresh(restored, { resource: server.resource })
        expect(refreshed.token.tokenType).toBe("DPoP")
        expect(cnf(refreshed.token)?.jkt).toBe(key.thumbprint)

        // the refresh token is bound to the key: another key cannot use it
        const thief = yield* dpopClient(server, auth, yield* Dpop.make())
        const stolen = yield* Effect.flip(thief.refresh(refreshed, { resource: server.resource }))
        expect(stolen._tag).toBe("InvalidGrant")
      }).pipe(live)
    )

    it.effect("the resource server refuses: another key, no proof, a Bearer scheme, a proof for another URL or method, a replayed proof", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const rs = yield* DpopResourceServer.DpopResourceServer
        const dpop = yield* Dpop.make()
        const client = yield* dpopClient(server, yield* ClientAuth.fromRegistration(server.clients.dpop!), dpop)
        const token = yield* client.token(TokenRequest.clientCredentials({ resource: server.resource }))
        expect((yield* callApi(rs, token, { dpop })).status).toBe(200)

        // a bound token with another key
        const other = yield* Dpop.make()
        const stolen = yield* callApi(rs, token, { dpop: other })
        expect(stolen.status).toBe(401)
        expect(errorOf(stolen.challenge)).toBe("invalid_token")

        // a DPoP token without a DPoP key: refused by the client, never downgraded to Bearer (RFC 9449 7.1)
        const before = rs.seen.length
        const bare = yield* Effect.flip(callApi(rs, token, {}))
        expect(bare).toMatchObject({ _tag: "RequestError", reason: "Encode" })
        expect(rs.seen.length).toBe(before)

        // hand-made requests with a proof for another URL, another method, and a replay
        const http = yield* HttpClient.HttpClient
        const send = (method: "GET" | "POST", url: string, proof: string) =>
          Effect.flatMap(
            http.execute(
              HttpClientRequest.make(method)(url).pipe(
                HttpClientRequest.setHeaders({ authorization: `DPoP ${Redacted.value(token.accessToken)}`, dpop: proof })
              )
            ),
            (response) => Effect.succeed({ status: response.status, error: errorOf(response.headers["www-authenticate"]) })
          )
        const proofFor = (method: string, url: string) => dpop.proof({ method, url, accessToken: token.accessToken, nonce: rs.nonce! })
        // the token with the Bearer scheme (hand-made: the client refuses to send it so)
        const asBearer = yield* http.execute(
          HttpClientRequest.get(`${rs.url}/a`).pipe(HttpClientRequest.setHeader("authorization", `Bearer ${Redacted.value(token.accessToken)}`))
        )
        expect(asBearer.status).toBe(401)
        expect(errorOf(asBearer.headers["www-authenticate"])).toBe("invalid_token")
        expect(yield* send("GET", `${rs.url}/a`, yield* proofFor("GET", `${rs.url}/b`))).toEqual({ status: 401, error: "invalid_dpop_proof" })
        expect(yield* send("GET", `${rs.url}/a`, yield* proofFor("POST", `${rs.url}/a`))).toEqual({ status: 401, error: "invalid_dpop_proof" })
        const once = yield* proofFor("GET", `${rs.url}/a`)
        expect((yield* send("GET", `${rs.url}/a`, once)).status).toBe(200)
        expect(yield* send("GET", `${rs.url}/a`, once)).toEqual({ status: 401, error: "invalid_dpop_proof" })
        expect(rs.seen.at(-1)?.description).toBe("jti replayed")
      }).pipe(live)
    )
  })
})
