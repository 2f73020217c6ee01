/** @internal */
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Schema from "effect/Schema"
import type { InvalidArgument, ResponseContext, UnexpectedResponse } from "../OAuthError.js"
import { invalidArgument } from "../OAuthError.js"
import type * as ResourceMetadataModule from "../ResourceMetadata.js"
import type { MismatchingResource, ResourceMetadata, UrlOptions, ValidateOptions } from "../ResourceMetadata.js"
import { escapeControl, hasTypeId, taggedError, unexpectedResponse } from "./errors.js"
import * as wire from "./wire.js"

const strings = wire.optional(Schema.Array(Schema.String))
const page = wire.optional(Schema.String)
const flag = wire.optional(Schema.Boolean)

/** @internal */
export const Document = Schema.Struct({
  // RFC 9728 2
  resource: Schema.propertySignature(Schema.NonEmptyString),
  authorizationServers: wire.optional(Schema.Array(wire.HttpUrl)).pipe(Schema.fromKey("authorization_servers")),
  jwksUri: wire.optional(wire.HttpUrl).pipe(Schema.fromKey("jwks_uri")),
  scopesSupported: strings.pipe(Schema.fromKey("scopes_supported")),
  bearerMethodsSupported: strings.pipe(Schema.fromKey("bearer_methods_supported")),
  resourceSigningAlgValuesSupported: strings.pipe(Schema.fromKey("resource_signing_alg_values_supported")),
  resourceName: page.pipe(Schema.fromKey("resource_name")),
  resourceDocumentation: page.pipe(Schema.fromKey("resource_documentation")),
  resourcePolicyUri: page.pipe(Schema.fromKey("resource_policy_uri")),
  resourceTosUri: page.pipe(Schema.fromKey("resource_tos_uri")),
  tlsClientCertificateBoundAccessTokens: flag.pipe(Schema.fromKey("tls_client_certificate_bound_access_tokens")),
  authorizationDetailsTypesSupported: strings.pipe(Schema.fromKey("authorization_details_types_supported")),
  dpopSigningAlgValuesSupported: strings.pipe(Schema.fromKey("dpop_signing_alg_values_supported")),
  dpopBoundAccessTokensRequired: flag.pipe(Schema.fromKey("dpop_bound_access_tokens_required")),
  signedMetadata: wire.optional(Schema.String).pipe(Schema.fromKey("signed_metadata"))
})

const wireKeys = wire.wireKeysOf(Document.fields)
const known: ReadonlySet<string> = new Set(wireKeys.map(([, key]) => key))

/** @internal */
export const wellKnownSuffix = "/.well-known/oauth-protected-resource" as const

/** @internal */
export const resourceUrl = (resource: string, options?: UrlOptions): Either.Either<URL, InvalidArgument> => {
  if (typeof resource !== "string" || resource.length > 8192 || !URL.canParse(resource)) {
    return Either.left(invalidArgument("resource", "must be an absolute URL"))
  }
  const parsed = new URL(resource)
  if (!wire.isSecureUrl(parsed, options?.allowInsecureHttp === true)) {
    return Either.left(invalidArgument("resource", "must use https (http is accepted only on a loopback host, or with allowInsecureHttp)"))
  }
  if (resource.includes("#")) return Either.left(invalidArgument("resource", "must not have a fragment"))
  if (parsed.username !== "" || parsed.password !== "") return Either.left(invalidArgument("resource", "must not carry credentials"))
  return Either.right(parsed)
}

/** @internal */
export const metadataUrl = (resource: string, options?: UrlOptions): Either.Either<string, InvalidArgument> =>
  Either.map(resourceUrl(resource, options), (parsed) => {
    // RFC 9728 3.1: a terminating "/" after the host is removed, then the suffix goes between host and path/query
    const path = parsed.pathname === "/" ? "" : parsed.pathname
    return `${parsed.origin}${wellKnownSuffix}${path}${parsed.search}`
  })

const decodeWire = wire.decoder(Document, "resource_metadata")

