/**
 * JARM (JWT Secured Authorization Response Mode) end to end against node-oidc-provider's `jwtResponseModes`: the
 * `response` JWT verified with the server's keys before the callback checks; a tampered, expired, foreign-audience or
 * foreign-key response JWT refused with its typed error.
 */
import { describe, expect, layer } from "@effect/vitest"
import { BearerToken, Jwt } from "@oauth2/core"
import { Grants } from "@oauth2/flows"
import { ClientAuth, OAuthClient, Transport } from "@oauth2/http"
import { TestServer } from "@oauth2/testing"
import { Effect, Layer, TestClock, TestContext } from "effect"
import * as jose from "jose"

const ServerLive = TestServer.layer({ jarm: true })
const TransportLive = Transport.layerFetch({ retry: false })

/** A discovered client for `client-secret-basic` (or another registered one) in context. */
const clientFor = (server: TestServer.TestServer, name: "clientSecretBasic" | "clientSecretPost" = "clientSecretBasic") =>
  Effect.flatMap(ClientAuth.fromRegistration(server.clients[name]), (auth) => OAuthClient.fromDiscovery({ issuer: server.issuer, auth }))

/** A JARM authorization request, and the callback URL the browser lands on. */
const jarmLogin = (responseMode: "jwt" | "query.jwt" | "fragment.jwt" | "form_post.jwt" = "jwt") =>
  Effect.gen(function* () {
    const server = yield* TestServer.TestServer
    const flow = yield* Grants.authorizationCodeFlow({
      redirectUri: server.clients.clientSecretBasic.redirectUris[0]!,
      scope: "openid email",
      responseMode
    })
    const callback = yield* server.authorize(flow.request.url)
    return { flow, callback }
  })

/** The callback URL with its `response` JWT replaced. */
const withResponse = (callback: string, replace: (jwt: string) => string | Promise<string>) =>
  Effect.promise(async () => {
    const url = new URL(callback)
    const inFragment = url.hash.length > 1
    const params = new URLSearchParams(inFragment ? url.hash.slice(1) : url.search)
    params.set("response", await replace(params.get("response")!))
    if (inFragment) url.hash = params.toString()
    else url.search = params.toString()
    return url.href
  })

describe("JARM against @oauth2/testing", () => {
  layer(Layer.merge(ServerLive, TransportLive), { excludeTestServices: true, timeout: "60 seconds" })((it) => {
    for (const mode of ["jwt", "query.jwt", "fragment.jwt", "form_post.jwt"] as const) {
      it.effect(`response_mode=${mode}: the response JWT is verified, then the callback and the ID token`, () =>
        Effect.gen(function* () {
          const server = yield* TestServer.TestServer
          const client = yield* clientFor(server)
          const { callback, flow } = yield* Effect.provideService(jarmLogin(mode), OAuthClient.OAuthClient, client)
          const url = new URL(callback)
          // the answer is one JWT, no plain code or state
          const params = new URLSearchParams(mode === "fragment.jwt" ? url.hash.slice(1) : url.search)
          expect(params.get("code")).toBeNull()
          expect(jose.decodeJwt(params.get("response")!)).toMatchObject({ iss: server.issuer, aud: client.clientId, state: flow.request.state })
          const { idToken, token } = yield* flow.callback(callback)
          expect(idToken?.sub).toBe("alice")
          expect(BearerToken.isBearer(token)).toBe(true)
        })
      )
    }

    it.effect("an error answer inside the JWT keeps its OAuth error tag (access_denied)", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const client = yield* clientFor(server)
        const flow = yield* Effect.provideService(
          Grants.authorizationCodeFlow({ redirectUri: server.clients.clientSecretBasic.redirectUris[0]!, responseMode: "jwt", prompt: "consent" }),
          OAuthClient.OAuthClient,
          client
        )
        const callback = yield* server.authorize(flow.request.url, { consent: "deny" })
        const error = yield* Effect.flip(client.authorizationResponse(flow.request, callback))
        expect(error._tag).toBe("AccessDenied")
      })
    )

    it.effect("a tampered, re-signed, foreign-audience or expired response JWT is refused with InvalidJwt", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const client = yield* clientFor(server)
        const { callback, flow } = yield* Effect.provideService(jarmLogin(), OAuthClient.OAuthClient, client)
        const validate = (input: string) => Effect.flip(client.authorizationResponse(flow.request, input))

        // a claim changed (the state of another request): the signature no longer matches
        const tampered = yield* withResponse(callback, (jwt) => {
          const [header, payload, signature] = jwt.split(".")
          const claims = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8")) as Record<string, unknown>
          return `${header}.${Buffer.from(JSON.stringify({ ...claims, state: "forged" })).toString("base64url")}.${signature}`
        })
        const e1 = yield* validate(tampered)
        expect(Jwt.isInvalidJwt(e1) && e1.reason).toBe("InvalidSignature")

        // the same claims signed by another key under the server's key id
        const resigned = yield* withResponse(callback, async (jwt) => {
          const header = jose.decodeProtectedHeader(jwt)
          const { privateKey } = await jose.generateKeyPair(header.alg!)
          return new jose.SignJWT(jose.decodeJwt(jwt))
            .setProtectedHeader({ ...header, alg: header.alg! } as jose.JWTHeaderParameters)
            .sign(privateKey)
        })
        const e2 = yield* validate(resigned)
        expect(Jwt.isInvalidJwt(e2) && e2.reason).toBe("InvalidSignature")

        // verified by another client of the same server: not its audience
        const other = yield* clientFor(server, "clientSecretPost")
        const e3 = yield* Effect.flip(other.authorizationResponse(flow.request, callback))
        expect(Jwt.isInvalidJwt(e3) && e3.reason).toBe("AudienceMismatch")

        // the untouched one is accepted
        const ok = yield* client.authorizationResponse(flow.request, callback)
        expect(ok._tag).toBe("AuthorizationResponse")

        // the clock past its expiry (and the tolerance)
        const exp = jose.decodeJwt(new URLSearchParams(new URL(callback).search).get("response")!).exp!
        const e4 = yield* Effect.gen(function* () {
          yield* TestClock.setTime((exp + 3600) * 1000)
          return yield* validate(callback)
        }).pipe(Effect.provide(TestContext.TestContext))
        expect(Jwt.isInvalidJwt(e4) && e4.reason).toBe("Expired")

        // a callback without the response JWT
        const bare = new URL(callback)
        bare.search = `?state=${flow.request.state}&code=abc`
        const e5 = yield* validate(bare.href)
        expect(e5._tag).toBe("InvalidCallback")
      })
    )
  })
})
