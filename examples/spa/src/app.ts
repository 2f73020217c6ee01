/**
 * A single-page app on @oauth2: a public client in the browser. Authorization code + PKCE (state, nonce, RFC 9207
 * `iss`), the pending request kept in `sessionStorage` across the redirect, the callback and the ID token validated,
 * a token source that renews with the (rotating) refresh token and keeps the token in `sessionStorage`, a protected
 * API called with the bearer token, and logout: the refresh token revoked, then RP-initiated logout at the server
 * (`EndSession`), whose redirect back is checked (`state`).
 *
 * It reads its settings from `/config.json` (written by the server that serves it, see `../server.ts`).
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import { AuthorizationRequest, BearerToken, EndSession, type IdToken } from "@oauth2/core"
import { ApiClient, Grants, TokenSource } from "@oauth2/flows"
import { ClientAuth, OAuthClient, Transport } from "@oauth2/http"
import * as Cause from "effect/Cause"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import { type Config, keys } from "./config.js"

const $ = <E extends HTMLElement = HTMLElement>(id: string): E => document.getElementById(id) as E

type View = "loading" | "signed-out" | "signed-in" | "error"

const show = (view: View, status: string): void => {
  $("app").dataset["state"] = view
  $("status").textContent = status
  $("signed-out").hidden = view !== "signed-out"
  $("signed-in").hidden = view !== "signed-in"
  $("api-section").hidden = view !== "signed-in" || $("api").textContent === ""
  $("error-section").hidden = view !== "error"
}

const showError = (error: unknown): void => {
  const tag = typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : "Error"
  const message = error instanceof Error ? error.message : String(error)
  $("error").textContent = `${tag}: ${message}`
  show("error", "error")
}

const showToken = (token: BearerToken.BearerToken): void => {
  $("token-expiry").textContent = token.expiresAt === undefined ? "never" : DateTime.formatIso(token.expiresAt)
  $("renewals").textContent = sessionStorage.getItem(keys.renewals) ?? "0"
}

const showUser = (claims: IdToken.Claims): void => {
  const name = claims.claims["name"]
  const email = claims.claims["email"]
  $("user-name").textContent = typeof name === "string" ? name : claims.sub
  $("user-email").textContent = typeof email === "string" ? `<${email}>` : ""
  $("user-sub").textContent = claims.sub
  $("user-iss").textContent = claims.iss
}

const loadConfig = Effect.tryPromise(async (): Promise<Config> => {
  const response = await fetch("/config.json", { cache: "no-store" })
  if (!response.ok) throw new Error(`/config.json answered ${response.status}`)
  return (await response.json()) as Config
})

/** The client (discovery once: metadata and JWKS), over fetch; plus the platform's fetch HttpClient and the store. */
const layer = (config: Config) =>
  Layer.mergeAll(
    Layer.unwrapEffect(
      Effect.map(ClientAuth.none({ clientId: config.clientId }), (auth) => OAuthClient.layerDiscovery({ issuer: config.issuer, auth }))
    ).pipe(Layer.provide(Transport.layerFetch())),
    FetchHttpClient.layer,
    KeyValueStore.layerStorage(() => sessionStorage)
  )

/** 1. Sign in: build the request (PKCE, state, nonce), keep it in sessionStorage, go to the server. */
const login = (config: Config) =>
  Effect.gen(function* () {
    const flow = yield* Grants.authorizationCodeFlow({ redirectUri: config.redirectUri, scope: config.scope, resource: config.resource })
    sessionStorage.setItem(keys.pending, AuthorizationRequest.serialize(flow.request))
    location.assign(flow.request.url)
  })

/** 2. Back from the server: restore the pending request, validate the callback, redeem the code, validate the ID token. */
const callback = (config: Config, url: string) =>
  Effect.gen(function* () {
    const serialized = sessionStorage.getItem(keys.pending)
    sessionStorage.removeItem(keys.pending) // single use, whatever happens
    if (serialized === null) return yield* Effect.fail(new Error("no sign-in in progress in this tab"))
    const request = yield* AuthorizationRequest.restore(serialized)
    const { token } = yield* Grants.authorizationCodeCallback(request, url, { resource: config.resource })
    sessionStorage.setItem(keys.token, BearerToken.serialize(token))
    if (request.nonce !== undefined) sessionStorage.setItem(keys.nonce, request.nonce)
    sessionStorage.setItem(keys.renewals, "0")
  })

