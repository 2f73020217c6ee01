import { describe, expect, it } from "@effect/vitest"
import { TokenRequest } from "@oauth2/core"
import { OAuthClient, Transport } from "@oauth2/http"
import { FakeHttp } from "@oauth2/testing"
import { ConfigError, ConfigProvider, Effect, Layer, Option, Tracer } from "effect"

const discovery = {
  issuer: "https://as.example.com",
  token_endpoint: "https://as.example.com/token",
  jwks_uri: "https://as.example.com/jwks",
  introspection_endpoint: "https://as.example.com/introspect"
}

const server = () =>
  FakeHttp.make((seen) => {
    if (seen.url.endsWith("/.well-known/openid-configuration")) return FakeHttp.json(discovery)
    if (seen.url.endsWith("/jwks")) return FakeHttp.json({ keys: [] })
    return FakeHttp.json({ access_token: "AT", token_type: "Bearer", expires_in: 60 })
  })

describe("OAuthClient.layerConfig", () => {
  it.effect("discovers from OAUTH2_ISSUER with a redacted secret", () =>
    Effect.gen(function* () {
      const fake = server()
      const provider = ConfigProvider.fromMap(
        new Map([
          ["OAUTH2_ISSUER", "https://as.example.com"],
          ["OAUTH2_CLIENT_ID", "c"],
          ["OAUTH2_CLIENT_SECRET", "SECRET"]
        ])
      )
      const client = yield* OAuthClient.OAuthClient.pipe(
        Effect.provide(OAuthClient.layerConfig().pipe(Layer.provide(Transport.layer().pipe(Layer.provide(fake.layer))))),
        Effect.withConfigProvider(provider)
      )
      expect(client.endpoints.introspectionEndpoint).toBe("https://as.example.com/introspect")
      expect(client.auth.method).toBe("client_secret_basic")
      expect(fake.seen.map((s) => s.url)).toEqual(["https://as.example.com/.well-known/openid-configuration", "https://as.example.com/jwks"])
      expect(JSON.stringify(client.auth)).not.toContain("SECRET")
    })
  )

  it.effect("uses explicit endpoints when discovery is off", () =>
    Effect.gen(function* () {
      const fake = server()
      const provider = ConfigProvider.fromMap(
        new Map([
          ["OAUTH2_TOKEN_ENDPOINT", "https://as.example.com/token"],
          ["OAUTH2_CLIENT_ID", "public-app"],
          ["OAUTH2_DISCOVERY", "none"]
        ])
      )
      const client = yield* OAuthClient.OAuthClient.pipe(
        Effect.provide(OAuthClient.layerConfig().pipe(Layer.provide(Transport.layer().pipe(Layer.provide(fake.layer))))),
        Effect.withConfigProvider(provider)
      )
      expect(client.auth.method).toBe("none")
      yield* client.token(TokenRequest.clientCredentials())
      expect(fake.seen.map((s) => s.body)).toEqual(["grant_type=client_credentials&client_id=public-app"])
    })
  )

  it.effect("a missing client id is the ConfigError, passed through", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        OAuthClient.OAuthClient.pipe(
          Effect.provide(OAuthClient.layerConfig().pipe(Layer.provide(Transport.layer().pipe(Layer.provide(server().layer))))),
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["OAUTH2_ISSUER", "https://as.example.com"]])))
        )
      )
      expect(ConfigError.isConfigError(error)).toBe(true)
      expect(String(error)).toContain("OAUTH2_CLIENT_ID")
    })
  )
})

describe("spans", () => {
  it.effect("each call is one span named after its endpoint, without secrets in its attributes", () =>
    Effect.gen(function* () {
      const spans: Array<{ name: string; attributes: Record<string, unknown> }> = []
      const fake = FakeHttp.make(() =>
        Effect.map(Effect.currentSpan.pipe(Effect.option), (span) => {
          // the platform's HTTP span is a child of ours
          let current: Tracer.AnySpan | undefined = Option.getOrUndefined(span)
          while (current !== undefined && current._tag === "Span") {
            spans.push({ name: current.name, attributes: Object.fromEntries(current.attributes) })
            current = Option.getOrUndefined(current.parent)
          }
          return FakeHttp.json({ access_token: "AT-SECRET", token_type: "Bearer" })
        })
      )
      const client = yield* OAuthClient.make({
        endpoints: { tokenEndpoint: "https://as.example.com/token" },
        clientId: "c",
        clientSecret: "SECRET"
      }).pipe(Effect.provide(Transport.layer().pipe(Layer.provide(fake.layer))))
      // under effect's built-in tracer (no tracer installed) nothing receives spans, and none is made
      yield* client.token(TokenRequest.password({ username: "u", password: "PASSWORD" }))
      expect(spans.filter((s) => s.name.startsWith("oauth2."))).toEqual([])
      // an installed tracer (OpenTelemetry, ...) receives one span per call
      const builtIn = yield* Effect.tracer
      const installed = Tracer.make({ span: (...args) => builtIn.span(...args), context: (f) => f() })
      yield* client.token(TokenRequest.password({ username: "u", password: "PASSWORD" })).pipe(Effect.withTracer(installed))
      const ours = spans.filter((s) => s.name.startsWith("oauth2."))
      expect(ours.map((s) => s.name)).toEqual(["oauth2.token"])
      expect(ours[0]!.attributes).toMatchObject({
        "oauth2.endpoint": "token",
        "http.request.method": "POST",
        "url.full": "https://as.example.com/token"
      })
      const rendered = JSON.stringify(spans)
      for (const secret of ["SECRET", "PASSWORD", "AT-SECRET"]) expect(rendered).not.toContain(secret)
    })
  )
})
