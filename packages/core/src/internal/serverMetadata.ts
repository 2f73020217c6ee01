/** @internal */
import type * as ServerMetadataModule from "../ServerMetadata.js"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Schema from "effect/Schema"
import type { InvalidArgument, ResponseContext, UnexpectedResponse } from "../OAuthError.js"
import { invalidArgument } from "../OAuthError.js"
import type { Field, IssuerOptions, Kind, MismatchingIssuer, ServerMetadata, ValidateOptions } from "../ServerMetadata.js"
import { escapeControl, hasTypeId, taggedError, unexpectedResponse } from "./errors.js"
import * as wire from "./wire.js"

const url = wire.optional(wire.HttpUrl)
/** Pages for humans (documentation, policy, terms): any string; a malformed one must not make discovery fail. */
const page = wire.optional(Schema.String)
const strings = wire.optional(Schema.Array(Schema.String))
const flag = wire.optional(Schema.Boolean)

/** @internal */
export const Document = Schema.Struct({
  // RFC 8414 2 / OpenID Connect Discovery 3
  issuer: Schema.propertySignature(Schema.NonEmptyString),
  authorizationEndpoint: url.pipe(Schema.fromKey("authorization_endpoint")),
  tokenEndpoint: url.pipe(Schema.fromKey("token_endpoint")),
  jwksUri: url.pipe(Schema.fromKey("jwks_uri")),
  userinfoEndpoint: url.pipe(Schema.fromKey("userinfo_endpoint")),
  registrationEndpoint: url.pipe(Schema.fromKey("registration_endpoint")),
  scopesSupported: strings.pipe(Schema.fromKey("scopes_supported")),
  responseTypesSupported: strings.pipe(Schema.fromKey("response_types_supported")),
  responseModesSupported: strings.pipe(Schema.fromKey("response_modes_supported")),
  grantTypesSupported: strings.pipe(Schema.fromKey("grant_types_supported")),
  acrValuesSupported: strings.pipe(Schema.fromKey("acr_values_supported")),
  subjectTypesSupported: strings.pipe(Schema.fromKey("subject_types_supported")),
  tokenEndpointAuthMethodsSupported: strings.pipe(Schema.fromKey("token_endpoint_auth_methods_supported")),
  tokenEndpointAuthSigningAlgValuesSupported: strings.pipe(Schema.fromKey("token_endpoint_auth_signing_alg_values_supported")),
  serviceDocumentation: page.pipe(Schema.fromKey("service_documentation")),
  uiLocalesSupported: strings.pipe(Schema.fromKey("ui_locales_supported")),
  opPolicyUri: page.pipe(Schema.fromKey("op_policy_uri")),
  opTosUri: page.pipe(Schema.fromKey("op_tos_uri")),
  revocationEndpoint: url.pipe(Schema.fromKey("revocation_endpoint")),
  revocationEndpointAuthMethodsSupported: strings.pipe(Schema.fromKey("revocation_endpoint_auth_methods_supported")),
  revocationEndpointAuthSigningAlgValuesSupported: strings.pipe(Schema.fromKey("revocation_endpoint_auth_signing_alg_values_supported")),
  introspectionEndpoint: url.pipe(Schema.fromKey("introspection_endpoint")),
  introspectionEndpointAuthMethodsSupported: strings.pipe(Schema.fromKey("introspection_endpoint_auth_methods_supported")),
  introspectionEndpointAuthSigningAlgValuesSupported: strings.pipe(Schema.fromKey("introspection_endpoint_auth_signing_alg_values_supported")),
  codeChallengeMethodsSupported: strings.pipe(Schema.fromKey("code_challenge_methods_supported")),
  signedMetadata: wire.optional(Schema.String).pipe(Schema.fromKey("signed_metadata")),
  // OpenID Connect Discovery 3
  idTokenSigningAlgValuesSupported: strings.pipe(Schema.fromKey("id_token_signing_alg_values_supported")),
  idTokenEncryptionAlgValuesSupported: strings.pipe(Schema.fromKey("id_token_encryption_alg_values_supported")),
  idTokenEncryptionEncValuesSupported: strings.pipe(Schema.fromKey("id_token_encryption_enc_values_supported")),
  userinfoSigningAlgValuesSupported: strings.pipe(Schema.fromKey("userinfo_signing_alg_values_supported")),
  userinfoEncryptionAlgValuesSupported: strings.pipe(Schema.fromKey("userinfo_encryption_alg_values_supported")),
  userinfoEncryptionEncValuesSupported: strings.pipe(Schema.fromKey("userinfo_encryption_enc_values_supported")),
  requestObjectSigningAlgValuesSupported: strings.pipe(Schema.fromKey("request_object_signing_alg_values_supported")),
  requestObjectEncryptionAlgValuesSupported: strings.pipe(Schema.fromKey("request_object_encryption_alg_values_supported")),
  requestObjectEncryptionEncValuesSupported: strings.pipe(Schema.fromKey("request_object_encryption_enc_values_supported")),
  displayValuesSupported: strings.pipe(Schema.fromKey("display_values_supported")),
  claimTypesSupported: strings.pipe(Schema.fromKey("claim_types_supported")),
  claimsSupported: strings.pipe(Schema.fromKey("claims_supported")),
  claimsLocalesSupported: strings.pipe(Schema.fromKey("claims_locales_supported")),
  claimsParameterSupported: flag.pipe(Schema.fromKey("claims_parameter_supported")),
  requestParameterSupported: flag.pipe(Schema.fromKey("request_parameter_supported")),
  requestUriParameterSupported: flag.pipe(Schema.fromKey("request_uri_parameter_supported")),
  requireRequestUriRegistration: flag.pipe(Schema.fromKey("require_request_uri_registration")),
  promptValuesSupported: strings.pipe(Schema.fromKey("prompt_values_supported")),
  // OpenID Connect Session Management / RP-Initiated, Front- and Back-Channel Logout
  endSessionEndpoint: url.pipe(Schema.fromKey("end_session_endpoint")),
  checkSessionIframe: url.pipe(Schema.fromKey("check_session_iframe")),
  frontchannelLogoutSupported: flag.pipe(Schema.fromKey("frontchannel_logout_supported")),
  frontchannelLogoutSessionSupported: flag.pipe(Schema.fromKey("frontchannel_logout_session_supported")),
  backchannelLogoutSupported: flag.pipe(Schema.fromKey("backchannel_logout_supported")),
  backchannelLogoutSessionSupported: flag.pipe(Schema.fromKey("backchannel_logout_session_supported")),
  // RFC 8628 4
  deviceAuthorizationEndpoint: url.pipe(Schema.fromKey("device_authorization_endpoint")),
  // CIBA 4
  backchannelAuthenticationEndpoint: url.pipe(Schema.fromKey("backchannel_authentication_endpoint")),
  backchannelTokenDeliveryModesSupported: strings.pipe(Schema.fromKey("backchannel_token_delivery_modes_supported")),
  backchannelAuthenticationRequestSigningAlgValuesSupported: strings.pipe(
    Schema.fromKey("backchannel_authentication_request_signing_alg_values_supported")
  ),
  backchannelUserCodeParameterSupported: flag.pipe(Schema.fromKey("backchannel_user_code_parameter_supported")),
  // RFC 9126 5
  pushedAuthorizationRequestEndpoint: url.pipe(Schema.fromKey("pushed_authorization_request_endpoint")),
  requirePushedAuthorizationRequests: flag.pipe(Schema.fromKey("require_pushed_authorization_requests")),
  // RFC 9101 10.5
  requireSignedRequestObject: flag.pipe(Schema.fromKey("require_signed_request_object")),
  // RFC 9207 3
  authorizationResponseIssParameterSupported: flag.pipe(Schema.fromKey("authorization_response_iss_parameter_supported")),
  // RFC 8705 3.3 / 5
  tlsClientCertificateBoundAccessTokens: flag.pipe(Schema.fromKey("tls_client_certificate_bound_access_tokens")),
  mtlsEndpointAliases: wire.optional(Schema.Record({ key: Schema.String, value: wire.HttpUrl })).pipe(Schema.fromKey("mtls_endpoint_aliases")),
  // RFC 9449 5.1
  dpopSigningAlgValuesSupported: strings.pipe(Schema.fromKey("dpop_signing_alg_values_supported")),
  // RFC 9396 10
  authorizationDetailsTypesSupported: strings.pipe(Schema.fromKey("authorization_details_types_supported")),
  // RFC 9701 7
  introspectionSigningAlgValuesSupported: strings.pipe(Schema.fromKey("introspection_signing_alg_values_supported")),
  introspectionEncryptionAlgValuesSupported: strings.pipe(Schema.fromKey("introspection_encryption_alg_values_supported")),
  introspectionEncryptionEncValuesSupported: strings.pipe(Schema.fromKey("introspection_encryption_enc_values_supported")),
  // JARM 3
  authorizationSigningAlgValuesSupported: strings.pipe(Schema.fromKey("authorization_signing_alg_values_supported")),
  authorizationEncryptionAlgValuesSupported: strings.pipe(Schema.fromKey("authorization_encryption_alg_values_supported")),
  authorizationEncryptionEncValuesSupported: strings.pipe(Schema.fromKey("authorization_encryption_enc_values_supported"))
})

