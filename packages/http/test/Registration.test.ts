/**
 * Dynamic client registration (RFC 7591, RFC 7592) and protected resource discovery (RFC 9728) against a fake
 * network: what is sent, and every fault mapped to its typed error.
 */
import { describe, expect, it } from "@effect/vitest"
import { Registration, ResourceMetadata } from "@oauth2/core"
import { ClientAuth, ClientRegistration, ResourceDiscovery, Transport } from "@oauth2/http"
import { ErrorLaws, FakeHttp, Fault } from "@oauth2/testing"
import { Effect, Either, Redacted } from "effect"
import { inspect } from "node:util"

const registrationEndpoint = "https://as.example.com/register"
const answer = {
  client_id: "new-client",
  client_secret: "the-new-secret",
  client_secret_expires_at: 0,
  token_endpoint_auth_method: "client_secret_post",
  redirect_uris: ["https://app.example.com/cb"],
  registration_access_token: "the-rat",
  registration_client_uri: "https://as.example.com/register/new-client"
}

const registered = Either.getOrThrow(Registration.decode(answer))

const run = <A, E>(respond: FakeHttp.Respond<FakeHttp.Request>, program: Effect.Effect<A, E, Transport.Transport>) => {
  const fake = FakeHttp.makeFetch(respond)
  return { fake, effect: Effect.provide(program, Transport.layerFetch({ fetch: fake.fetch, retry: false })) }
}

