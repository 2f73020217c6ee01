/**
 * Dynamic client registration (RFC 7591, RFC 7592) and protected resource discovery (RFC 9728) against a real
 * Authorization Server (node-oidc-provider from @oauth2/testing, with registration, registration management and
 * its protected resource enabled).
 */
import { describe, expect, it } from "@effect/vitest"
import { Registration, TokenRequest } from "@oauth2/core"
import { ClientRegistration, OAuthClient, ResourceDiscovery, Transport } from "@oauth2/http"
import { TestServer } from "@oauth2/testing"
import { Clock, Effect, Layer, Redacted } from "effect"
import * as NodeTransport from "@oauth2/http/NodeTransport"

const live = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.withClock(self, Clock.make())
const TransportLive = Transport.layerFetch({ retry: false })

const clientCredentialsMetadata: Registration.ClientMetadata = {
  grantTypes: ["client_credentials"],
  responseTypes: [],
  redirectUris: [],
  tokenEndpointAuthMethod: "client_secret_post",
  clientName: "registered by a test"
}

describe("ClientRegistration against @oauth2/testing", () => {
  const ServerLive = TestServer.layer({
    features: { registration: true, registrationManagement: true },
    initialAccessToken: "the-initial-access-token",
    protectedResource: {}
  })
  it.layer(Layer.merge(ServerLive, TransportLive), { timeout: 60_000 })((it) => {
    it.effect("registers with the initial access token and uses the client in one step", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const serverMetadata = yield* OAuthClient.discover({ issuer: server.issuer })
        expect(serverMetadata.registrationEndpoint).toBe(server.endpoints.registration)
        const { client, registered } = yield* ClientRegistration.registerClient({
          serverMetadata,
          initialAccessToken: Redacted.make("the-initial-access-token"),
          metadata: clientCredentialsMetadata
        })
        expect(registered.tokenEndpointAuthMethod).toBe("client_secret_post")
        expect(registered.clientName).toBe("registered by a test")
        expect(Redacted.isRedacted(registered.clientSecret)).toBe(true)
        expect(registered.clientIdIssuedAt).toBeDefined()
        const token = yield* client.token(TokenRequest.clientCredentials({ resource: server.resource, scope: "api:read" }))
        expect(token.scope).toBe("api:read")
      }).pipe(live)
    )

    it.effect("refuses a registration without (or with a wrong) initial access token, and bad metadata with its own tag", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const registrationEndpoint = server.endpoints.registration
        const missing = yield* Effect.flip(ClientRegistration.register({ registrationEndpoint, metadata: clientCredentialsMetadata }))
        expect(missing._tag).toBe("InvalidToken")
        const wrong = yield* Effect.flip(
          ClientRegistration.register({ registrationEndpoint, initialAccessToken: "not-it", metadata: clientCredentialsMetadata })
        )
        expect(wrong._tag).toBe("InvalidToken")
        const badRedirect = yield* Effect.flip(
          ClientRegistration.register({
            registrationEndpoint,
            initialAccessToken: "the-initial-access-token",
            metadata: { redirectUris: ["not a url"], grantTypes: ["authorization_code"], responseTypes: ["code"] }
          })
        )
        expect(["InvalidRedirectUri", "InvalidClientMetadata"]).toContain(badRedirect._tag)
        const badMetadata = yield* Effect.flip(
          ClientRegistration.register({
            registrationEndpoint,
            initialAccessToken: "the-initial-access-token",
            metadata: { ...clientCredentialsMetadata, tokenEndpointAuthMethod: "no_such_method" }
          })
        )
        expect(badMetadata._tag).toBe("InvalidClientMetadata")
      }).pipe(live)
    )

    it.effect("reads, updates and deletes the registration with its registration access token (RFC 7592)", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const registered = yield* ClientRegistration.register({
          registrationEndpoint: server.endpoints.registration,
          initialAccessToken: "the-initial-access-token",
          metadata: clientCredentialsMetadata
        })
        expect(registered.registrationClientUri).toBeDefined()
        const read = yield* ClientRegistration.read(registered)
        expect(read.clientId).toBe(registered.clientId)
        expect(read.clientName).toBe("registered by a test")
        const updated = yield* ClientRegistration.update(read, { ...Registration.metadataOf(read), clientName: "renamed" })
        expect(updated.clientName).toBe("renamed")
        expect((yield* ClientRegistration.read(updated)).clientName).toBe("renamed")
        // the updated client still works
        const client = yield* ClientRegistration.makeClient(updated, { endpoints: { issuer: server.issuer, tokenEndpoint: server.endpoints.token } })
        yield* client.token(TokenRequest.clientCredentials({ resource: server.resource }))
        yield* ClientRegistration.remove(updated)
        const gone = yield* Effect.flip(ClientRegistration.read(updated))
        expect(gone._tag).toBe("InvalidToken")
        const refused = yield* Effect.flip(client.token(TokenRequest.clientCredentials({ resource: server.resource })))
        expect(refused._tag).toBe("InvalidClient")
      }).pipe(live)
    )

    it.effect("register, read, update and remove over the NodeTransport too", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const registered = yield* ClientRegistration.register({
          registrationEndpoint: server.endpoints.registration,
          initialAccessToken: "the-initial-access-token",
          metadata: clientCredentialsMetadata
        })
        const updated = yield* ClientRegistration.update(registered, { ...Registration.metadataOf(registered), clientName: "over undici" })
        expect((yield* ClientRegistration.read(updated)).clientName).toBe("over undici")
        yield* ClientRegistration.remove(updated)
        expect((yield* Effect.flip(ClientRegistration.read(updated)))._tag).toBe("InvalidToken")
      }).pipe(Effect.provide(NodeTransport.layer({ retry: false })), live)
    )

    it.effect("finds the authorization server from the protected resource's 401 and discovers it", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const resource = server.protectedResource!.resource
        const answer = yield* Effect.promise(() => fetch(resource))
        expect(answer.status).toBe(401)
        const metadataUrl = ResourceDiscovery.metadataUrlFromChallenge(answer.headers.get("www-authenticate"))
        expect(metadataUrl).toBe(server.protectedResource!.metadataUrl)
        const metadata = yield* ResourceDiscovery.fetchMetadata({ resource, ...(metadataUrl === undefined ? {} : { metadataUrl }) })
        expect(metadata.authorizationServers).toEqual([server.issuer])
        // the well-known URL gives the same document
        expect(yield* ResourceDiscovery.fetchMetadata({ resource })).toEqual(metadata)
        const discovered = yield* ResourceDiscovery.discoverAuthorizationServer({ metadata })
        expect(discovered.issuer).toBe(server.issuer)
        // the resource identifier must be exact
        const other = yield* Effect.flip(
          ResourceDiscovery.fetchMetadata({ resource: `${resource}/`, metadataUrl: server.protectedResource!.metadataUrl })
        )
        expect(other._tag).toBe("MismatchingResource")
      }).pipe(live)
    )
  })
})

describe("open registration against @oauth2/testing", () => {
  it.layer(Layer.merge(TestServer.layer({ features: { registration: true } }), TransportLive), { timeout: 60_000 })((it) => {
    it.effect("registers without an initial access token; without management there is nothing to manage", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const registered = yield* ClientRegistration.register({
          registrationEndpoint: server.endpoints.registration,
          metadata: clientCredentialsMetadata
        })
        expect(registered.registrationAccessToken).toBeUndefined()
        const unmanaged = yield* Effect.flip(ClientRegistration.read(registered))
        expect(unmanaged._tag).toBe("InvalidConfiguration")
      }).pipe(live)
    )
  })
})