/** @internal */
export const endpointFields = [
  "authorizationEndpoint",
  "tokenEndpoint",
  "jwksUri",
  "userinfoEndpoint",
  "registrationEndpoint",
  "revocationEndpoint",
  "introspectionEndpoint",
  "endSessionEndpoint",
  "checkSessionIframe",
  "deviceAuthorizationEndpoint",
  "backchannelAuthenticationEndpoint",
  "pushedAuthorizationRequestEndpoint"
] as const satisfies ReadonlyArray<Field>

// Document keys on the wire, for `extra` and `encode`.
const wireKeys: ReadonlyArray<readonly [field: Field, key: string]> = wire.wireKeysOf(Document.fields)
const known: ReadonlySet<string> = new Set(wireKeys.map(([, key]) => key))

/** @internal */
export const issuerUrl = (issuer: string, options?: IssuerOptions): Either.Either<URL, InvalidArgument> => {
  if (issuer.length > 8192 || !URL.canParse(issuer)) {
    return Either.left(invalidArgument("issuer", "must be an absolute URL"))
  }
  const parsed = new URL(issuer)
  if (!wire.isSecureUrl(parsed, options?.allowInsecureHttp === true)) {
    return Either.left(invalidArgument("issuer", "must use https (http is accepted only on a loopback host, or with allowInsecureHttp)"))
  }
  if (issuer.includes("?") || issuer.includes("#")) {
    return Either.left(invalidArgument("issuer", "must not have a query or a fragment"))
  }
  if (parsed.username !== "" || parsed.password !== "") {
    return Either.left(invalidArgument("issuer", "must not carry credentials"))
  }
  return Either.right(parsed)
}

