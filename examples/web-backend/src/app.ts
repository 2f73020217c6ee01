/**
 * A web backend on `@effect/platform`'s HTTP router, signing its users in with an OpenID Provider:
 *
 * - `GET  /login`               starts an authorization code + PKCE + nonce request, kept in a new session
 * - `GET  /callback`            validates the callback, redeems the code (the ID token is validated), keeps the user's
 *                               tokens under the session's key (one self-renewing source per session)
 * - `GET  /`                    the protected page: calls an API (the provider's UserInfo endpoint) with the user's
 *                               token, renewed when needed
 * - `POST /logout`              revokes the tokens, ends the local session and sends the browser to the provider's
 *                               end-session endpoint (RP-initiated logout)
 * - `GET  /logged-out`          where the provider sends the browser back: the logout `state` is checked
 * - `POST /backchannel-logout`  the provider's back-channel logout: the logout token is validated and the sessions it
 *                               names are ended
 *
 * Sessions live in memory here (a `Map` behind a random cookie); a real app keeps them in its own store.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { AuthorizationRequest, AuthorizationResponse } from "@oauth2/core"
import { BearerClient, KeyedTokenSource } from "@oauth2/flows"
import { BackchannelLogout, Logout, OAuthClient } from "@oauth2/http"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"

/** What the app needs to know about itself. */
export interface AppConfig {
  /** The app's own origin, e.g. `https://app.example.com` (its redirect URIs are built from it). */
  readonly baseUrl: string
  /** The API the protected page calls with the user's token. */
  readonly apiUrl: string
}

/** A browser session: before login, the pending request; after, the user and the provider's session id. */
interface Session {
  pending?: string | undefined
  user?: { readonly sub: string; readonly sid: string | undefined } | undefined
  logoutState?: string | undefined
}

const cookie = "session"
const cookieOptions = { httpOnly: true, sameSite: "lax", path: "/" } as const

/** Text for HTML: a user's name or an error comes from elsewhere and must not become markup. */
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** A page whose title is text (escaped) and whose body is the app's own markup (values in it escaped by the caller). */
const page = (title: string, body: string) =>
  HttpServerResponse.text(`<!DOCTYPE html><title>${escapeHtml(title)}</title><h1>${escapeHtml(title)}</h1>${body}`, {
    contentType: "text/html; charset=utf-8"
  })

