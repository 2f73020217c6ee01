import { describe, expect, it } from "@effect/vitest"
import { ApiClient, Auth0, Grants, Ping } from "@oauth2/flows"
import { OAuthClient, Transport } from "@oauth2/http"
import { FakeHttp } from "@oauth2/testing"
import { ConfigError, ConfigProvider, Effect, Either, Layer, Redacted } from "effect"
import { tokenAnswer } from "./support.js"

describe("Auth0 tenant names", () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ["mytenant", "mytenant.auth0.com"],
    ["mytenant.eu", "mytenant.eu.auth0.com"],
    ["mytenant.us", "mytenant.us.auth0.com"],
    ["mytenant.au", "mytenant.au.auth0.com"],
    ["mytenant.jp", "mytenant.jp.auth0.com"],
    ["mytenant.eu.auth0.com", "mytenant.eu.auth0.com"],
    ["login.example.com", "login.example.com"],
    ["https://mytenant.eu.auth0.com", "mytenant.eu.auth0.com"],
    ["https://mytenant.eu.auth0.com/", "mytenant.eu.auth0.com"],
    ["https://mytenant.eu", "mytenant.eu.auth0.com"],
    ["  MyTenant.EU  ", "mytenant.eu.auth0.com"]
  ]
  it("normalises short names, region suffixes and https URLs", () => {
    for (const [tenant, domain] of cases) expect(Auth0.domain(tenant), tenant).toEqual(Either.right(domain))
  })

  it("refuses other schemes, paths, queries, credentials and garbage", () => {
    for (const tenant of [
      "ftp://mytenant.eu",
      "http://mytenant.eu.auth0.com",
      "https://mytenant.eu.auth0.com/path",
      "https://u:p@t.auth0.com",
      "https://t.auth0.com?x",
      "",
      "my tenant",
      "a/b"
    ]) {
      const result = Auth0.domain(tenant)
      expect(Either.isLeft(result), tenant).toBe(true)
      if (Either.isLeft(result)) expect(result.left).toMatchObject({ _tag: "InvalidConfiguration", field: "tenant" })
    }
  })

  it("endpoints and the Management API audience", () => {
    expect(Auth0.endpoints("test.eu")).toEqual(
      Either.right({
        issuer: "https://test.eu.auth0.com/",
        authorizationEndpoint: "https://test.eu.auth0.com/authorize",
        tokenEndpoint: "https://test.eu.auth0.com/oauth/token",
        revocationEndpoint: "https://test.eu.auth0.com/oauth/revoke",
        userinfoEndpoint: "https://test.eu.auth0.com/userinfo",
        deviceAuthorizationEndpoint: "https://test.eu.auth0.com/oauth/device/code",
        pushedAuthorizationRequestEndpoint: "https://test.eu.auth0.com/oauth/par",
        backchannelAuthenticationEndpoint: "https://test.eu.auth0.com/bc-authorize",
        jwksUri: "https://test.eu.auth0.com/.well-known/jwks.json"
      })
    )
    expect(Auth0.managementAudience("test")).toEqual(Either.right("https://test.auth0.com/api/v2/"))
  })
})

describe("Auth0 layers", () => {
  it.effect("the client layer sends to the tenant's token endpoint, an explicit endpoint wins", () =>
    Effect.gen(function* () {
      const http = FakeHttp.make(() => tokenAnswer())
      const TransportLive = Transport.layer({ retry: false }).pipe(Layer.provide(http.layer))
      const Live = Auth0.layer({
        tenant: "test.eu",
        clientId: "id",
        clientSecret: Redacted.make("s"),
        endpoints: { userinfoEndpoint: "https://id.example.com/me" }
      }).pipe(Layer.provide(TransportLive))
      const client = yield* Effect.provide(OAuthClient.OAuthClient, Live)
      expect(client.endpoints.userinfoEndpoint).toBe("https://id.example.com/me")
      yield* Grants.clientCredentials({ audience: "https://api.example.com" }).pipe(Effect.provide(Live))
      expect(http.seen[0]!.url).toBe("https://test.eu.auth0.com/oauth/token")
      expect(http.seen[0]!.form.get("audience")).toBe("https://api.example.com")
      const bad = yield* Effect.flip(
        Effect.provide(OAuthClient.OAuthClient, Auth0.layer({ tenant: "ftp://x", clientId: "id" }).pipe(Layer.provide(TransportLive)))
      )
      expect(bad).toMatchObject({ _tag: "InvalidConfiguration", field: "tenant" })
    })
  )

  it.effect("layerConfig reads AUTH0_DOMAIN, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET (redacted, optional)", () =>
    Effect.gen(function* () {
      const http = FakeHttp.make(() => tokenAnswer())
      const provider = ConfigProvider.fromMap(
        new Map([
          ["AUTH0_DOMAIN", "test.eu"],
          ["AUTH0_CLIENT_ID", "public-app"]
        ])
      )
      const Live = Auth0.layerConfig().pipe(Layer.provide(Transport.layer({ retry: false }).pipe(Layer.provide(http.layer))))
      const client = yield* Effect.provide(OAuthClient.OAuthClient, Live).pipe(Effect.withConfigProvider(provider))
      expect(client.endpoints.tokenEndpoint).toBe("https://test.eu.auth0.com/oauth/token")
      expect(client.auth.method).toBe("none")
      const bad = yield* Effect.flip(
        Effect.provide(OAuthClient.OAuthClient, Live).pipe(
          Effect.withConfigProvider(
            ConfigProvider.fromMap(
              new Map([
                ["AUTH0_DOMAIN", "ftp://x"],
                ["AUTH0_CLIENT_ID", "id"]
              ])
            )
          )
        )
      )
      expect(bad).toMatchObject({ _tag: "InvalidConfiguration", field: "tenant" })
    })
  )

  it.effect("the Management API: client credentials for https://<tenant>/api/v2/, bearer calls under it", () =>
    Effect.gen(function* () {
      const http = FakeHttp.make((seen) => (seen.url.endsWith("/oauth/token") ? tokenAnswer() : FakeHttp.json([{ user_id: "auth0|1" }])))
      const Live = Auth0.layerManagementApi({ tenant: "test.eu", clientId: "m2m", clientSecret: Redacted.make("s") }).pipe(
        Layer.provide(Layer.merge(Transport.layer({ retry: false }).pipe(Layer.provide(http.layer)), http.layer))
      )
      const users = yield* Effect.gen(function* () {
        const api = yield* Auth0.ManagementApi
        expect(api.baseUrl).toBe("https://test.eu.auth0.com/api/v2/")
        const first = yield* api.get("users", { urlParams: { page: 0, per_page: 100 } }).pipe(Effect.flatMap(ApiClient.json))
        yield* api.get(["users", "auth0|1"])
        return first
      }).pipe(Effect.provide(Live))
      expect(users).toEqual([{ user_id: "auth0|1" }])
      const [token, list, one] = http.seen
      expect(token!.form.get("grant_type")).toBe("client_credentials")
      expect(token!.form.get("audience")).toBe("https://test.eu.auth0.com/api/v2/")
      expect(list!.url).toBe("https://test.eu.auth0.com/api/v2/users?page=0&per_page=100")
      expect(list!.headers.authorization).toMatch(/^Bearer AT-/)
      expect(one!.url).toBe("https://test.eu.auth0.com/api/v2/users/auth0%7C1")
      expect(http.seen.length).toBe(3) // one token for both calls
    })
  )
})

