/** @internal */
import { ClientError, OAuthClient } from "@oauth2/http"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Ping from "../Ping.js"

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

/** @internal */
export const make = (options: Ping.Options) =>
  Effect.gen(function* () {
    const { issuer, ...rest } = options
    const preset = yield* endpoints(issuer)
    return yield* OAuthClient.make({ ...preset, ...rest })
  }).pipe(Effect.withSpan("oauth2.flows.ping.client"))

/** @internal */
export const layer = (options: Ping.Options) => Layer.effect(OAuthClient.OAuthClient, make(options))

/** @internal */
export const config: Config.Config<Ping.Options> = Config.all({
  issuer: Config.string("PING_ISSUER"),
  clientId: Config.string("PING_CLIENT_ID"),
  clientSecret: Config.option(Config.redacted("PING_CLIENT_SECRET"))
}).pipe(
  Config.map((c) => ({
    issuer: c.issuer,
    clientId: c.clientId,
    ...(Option.isSome(c.clientSecret) ? { clientSecret: c.clientSecret.value } : {})
  }))
)

/** @internal */
export const layerConfig = (c: Config.Config<Ping.Options>) => Layer.effect(OAuthClient.OAuthClient, Effect.flatMap(c, make))
