/**
 * FAPI 2.0 end to end against node-oidc-provider's FAPI 2.0 profile (the `fapi2` client of @oauth2/testing): PAR at
 * the mTLS alias, PKCE S256, private_key_jwt with the issuer as audience, certificate-bound tokens, RFC 9207 `iss`,
 * ES256 ID tokens; with Message Signing, a signed request object and a JARM response. Every rule violation fails at
 * layer construction with `InvalidConfiguration` naming the rule; requests that break the profile are refused.
 */
import { HttpClient } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import { AuthorizationRequest, Jwt } from "@oauth2/core"
import { Grants } from "@oauth2/flows"
import { ClientAuth, Dpop, Fapi2, OAuthClient, Transport } from "@oauth2/http"
import * as Mtls from "@oauth2/http/Mtls"
import { TestServer } from "@oauth2/testing"
import { Effect, Layer, Redacted } from "effect"
import * as jose from "jose"

const ServerLive = TestServer.layer({ fapi2: true, jarm: true, features: { dpop: true } })

const mtlsOf = (server: TestServer.TestServer) => {
  const mtls = server.mtls
  if (mtls === undefined) throw new Error("the test server was started without mtls")
  return mtls
}

/** The `fapi2` client's certificate, as the mTLS transport. */
const fapiCertificate = (server: TestServer.TestServer) => {
  const { ca, certificates } = mtlsOf(server)
  return Mtls.layer({ cert: certificates.fapi2.cert, key: Redacted.make(certificates.fapi2.key), ca, retry: false })
}

/** private_key_jwt for the `fapi2` client (the `privateKeyJwt` client's key), aud = the issuer unless said otherwise. */
const fapiAuth = (server: TestServer.TestServer, audience: ClientAuth.Audience = "issuer") =>
  ClientAuth.privateKeyJwt({ clientId: "fapi2", privateKey: server.clients.privateKeyJwt.privateJwk, audience })

/** The InvalidConfiguration field of a failed construction. */
const ruleOf = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.flip(self), (e) =>
    (e as { _tag?: string })._tag === "InvalidConfiguration" ? (e as unknown as { field: string }).field : String(e)
  )

