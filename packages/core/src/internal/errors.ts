/** @internal */
import * as Data from "effect/Data"
import type {
  Endpoint,
  ErrorResponse,
  OAuthError,
  ResponseContext,
  StandardCode,
  UnexpectedResponse
} from "../OAuthError.js"

/** @internal */
export const standardCodes = [
  // RFC 6749 4.1.2.1 / 5.2
  "invalid_request",
  "invalid_client",
  "invalid_grant",
  "unauthorized_client",
  "unsupported_grant_type",
  "unsupported_response_type",
  "invalid_scope",
  "access_denied",
  "server_error",
  "temporarily_unavailable",
  // RFC 8707
  "invalid_target",
  // RFC 8628 / CIBA polling
  "authorization_pending",
  "slow_down",
  "expired_token",
  // RFC 7009
  "unsupported_token_type",
  // RFC 6750
  "invalid_token",
  "insufficient_scope",
  // OpenID Connect Core 3.1.2.6
  "interaction_required",
  "login_required",
  "account_selection_required",
  "consent_required",
  "invalid_request_uri",
  "invalid_request_object",
  "request_not_supported",
  "request_uri_not_supported",
  "registration_not_supported",
  // OpenID Connect Core 1.0 errata / IANA
  "unmet_authentication_requirements",
  // CIBA 13
  "expired_login_hint_token",
  "unknown_user_id",
  "missing_user_code",
  "invalid_user_code",
  "invalid_binding_message",
  // RFC 9396
  "invalid_authorization_details",
  // RFC 9449
  "invalid_dpop_proof",
  "use_dpop_nonce",
  // RFC 9470
  "insufficient_user_authentication"
] as const

const backChannel = [
  "invalid_request",
  "invalid_client",
  "unauthorized_client",
  "server_error",
  "temporarily_unavailable",
  "invalid_dpop_proof",
  "use_dpop_nonce"
] as const

const authorization = [
  "invalid_request",
  "unauthorized_client",
  "access_denied",
  "unsupported_response_type",
  "invalid_scope",
  "server_error",
  "temporarily_unavailable",
  "invalid_target",
  "interaction_required",
  "login_required",
  "account_selection_required",
  "consent_required",
  "invalid_request_uri",
  "invalid_request_object",
  "request_not_supported",
  "request_uri_not_supported",
  "registration_not_supported",
  "unmet_authentication_requirements",
  "invalid_authorization_details"
] as const

const resource = ["invalid_request", "invalid_token", "insufficient_scope", "insufficient_user_authentication", "invalid_dpop_proof", "use_dpop_nonce"] as const

/** @internal */
export const endpointCodes = {
  authorization,
  token: [
    ...backChannel,
    "invalid_grant",
    "unsupported_grant_type",
    "invalid_scope",
    "invalid_target",
    "invalid_authorization_details",
    "authorization_pending",
    "slow_down",
    "access_denied",
    "expired_token"
  ],
  pushed_authorization: [...backChannel, ...authorization],
  device_authorization: [...backChannel, "invalid_scope", "invalid_target", "invalid_authorization_details"],
  backchannel_authentication: [
    ...backChannel,
    "invalid_scope",
    "invalid_target",
    "access_denied",
    "expired_login_hint_token",
    "unknown_user_id",
    "missing_user_code",
    "invalid_user_code",
    "invalid_binding_message",
    "invalid_request_object",
    "invalid_authorization_details"
  ],
  revocation: [...backChannel, "unsupported_token_type"],
  // not in RFC 7662, but servers answer it for tokens they cannot introspect (e.g. structured JWTs)
  introspection: [...backChannel, "unsupported_token_type"],
  userinfo: [...resource, "server_error", "temporarily_unavailable"],
  resource,
  discovery: [] as ReadonlyArray<never>,
  jwks: [] as ReadonlyArray<never>
} as const satisfies Record<Endpoint, ReadonlyArray<StandardCode>>

/** @internal */
export const pascal = (code: string): string =>
  code
    .split("_")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("")

/** @internal */
export const tags: ReadonlySet<string> = new Set(standardCodes.map(pascal))

const allowed: Record<Endpoint, ReadonlySet<string>> = Object.fromEntries(
  Object.entries(endpointCodes).map(([endpoint, codes]) => [endpoint, new Set<string>(codes)])
) as any

/** @internal */
export const maxExcerptLength = 1024
const maxFieldLength = 512

