/** @internal */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { BearerToken } from "@oauth2/core"
import type { Registration, ServerMetadata } from "@oauth2/core"
import { Bearer, ClientError, ClientRegistration, OAuthClient, ResourceDiscovery, Transport } from "@oauth2/http"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as ProtectedResource from "../ProtectedResource.js"
import { taggedError } from "./errors.js"
import * as Grants from "./grants.js"

/** @internal */
export const TypeId: ProtectedResource.TypeId = Symbol.for("@oauth2/flows/ProtectedResource/ProtectedResourceError") as ProtectedResource.TypeId

const RequestFailedError = taggedError<"ResourceRequestFailed", ProtectedResource.ResourceRequestFailed>("ResourceRequestFailed", TypeId)
const StillUnauthorizedError = taggedError<"StillUnauthorized", ProtectedResource.StillUnauthorized>("StillUnauthorized", TypeId)
const UserAgentFailedError = taggedError<"UserAgentFailed", ProtectedResource.UserAgentFailed>("UserAgentFailed", TypeId)

/** @internal */
export const isProtectedResourceError = (u: unknown): u is ProtectedResource.ProtectedResourceError =>
  typeof u === "object" && u !== null && TypeId in u

/** @internal */
export const resourceRequestFailed = (url: string, cause: unknown): ProtectedResource.ResourceRequestFailed =>
  new RequestFailedError({ url, cause, message: `the request to the protected resource ${url.slice(0, 512)} failed` })

/** @internal */
export const stillUnauthorized = (url: string, status: number): ProtectedResource.StillUnauthorized =>
  new StillUnauthorizedError({
    url,
    status,
    message: `the protected resource ${url.slice(0, 512)} refused the new access token (HTTP ${status})`
  })

/** @internal */
export const userAgentFailed = (message: string, cause?: unknown): ProtectedResource.UserAgentFailed =>
  new UserAgentFailedError({
    message: `the user agent did not bring back an authorization response: ${message.slice(0, 512)}`,
    ...(cause === undefined ? {} : { cause })
  })

/** @internal */
export const UserAgent = Context.GenericTag<ProtectedResource.UserAgent>("@oauth2/flows/ProtectedResource/UserAgent")

/** @internal */
export const layerUserAgent = (authorize: ProtectedResource.UserAgent["authorize"]) => Layer.succeed(UserAgent, { authorize })

/** @internal */
export const tag = Context.GenericTag<ProtectedResource.ProtectedResource>("@oauth2/flows/ProtectedResource")

/** The resource identifier a request's URL stands for: the URL without its fragment (RFC 9728 3.3). */
const resourceOf = (url: string): string => {
  const hash = url.indexOf("#")
  return hash === -1 ? url : url.slice(0, hash)
}

/**
 * Whether a request's URL is one of a protected resource's: the same origin, and a path at or under the resource
 * identifier's (RFC 8707 2, RFC 9728 7.3: a token is sent only to the resource it was obtained for).
 */
const covers = (resource: string, url: string): boolean => {
  if (!URL.canParse(resource) || !URL.canParse(url)) return false
  const r = new URL(resource)
  const u = new URL(url)
  if (r.origin !== u.origin) return false
  if (u.pathname === r.pathname) return true
  return u.pathname.startsWith(r.pathname.endsWith("/") ? r.pathname : `${r.pathname}/`)
}

const defaultRegistration = (options: ProtectedResource.Options): Registration.ClientMetadata => {
  const loopback = URL.canParse(options.redirectUri) && Transport.isLoopback(new URL(options.redirectUri))
  return {
    redirectUris: [options.redirectUri],
    grantTypes: ["authorization_code", "refresh_token"],
    responseTypes: ["code"],
    tokenEndpointAuthMethod: "none",
    ...(loopback ? { applicationType: "native" } : {}),
    clientName: "oauth2 client"
  }
}

interface Authorized {
  readonly token: BearerToken.BearerToken
  /** The client that obtained it, and the resource it is for: what a refresh needs. */
  readonly client: OAuthClient.OAuthClient
  readonly resource: string
}

