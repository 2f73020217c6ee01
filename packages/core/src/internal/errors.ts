/** @internal */
import type { TypeId as OAuthErrorTypeId } from "../OAuthError.js"
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import type { Endpoint, InvalidArgument, OAuthError, ResponseContext, StandardCode, UnexpectedResponse } from "../OAuthError.js"
import { toJson } from "./json.js"

/**
 * The one recipe of every error of the packages: Effect's own `Data.TaggedError` constructor for a tag (an `Error`
 * whose `name` is the tag: yieldable with `yield*`, with a stack, rendered by `Cause.pretty` as `Tag: message`), its
 * prototype marked with the type id of its family. Made once per tag, at module level; each error is one `new`.
 *
 * @internal
 */
export const taggedError = <Tag extends string, A>(tag: Tag, typeId: symbol): new (fields: Record<string, unknown>) => A => {
  const Ctor = Data.TaggedError(tag)
  Object.defineProperty(Ctor.prototype, typeId, { value: typeId })
  return Ctor as unknown as new (fields: Record<string, unknown>) => A
}

/** @internal */
export const TypeId: OAuthErrorTypeId = Symbol.for("@oauth2/core/OAuthError") as OAuthErrorTypeId

/** Whether a value carries a type id (an error of that family). @internal */
export const hasTypeId = (u: unknown, typeId: symbol): boolean => typeof u === "object" && u !== null && typeId in u

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
  "insufficient_user_authentication",
  // RFC 7591 3.2.2
  "invalid_redirect_uri",
  "invalid_client_metadata",
  "invalid_software_statement",
  "unapproved_software_statement"
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

const resource = [
  "invalid_request",
  "invalid_token",
  "insufficient_scope",
  "insufficient_user_authentication",
  "invalid_dpop_proof",
  "use_dpop_nonce"
] as const

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
  // RFC 7591 3.2.2; RFC 7592 3 (a bad registration access token: invalid_token)
  registration: [
    ...backChannel,
    "invalid_redirect_uri",
    "invalid_client_metadata",
    "invalid_software_statement",
    "unapproved_software_statement",
    "invalid_token"
  ],
  resource_metadata: [] as ReadonlyArray<never>,
  discovery: [] as ReadonlyArray<never>,
  jwks: [] as ReadonlyArray<never>,
  // OpenID Connect RP-Initiated Logout: the browser is sent there, the client never reads an answer
  end_session: [] as ReadonlyArray<never>
} as const satisfies Record<Endpoint, ReadonlyArray<StandardCode>>

/** @internal */
export const pascal = (code: string): string =>
  code
    .split("_")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("")

/** @internal */
export const tags: ReadonlySet<string> = new Set(standardCodes.map(pascal))

/** One error constructor per answer tag (every standard code's, `UnknownError`), made once from the code table. */
const answers: Readonly<Record<string, new (fields: Record<string, unknown>) => OAuthError>> = Object.fromEntries(
  [...tags, "UnknownError"].map((tag) => [tag, taggedError<string, OAuthError>(tag, TypeId)])
)
const UnexpectedResponseError = taggedError<"UnexpectedResponse", UnexpectedResponse>("UnexpectedResponse", TypeId)
const InvalidArgumentError = taggedError<"InvalidArgument", InvalidArgument>("InvalidArgument", TypeId)

/** @internal */
export const isOAuthError = (u: unknown): u is OAuthError =>
  hasTypeId(u, TypeId) && typeof (u as { _tag?: unknown })._tag === "string" && Object.hasOwn(answers, (u as { _tag: string })._tag)

/** @internal */
export const isUnexpectedResponse = (u: unknown): u is UnexpectedResponse =>
  hasTypeId(u, TypeId) && (u as { _tag?: unknown })._tag === "UnexpectedResponse"

/** @internal */
export const isInvalidArgument = (u: unknown): u is InvalidArgument => hasTypeId(u, TypeId) && (u as { _tag?: unknown })._tag === "InvalidArgument"