/** @internal */
export const bound = (s: string, max: number = maxFieldLength): string =>
  s.length <= max ? s : `${s.slice(0, max - 1)}…`

/** @internal */
export const makeError = (
  endpoint: Endpoint,
  fields: { readonly error: string; readonly description?: string; readonly uri?: string; readonly status?: number }
): OAuthError => {
  const error = bound(fields.error, 128)
  const tag = allowed[endpoint].has(error) ? pascal(error) : "UnknownError"
  const description = fields.description === undefined ? undefined : bound(fields.description)
  const value: Record<string, unknown> = {
    _tag: tag,
    error,
    endpoint,
    message: `${endpoint} endpoint answered '${error}'${fields.status === undefined ? "" : ` (HTTP ${fields.status})`}${
      description === undefined ? "" : `: ${description}`
    }`
  }
  if (description !== undefined) value.description = description
  if (fields.uri !== undefined) value.uri = bound(fields.uri)
  if (fields.status !== undefined) value.status = fields.status
  return Data.struct(value) as unknown as ErrorResponse<string> as OAuthError
}

/** @internal */
export const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** @internal */
export const fromBody = (endpoint: Endpoint, body: unknown, context?: ResponseContext): OAuthError | undefined => {
  if (!isRecord(body) || typeof body.error !== "string" || body.error.length === 0) return undefined
  return makeError(endpoint, {
    error: body.error,
    ...(typeof body.error_description === "string" ? { description: body.error_description } : {}),
    ...(typeof body.error_uri === "string" ? { uri: body.error_uri } : {}),
    ...(context?.status === undefined ? {} : { status: context.status })
  })
}

/**
 * Names of members whose values are secrets or single-use credentials: never kept in an excerpt.
 * @internal
 */
export const secretFields: ReadonlySet<string> = new Set([
  "access_token",
  "refresh_token",
  "id_token",
  "client_secret",
  "code",
  "code_verifier",
  "device_code",
  "user_code",
  "auth_req_id",
  "assertion",
  "client_assertion",
  "password",
  "subject_token",
  "actor_token",
  "issued_token",
  "request",
  "token",
  "d",
  "p",
  "q",
  "dp",
  "dq",
  "qi",
  "k"
])

const mask = (value: unknown, depth: number): unknown => {
  if (depth > 8) return "…"
  if (Array.isArray(value)) return value.slice(0, 32).map((v) => mask(v, depth + 1))
  if (isRecord(value)) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value).slice(0, 64)) {
      out[k] = secretFields.has(k) && v !== null && v !== undefined ? "<redacted>" : mask(v, depth + 1)
    }
    return out
  }
  if (typeof value === "string") return bound(value, maxExcerptLength)
  return value
}

const secretPattern = new RegExp(
  `("(?:${[...secretFields].join("|")})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*("?)`,
  "gi"
)
const secretFormPattern = new RegExp(`(^|[&?#])((?:${[...secretFields].join("|")})=)[^&]*`, "gi")

/**
 * A bounded, secret-masked excerpt of a body: raw text or a parsed JSON value.
 * @internal
 */
export const excerpt = (body: unknown): string => {
  let text: string
  if (typeof body === "string") {
    text = body.slice(0, maxExcerptLength * 4).replace(secretPattern, `$1"<redacted>"`).replace(secretFormPattern, "$1$2<redacted>")
  } else if (body === undefined) {
    text = ""
  } else {
    try {
      text = JSON.stringify(mask(body, 0)) ?? String(body)
    } catch {
      text = String(body)
    }
  }
  return bound(text, maxExcerptLength)
}

/** @internal */
export const unexpectedResponse = (
  endpoint: Endpoint,
  reason: string,
  body: unknown,
  context?: ResponseContext
): UnexpectedResponse => {
  const value: Record<string, unknown> = {
    _tag: "UnexpectedResponse",
    endpoint,
    reason: bound(reason),
    excerpt: excerpt(body),
    message: `unexpected answer from the ${endpoint} endpoint${
      context?.status === undefined ? "" : ` (HTTP ${context.status}${context.contentType === undefined ? "" : `, ${bound(context.contentType, 100)}`})`
    }: ${bound(reason)}`
  }
  if (context?.status !== undefined) value.status = context.status
  if (context?.contentType !== undefined) value.contentType = bound(context.contentType, 100)
  return Data.struct(value) as unknown as UnexpectedResponse
}
