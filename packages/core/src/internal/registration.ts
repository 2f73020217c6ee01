/** @internal */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type { ResponseContext, UnexpectedResponse } from "../OAuthError.js"
import type { ClientMetadata, RegisteredClient } from "../Registration.js"
import { unexpectedResponse } from "./errors.js"
import * as wire from "./wire.js"

const strings = wire.optional(Schema.Array(Schema.String))
const text = wire.optional(Schema.String)
const url = wire.optional(wire.HttpUrl)
const flag = wire.optional(Schema.Boolean)

/**
 * The client metadata of RFC 7591 2 and OpenID Connect Dynamic Client Registration 1.0 2 (and the logout
 * specifications): camelCase in the model, snake_case on the wire. Pages for humans are any string.
 */
const metadataFields = {
  redirectUris: strings.pipe(Schema.fromKey("redirect_uris")),
  tokenEndpointAuthMethod: text.pipe(Schema.fromKey("token_endpoint_auth_method")),
  grantTypes: strings.pipe(Schema.fromKey("grant_types")),
  responseTypes: strings.pipe(Schema.fromKey("response_types")),
  clientName: text.pipe(Schema.fromKey("client_name")),
  clientUri: text.pipe(Schema.fromKey("client_uri")),
  logoUri: text.pipe(Schema.fromKey("logo_uri")),
  scope: text,
  contacts: strings,
  tosUri: text.pipe(Schema.fromKey("tos_uri")),
  policyUri: text.pipe(Schema.fromKey("policy_uri")),
  jwksUri: url.pipe(Schema.fromKey("jwks_uri")),
  jwks: wire.optional(Schema.Struct({ keys: Schema.Array(Schema.Object) })),
  softwareId: text.pipe(Schema.fromKey("software_id")),
  softwareVersion: text.pipe(Schema.fromKey("software_version")),
  softwareStatement: text.pipe(Schema.fromKey("software_statement")),
  // OpenID Connect Dynamic Client Registration 1.0 2
  applicationType: text.pipe(Schema.fromKey("application_type")),
  sectorIdentifierUri: url.pipe(Schema.fromKey("sector_identifier_uri")),
  subjectType: text.pipe(Schema.fromKey("subject_type")),
  idTokenSignedResponseAlg: text.pipe(Schema.fromKey("id_token_signed_response_alg")),
  idTokenEncryptedResponseAlg: text.pipe(Schema.fromKey("id_token_encrypted_response_alg")),
  idTokenEncryptedResponseEnc: text.pipe(Schema.fromKey("id_token_encrypted_response_enc")),
  userinfoSignedResponseAlg: text.pipe(Schema.fromKey("userinfo_signed_response_alg")),
  requestObjectSigningAlg: text.pipe(Schema.fromKey("request_object_signing_alg")),
  tokenEndpointAuthSigningAlg: text.pipe(Schema.fromKey("token_endpoint_auth_signing_alg")),
  defaultMaxAge: wire.optional(Schema.NonNegativeInt).pipe(Schema.fromKey("default_max_age")),
  requireAuthTime: flag.pipe(Schema.fromKey("require_auth_time")),
  defaultAcrValues: strings.pipe(Schema.fromKey("default_acr_values")),
  initiateLoginUri: url.pipe(Schema.fromKey("initiate_login_uri")),
  requestUris: strings.pipe(Schema.fromKey("request_uris")),
  // RP-Initiated, Back-Channel and Front-Channel Logout
  postLogoutRedirectUris: strings.pipe(Schema.fromKey("post_logout_redirect_uris")),
  backchannelLogoutUri: url.pipe(Schema.fromKey("backchannel_logout_uri")),
  backchannelLogoutSessionRequired: flag.pipe(Schema.fromKey("backchannel_logout_session_required")),
  frontchannelLogoutUri: url.pipe(Schema.fromKey("frontchannel_logout_uri")),
  frontchannelLogoutSessionRequired: flag.pipe(Schema.fromKey("frontchannel_logout_session_required")),
  // RFC 9449 5.2
  dpopBoundAccessTokens: flag.pipe(Schema.fromKey("dpop_bound_access_tokens"))
}

