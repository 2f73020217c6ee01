/** @internal */
import { OAuthError, ResourceMetadata } from "@oauth2/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ClientError from "../ClientError.js"
import * as OAuthClient from "../OAuthClient.js"
import type * as ResourceDiscovery from "../ResourceDiscovery.js"
import * as Transport from "../Transport.js"
import { parseChallenges } from "./challenge.js"
import { taggedError } from "./errors.js"
import { responseContext } from "./transport.js"

/** @internal */
export const TypeId: ResourceDiscovery.TypeId = Symbol.for("@oauth2/http/ResourceDiscovery/ResourceDiscoveryError") as ResourceDiscovery.TypeId

const NoAuthorizationServerError = taggedError<"NoAuthorizationServer", ResourceDiscovery.NoAuthorizationServer>("NoAuthorizationServer", TypeId)
const AuthorizationServerNotListedError = taggedError<"AuthorizationServerNotListed", ResourceDiscovery.AuthorizationServerNotListed>(
  "AuthorizationServerNotListed",
  TypeId
)

/** @internal */
export const isResourceDiscoveryError = (u: unknown): u is ResourceDiscovery.ResourceDiscoveryError =>
  typeof u === "object" && u !== null && TypeId in u

const bound = (s: string) => JSON.stringify(s.slice(0, 512))

/** @internal */
export const noAuthorizationServer = (resource: string): ResourceDiscovery.NoAuthorizationServer =>
  new NoAuthorizationServerError({
    resource,
    message: `no authorization server was chosen for the protected resource ${bound(resource)}`
  })

/** @internal */
export const authorizationServerNotListed = (
  resource: string,
  issuer: string,
  listed: ReadonlyArray<string>
): ResourceDiscovery.AuthorizationServerNotListed =>
  new AuthorizationServerNotListedError({
    resource,
    issuer,
    listed: listed.slice(0, 32),
    message: `the authorization server ${bound(issuer)} is not one of the protected resource ${bound(resource)}'s authorization_servers`
  })

/** @internal */
export const metadataUrlFromChallenge = (header: string | null | undefined): string | undefined => {
  if (typeof header !== "string" || header.length === 0) return undefined
  for (const challenge of parseChallenges(header.slice(0, 16_384))) {
    const url = challenge.params["resource_metadata"]
    if (url !== undefined && url.length > 0) return url
  }
  return undefined
}

/**
 * A `resource_metadata` URL comes from the network (a 401's challenge): it is fetched only over https, or at the
 * resource's own origin, so that a resource cannot make the client call services of its network (loopback, private
 * addresses) over plain http.
 */
const checkMetadataUrl = (url: string, resource: string): Either.Either<void, ClientError.InvalidConfiguration> => {
  const parsed = URL.canParse(url) ? new URL(url) : undefined
  if (parsed === undefined) return Either.left(ClientError.invalidConfiguration("resource_metadata", `${bound(url)} is not an absolute URL`))
  if (parsed.protocol === "https:") return Either.void
  const origin = URL.canParse(resource) ? new URL(resource).origin : undefined
  return parsed.origin === origin
    ? Either.void
    : Either.left(
        ClientError.invalidConfiguration("resource_metadata", `${bound(url)} is neither https nor at the origin of the resource ${bound(resource)}`)
      )
}

/** @internal */
export const fetchMetadata = (options: ResourceDiscovery.FetchOptions) =>
  Effect.gen(function* () {
    const transport = yield* Transport.Transport
    const allowInsecureHttp = transport.options.allowInsecureHttp
    if (options.metadataUrl !== undefined) yield* checkMetadataUrl(options.metadataUrl, options.resource)
    const url =
      options.metadataUrl ??
      (yield* Either.mapLeft(ResourceMetadata.metadataUrl(options.resource, { allowInsecureHttp }), (e) =>
        ClientError.fromInvalidArgument("resource", e)
      ))
    const response = yield* transport.send({ endpoint: "resource_metadata", method: "GET", url, retry: true })
    const body = yield* Transport.json("resource_metadata", response)
    return yield* ResourceMetadata.decode(body, {
      resource: options.resource,
      allowInsecureHttp,
      context: responseContext(response)
    })
  })

/** @internal */
export const chooseAuthorizationServer = (
  metadata: ResourceMetadata.ResourceMetadata,
  choose?: ResourceDiscovery.Chooser
): Either.Either<string, ResourceDiscovery.ResourceDiscoveryError> => {
  const listed = metadata.authorizationServers ?? []
  const chosen = choose === undefined ? listed[0] : choose(listed, metadata)
  if (chosen === undefined) return Either.left(noAuthorizationServer(metadata.resource))
  // a chooser may only pick from the list (RFC 9728 7.6: the resource names the servers it trusts)
  return listed.includes(chosen) ? Either.right(chosen) : Either.left(authorizationServerNotListed(metadata.resource, chosen, listed))
}

/** @internal */
export const discoverAuthorizationServer = (options: ResourceDiscovery.DiscoverOptions) =>
  Effect.gen(function* () {
    const issuer = yield* chooseAuthorizationServer(options.metadata, options.choose)
    const kind = options.kind ?? "auto"
    if (kind !== "auto") return yield* OAuthClient.discover({ issuer, kind })
    // RFC 8414 first (RFC 9728 5), then OpenID Connect Discovery for a server that only serves that one
    return yield* Effect.catchIf(
      OAuthClient.discover({ issuer, kind: "oauth" }),
      // not found, or not a metadata document: a mismatching issuer or a transport failure is not retried elsewhere
      (e) => OAuthError.isUnexpectedResponse(e) || OAuthError.isOAuthError(e),
      () => OAuthClient.discover({ issuer, kind: "openid" })
    )
  })