describe("Ping (PingFederate)", () => {
  it("endpoint layout under the base URL", () => {
    expect(Ping.endpoints("sso.example.com:9031/")).toEqual(
      Either.right({
        issuer: "https://sso.example.com:9031",
        authorizationEndpoint: "https://sso.example.com:9031/as/authorization.oauth2",
        tokenEndpoint: "https://sso.example.com:9031/as/token.oauth2",
        revocationEndpoint: "https://sso.example.com:9031/as/revoke_token.oauth2",
        introspectionEndpoint: "https://sso.example.com:9031/as/introspect.oauth2",
        userinfoEndpoint: "https://sso.example.com:9031/idp/userinfo.openid",
        pushedAuthorizationRequestEndpoint: "https://sso.example.com:9031/as/par.oauth2",
        backchannelAuthenticationEndpoint: "https://sso.example.com:9031/as/bc-auth.ctr",
        deviceAuthorizationEndpoint: "https://sso.example.com:9031/as/device_authz.oauth2",
        jwksUri: "https://sso.example.com:9031/pf/JWKS"
      })
    )
    expect(Ping.baseUrl("https://sso.example.com")).toEqual(Either.right("https://sso.example.com"))
  })

  it("refuses other schemes and hosts without a dot", () => {
    for (const issuer of ["http://sso.example.com", "ftp://sso.example.com", "localhost", "", "https://sso.example.com/?q"]) {
      expect(Either.isLeft(Ping.baseUrl(issuer)), issuer).toBe(true)
    }
  })

  it.effect("the layer sends to /as/token.oauth2", () =>
    Effect.gen(function* () {
      const http = FakeHttp.make(() => tokenAnswer())
      const Live = Ping.layer({ issuer: "sso.example.com", clientId: "id", clientSecret: Redacted.make("s") }).pipe(
        Layer.provide(Transport.layer({ retry: false }).pipe(Layer.provide(http.layer)))
      )
      yield* Grants.clientCredentials({ scope: "read" }).pipe(Effect.provide(Live))
      expect(http.seen[0]!.url).toBe("https://sso.example.com/as/token.oauth2")
    })
  )

  it.effect("layerConfig reads PING_ISSUER, PING_CLIENT_ID, PING_CLIENT_SECRET (redacted, optional)", () =>
    Effect.gen(function* () {
      const http = FakeHttp.make(() => tokenAnswer())
      const provider = ConfigProvider.fromMap(
        new Map([
          ["PING_ISSUER", "sso.example.com"],
          ["PING_CLIENT_ID", "id"],
          ["PING_CLIENT_SECRET", "s"]
        ])
      )
      const Live = Ping.layerConfig().pipe(Layer.provide(Transport.layer({ retry: false }).pipe(Layer.provide(http.layer))))
      const client = yield* Effect.provide(OAuthClient.OAuthClient, Live).pipe(Effect.withConfigProvider(provider))
      expect(client.endpoints.issuer).toBe("https://sso.example.com")
      expect(client.auth.method).toBe("client_secret_basic")
      const missing = yield* Effect.flip(
        Effect.provide(OAuthClient.OAuthClient, Live).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["PING_CLIENT_ID", "id"]]))))
      )
      expect(ConfigError.isConfigError(missing)).toBe(true)
      expect(String(missing)).toContain("PING_ISSUER")
    })
  )
})