describe("FAPI 2.0 against @oauth2/testing", () => {
  layer(ServerLive, { excludeTestServices: true, timeout: "60 seconds" })((it) => {
    it.effect("a full login: PAR at the mTLS alias, PKCE S256, private_key_jwt, iss, certificate-bound token", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const mtls = mtlsOf(server)
        const auth = yield* fapiAuth(server)
        yield* Effect.gen(function* () {
          const client = yield* Fapi2.make({ issuer: server.issuer, auth })
          expect(client.endpoints.pushedAuthorizationRequestEndpoint).toBe(`${mtls.origin}/request`)
          const flow = yield* Effect.provideService(
            Grants.authorizationCodeFlow({ redirectUri: server.clients.privateKeyJwt.redirectUris[0]!, scope: "openid email" }),
            OAuthClient.OAuthClient,
            client
          )
          // pushed: only client_id and request_uri in the front channel
          expect(flow.request._tag).toBe("RequestUriRequest")
          expect(flow.request.codeChallengeMethod).toBe("S256")
          const callback = yield* server.authorize(flow.request.url)
          expect(new URL(callback).searchParams.get("iss")).toBe(server.issuer)
          const { idToken, token } = yield* flow.callback(callback)
          expect(idToken?.sub).toBe("alice")
          const http = yield* HttpClient.HttpClient
          const answer = yield* http.get(mtls.resource, { headers: { authorization: `Bearer ${Redacted.value(token.accessToken)}` } })
          expect(answer.status).toBe(200)
          // the (opaque) token is bound to the fapi2 certificate
          const body = (yield* answer.json) as { cnf?: Record<string, unknown> | null; sub?: string }
          expect(body.sub).toBe("alice")
          expect(typeof body.cnf?.["x5t#S256"]).toBe("string")
          // a callback without iss is refused (RFC 9207 required by the profile)
          const again = yield* Effect.provideService(
            Grants.authorizationCodeFlow({ redirectUri: server.clients.privateKeyJwt.redirectUris[0]!, scope: "openid" }),
            OAuthClient.OAuthClient,
            client
          )
          const noIss = new URL(yield* server.authorize(again.request.url))
          noIss.searchParams.delete("iss")
          const missing = yield* Effect.flip(client.authorizationResponse(again.request, noIss.href))
          expect(missing._tag).toBe("MissingIssuer")
          // a hand-made pending request without the issuer: iss is still required and checked, against the client's issuer
          const { issuer: _issuer, ...handMade } = again.request
          expect((yield* Effect.flip(client.authorizationResponse(handMade, noIss.href)))._tag).toBe("MissingIssuer")
          noIss.searchParams.set("iss", "https://other.example.com")
          expect((yield* Effect.flip(client.authorizationResponse(handMade, noIss.href)))._tag).toBe("MismatchingIssuer")
        }).pipe(Effect.scoped, Effect.provide(fapiCertificate(server)))
      })
    )

    it.effect("DPoP-bound tokens instead of mTLS: a full login over the plain endpoints, token_type DPoP", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const auth = yield* ClientAuth.privateKeyJwt({
          clientId: "fapi2-dpop",
          privateKey: server.clients.privateKeyJwt.privateJwk,
          audience: "issuer"
        })
        yield* Effect.gen(function* () {
          const client = yield* Fapi2.make({ issuer: server.issuer, auth })
          expect(client.endpoints.pushedAuthorizationRequestEndpoint).toBe(server.endpoints.pushedAuthorizationRequest)
          const flow = yield* Effect.provideService(
            Grants.authorizationCodeFlow({ redirectUri: server.clients.privateKeyJwt.redirectUris[0]!, scope: "openid email" }),
            OAuthClient.OAuthClient,
            client
          )
          expect(flow.request._tag).toBe("RequestUriRequest")
          const { idToken, token } = yield* flow.callback(yield* server.authorize(flow.request.url))
          expect(idToken?.sub).toBe("alice")
          expect(token.tokenType.toLowerCase()).toBe("dpop")
          // the bound token works at UserInfo (a proof with the same key)
          const info = yield* client.userinfo(token, idToken === undefined ? {} : { idToken })
          expect(info.sub).toBe("alice")
        }).pipe(Effect.provide(Layer.merge(Transport.layerFetch({ retry: false }), Dpop.layer({ algorithm: "ES256" }))))
      })
    )

    it.effect("Message Signing: the pushed request is a signed request object (a default lifetime: exp, nbf), the answer a JARM response", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const auth = yield* fapiAuth(server)
        const signingKey = yield* Jwt.signingKey(Redacted.value(server.clients.privateKeyJwt.privateJwk))
        yield* Effect.gen(function* () {
          // no lifetime given: the request object still carries exp and nbf (the provider's FAPI 2.0 profile requires them)
          const client = yield* Fapi2.make({ issuer: server.issuer, auth, messageSigning: { signingKey } })
          const flow = yield* Effect.provideService(
            Grants.authorizationCodeFlow({ redirectUri: server.clients.privateKeyJwt.redirectUris[0]!, scope: "openid", responseMode: "jwt" }),
            OAuthClient.OAuthClient,
            client
          )
          const callback = yield* server.authorize(flow.request.url)
          const response = new URL(callback).searchParams.get("response")
          expect(response).not.toBeNull()
          expect(jose.decodeProtectedHeader(response!).alg).toBe("ES256")
          const { idToken } = yield* flow.callback(callback)
          expect(idToken?.sub).toBe("alice")
          // without a JWT response mode the request breaks the profile
          const plain = yield* Effect.flip(
            Effect.provideService(
              Grants.authorizationCodeFlow({ redirectUri: server.clients.privateKeyJwt.redirectUris[0]!, scope: "openid" }),
              OAuthClient.OAuthClient,
              client
            )
          )
          expect(plain._tag === "InvalidArgument" && plain.argument).toBe("fapi2.jarm")
        }).pipe(Effect.provide(fapiCertificate(server)))
      })
    )

    it.effect("requests that break the profile: no PKCE, a callback for a request that was not pushed", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const auth = yield* fapiAuth(server)
        yield* Effect.gen(function* () {
          const client = yield* Fapi2.make({ issuer: server.issuer, auth })
          const base = { authorizationEndpoint: server.endpoints.authorization, clientId: "fapi2", redirectUri: "http://127.0.0.1/callback" }
          const noPkce = yield* AuthorizationRequest.make({ ...base, codeChallengeMethod: false })
          const refused = yield* Effect.flip(client.pushedAuthorization(noPkce))
          expect(refused._tag === "InvalidArgument" && refused.argument).toBe("fapi2.pkce")
          const notPushed = yield* AuthorizationRequest.make(base)
          expect(yield* ruleOf(client.authorizationResponse(notPushed, `http://127.0.0.1/callback?code=x&state=${notPushed.state}`))).toBe(
            "fapi2.par"
          )
        }).pipe(Effect.provide(fapiCertificate(server)))
      })
    )

    it.effect("every rule violation fails at layer construction with InvalidConfiguration naming the rule", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const issuer = server.issuer
        const auth = yield* fapiAuth(server)
        const build = (options: Fapi2.Options) => ruleOf(Layer.build(Fapi2.layer(options)).pipe(Effect.scoped))
        const mtlsLive = fapiCertificate(server)

        // a client secret is not a FAPI client authentication
        const secret = yield* ClientAuth.fromRegistration(server.clients.clientSecretBasic)
        expect(yield* build({ issuer, auth: secret }).pipe(Effect.provide(mtlsLive))).toBe("fapi2.clientAuthentication")
        // tls_client_auth without the mTLS transport
        const tls = yield* ClientAuth.tlsClientAuth({ clientId: "tls-client-auth" })
        const plainTransport = Transport.layerFetch({ retry: false })
        expect(yield* build({ issuer, auth: tls }).pipe(Effect.provide(plainTransport))).toBe("fapi2.clientAuthentication")
        // an assertion for the endpoint, not the issuer
        expect(yield* build({ issuer, auth: yield* fapiAuth(server, "endpoint") }).pipe(Effect.provide(mtlsLive))).toBe(
          "fapi2.clientAssertionAudience"
        )
        // RS256 client assertion
        const rsa = yield* Effect.promise(() => jose.generateKeyPair("RS256", { extractable: true }).then((k) => jose.exportJWK(k.privateKey)))
        const rsaAuth = yield* ClientAuth.privateKeyJwt({ clientId: "fapi2", privateKey: { ...rsa, kid: "rsa", alg: "RS256" }, audience: "issuer" })
        expect(yield* build({ issuer, auth: rsaAuth }).pipe(Effect.provide(mtlsLive))).toBe("fapi2.signingAlgorithms")
        // neither mTLS nor DPoP: tokens would not be sender-constrained
        expect(yield* build({ issuer, auth }).pipe(Effect.provide(plainTransport))).toBe("fapi2.senderConstrainedTokens")
        // DPoP with an allowed key is enough (no mTLS), with an RS256 key it is not
        const withDpop = yield* Effect.exit(
          Layer.build(Fapi2.layer({ issuer, auth })).pipe(
            Effect.scoped,
            Effect.provide(Layer.merge(plainTransport, Dpop.layer({ algorithm: "ES256" })))
          )
        )
        expect(withDpop._tag).toBe("Success")
        expect(yield* build({ issuer, auth }).pipe(Effect.provide(Layer.merge(plainTransport, Dpop.layer({ algorithm: "RS256" }))))).toBe(
          "fapi2.signingAlgorithms"
        )
        // nor beside mTLS: the DPoP key is checked whenever there is one
        expect(yield* build({ issuer, auth }).pipe(Effect.provide(Layer.merge(mtlsLive, Dpop.layer({ algorithm: "RS256" }))))).toBe(
          "fapi2.signingAlgorithms"
        )
        // Message Signing: a request object may live at most 60 minutes (exp - nbf)
        const signingKey = yield* Jwt.signingKey(Redacted.value(server.clients.privateKeyJwt.privateJwk))
        expect(yield* build({ issuer, auth, messageSigning: { signingKey, lifetime: "2 hours" } }).pipe(Effect.provide(mtlsLive))).toBe("fapi2.jar")
        const hour = yield* Effect.exit(
          Layer.build(Fapi2.layer({ issuer, auth, messageSigning: { signingKey, lifetime: "60 minutes" } })).pipe(
            Effect.scoped,
            Effect.provide(mtlsLive)
          )
        )
        expect(hour._tag).toBe("Success")
        // RS256 ID tokens
        expect(yield* build({ issuer, auth, idToken: { signingAlgorithms: ["RS256"] } }).pipe(Effect.provide(mtlsLive))).toBe(
          "fapi2.signingAlgorithms"
        )
        // a server without PAR, or without RFC 9207 iss
        const metadata = yield* OAuthClient.discover({ issuer }).pipe(Effect.provide(plainTransport))
        const { pushedAuthorizationRequestEndpoint: _par, ...withoutPar } = metadata
        expect(yield* build({ metadata: withoutPar as typeof metadata, auth }).pipe(Effect.provide(mtlsLive))).toBe("fapi2.par")
        expect(
          yield* build({ metadata: { ...metadata, authorizationResponseIssParameterSupported: false }, auth }).pipe(Effect.provide(mtlsLive))
        ).toBe("fapi2.iss")
        // and the profile's own configuration builds
        const ok = yield* Effect.exit(Layer.build(Fapi2.layer({ issuer, auth })).pipe(Effect.scoped, Effect.provide(mtlsLive)))
        expect(ok._tag).toBe("Success")
      })
    )
  })
})
