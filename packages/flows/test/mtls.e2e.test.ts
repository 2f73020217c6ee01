/**
 * Mutual TLS (RFC 8705) end to end: node-oidc-provider's mTLS listener (from @oauth2/testing, certificates generated
 * at start), `tls_client_auth` and `self_signed_tls_client_auth`, the server's `mtls_endpoint_aliases` followed,
 * certificate-bound access tokens used through TokenSource + BearerClient at a resource server that checks the
 * binding; another certificate is refused.
 */
import { HttpClient } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import { TokenRequest } from "@oauth2/core"
import { BearerClient, TokenSource } from "@oauth2/flows"
import { ClientAuth, OAuthClient, Transport } from "@oauth2/http"
import * as Mtls from "@oauth2/http/Mtls"
import { TestServer } from "@oauth2/testing"
import { Effect, Layer, Redacted } from "effect"
import * as jose from "jose"

const ServerLive = TestServer.layer({ mtls: true })

const mtlsOf = (server: TestServer.TestServer) => {
  const mtls = server.mtls
  if (mtls === undefined) throw new Error("the test server was started without mtls")
  return mtls
}

/** The mTLS layer for one of the test server's certificates (its CA trusted for the listener). */
const withCertificate = (server: TestServer.TestServer, certificate: TestServer.Certificate) =>
  Mtls.layer({ cert: certificate.cert, key: Redacted.make(certificate.key), ca: mtlsOf(server).ca, retry: false })

/** The resource server's answer for a token source, through BearerClient over the HttpClient in context. */
const callResource = (url: string, source: TokenSource.TokenSource) =>
  Effect.gen(function* () {
    const http = (yield* HttpClient.HttpClient).pipe(BearerClient.authenticate(source))
    const response = yield* http.get(url)
    return { status: response.status, body: (yield* response.json) as Record<string, unknown> }
  }).pipe(Effect.scoped)

describe("mTLS (RFC 8705) against @oauth2/testing", () => {
  layer(ServerLive, { timeout: 60_000 })((it) => {
    for (const [method, clientId, pick] of [
      ["tls_client_auth", "tls-client-auth", "tlsClientAuth"],
      ["self_signed_tls_client_auth", "self-signed-tls-client-auth", "selfSignedTlsClientAuth"]
    ] as const) {
      it.effect(`${method}: the aliases are followed, the token is bound to the certificate and accepted with it`, () =>
        Effect.gen(function* () {
          const server = yield* TestServer.TestServer
          const mtls = mtlsOf(server)
          const certificate = mtls.certificates[pick]
          const program = Effect.gen(function* () {
            const auth = yield* ClientAuth.make({ method, clientId })
            expect(auth.method).toBe(method)
            const client = yield* OAuthClient.fromDiscovery({ issuer: server.issuer, auth })
            // RFC 8705 5: the token endpoint is the mTLS alias; the authorization endpoint is not aliased
            expect(client.endpoints.tokenEndpoint).toBe(`${mtls.origin}/token`)
            expect(client.endpoints.authorizationEndpoint).toBe(server.endpoints.authorization)
            const source = yield* TokenSource.make({ grant: TokenRequest.clientCredentials({ scope: server.resourceScopes }) }).pipe(
              Effect.provideService(OAuthClient.OAuthClient, client)
            )
            const token = yield* source.get
            const claims = jose.decodeJwt(Redacted.value(token.accessToken))
            const thumbprint = (claims["cnf"] as Record<string, unknown> | undefined)?.["x5t#S256"]
            expect(typeof thumbprint).toBe("string")
            const answer = yield* callResource(mtls.resource, source)
            expect(answer.status).toBe(200)
            expect(answer.body["client_id"]).toBe(clientId)
            expect(answer.body["cnf"]).toEqual({ "x5t#S256": thumbprint })
            return token
          }).pipe(Effect.scoped, Effect.provide(withCertificate(server, certificate)))
          const token = yield* program
          // the same token presented with another certificate is refused by the resource server
          const stolen = yield* Effect.gen(function* () {
            const http = yield* HttpClient.HttpClient
            const response = yield* http.get(mtls.resource, { headers: { authorization: `Bearer ${Redacted.value(token.accessToken)}` } })
            return response.status
          }).pipe(Effect.scoped, Effect.provide(withCertificate(server, mtls.certificates.other)))
          expect(stolen).toBe(401)
        })
      )
    }

    it.effect("a certificate the client did not register is refused at the token endpoint (invalid_client)", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const mtls = mtlsOf(server)
        const error = yield* Effect.gen(function* () {
          const client = yield* OAuthClient.fromDiscovery({
            issuer: server.issuer,
            auth: yield* ClientAuth.tlsClientAuth({ clientId: "tls-client-auth" })
          })
          return yield* Effect.flip(client.token(TokenRequest.clientCredentials({ scope: server.resourceScopes })))
        }).pipe(Effect.provide(withCertificate(server, mtls.certificates.other)))
        expect(error._tag).toBe("InvalidClient")
      })
    )

    it.effect("without the mTLS layer no alias is followed, and the plain endpoint has no certificate to check", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const client = yield* OAuthClient.fromDiscovery({
          issuer: server.issuer,
          auth: yield* ClientAuth.tlsClientAuth({ clientId: "tls-client-auth" })
        })
        expect(client.endpoints.tokenEndpoint).toBe(server.endpoints.token)
        const error = yield* Effect.flip(client.token(TokenRequest.clientCredentials({ scope: server.resourceScopes })))
        expect(error._tag).toBe("InvalidClient")
      }).pipe(Effect.provide(Transport.layerFetch({ retry: false })))
    )

    it.effect("an unusable certificate or key fails at layer construction with InvalidConfiguration", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const mtls = mtlsOf(server)
        const missing = yield* Effect.flip(Layer.build(Mtls.layer({ cert: mtls.certificates.other.cert })).pipe(Effect.scoped))
        expect(missing._tag).toBe("InvalidConfiguration")
        const mismatched = yield* Effect.flip(
          Layer.build(Mtls.layer({ cert: mtls.certificates.other.cert, key: Redacted.make(mtls.certificates.tlsClientAuth.key) })).pipe(Effect.scoped)
        )
        expect(mismatched._tag).toBe("InvalidConfiguration")
        expect(String(mismatched)).not.toContain("PRIVATE KEY")
      })
    )
  })
})