/** A signed-in session: the stored token's ID token validated again, a token source on the store, the API client. */
const session = (config: Config) =>
  Effect.gen(function* () {
    const client = yield* OAuthClient.OAuthClient
    const store = yield* KeyValueStore.KeyValueStore
    const stored = Option.flatMap(yield* store.get(keys.token), (s) => Option.getRight(BearerToken.deserialize(s)))
    if (Option.isNone(stored)) return Option.none()
    const nonce = sessionStorage.getItem(keys.nonce) ?? undefined
    // the ID token of the stored token (the first one, or the latest refreshed one): same nonce, signature, iss, aud, exp
    const checked = yield* Effect.either(client.validateIdToken(stored.value, { nonce: nonce ?? false }))
    let claims: IdToken.Claims
    if (checked._tag === "Right") claims = checked.right
    else if (checked.left._tag === "InvalidIdToken" && checked.left.reason === "Expired" && stored.value.refreshToken !== undefined) {
      // the page was left open longer than the ID token lives: a refresh gives a new one (validated), not an error
      const refreshed = yield* client.refresh(stored.value, { resource: config.resource })
      if (refreshed.idToken === undefined) return yield* Effect.fail(checked.left)
      yield* store.set(keys.token, BearerToken.serialize(refreshed.token))
      claims = refreshed.idToken
    } else return yield* Effect.fail(checked.left)
    const source = yield* TokenSource.make({ store: { store, key: keys.token }, idToken: claims, refresh: { resource: config.resource } })
    const api = yield* ApiClient.make({ baseUrl: config.api, tokenSource: source })
    return Option.some({ claims, source, api, client })
  })

type Session = Effect.Effect.Success<ReturnType<typeof session>> extends Option.Option<infer S> ? S : never

const callApi = (s: Session) =>
  Effect.gen(function* () {
    const response = yield* s.api.get("profile")
    const body: unknown = yield* response.json
    $("api").textContent = JSON.stringify(body, null, 2)
    const token = yield* s.source.current
    if (Option.isSome(token)) showToken(token.value)
  })

const renew = (s: Session) =>
  Effect.gen(function* () {
    const token = yield* s.source.renew
    sessionStorage.setItem(keys.renewals, String(Number(sessionStorage.getItem(keys.renewals) ?? "0") + 1))
    showToken(token)
    yield* callApi(s)
  })

/** 3. Sign out: revoke the refresh token (ends the grant), forget the tokens, then RP-initiated logout at the server. */
const logout = (config: Config, s: Session) =>
  Effect.gen(function* () {
    const current = yield* s.source.current
    const token = Option.getOrUndefined(current)
    if (token !== undefined) {
      yield* s.client.revoke(token).pipe(Effect.catchAll((e) => Effect.logWarning("could not revoke the refresh token", e)))
    }
    for (const key of Object.values(keys)) sessionStorage.removeItem(key)
    const endSessionEndpoint = s.client.endpoints.endSessionEndpoint
    if (endSessionEndpoint === undefined) return false
    // OpenID Connect RP-Initiated Logout: the server ends its session, then sends the browser back with our state
    const request = yield* EndSession.make({
      endSessionEndpoint,
      clientId: config.clientId,
      postLogoutRedirectUri: config.postLogoutRedirectUri,
      ...(token?.idToken === undefined ? {} : { idTokenHint: token.idToken })
    })
    if (request.state !== undefined) sessionStorage.setItem(keys.logoutState, request.state)
    location.assign(request.url)
    return true
  })

const main = async (): Promise<void> => {
  const config = await Effect.runPromise(loadConfig).catch((error: unknown) => {
    showError(error)
    return undefined
  })
  if (config === undefined) return
  const runtime = ManagedRuntime.make(layer(config))
  const scope = Effect.runSync(Scope.make())
  const run = <A, E>(effect: Effect.Effect<A, E, Layer.Layer.Success<ReturnType<typeof layer>> | Scope.Scope>) =>
    runtime.runPromiseExit(Scope.extend(effect, scope)).then((exit) => {
      if (Exit.isFailure(exit)) showError(Cause.squash(exit.cause))
      return exit
    })

  $("login").onclick = () => void run(login(config))
  $("restart").onclick = () => {
    for (const key of Object.values(keys)) sessionStorage.removeItem(key)
    location.assign("/")
  }

  const here = new URL(location.href)
  if (here.origin + here.pathname === new URL(config.redirectUri).href) {
    const done = await run(callback(config, here.href))
    history.replaceState(null, "", "/")
    if (Exit.isFailure(done)) return
  } else if (sessionStorage.getItem(keys.logoutState) !== null) {
    // back from RP-initiated logout: the state we sent must come back
    const state = sessionStorage.getItem(keys.logoutState)!
    sessionStorage.removeItem(keys.logoutState)
    history.replaceState(null, "", "/")
    const checked = EndSession.validateCallback({ state }, here.href)
    if (Either.isLeft(checked)) return showError(checked.left)
  }

  const opened = await run(session(config))
  if (Exit.isFailure(opened)) return
  if (Option.isNone(opened.value)) return show("signed-out", "signed out")
  const s = opened.value.value
  showUser(s.claims)
  const signedIn = (exit: Exit.Exit<unknown, unknown>) => {
    if (Exit.isSuccess(exit)) show("signed-in", "signed in")
  }
  $("call-api").onclick = () => void run(callApi(s)).then(signedIn)
  $("renew").onclick = () => void run(renew(s)).then(signedIn)
  $("logout").onclick = () =>
    void run(logout(config, s)).then((exit) => {
      if (Exit.isSuccess(exit) && !exit.value) show("signed-out", "signed out")
    })
  signedIn(await run(callApi(s)))
}

void main()