describe("ClientRegistration", () => {
  it.effect("registers with a JSON body and the initial access token, and the answer feeds ClientAuth.fromRegistration", () => {
    const { fake, effect } = run(
      () => FakeHttp.json(answer, 201),
      ClientRegistration.register({
        registrationEndpoint,
        initialAccessToken: Redacted.make("the-iat"),
        softwareStatement: "eyJ.software.statement",
        metadata: { redirectUris: ["https://app.example.com/cb"], tokenEndpointAuthMethod: "client_secret_post", clientName: "App" }
      })
    )
    return Effect.gen(function* () {
      const registered = yield* effect
      const [request] = fake.seen
      expect(request?.method).toBe("POST")
      expect(request?.url).toBe(registrationEndpoint)
      expect(request?.headers["content-type"]).toBe("application/json")
      expect(request?.headers["authorization"]).toBe("Bearer the-iat")
      expect(JSON.parse(request!.body)).toEqual({
        redirect_uris: ["https://app.example.com/cb"],
        token_endpoint_auth_method: "client_secret_post",
        client_name: "App",
        software_statement: "eyJ.software.statement"
      })
      expect(registered.clientId).toBe("new-client")
      expect(inspect(registered)).not.toContain("the-new-secret")
      expect(inspect(registered)).not.toContain("the-rat")
      const auth = yield* ClientAuth.fromRegistration(registered)
      expect(auth.method).toBe("client_secret_post")
      expect(auth.clientId).toBe("new-client")
    })
  })

  it.effect("reads, updates and deletes with the registration access token (RFC 7592)", () => {
    const { fake, effect } = run(
      (request) =>
        request.method === "DELETE"
          ? new Response(null, { status: 204 })
          : FakeHttp.json(request.method === "PUT" ? { ...answer, client_name: "Renamed", registration_access_token: undefined } : answer),
      Effect.gen(function* () {
        const read = yield* ClientRegistration.read(registered)
        const updated = yield* ClientRegistration.update(read, { redirectUris: ["https://app.example.com/cb"], clientName: "Renamed" })
        yield* ClientRegistration.remove(updated)
        return updated
      })
    )
    return Effect.gen(function* () {
      const updated = yield* effect
      expect(fake.seen.map((r) => r.method)).toEqual(["GET", "PUT", "DELETE"])
      for (const request of fake.seen) {
        expect(request.url).toBe(answer.registration_client_uri)
        expect(request.headers["authorization"]).toBe("Bearer the-rat")
      }
      expect(JSON.parse(fake.seen[1]!.body)).toEqual({
        redirect_uris: ["https://app.example.com/cb"],
        client_name: "Renamed",
        client_id: "new-client",
        client_secret: "the-new-secret"
      })
      expect(updated.clientName).toBe("Renamed")
      // the token the server did not send again is kept
      expect(Redacted.value(updated.registrationAccessToken!)).toBe("the-rat")
    })
  })

  it.effect("over the HttpClient transport too: JSON bodies, PUT and DELETE", () => {
    const fake = FakeHttp.make((request) =>
      request.method === "DELETE"
        ? new Response(null, { status: 204 })
        : FakeHttp.json(request.method === "POST" ? answer : { ...answer, client_name: "Renamed" })
    )
    return Effect.gen(function* () {
      const created = yield* ClientRegistration.register({ registrationEndpoint, metadata: { clientName: "App" } })
      const updated = yield* ClientRegistration.update(created, { clientName: "Renamed" })
      yield* ClientRegistration.remove(updated)
      expect(fake.seen.map((r) => [r.method, r.headers["content-type"]?.split(";")[0]])).toEqual([
        ["POST", "application/json"],
        ["PUT", "application/json"],
        ["DELETE", undefined]
      ])
      expect(JSON.parse(fake.seen[1]!.body)).toEqual({ client_name: "Renamed", client_id: "new-client", client_secret: "the-new-secret" })
      expect(fake.seen[2]!.headers["authorization"]).toBe("Bearer the-rat")
    }).pipe(Effect.provide(Transport.layer({ retry: false })), Effect.provide(fake.layer))
  })

  it.effect("maps each registration error code to its own tag", () =>
    Effect.gen(function* () {
      for (const [code, tag] of [
        ["invalid_redirect_uri", "InvalidRedirectUri"],
        ["invalid_client_metadata", "InvalidClientMetadata"],
        ["invalid_software_statement", "InvalidSoftwareStatement"],
        ["unapproved_software_statement", "UnapprovedSoftwareStatement"]
      ] as const) {
        const { effect } = run(
          () => FakeHttp.fromFault(Fault.oauthError(code, { description: "refused" })),
          ClientRegistration.register({ registrationEndpoint, metadata: {} })
        )
        const error = yield* Effect.flip(effect)
        expect(error._tag).toBe(tag)
      }
    })
  )

  it.effect("faults: an invalid registration access token, HTML, a wrong client, no endpoint, no management, never retried", () =>
    Effect.gen(function* () {
      const bad = yield* Effect.flip(
        run(
          () => FakeHttp.json({ error: "invalid_token" }, 401, { "www-authenticate": 'Bearer error="invalid_token"' }),
          ClientRegistration.read(registered)
        ).effect
      )
      expect(bad._tag).toBe("InvalidToken")
      const html = yield* Effect.flip(run(() => FakeHttp.fromFault(Fault.html(200, "<p>hi</p>")), ClientRegistration.read(registered)).effect)
      expect(html._tag).toBe("UnexpectedResponse")
      const other = yield* Effect.flip(run(() => FakeHttp.json({ ...answer, client_id: "someone-else" }), ClientRegistration.read(registered)).effect)
      expect(other._tag).toBe("UnexpectedResponse")
      const noEndpoint = yield* Effect.flip(run(() => FakeHttp.json(answer), ClientRegistration.register({ metadata: {} })).effect)
      expect(noEndpoint._tag).toBe("EndpointNotSupported")
      const unmanaged = yield* Effect.flip(run(() => FakeHttp.json(answer), ClientRegistration.read({ clientId: "c" })).effect)
      expect(unmanaged._tag).toBe("InvalidConfiguration")
      // a registration is never sent twice, even on a 503 with retries enabled
      const fake = FakeHttp.makeFetch(() => FakeHttp.fromFault(Fault.status(503)))
      const failed = yield* Effect.flip(
        Effect.provide(ClientRegistration.register({ registrationEndpoint, metadata: {} }), Transport.layerFetch({ fetch: fake.fetch }))
      )
      expect(failed._tag).toBe("UnexpectedResponse")
      expect(fake.seen.length).toBe(1)
      const unsendable = yield* Effect.flip(
        run(() => FakeHttp.json(answer), ClientRegistration.register({ registrationEndpoint, metadata: { extra: { n: 1n } } })).effect
      )
      expect(unsendable._tag).toBe("InvalidConfiguration")
    })
  )
})

const resource = "https://api.example.com/mcp"
const metadataUrl = "https://api.example.com/.well-known/oauth-protected-resource/mcp"
const prm = { resource, authorization_servers: ["https://as.example.com", "https://as2.example.com"], scopes_supported: ["read"] }
const asMetadata = (issuer: string) => ({ issuer, token_endpoint: `${issuer}/token`, authorization_endpoint: `${issuer}/authorize` })

