/** @internal */
import * as HttpClient from "@effect/platform/HttpClient"
import { TokenRequest } from "@oauth2/core"
import { ClientError, OAuthClient } from "@oauth2/http"
import type * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import type * as Auth0 from "../Auth0.js"
import * as apiClient from "./apiClient.js"
import * as bearer from "./bearerClient.js"
import * as preset from "./preset.js"
import * as tokenSource from "./tokenSource.js"

const regions = /\.(eu|us|au|jp)$/

/** @internal */
export const domain = (tenant: string): Either.Either<string, ClientError.InvalidConfiguration> => {
  const invalid = (why: string) => Either.left(ClientError.invalidConfiguration("tenant", `'${tenant.slice(0, 200)}' ${why}`))
  const input = tenant.trim()
  if (input.length === 0) return invalid("is empty")
  let url: URL
  if (input.includes("://")) {
    if (!/^https:\/\//i.test(input)) {
      return invalid("is not a tenant name ('mytenant', 'mytenant.eu', 'login.example.com') or an https:// URL")
    }
    try {
      url = new URL(input)
    } catch {
      return invalid("is not a valid URL")
    }
  } else {
    try {
      url = new URL(`https://${input}`)
    } catch {
      return invalid("is not a valid host name")
    }
    if (url.host !== input.toLowerCase().replace(/\/$/, "")) return invalid("is not a host name")
  }
  if (url.pathname !== "/" || url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    return invalid("has a path, query, fragment or credentials: give the tenant domain only")
  }
  const host = url.host
  return Either.right(
    !url.hostname.includes(".") || regions.test(url.hostname) ? `${url.hostname}.auth0.com${url.port === "" ? "" : `:${url.port}`}` : host
  )
}

/** @internal */
export const endpoints = (tenant: string): Either.Either<Auth0.Endpoints, ClientError.InvalidConfiguration> =>
  Either.map(domain(tenant), (d) => {
    const base = `https://${d}`
    return {
      issuer: `${base}/`,
      authorizationEndpoint: `${base}/authorize`,
      tokenEndpoint: `${base}/oauth/token`,
      revocationEndpoint: `${base}/oauth/revoke`,
      userinfoEndpoint: `${base}/userinfo`,
      deviceAuthorizationEndpoint: `${base}/oauth/device/code`,
      pushedAuthorizationRequestEndpoint: `${base}/oauth/par`,
      backchannelAuthenticationEndpoint: `${base}/bc-authorize`,
      jwksUri: `${base}/.well-known/jwks.json`
    }
  })

/** @internal */
export const managementAudience = (tenant: string): Either.Either<string, ClientError.InvalidConfiguration> =>
  Either.map(domain(tenant), (d) => `https://${d}/api/v2/`)

const client = preset.make({
  setting: "tenant",
  endpoints,
  span: "oauth2.flows.auth0.client",
  variables: { server: "AUTH0_DOMAIN", clientId: "AUTH0_CLIENT_ID", clientSecret: "AUTH0_CLIENT_SECRET" }
})

/** @internal */
export const make = (options: Auth0.Options) => client.make(options)

/** @internal */
export const layer = (options: Auth0.Options) => client.layer(options)

/** @internal */
export const config: Config.Config<Auth0.Options> = client.config

/** @internal */
export const layerConfig = (config: Config.Config<Auth0.Options>) => client.layerConfig(config)

/** @internal */
export const ManagementApi = Context.GenericTag<Auth0.ManagementApi>("@oauth2/flows/Auth0/ManagementApi")

/** @internal */
export const makeManagementApi = (options: Auth0.ManagementApiOptions) =>
  Effect.gen(function* () {
    const { leeway, scope, ...clientOptions } = options
    const audience = yield* managementAudience(options.tenant)
    const client = yield* make(clientOptions)
    const source = yield* tokenSource
      .make({
        grant: TokenRequest.clientCredentials({ audience, ...(scope === undefined ? {} : { scope }) }),
        ...(leeway === undefined ? {} : { leeway })
      })
      .pipe(Effect.provideService(OAuthClient.OAuthClient, client))
    const httpClient = yield* HttpClient.HttpClient
    const api: Either.Either<Auth0.ManagementApi, ClientError.InvalidConfiguration> = Either.mapLeft(
      apiClient.makeWith(bearer.authenticate(httpClient, source), { baseUrl: audience }),
      (e) => ClientError.invalidConfiguration("tenant", e.message)
    )
    return yield* api
  }).pipe(Effect.withSpan("oauth2.flows.auth0.management_api"))

/** @internal */
export const layerManagementApi = (options: Auth0.ManagementApiOptions) => Layer.scoped(ManagementApi, makeManagementApi(options))
