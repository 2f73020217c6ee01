/** @internal */
import { ClientError } from "@oauth2/http"
import type * as Config from "effect/Config"
import * as Either from "effect/Either"
import type * as Ping from "../Ping.js"
import * as preset from "./preset.js"

/** @internal */
export const baseUrl = (issuer: string): Either.Either<string, ClientError.InvalidConfiguration> => {
  const invalid = (why: string) => Either.left(ClientError.invalidConfiguration("issuer", `'${issuer.slice(0, 200)}' ${why}`))
  const input = issuer.trim()
  if (input.length === 0) return invalid("is empty")
  if (input.includes("://") && !/^https:\/\//i.test(input)) return invalid("must be an https:// URL or a host name")
  let url: URL
  try {
    url = new URL(input.includes("://") ? input : `https://${input}`)
  } catch {
    return invalid("is not a valid URL or host name")
  }
  if (!url.hostname.includes(".")) return invalid("must have at least one dot in its host name")
  if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    return invalid("has a query, fragment or credentials")
  }
  return Either.right(`${url.origin}${url.pathname.replace(/\/+$/, "")}`)
}

/** @internal */
export const endpoints = (issuer: string): Either.Either<Ping.Endpoints, ClientError.InvalidConfiguration> =>
  Either.map(baseUrl(issuer), (base) => ({
    issuer: base,
    authorizationEndpoint: `${base}/as/authorization.oauth2`,
    tokenEndpoint: `${base}/as/token.oauth2`,
    revocationEndpoint: `${base}/as/revoke_token.oauth2`,
    introspectionEndpoint: `${base}/as/introspect.oauth2`,
    userinfoEndpoint: `${base}/idp/userinfo.openid`,
    pushedAuthorizationRequestEndpoint: `${base}/as/par.oauth2`,
    backchannelAuthenticationEndpoint: `${base}/as/bc-auth.ctr`,
    deviceAuthorizationEndpoint: `${base}/as/device_authz.oauth2`,
    jwksUri: `${base}/pf/JWKS`
  }))

const client = preset.make({
  setting: "issuer",
  endpoints,
  span: "oauth2.flows.ping.client",
  variables: { server: "PING_ISSUER", clientId: "PING_CLIENT_ID", clientSecret: "PING_CLIENT_SECRET" }
})

/** @internal */
export const make = (options: Ping.Options) => client.make(options)

/** @internal */
export const layer = (options: Ping.Options) => client.layer(options)

/** @internal */
export const config: Config.Config<Ping.Options> = client.config

/** @internal */
export const layerConfig = (config: Config.Config<Ping.Options>) => client.layerConfig(config)
