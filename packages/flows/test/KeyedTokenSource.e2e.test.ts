/**
 * Tokens per user against a real Authorization Server (@oauth2/testing): two end-users log in, each key renews with
 * its own refresh token, and logout revokes the key's tokens (introspection says inactive afterwards).
 */
import { describe, expect, it } from "@effect/vitest"
import { AuthorizationRequest, AuthorizationResponse } from "@oauth2/core"
import { KeyedTokenSource } from "@oauth2/flows"
import { ClientAuth, OAuthClient, Transport } from "@oauth2/http"
import { TestServer } from "@oauth2/testing"
import { Clock, Effect, Layer, Redacted } from "effect"

/** The server runs on real time: tokens carry real `iat`/`exp`. */
const live = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.withClock(self, Clock.make())

describe("KeyedTokenSource against @oauth2/testing", () => {
  it.layer(Layer.merge(TestServer.layer({ accessTokenFormat: "opaque" }), Transport.layerFetch({ retry: false })), { timeout: 60_000 })((it) => {
    it.scoped("two users log in; renewal per key; logout revokes the refresh and access tokens", () =>
      Effect.gen(function* () {
        const server = yield* TestServer.TestServer
        const registered = server.clients.clientSecretBasic
        const client = yield* OAuthClient.fromDiscovery({
          issuer: server.issuer,
          auth: yield* ClientAuth.clientSecretBasic({ clientId: registered.clientId, clientSecret: registered.clientSecret })
        })
        const login = (accountId: string) =>
          Effect.gen(function* () {
            const request = yield* AuthorizationRequest.make({
              authorizationEndpoint: client.endpoints.authorizationEndpoint!,
              clientId: registered.clientId,
              redirectUri: registered.redirectUris[0]!,
              issuer: server.issuer,
              authorizationResponseIssParameterSupported: true,
              scope: "openid offline_access",
              prompt: "consent"
            })
            const callback = yield* server.authorize(request.url, { accountId })
            return yield* client.authorizationCode(yield* AuthorizationResponse.validate(request, callback))
          })
        const tokens = yield* KeyedTokenSource.make().pipe(Effect.provideService(OAuthClient.OAuthClient, client))
        for (const user of ["alice", "bob"]) {
          const { idToken, token } = yield* login(user)
          expect(token.refreshToken).toBeDefined()
          yield* tokens.set(`session-${user}`, token, idToken === undefined ? {} : { idToken })
        }
        const alice = yield* tokens.get("session-alice")
        const bob = yield* tokens.get("session-bob")
        expect(Redacted.value(alice.accessToken)).not.toBe(Redacted.value(bob.accessToken))

        // a forced renewal of alice's key refreshes with her refresh token only
        const renewed = yield* tokens.renew("session-alice")
        expect(Redacted.value(renewed.accessToken)).not.toBe(Redacted.value(alice.accessToken))
        const info = yield* client.introspect({ token: renewed.accessToken, tokenTypeHint: "access_token" })
        expect(info).toMatchObject({ active: true, sub: "alice" })
        expect(Redacted.value((yield* tokens.get("session-bob")).accessToken)).toBe(Redacted.value(bob.accessToken))

        // logout: both of alice's tokens are revoked at the server, and the key has no token any more
        const held = yield* tokens.current("session-alice")
        expect(held._tag).toBe("Some")
        yield* tokens.logout("session-alice")
        const access = yield* client.introspect({ token: renewed.accessToken, tokenTypeHint: "access_token" })
        expect(access.active).toBe(false)
        const refresh = yield* client.introspect({ token: renewed.refreshToken!, tokenTypeHint: "refresh_token" })
        expect(refresh.active).toBe(false)
        expect(yield* Effect.flip(tokens.get("session-alice"))).toMatchObject({ _tag: "TokenUnavailable", reason: "NoGrant" })

        // bob is untouched
        const stillBob = yield* client.introspect({ token: (yield* tokens.get("session-bob")).accessToken })
        expect(stillBob).toMatchObject({ active: true, sub: "bob" })
      }).pipe(live)
    )
  })
})
