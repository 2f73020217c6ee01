/**
 * Logout end to end against a real OpenID Provider (node-oidc-provider, from @oauth2/testing): a login, then an
 * RP-initiated logout through the end-session URL (the browser confirms), the provider's back-channel logout POST
 * arriving at the client's handler (served over HTTP by HttpListener) and ending the client's session.
 */
import { HttpRouter } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { AuthorizationRequest, AuthorizationResponse } from "@oauth2/core"
import type { LogoutToken } from "@oauth2/core"
import { BackchannelLogout, ClientAuth, Logout, OAuthClient, Transport } from "@oauth2/http"
import { HttpListener, TestServer } from "@oauth2/testing"
import { Clock, Effect, Either, Layer } from "effect"

/** The server runs on real time: tokens carry real `iat`/`exp`. */
const live = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.withClock(self, Clock.make())

const TransportLive = Transport.layerFetch({ retry: false })

describe("logout against @oauth2/testing", () => {
  it.scoped(
    "login, RP-initiated logout with the browser's confirmation, the back-channel logout token ends the client's session",
    () =>
      Effect.gen(function* () {
        const listener = yield* HttpListener.make
        const server = yield* TestServer.make({ backchannelLogout: { uri: `${listener.url}/backchannel-logout` } })
        const registered = server.clients.clientSecretBasic
        const client = yield* OAuthClient.fromDiscovery({
          issuer: server.issuer,
          auth: yield* ClientAuth.clientSecretBasic({ clientId: registered.clientId, clientSecret: registered.clientSecret })
        })
        expect(client.endpoints.endSessionEndpoint).toBe(server.endpoints.endSession)
        expect(client.metadata?.backchannelLogoutSupported).toBe(true)

        // the client's sessions, by sid; the back-channel logout handler ends them
        const sessions = new Map<string, string>()
        const received: Array<LogoutToken.Claims> = []
        const handler = yield* BackchannelLogout.handler({
          onLogout: (claims) =>
            Effect.sync(() => {
              received.push(claims)
              for (const [sid, sub] of sessions) {
                if ((claims.sid === undefined || claims.sid === sid) && (claims.sub === undefined || claims.sub === sub)) sessions.delete(sid)
              }
            })
        }).pipe(Effect.provideService(OAuthClient.OAuthClient, client), Effect.provide(BackchannelLogout.layerMemory()))
        yield* listener.serve(HttpRouter.empty.pipe(HttpRouter.post("/backchannel-logout", handler)))

        // login, with a browser that keeps the end-user's session at the server
        const browser = TestServer.makeBrowser()
        const request = yield* AuthorizationRequest.make({
          authorizationEndpoint: client.endpoints.authorizationEndpoint!,
          clientId: registered.clientId,
          redirectUri: registered.redirectUris[0]!,
          issuer: server.issuer,
          authorizationResponseIssParameterSupported: true,
          scope: "openid profile"
        })
        const callback = yield* server.authorize(request.url, { browser })
        const { idToken, token } = yield* client.authorizationCode(yield* AuthorizationResponse.validate(request, callback))
        expect(idToken?.sid).toBeDefined()
        sessions.set(idToken!.sid!, idToken!.sub)
        sessions.set("another-session", "bob")

        // RP-initiated logout: the end-session URL, followed by the browser (which confirms)
        const postLogoutRedirectUri = registered.redirectUris[0]!
        const logout = yield* Logout.endSessionUrl({ idTokenHint: token, postLogoutRedirectUri, uiLocales: "en" }).pipe(
          Effect.provideService(OAuthClient.OAuthClient, client)
        )
        const url = new URL(logout.url)
        expect(url.origin + url.pathname).toBe(server.endpoints.endSession)
        expect(url.searchParams.get("client_id")).toBe(registered.clientId)
        expect(url.searchParams.get("id_token_hint")).not.toBeNull()
        expect(url.searchParams.get("ui_locales")).toBe("en")
        expect(logout.state).toBeDefined()
        const landing = yield* server.endSession(logout.url, { browser })

        // the browser came back with the state, which checks
        expect(landing.startsWith(postLogoutRedirectUri)).toBe(true)
        expect(Either.isRight(Logout.validateCallback(logout, landing))).toBe(true)
        const mismatch = Logout.validateCallback({ state: "another" }, landing)
        expect(Either.isLeft(mismatch) && mismatch.left._tag).toBe("MismatchingState")

        // the provider POSTed a logout token before redirecting: the session of that sid is gone, the other kept
        expect(yield* listener.requests).toBe(1)
        expect(received).toHaveLength(1)
        expect(received[0]).toMatchObject({ iss: server.issuer, sub: "alice", sid: idToken!.sid, aud: [registered.clientId] })
        expect([...sessions.keys()]).toEqual(["another-session"])

        // the end-user's session at the server is over: a silent login now fails
        const silent = yield* AuthorizationRequest.make({
          authorizationEndpoint: client.endpoints.authorizationEndpoint!,
          clientId: registered.clientId,
          redirectUri: registered.redirectUris[0]!,
          scope: "openid",
          prompt: "none"
        })
        const again = yield* server.authorize(silent.url, { browser })
        expect(new URL(again).searchParams.get("error")).toBe("login_required")
      }).pipe(Effect.provide(TransportLive), live),
    60_000
  )

  it.scoped("a server without end_session_endpoint is refused up front with EndpointNotSupported", () =>
    Effect.gen(function* () {
      const client = yield* OAuthClient.make({
        clientId: "c",
        endpoints: { issuer: "https://as.example.com", tokenEndpoint: "https://as.example.com/token" }
      })
      const refused = yield* Effect.flip(Logout.endSessionUrlWith(client, { postLogoutRedirectUri: "https://app.example.com/out" }))
      expect(refused).toMatchObject({ _tag: "EndpointNotSupported", endpoint: "end_session" })
    }).pipe(Effect.provide(TransportLive))
  )
})