/** @internal */
export const Metadata = Schema.Struct(metadataFields)

/** @internal */
export const Response = Schema.Struct({
  clientId: Schema.propertySignature(Schema.NonEmptyString).pipe(Schema.fromKey("client_id")),
  clientSecret: wire.optional(Schema.Redacted(Schema.String)).pipe(Schema.fromKey("client_secret")),
  clientIdIssuedAt: wire.optional(wire.NumericDate).pipe(Schema.fromKey("client_id_issued_at")),
  // 0: the secret does not expire
  clientSecretExpiresAt: wire.optional(Schema.Union(Schema.Literal(0), wire.NumericDate)).pipe(Schema.fromKey("client_secret_expires_at")),
  registrationAccessToken: wire.optional(Schema.Redacted(Schema.String)).pipe(Schema.fromKey("registration_access_token")),
  registrationClientUri: url.pipe(Schema.fromKey("registration_client_uri")),
  ...metadataFields
})

const metadataKeys = wire.wireKeysOf(metadataFields)
const responseKeys = wire.wireKeysOf(Response.fields)
const knownResponse: ReadonlySet<string> = new Set(responseKeys.map(([, key]) => key))
const knownMetadata: ReadonlySet<string> = new Set(metadataKeys.map(([, key]) => key))
/** Members a client never sends: the server's answer only (RFC 7591 3.2.1; RFC 7592 2.2). */
const serverOnly: ReadonlySet<string> = new Set([
  "client_id",
  "client_secret",
  "client_id_issued_at",
  "client_secret_expires_at",
  "registration_access_token",
  "registration_client_uri"
])

/** @internal */
export const encodeMetadata = (metadata: ClientMetadata): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  // a caller's non-object is nothing to send (never a throw); the server judges the values
  if (typeof metadata !== "object" || metadata === null) return out
  const extra: unknown = metadata.extra
  for (const [k, v] of Object.entries(typeof extra === "object" && extra !== null ? extra : {})) {
    if (!knownMetadata.has(k) && !serverOnly.has(k) && v !== undefined) {
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true })
    }
  }
  const source = metadata as unknown as Record<string, unknown>
  for (const [field, key] of metadataKeys) {
    const value = source[field]
    if (value !== undefined) out[key] = value
  }
  return out
}

const decodeWire = wire.decoder(Response, "registration")

/** @internal */
export const decode = (raw: unknown, context?: ResponseContext): Either.Either<RegisteredClient, UnexpectedResponse> =>
  Either.flatMap(wire.plainBody(raw, "registration", context), (body) =>
    Either.flatMap(decodeWire(body, context), (decoded): Either.Either<RegisteredClient, UnexpectedResponse> => {
      // RFC 7592 3: a registration access token is only usable at its client configuration endpoint (the endpoint
      // without a token is accepted: a read or update answer may leave the current token unchanged and unsent)
      if (decoded.registrationAccessToken !== undefined && decoded.registrationClientUri === undefined) {
        return Either.left(
          unexpectedResponse("registration", "registration_client_uri: is missing beside registration_access_token (RFC 7592 3)", body, context)
        )
      }
      const model: Record<string, unknown> = {}
      for (const [field] of responseKeys) {
        const value = (decoded as Record<string, unknown>)[field]
        if (value !== undefined && !(field === "clientSecretExpiresAt" && value === 0)) model[field] = value
      }
      // RFC 7591 2: client_secret_basic when the server does not say
      model.tokenEndpointAuthMethod = decoded.tokenEndpointAuthMethod ?? "client_secret_basic"
      model.extra = wire.extrasOf(body, knownResponse)
      return Either.right(model as unknown as RegisteredClient)
    })
  )

/** @internal */
export const metadataOf = (self: RegisteredClient): ClientMetadata => {
  const out: Record<string, unknown> = {}
  const source = self as unknown as Record<string, unknown>
  for (const [field] of metadataKeys) if (source[field] !== undefined) out[field] = source[field]
  if (Object.keys(self.extra).length > 0) out.extra = self.extra
  return out as ClientMetadata
}