/** @internal */
export const openidConfigurationUrl = (issuer: string, options?: IssuerOptions): Either.Either<string, InvalidArgument> =>
  Either.map(issuerUrl(issuer, options), () => `${issuer.endsWith("/") ? issuer.slice(0, -1) : issuer}/.well-known/openid-configuration`)

/** @internal */
export const authorizationServerMetadataUrl = (issuer: string, options?: IssuerOptions): Either.Either<string, InvalidArgument> =>
  Either.map(issuerUrl(issuer, options), (parsed) => {
    const path = parsed.pathname === "/" ? "" : parsed.pathname.replace(/\/$/, "")
    return `${parsed.origin}/.well-known/oauth-authorization-server${path}`
  })

/** @internal */
export const discoveryUrl = (issuer: string, kind: Kind, options?: IssuerOptions): Either.Either<string, InvalidArgument> =>
  kind === "openid" ? openidConfigurationUrl(issuer, options) : authorizationServerMetadataUrl(issuer, options)

const decodeWire = wire.decoder(Document, "discovery")

/** @internal */
export const decodeDocument = (raw: unknown, context?: ResponseContext): Either.Either<ServerMetadata, UnexpectedResponse> =>
  Either.flatMap(wire.plainBody(raw, "discovery", context), (body) =>
    Either.map(decodeWire(body, context), (decoded) => {
      const model: Record<string, unknown> = {}
      for (const [field] of wireKeys) if (decoded[field] !== undefined) model[field] = decoded[field]
      model.extra = wire.extrasOf(body, known)
      return model as unknown as ServerMetadata
    })
  )