describe("ResourceDiscovery", () => {
  it("reads resource_metadata from a WWW-Authenticate header (any scheme), or nothing", () => {
    expect(ResourceDiscovery.metadataUrlFromChallenge(`Bearer resource_metadata="${metadataUrl}"`)).toBe(metadataUrl)
    expect(ResourceDiscovery.metadataUrlFromChallenge(`Basic realm="x", DPoP algs="ES256", resource_metadata="${metadataUrl}"`)).toBe(metadataUrl)
    expect(ResourceDiscovery.metadataUrlFromChallenge(`Bearer error="invalid_token"`)).toBeUndefined()
    expect(ResourceDiscovery.metadataUrlFromChallenge(undefined)).toBeUndefined()
    expect(ResourceDiscovery.metadataUrlFromChallenge("")).toBeUndefined()
  })

  it.effect("fetches metadata from the well-known URL, checks the resource, discovers the first server (RFC 8414)", () => {
    const { fake, effect } = run(
      (request) =>
        request.url === metadataUrl
          ? FakeHttp.json(prm)
          : request.url === "https://as.example.com/.well-known/oauth-authorization-server"
            ? FakeHttp.json(asMetadata("https://as.example.com"))
            : FakeHttp.fromFault(Fault.status(404)),
      Effect.flatMap(ResourceDiscovery.fetchMetadata({ resource }), (metadata) => ResourceDiscovery.discoverAuthorizationServer({ metadata }))
    )
    return Effect.gen(function* () {
      const server = yield* effect
      expect(server.issuer).toBe("https://as.example.com")
      expect(fake.seen.map((r) => r.url)).toEqual([metadataUrl, "https://as.example.com/.well-known/oauth-authorization-server"])
    })
  })

  it.effect("falls back to OpenID Connect discovery; a chooser picks another listed server", () => {
    const { fake, effect } = run(
      (request) =>
        request.url === "https://as2.example.com/.well-known/openid-configuration"
          ? FakeHttp.json(asMetadata("https://as2.example.com"))
          : FakeHttp.fromFault(Fault.status(404, "not found")),
      ResourceDiscovery.discoverAuthorizationServer({
        metadata: Either.getOrThrow(ResourceMetadata.decode(prm, { resource })),
        choose: (list) => list[1]
      })
    )
    return Effect.gen(function* () {
      const server = yield* effect
      expect(server.issuer).toBe("https://as2.example.com")
      expect(fake.seen.length).toBe(2)
    })
  })

  it.effect("faults: another resource, a server not listed, none listed, an impersonating server, HTML metadata", () =>
    Effect.gen(function* () {
      const mismatch = yield* Effect.flip(
        run(() => FakeHttp.json({ ...prm, resource: "https://evil.example/mcp" }), ResourceDiscovery.fetchMetadata({ resource, metadataUrl })).effect
      )
      expect(mismatch._tag).toBe("MismatchingResource")
      const metadata = Either.getOrThrow(ResourceMetadata.decode(prm, { resource }))
      const notListed = yield* Effect.flip(
        run(
          () => FakeHttp.json(asMetadata("https://evil.example")),
          ResourceDiscovery.discoverAuthorizationServer({ metadata, choose: () => "https://evil.example" })
        ).effect
      )
      expect(notListed._tag).toBe("AuthorizationServerNotListed")
      expect(ResourceDiscovery.isResourceDiscoveryError(notListed)).toBe(true)
      const none = ResourceDiscovery.chooseAuthorizationServer(metadata, () => undefined)
      expect(Either.isLeft(none) && none.left._tag).toBe("NoAuthorizationServer")
      const impersonated = yield* Effect.flip(
        run(() => FakeHttp.json(asMetadata("https://evil.example")), ResourceDiscovery.discoverAuthorizationServer({ metadata })).effect
      )
      expect(impersonated._tag).toBe("MismatchingIssuer")
      const html = yield* Effect.flip(
        run(() => FakeHttp.fromFault(Fault.html(200, "<p>x</p>")), ResourceDiscovery.fetchMetadata({ resource })).effect
      )
      expect(html._tag).toBe("UnexpectedResponse")
      const insecure = yield* Effect.flip(
        run(() => FakeHttp.json(prm), ResourceDiscovery.fetchMetadata({ resource: "http://api.example.com/mcp" })).effect
      )
      expect(insecure._tag).toBe("InvalidConfiguration")
    })
  )
})

describe("ResourceDiscovery errors", () => {
  it.effect("obey the error laws", () =>
    Effect.promise(async () => {
      for (const error of [
        ResourceDiscovery.noAuthorizationServer(resource),
        ResourceDiscovery.authorizationServerNotListed(resource, "https://evil.example", ["https://as.example.com"]),
        ResourceMetadata.mismatchingResource(resource, "https://evil.example/mcp")
      ]) {
        await ErrorLaws.check(error)
      }
      expect(ResourceDiscovery.isResourceDiscoveryError(ResourceMetadata.mismatchingResource(resource, "x"))).toBe(false)
      expect(ResourceMetadata.isMismatchingResource(ResourceMetadata.mismatchingResource(resource, "x"))).toBe(true)
    })
  )
})