/** The app's router; needs the client, the keyed token source, the replay cache and an `HttpClient` in context. */
export const makeApp = (config: AppConfig) =>
  Effect.gen(function* () {
    const client = yield* OAuthClient.OAuthClient
    const tokens = yield* KeyedTokenSource.KeyedTokenSource
    const http = yield* HttpClient.HttpClient
    const sessions = new Map<string, Session>()

    /** The session of the request's cookie, if any. */
    const sessionOf = Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
      const id = request.cookies[cookie]
      const session = id === undefined ? undefined : sessions.get(id)
      return session === undefined || id === undefined ? undefined : { id, session }
    })

    const login = Effect.gen(function* () {
      const request = yield* AuthorizationRequest.make({
        authorizationEndpoint: client.endpoints.authorizationEndpoint!,
        clientId: client.clientId,
        redirectUri: `${config.baseUrl}/callback`,
        scope: "openid profile offline_access",
        prompt: "consent",
        ...(client.endpoints.issuer === undefined ? {} : { issuer: client.endpoints.issuer }),
        authorizationResponseIssParameterSupported: client.metadata?.authorizationResponseIssParameterSupported === true
      })
      const id = crypto.randomUUID()
      sessions.set(id, { pending: AuthorizationRequest.serialize(request) })
      return HttpServerResponse.redirect(request.url).pipe(HttpServerResponse.unsafeSetCookie(cookie, id, cookieOptions))
    })

    const callback = Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const current = yield* sessionOf
      if (current?.session.pending === undefined) return yield* page("No login in progress", `<a href="/login">Sign in</a>`)
      const pending = yield* AuthorizationRequest.restore(current.session.pending)
      const response = yield* AuthorizationResponse.validate(pending, request.url)
      const { idToken, token } = yield* client.authorizationCode(response)
      if (idToken === undefined) return yield* page("Sign-in refused", "no ID token")
      // one self-renewing token source per session; the session id is its key
      yield* tokens.set(current.id, token, { idToken })
      current.session.pending = undefined
      current.session.user = { sub: idToken.sub, sid: idToken.sid }
      return HttpServerResponse.redirect(`${config.baseUrl}/`)
    }).pipe(Effect.catchAll((e) => page("Sign-in failed", `<p>${escapeHtml(e._tag)}</p>`)))

    const home = Effect.gen(function* () {
      const current = yield* sessionOf
      if (current?.session.user === undefined) return HttpServerResponse.redirect(`${config.baseUrl}/login`)
      // the user's token (renewed with the refresh token when it expires), sent as a bearer token to the API
      const source = yield* tokens.source(current.id)
      const api = http.pipe(BearerClient.authenticate(source), HttpClient.filterStatusOk)
      const profile = (yield* Effect.flatMap(api.get(config.apiUrl), (r) => r.json)) as { readonly name?: string }
      return yield* page(`Hello ${profile.name ?? current.session.user.sub}`, `<form method="post" action="/logout"><button>Log out</button></form>`)
    }).pipe(
      Effect.catchTags({ TokenUnavailable: () => Effect.succeed(HttpServerResponse.redirect(`${config.baseUrl}/login`)) }),
      Effect.catchAll((e) => page("The API call failed", `<p>${escapeHtml(e._tag)}</p>`))
    )

    const logout = Effect.gen(function* () {
      const current = yield* sessionOf
      if (current?.session.user === undefined) return HttpServerResponse.redirect(`${config.baseUrl}/`)
      const held = yield* tokens.current(current.id)
      // revoke the tokens and forget them; the logout goes on if the server cannot revoke
      yield* Effect.ignore(tokens.logout(current.id))
      const request = yield* Logout.endSessionUrlWith(client, {
        ...(held._tag === "Some" ? { idTokenHint: held.value } : {}),
        postLogoutRedirectUri: `${config.baseUrl}/logged-out`
      })
      current.session.user = undefined
      if (request.state !== undefined) current.session.logoutState = request.state
      return HttpServerResponse.redirect(request.url, { status: 303 })
    }).pipe(
      // a provider without end_session_endpoint: the local session is over, that is all a logout can do
      Effect.catchTag("EndpointNotSupported", () => Effect.succeed(HttpServerResponse.redirect(`${config.baseUrl}/logged-out`, { status: 303 }))),
      Effect.catchTag("InvalidArgument", (e) => page("Logout failed", `<p>${escapeHtml(e.argument)}</p>`))
    )

    const loggedOut = Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const current = yield* sessionOf
      const state = current?.session.logoutState
      if (current !== undefined) sessions.delete(current.id)
      const checked = Logout.validateCallback(state === undefined ? {} : { state }, request.url)
      const response = Either.isRight(checked)
        ? yield* page("Logged out", `<a href="/login">Sign in again</a>`)
        : yield* page("Logout not confirmed", "")
      return HttpServerResponse.expireCookie(response, cookie, cookieOptions)
    })

    // the provider ends sessions it knows by `sid` (or every session of `sub`)
    const backchannel = yield* BackchannelLogout.handler({
      onLogout: (claims) =>
        Effect.forEach(
          [...sessions].filter(
            ([, s]) =>
              s.user !== undefined &&
              (claims.sid === undefined || s.user.sid === claims.sid) &&
              (claims.sub === undefined || s.user.sub === claims.sub)
          ),
          ([id, s]) =>
            Effect.zipRight(
              tokens.evict(id),
              Effect.sync(() => {
                s.user = undefined
              })
            ),
          { discard: true }
        )
    })

    return HttpRouter.empty.pipe(
      HttpRouter.get("/", home),
      HttpRouter.get("/login", login),
      HttpRouter.get("/callback", callback),
      HttpRouter.post("/logout", logout),
      HttpRouter.get("/logged-out", loggedOut),
      HttpRouter.post("/backchannel-logout", backchannel)
    )
  })