const secure = (value: string, allowInsecureHttp: boolean): boolean => URL.canParse(value) && wire.isSecureUrl(new URL(value), allowInsecureHttp)

const wireKeyOf = (field: Field): string => wireKeys.find(([f]) => f === field)?.[1] ?? field

/** @internal */
export const MismatchingIssuerTypeId: ServerMetadataModule.MismatchingIssuerTypeId = Symbol.for(
  "@oauth2/core/ServerMetadata/MismatchingIssuer"
) as ServerMetadataModule.MismatchingIssuerTypeId

const MismatchingIssuerError = taggedError<"MismatchingIssuer", MismatchingIssuer>("MismatchingIssuer", MismatchingIssuerTypeId)

/** @internal */
export const isMismatchingIssuer = (u: unknown): u is MismatchingIssuer => hasTypeId(u, MismatchingIssuerTypeId)

/** @internal */
export const validate: {
  (options: ValidateOptions): (self: ServerMetadata) => Either.Either<ServerMetadata, MismatchingIssuer | UnexpectedResponse>
  (self: ServerMetadata, options: ValidateOptions): Either.Either<ServerMetadata, MismatchingIssuer | UnexpectedResponse>
} = dual(2, (self: ServerMetadata, options: ValidateOptions): Either.Either<ServerMetadata, MismatchingIssuer | UnexpectedResponse> => {
  if (typeof options !== "object" || options === null || typeof options.issuer !== "string") return Either.left(noExpectedIssuer())
  const fail = (reason: string) => Either.left(unexpectedResponse("discovery", reason, encode(self), options.context))
  if (self.issuer !== options.issuer) {
    return Either.left(
      new MismatchingIssuerError({
        endpoint: "discovery",
        expected: options.issuer,
        received: self.issuer,
        message: `the metadata document's issuer ${escapeControl(JSON.stringify(self.issuer.slice(0, 512)))} is not the expected ${escapeControl(
          JSON.stringify(options.issuer.slice(0, 512))
        )}`
      })
    )
  }
  const allowInsecureHttp = options.allowInsecureHttp === true
  if (Either.isLeft(issuerUrl(self.issuer, options))) {
    return fail("issuer: must be an https URL without query or fragment")
  }
  for (const field of endpointFields) {
    const value = self[field]
    if (value !== undefined && !secure(value, allowInsecureHttp)) {
      return fail(`${wireKeyOf(field)}: must use https`)
    }
  }
  for (const [name, value] of Object.entries(self.mtlsEndpointAliases ?? {})) {
    if (!secure(value, allowInsecureHttp)) return fail(`mtls_endpoint_aliases.${name}: must use https`)
  }
  for (const field of options.required ?? []) {
    const value: unknown = self[field]
    if (value === undefined || value === null) return fail(`${wireKeyOf(field)}: is missing`)
  }
  return Either.right(self)
})

/** @internal */
export const decode = (body: unknown, options: ValidateOptions): Either.Either<ServerMetadata, MismatchingIssuer | UnexpectedResponse> =>
  typeof options !== "object" || options === null || typeof options.issuer !== "string"
    ? Either.left(noExpectedIssuer())
    : Either.flatMap(decodeDocument(body, options.context), validate(options))

/** Without an expected issuer, no document can be trusted: the failure of {@link decode} and {@link validate}. */
const noExpectedIssuer = (): MismatchingIssuer =>
  new MismatchingIssuerError({
    endpoint: "discovery",
    expected: "",
    received: "",
    message: "no expected issuer was given (options.issuer): a metadata document cannot be trusted without one"
  })

/** @internal */
export const encode = (self: ServerMetadata): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(self.extra)) {
    if (!known.has(k)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true })
  }
  for (const [field, key] of wireKeys) {
    const value = self[field]
    if (value !== undefined) out[key] = value
  }
  return out
}