/** @internal */
export const invalidArgument = (argument: string, message: string): InvalidArgument =>
  new InvalidArgumentError({ argument, message: `invalid argument '${argument}': ${message}` })

const allowed: Record<Endpoint, ReadonlySet<string>> = Object.fromEntries(
  Object.entries(endpointCodes).map(([endpoint, codes]) => [endpoint, new Set<string>(codes)])
) as any

/** @internal */
export const maxExcerptLength = 1024
const maxFieldLength = 512

/** @internal */
export const bound = (s: string, max: number = maxFieldLength): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`)

/** @internal */
export const makeError = (
  endpoint: Endpoint,
  fields: { readonly error: string; readonly description?: string; readonly uri?: string; readonly status?: number }
): OAuthError => {
  const error = safe(typeof fields.error === "string" ? fields.error : "", 128)
  const tag = allowed[endpoint].has(error) ? pascal(error) : "UnknownError"
  const description = typeof fields.description === "string" ? safe(fields.description) : undefined
  const value: Record<string, unknown> = {
    error,
    endpoint,
    message: `${endpoint} endpoint answered '${error}'${fields.status === undefined ? "" : ` (HTTP ${fields.status})`}${
      description === undefined ? "" : `: ${description}`
    }`
  }
  if (description !== undefined) value.description = description
  if (typeof fields.uri === "string") value.uri = safe(fields.uri)
  if (typeof fields.status === "number") value.status = fields.status
  return new answers[tag]!(value)
}

/** @internal */
export const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** @internal */
export const fromBody = (endpoint: Endpoint, body: unknown, context?: ResponseContext): OAuthError | undefined => {
  const json = toJson(body)
  return Either.isRight(json) ? fromJson(endpoint, json.right, context) : undefined
}

const fromJson = (endpoint: Endpoint, body: unknown, context?: ResponseContext): OAuthError | undefined => {
  if (!isRecord(body) || typeof body.error !== "string" || body.error.length === 0) return undefined
  return makeError(endpoint, {
    error: body.error,
    ...(typeof body.error_description === "string" ? { description: body.error_description } : {}),
    ...(typeof body.error_uri === "string" ? { uri: body.error_uri } : {}),
    ...(context?.status === undefined ? {} : { status: context.status })
  })
}

/**
 * Names of members whose values are secrets or single-use credentials: never kept in an excerpt. Compared after
 * {@link normaliseKey}, so `access_token`, `accessToken`, `Access-Token` and `ACCESS_TOKEN` are one name.
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
  "login_hint_token",
  "id_token_hint",
  "client_notification_token",
  "private_key",
  "api_key"
])

/** JWK private members: secret in a JSON object, but too short to be recognised reliably in free text. */
const jwkSecretFields: ReadonlySet<string> = new Set(["d", "p", "q", "dp", "dq", "qi", "k"])

/**
 * A member name reduced to lower-case letters and digits: `Access-Token`, `accessToken` -> `accesstoken`.
 * @internal
 */
export const normaliseKey = (key: string): string => key.toLowerCase().replace(/[^a-z0-9]/g, "")

const normalisedSecrets: ReadonlySet<string> = new Set([...secretFields].map(normaliseKey))
// a name ending in a secret's name is a secret too (`my_device_code`), except the short generic ones (`error_code`)
const secretSuffix = new RegExp(
  `(?:token|secret|password|passwd|assertion|verifier|apikey|privatekey|${[...normalisedSecrets].filter((n) => n.length >= 8).join("|")})$`
)

/** Whether a (normalised) name is that of a secret, whatever its spelling; `jwk` includes the short JWK names. */
const isSecretName = (normalised: string, jwk: boolean): boolean =>
  normalisedSecrets.has(normalised) || secretSuffix.test(normalised) || (jwk && jwkSecretFields.has(normalised))

/**
 * Whether a member name is that of a secret, whatever its case and naming style (snake, camel, kebab...).
 * @internal
 */
export const isSecretKey = (key: string): boolean => isSecretName(normaliseKey(key), true)

const redacted = "<redacted>"

const mask = (value: unknown, depth: number): unknown => {
  if (depth > 8) return "…"
  if (Array.isArray(value)) return value.slice(0, 32).map((v) => mask(v, depth + 1))
  if (isRecord(value)) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value).slice(0, 64)) {
      const masked = isSecretKey(decoders.reduce((key, decode) => decode(key), k)) && v !== null && v !== undefined ? redacted : mask(v, depth + 1)
      Object.defineProperty(out, k, { value: masked, enumerable: true, writable: true, configurable: true })
    }
    return out
  }
  if (typeof value === "string") return bound(value, maxExcerptLength)
  return value
}

/** The character an escape stands for when it is one of `allowed`; otherwise the escape is left as it is. */
const decodeTo =
  (allowed: RegExp) =>
  (code: number, escape: string): string => {
    const c = String.fromCharCode(code)
    return code < 128 && allowed.test(c) ? c : escape
  }
const nameCharacter = decodeTo(/[A-Za-z0-9_$.-]/)
// encoders percent-encode a name's punctuation, never its letters: decoding only punctuation keeps a '%' that
// happens to stand before a name (`%4access_token`) from swallowing its first letter
const namePunctuation = decodeTo(/[_$.-]/)

/**
 * The escapes a member name may hide behind in a text, one decoder each: JSON `\uXXXX`, percent-encoding and numeric
 * HTML character references, each decoded only where it stands for a name character. {@link maskText} masks after
 * each, so that one kind of escape cannot hide a name from the decoding of another. The excerpt shows the decoded text.
 */
const decoders: ReadonlyArray<(text: string) => string> = [
  (text) => text.replace(/\\u([0-9a-fA-F]{4})/g, (m, hex: string) => nameCharacter(parseInt(hex, 16), m)),
  (text) => text.replace(/%([0-9a-fA-F]{2})/g, (m, hex: string) => namePunctuation(parseInt(hex, 16), m)),
  (text) =>
    text.replace(/&#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}));/g, (m, hex: string | undefined, dec: string | undefined) =>
      nameCharacter(hex !== undefined ? parseInt(hex, 16) : Number(dec), m)
    )
]

/**
 * A name followed by a separator, in any of the syntaxes a body may use: `"name":`, `'name':`, `name:` (YAML),
 * `name=` (forms), `name =>`, `<name>` (XML), optionally with backslash-escaped quotes (JSON inside a JSON string).
 */
const keyThenSeparator = /(<)?(\\?["'])?([A-Za-z_$][\w.$-]*)(\\?["'])?(\s*(?:=>|:=|[:=])[ \t]*|>)/g

/** Where the value starting at `start` ends, by its first character (a quote, a bracket) or a bare value's end. */
const valueEnd = (text: string, start: number, xml: boolean): number => {
  if (xml) {
    const close = text.indexOf("<", start)
    return close === -1 ? text.length : close
  }
  const escapedQuote = text.startsWith('\\"', start) || text.startsWith("\\'", start)
  const first = text[start]
  if (escapedQuote) {
    const close = text.indexOf(text.slice(start, start + 2), start + 2)
    return close === -1 ? text.length : close + 2
  }
  if (first === '"' || first === "'") {
    for (let i = start + 1; i < text.length; i++) {
      if (text[i] === "\\") i++
      else if (text[i] === first) return i + 1
    }
    return text.length
  }
  if (first === "[" || first === "{") {
    const closer = first === "[" ? "]" : "}"
    let level = 0
    for (let i = start; i < text.length; i++) {
      if (text[i] === first) level++
      else if (text[i] === closer && --level === 0) return i + 1
    }
    return text.length
  }
  const bare = /[\s&,;<>}\]"']/g
  bare.lastIndex = start
  const stop = bare.exec(text)
  return stop === null ? text.length : stop.index
}

/**
 * Masks, in free text of any format (JSON, truncated JSON, forms, YAML, XML, JSON-in-a-string), the value following
 * any secret name, whatever its case, naming style or escaping.
 * @internal
 */
export const maskText = (raw: string): string => decoders.reduce((text, decode) => maskPass(decode(text)), maskPass(raw))

/** One masking pass; {@link maskText} runs it on the text as given, then after each decoder. */
const maskPass = (text: string): string => {
  let out = ""
  let from = 0
  keyThenSeparator.lastIndex = 0
  for (let m = keyThenSeparator.exec(text); m !== null; m = keyThenSeparator.exec(text)) {
    const [whole, lt, open, name, close, separator] = m as unknown as [
      string,
      string | undefined,
      string | undefined,
      string,
      string | undefined,
      string
    ]
    const xml = separator === ">"
    if (xml && (lt === undefined || open !== undefined || close !== undefined)) continue
    if (!xml && lt !== undefined) continue
    const quotedColon = open !== undefined && close !== undefined && separator.trim().startsWith(":")
    if (!isSecretName(normaliseKey(name), quotedColon)) continue
    const start = m.index + whole.length
    const end = valueEnd(text, start, xml)
    if (end <= start || /^(?:\\?["'])?<redacted>(?:\\?["'])?$/.test(text.slice(start, end))) continue
    out += text.slice(from, start) + redacted
    from = end
    keyThenSeparator.lastIndex = Math.max(end, keyThenSeparator.lastIndex)
  }
  return out + text.slice(from)
}

/**
 * Control characters (C0, DEL, C1), line and paragraph separators and bidirectional overrides: never copied raw from
 * a server into a message, an excerpt or a field (they forge log lines and terminal output).
 */
const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

/**
 * Escapes the control characters of server text (`\n`, `\r`, `\t`, else `\uXXXX`).
 * @internal
 */
export const escapeControl = (s: string): string =>
  s.replace(controlCharacters, (c) =>
    c === "\n" ? "\\n" : c === "\r" ? "\\r" : c === "\t" ? "\\t" : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`
  )