/** @internal */
export const decodeDocument = (raw: unknown, context?: ResponseContext): Either.Either<ResourceMetadata, UnexpectedResponse> =>
  Either.flatMap(wire.plainBody(raw, "resource_metadata", context), (body) =>
    Either.map(decodeWire(body, context), (decoded) => {
      const model: Record<string, unknown> = {}
      for (const [field] of wireKeys) {
        const value = (decoded as Record<string, unknown>)[field]
        if (value !== undefined) model[field] = value
      }
      model.extra = wire.extrasOf(body, known)
      return model as unknown as ResourceMetadata
    })
  )

/** @internal */
export const MismatchingResourceTypeId: ResourceMetadataModule.MismatchingResourceTypeId = Symbol.for(
  "@oauth2/core/ResourceMetadata/MismatchingResource"
) as ResourceMetadataModule.MismatchingResourceTypeId

const MismatchingResourceError = taggedError<"MismatchingResource", MismatchingResource>("MismatchingResource", MismatchingResourceTypeId)

/** @internal */
export const isMismatchingResource = (u: unknown): u is MismatchingResource => hasTypeId(u, MismatchingResourceTypeId)

const quote = (s: string) => escapeControl(JSON.stringify(s.slice(0, 512)))

/** @internal */
export const mismatchingResource = (expected: string, received: string): MismatchingResource =>
  new MismatchingResourceError({
    endpoint: "resource_metadata",
    expected,
    received,
    message: `the protected resource metadata is for the resource ${quote(received)}, not the expected ${quote(expected)}`
  })

/** @internal */
export const validate: {
  (options: ValidateOptions): (self: ResourceMetadata) => Either.Either<ResourceMetadata, MismatchingResource | UnexpectedResponse>
  (self: ResourceMetadata, options: ValidateOptions): Either.Either<ResourceMetadata, MismatchingResource | UnexpectedResponse>
} = dual(2, (self: ResourceMetadata, options: ValidateOptions): Either.Either<ResourceMetadata, MismatchingResource | UnexpectedResponse> => {
  if (typeof options !== "object" || options === null || typeof options.resource !== "string") {
    return Either.left(mismatchingResource("", typeof self?.resource === "string" ? self.resource : ""))
  }
  // RFC 9728 3.3: identical, as strings
  if (self.resource !== options.resource) return Either.left(mismatchingResource(options.resource, self.resource))
  const allowInsecureHttp = options.allowInsecureHttp === true
  const fail = (reason: string) => Either.left(unexpectedResponse("resource_metadata", reason, encode(self), options.context))
  if (Either.isLeft(resourceUrl(self.resource, options))) return fail("resource: must be an https URL without fragment")
  // a hand-built value never went through decode: every URL is parsed safely here too
  const secure = (u: unknown): u is string => typeof u === "string" && wire.isHttpUrl(u) && wire.isSecureUrl(new URL(u), allowInsecureHttp)
  for (const [i, server] of (self.authorizationServers ?? []).entries()) {
    if (!secure(server) || server.includes("?")) {
      return fail(`authorization_servers.${i}: must be an https issuer identifier without query`)
    }
  }
  if (self.jwksUri !== undefined && !secure(self.jwksUri)) return fail("jwks_uri: must use https")
  if (options.requireAuthorizationServers !== false && (self.authorizationServers ?? []).length === 0) {
    return fail("authorization_servers: is missing or empty")
  }
  return Either.right(self)
})

/** @internal */
export const decode = (body: unknown, options: ValidateOptions): Either.Either<ResourceMetadata, MismatchingResource | UnexpectedResponse> =>
  Either.flatMap(decodeDocument(body, options?.context), validate(options))

/** @internal */
export const encode = (self: ResourceMetadata): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(self.extra ?? {})) {
    if (!known.has(k)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true })
  }
  const source = self as unknown as Record<string, unknown>
  for (const [field, key] of wireKeys) if (source[field] !== undefined) out[key] = source[field]
  return out
}