/** @internal */
export const make = (options: ProtectedResource.Options) =>
  Effect.gen(function* () {
    const transport = yield* Transport.Transport
    const http = yield* HttpClient.HttpClient
    const userAgent = yield* UserAgent
    const provide = <A, E>(effect: Effect.Effect<A, E, Transport.Transport>) => Effect.provideService(effect, Transport.Transport, transport)
    // tokens by protected resource identifier (the metadata's `resource`): each one goes only to its resource
    const tokens = new Map<string, Authorized>()
    let last: Authorized | undefined
    const store = (authorized: Authorized) =>
      Effect.sync(() => {
        tokens.set(authorized.resource, authorized)
        last = authorized
      })
    const forget = (resource: string) =>
      Effect.sync(() => {
        const dropped = tokens.get(resource)
        tokens.delete(resource)
        if (last === dropped) last = undefined
      })
    /** The token of the resource a URL belongs to (the most specific identifier that covers it), if any. */
    const entryFor = (url: string) =>
      Effect.sync(() => {
        let found: Authorized | undefined
        for (const [resource, authorized] of tokens) {
          if (covers(resource, url) && (found === undefined || resource.length > found.resource.length)) found = authorized
        }
        return found
      })
    // registered clients, by issuer: one registration per Authorization Server for the life of the service
    const registered = new Map<string, OAuthClient.OAuthClient>()
    const lock = yield* Effect.makeSemaphore(1)

    const sendWith = (request: HttpClientRequest.HttpClientRequest, token: BearerToken.BearerToken | undefined) =>
      Effect.mapError(
        token === undefined
          ? http.execute(request)
          : Bearer.withToken(http, Effect.succeed(token), options.allowInsecureHttp === true ? { allowInsecureHttp: true } : {}).execute(request),
        (cause) => resourceRequestFailed(request.url, cause)
      )

    const clientFor = (server: ServerMetadata.ServerMetadata) =>
      Effect.gen(function* () {
        if (options.client !== undefined) {
          // a configured client's credentials go only to its own server, never to one a resource names
          const issuer = options.client.issuer ?? options.client.endpoints?.issuer
          if (issuer === undefined) {
            return yield* Effect.fail(
              ClientError.invalidConfiguration("client.issuer", "a configured client needs the issuer of its authorization server")
            )
          }
          if (issuer !== server.issuer) {
            return yield* Effect.fail(
              ClientError.invalidConfiguration(
                "client.issuer",
                `the configured client is for ${JSON.stringify(issuer.slice(0, 512))}, not for ${JSON.stringify(server.issuer.slice(0, 512))}`
              )
            )
          }
          const { issuer: _, ...client } = options.client
          return yield* OAuthClient.make({ ...client, metadata: server })
        }
        const known = registered.get(server.issuer)
        if (known !== undefined) return known
        const registration = options.registration ?? {}
        const { client } = yield* ClientRegistration.registerClient({
          serverMetadata: server,
          metadata: registration.metadata ?? defaultRegistration(options),
          ...(registration.initialAccessToken === undefined ? {} : { initialAccessToken: registration.initialAccessToken }),
          ...(registration.softwareStatement === undefined ? {} : { softwareStatement: registration.softwareStatement })
        })
        registered.set(server.issuer, client)
        return client
      })

    const authorize = (url: string, challenge: string | undefined) =>
      Effect.gen(function* () {
        const resource = options.resource ?? resourceOf(url)
        const metadataUrl = ResourceDiscovery.metadataUrlFromChallenge(challenge)
        const steps = options.steps ?? {}
        const input = { resource, ...(metadataUrl === undefined ? {} : { metadataUrl }) }
        const metadata = yield* steps.metadata === undefined ? provide(ResourceDiscovery.fetchMetadata(input)) : provide(steps.metadata(input))
        const server =
          steps.authorizationServer === undefined
            ? yield* provide(
                ResourceDiscovery.discoverAuthorizationServer({
                  metadata,
                  ...(options.choose === undefined ? {} : { choose: options.choose }),
                  ...(options.discoveryKind === undefined ? {} : { kind: options.discoveryKind })
                })
              )
            : yield* provide(steps.authorizationServer(metadata))
        // whichever step chose it, the server must be one the resource lists (RFC 9728 7.6)
        const listed = metadata.authorizationServers ?? []
        if (!listed.includes(server.issuer)) {
          return yield* Effect.fail(ResourceDiscovery.authorizationServerNotListed(metadata.resource, server.issuer, listed))
        }
        const client = yield* steps.client === undefined ? provide(clientFor(server)) : provide(steps.client(server))
        const requested = challenge === undefined ? undefined : challengeScope(challenge)
        const scope = options.scope ?? requested ?? metadata.scopesSupported?.join(" ")
        const flow = yield* Effect.provideService(
          Grants.authorizationCodeFlow({
            redirectUri: options.redirectUri,
            resource: metadata.resource,
            // no scope known: none sent (not OpenID Connect's default `openid`)
            scope: scope ?? []
          }),
          OAuthClient.OAuthClient,
          client
        )
        const callback = yield* userAgent.authorize({ url: flow.request.url, redirectUri: options.redirectUri })
        const { token } = yield* flow.callback(callback, { resource: metadata.resource })
        yield* store({ token, client, resource: metadata.resource })
        return token
      }).pipe(Effect.withSpan("oauth2.flows.protected_resource.authorize"))

    const fresh = (authorized: Authorized) =>
      Effect.flatMap(BearerToken.isExpired(authorized.token), (expired) => {
        if (!expired) return Effect.succeed<BearerToken.BearerToken | undefined>(authorized.token)
        if (authorized.token.refreshToken === undefined) return Effect.succeed(undefined)
        return lock.withPermits(1)(
          Effect.flatMap(
            Effect.sync(() => tokens.get(authorized.resource)),
            (now) =>
              now !== authorized
                ? Effect.succeed(now?.token)
                : authorized.client.refresh(authorized.token, { resource: authorized.resource }).pipe(
                    Effect.tap(({ token }) => store({ ...authorized, token })),
                    Effect.map(({ token }): BearerToken.BearerToken | undefined => token),
                    // a refused refresh is not this call's failure: the chain runs again on the 401
                    Effect.catchAll(() => Effect.as(forget(authorized.resource), undefined)),
                    Effect.withSpan("oauth2.flows.protected_resource.refresh")
                  )
          )
        )
      })

    const execute = (request: HttpClientRequest.HttpClientRequest) =>
      Effect.gen(function* () {
        // only the token of the resource this URL belongs to is sent; none for a resource not authorized yet
        const before = yield* entryFor(request.url)
        // an expired token is refreshed when it can be (RFC 6749 6, with the same resource), else not sent: the
        // resource's 401 then starts the chain again
        const usable = before === undefined ? undefined : yield* fresh(before)
        const first = yield* sendWith(request, usable)
        if (first.status !== 401) return first
        const challenge = first.headers["www-authenticate"]
        // one authorization at a time: a caller that waited finds the token another one obtained (or refreshed) for
        // this resource; the token that was just refused (the one sent, refreshed or not) runs the chain again
        const token = yield* lock.withPermits(1)(
          Effect.flatMap(entryFor(request.url), (now) =>
            now !== undefined && now !== before && now.token !== usable ? Effect.succeed(now.token) : authorize(request.url, challenge)
          )
        )
        const retried = yield* sendWith(request, token)
        return retried.status === 401 ? yield* Effect.fail(stillUnauthorized(request.url, retried.status)) : retried
      }).pipe(Effect.withSpan("oauth2.flows.protected_resource"))

    const service: ProtectedResource.ProtectedResource = {
      execute,
      token: Effect.sync(() => last?.token),
      tokenFor: (url) => Effect.map(entryFor(url), (a) => a?.token)
    }
    return service
  })

const challengeScope = (header: string): string | undefined => {
  for (const challenge of Bearer.parseChallenges(header)) {
    const scope = challenge.params["scope"]
    if (scope !== undefined) return scope
  }
  return undefined
}

/** @internal */
export const layer = (options: ProtectedResource.Options) => Layer.effect(tag, make(options))

/** @internal */
export const access = (request: HttpClientRequest.HttpClientRequest, options: ProtectedResource.Options) =>
  Effect.flatMap(make(options), (service) => service.execute(request))