/** Server text for a message or a field: control characters escaped, then bounded. */
const safe = (s: string, max?: number): string => bound(escapeControl(s), max)

/** The largest string body parsed as JSON for masking by structure (larger ones are masked as text). */
const maxParsedLength = 64 * 1024

const render = (body: unknown): string => {
  if (typeof body === "string") {
    if (body.length <= maxParsedLength) {
      const parsed = Either.try(() => JSON.parse(body) as unknown)
      if (Either.isRight(parsed) && typeof parsed.right === "object" && parsed.right !== null) {
        return JSON.stringify(mask(parsed.right, 0))
      }
    }
    return maskText(body.slice(0, maxExcerptLength * 4))
  }
  if (body === undefined) return ""
  const json = toJson(body)
  if (Either.isLeft(json)) return `<${json.left}>`
  return JSON.stringify(mask(json.right, 0)) ?? ""
}

/**
 * A bounded, secret-masked excerpt of a body: raw text or a parsed JSON value. A body that parses as JSON is masked
 * by walking it (secret names in any spelling); any other text is masked by {@link maskText}. Never throws.
 * @internal
 */
export const excerpt = (body: unknown): string => {
  const text = Either.getOrElse(
    Either.try(() => render(body)),
    () => "<not a JSON value>"
  )
  // a last pass over the final text: masking is applied to what is shown, whatever path produced it
  return safe(maskText(text), maxExcerptLength)
}

/** @internal */
export const unexpectedResponse = (endpoint: Endpoint, reason: string, body: unknown, context?: ResponseContext): UnexpectedResponse => {
  const status = typeof context?.status === "number" ? context.status : undefined
  const contentType = typeof context?.contentType === "string" ? safe(context.contentType, 100) : undefined
  const why = safe(maskText(String(reason)))
  const value: Record<string, unknown> = {
    endpoint,
    reason: why,
    excerpt: excerpt(body),
    message: `unexpected answer from the ${endpoint} endpoint${
      status === undefined ? "" : ` (HTTP ${status}${contentType === undefined ? "" : `, ${contentType}`})`
    }: ${why}`
  }
  if (status !== undefined) value.status = status
  if (contentType !== undefined) value.contentType = contentType
  return new UnexpectedResponseError(value)
}
