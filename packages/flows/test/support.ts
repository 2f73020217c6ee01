/**
 * An in-memory Authorization Server for unit tests: the answers of `FakeHttp` of `@oauth2/testing` (a fake
 * `HttpClient` whose answers are scripted per request) and the real `OAuthClient` over it (so every request goes
 * through the real transport and codecs).
 */
import type { HttpClient } from "@effect/platform"
import { OAuthClient, Transport } from "@oauth2/http"
import { FakeHttp } from "@oauth2/testing"
import { Layer, Redacted } from "effect"

export const oauthError = (error: string, status = 400, description?: string): Response =>
  FakeHttp.json({ error, ...(description === undefined ? {} : { error_description: description }) }, status)

export const endpoints = {
  issuer: "https://as.example.com",
  tokenEndpoint: "https://as.example.com/token",
  deviceAuthorizationEndpoint: "https://as.example.com/device",
  backchannelAuthenticationEndpoint: "https://as.example.com/bc",
  revocationEndpoint: "https://as.example.com/revoke",
  userinfoEndpoint: "https://as.example.com/userinfo"
}

/** The real client over a fake network, without transport retries (so that failures are seen as they are). */
export const clientLayer = (http: { readonly layer: Layer.Layer<HttpClient.HttpClient> }) =>
  OAuthClient.layer({ endpoints, clientId: "client", clientSecret: Redacted.make("secret") }).pipe(
    Layer.provide(Transport.layer({ retry: false })),
    Layer.provide(http.layer),
    Layer.orDie
  )

/** The token requests among the requests seen. */
export const tokenRequests = (seen: ReadonlyArray<FakeHttp.ClientRequest>) => seen.filter((s) => s.url === endpoints.tokenEndpoint)

let counter = 0
/** A token endpoint answer with a new access token each time. */
export const tokenAnswer = (fields: Record<string, unknown> = {}): Response =>
  FakeHttp.json({ access_token: `AT-${++counter}`, token_type: "Bearer", expires_in: 3600, ...fields })
