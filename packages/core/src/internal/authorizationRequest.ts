/** @internal */
import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as base64url from "./base64url.js"
import type { AuthorizationRequest, Options, Pending, PendingRequest, RequestObjectRequest, RequestUriRequest } from "../AuthorizationRequest.js"
import * as OAuthError from "../OAuthError.js"
import * as Params from "../Params.js"
import * as Pkce from "../Pkce.js"
import { isRecord } from "./errors.js"
import { randomToken } from "./random.js"
import { checkRedirectUri } from "./wire.js"

type InvalidArgument = OAuthError.InvalidArgument
type Result<A> = Either.Either<A, InvalidArgument>

const fail = (argument: string, message: string): Result<never> => Either.left(OAuthError.invalidArgument(argument, message))
const ok = Either.right

// ---------------------------------------------------------------------------------------------------------------
// option checks
// ---------------------------------------------------------------------------------------------------------------

const nonEmptyString = (argument: string, u: unknown): Result<string | undefined> =>
  u === undefined ? ok(undefined) : typeof u === "string" && u.length > 0 ? ok(u) : fail(argument, "expected a non-empty string")

/** A space-separated string or a list of strings, as a list of non-empty tokens. */
const tokens = (argument: string, u: unknown): Result<ReadonlyArray<string> | undefined> => {
  if (u === undefined) return ok(undefined)
  const items: ReadonlyArray<unknown> | undefined = typeof u === "string" ? [u] : Array.isArray(u) ? u : undefined
  if (items === undefined || !items.every((s) => typeof s === "string")) {
    return fail(argument, "expected a string or a list of strings")
  }
  return ok((items as ReadonlyArray<string>).flatMap((s) => s.split(/\s+/)).filter((s) => s.length > 0))
}

const hasFragment = (s: string): boolean => s.includes("#")

/** An absolute URL; `httpOnly` restricts the scheme to http(s). */
const absoluteUrl = (argument: string, u: unknown, httpOnly: boolean): Result<URL> => {
  if (typeof u !== "string" || !URL.canParse(u)) return fail(argument, "expected an absolute URL")
  const url = new URL(u)
  if (httpOnly && url.protocol !== "https:" && url.protocol !== "http:") return fail(argument, "expected an http(s) URL")
  if (hasFragment(u)) return fail(argument, "must not contain a fragment")
  return ok(url)
}

const visibleAscii = /^[\x20-\x7e]+$/

const json = (argument: string, value: unknown): Result<string> => {
  const encoded = Either.try(() => JSON.stringify(value))
  return Either.isRight(encoded) && typeof encoded.right === "string" ? ok(encoded.right) : fail(argument, "cannot be encoded as JSON")
}

const authorizationDetails = (u: unknown): Result<string | undefined> => {
  if (u === undefined) return ok(undefined)
  const list: ReadonlyArray<unknown> | undefined = Array.isArray(u) ? u : isRecord(u) ? [u] : undefined
  if (list === undefined) return fail("authorizationDetails", "expected an object or a list of objects")
  for (const item of list) {
    if (!isRecord(item) || typeof item.type !== "string" || item.type.length === 0) {
      return fail("authorizationDetails", "each entry must be an object with a non-empty string 'type'")
    }
  }
  return json("authorizationDetails", list)
}

/** Names the options manage, refused in `extraParams`, with the option to use instead. */
const managed: Readonly<Record<string, string>> = {
  client_id: "clientId",
  response_type: "(always 'code')",
  redirect_uri: "redirectUri",
  scope: "scope",
  state: "state",
  nonce: "nonce",
  code_verifier: "codeVerifier",
  response_mode: "responseMode",
  prompt: "prompt",
  max_age: "maxAge",
  acr_values: "acrValues",
  login_hint: "loginHint",
  claims: "claims",
  resource: "resource",
  authorization_details: "authorizationDetails",
  request: "withRequestObject",
  request_uri: "withRequestUri",
  dpop_jkt: "dpopJkt"
}

const singletons = new Set(
  Object.keys(managed)
    .filter((n) => n !== "resource")
    .concat(["code_challenge", "code_challenge_method"])
)

const extraParams = (u: unknown): Result<Params.Params> => {
  if (u === undefined) return ok([])
  if (!isRecord(u)) return fail("extraParams", "expected a record of parameters")
  for (const [name, value] of Object.entries(u)) {
    if (name.length === 0) return fail("extraParams", "a parameter name is empty")
    if (name === "code_challenge" || name === "code_challenge_method") {
      return fail("extraParams", `'${name}' must not be passed: pass 'codeVerifier' (and 'codeChallengeMethod'), the challenge is derived from it`)
    }
    if (name === "code_verifier") {
      return fail("extraParams", "'code_verifier' must never be sent to the authorization endpoint: pass 'codeVerifier'")
    }
    const option = managed[name]
    if (option !== undefined) return fail("extraParams", `'${name}' is set by the option ${option}`)
    const values: ReadonlyArray<unknown> = Array.isArray(value) ? value : [value]
    for (const v of values) {
      if (!(v === undefined || v === null || typeof v === "string" || (Redacted.isRedacted(v) && typeof Redacted.value(v) === "string"))) {
        return fail("extraParams", `'${name}' must be a string, a Redacted string or a list of them`)
      }
    }
  }
  // Front-channel parameters end up in a URL: they are kept as plain text.
  return ok(Params.make(u as Readonly<Record<string, Params.Input>>).map(([n, v]) => [n, Params.unwrap(v)] as const))
}

// ---------------------------------------------------------------------------------------------------------------
// assembling a pending request from its parameters (shared by `make` and `restore`)
// ---------------------------------------------------------------------------------------------------------------

type Variant =
  | { readonly _tag: "AuthorizationRequest" }
  | { readonly _tag: "RequestUriRequest"; readonly requestUri: string; readonly expiresAt?: DateTime.Utc }
  | { readonly _tag: "RequestObjectRequest"; readonly request: string }

interface Parts {
  readonly variant: Variant
  readonly authorizationEndpoint: string
  readonly params: ReadonlyArray<readonly [string, string]>
  readonly codeVerifier?: Redacted.Redacted<string>
  readonly issuer?: string
  readonly authorizationResponseIssParameterSupported: boolean
}

/** The query of the endpoint followed by ours; spaces as `%20`, which every decoder reads as a space. */
const buildUrl = (endpoint: URL, params: Params.Params): string => {
  const url = new URL(endpoint.href)
  const ours = Params.encode(params).replace(/\+/g, "%20")
  const existing = url.search.slice(1)
  url.search = existing === "" ? ours : ours === "" ? existing : `${existing}&${ours}`
  return url.href
}

const compactJwt = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)?$/

const assemble = (parts: Parts): Result<PendingRequest> => {
  const endpoint = absoluteUrl("authorizationEndpoint", parts.authorizationEndpoint, true)
  if (Either.isLeft(endpoint)) return Either.left(endpoint.left)
  const existing = new Set(new URLSearchParams(endpoint.right.search).keys())
  const seen = new Set<string>()
  for (const [name, value] of parts.params) {
    if (typeof name !== "string" || typeof value !== "string" || name.length === 0 || value.length === 0) {
      return fail("params", "names and values must be non-empty strings")
    }
    if (singletons.has(name) && seen.has(name)) return fail("params", `'${name}' is repeated`)
    seen.add(name)
  }
  const variantNames =
    parts.variant._tag === "RequestUriRequest"
      ? ["client_id", "request_uri"]
      : parts.variant._tag === "RequestObjectRequest"
        ? ["client_id", "request"]
        : []
  for (const name of new Set([...seen, ...variantNames])) {
    if (existing.has(name)) {
      return fail("authorizationEndpoint", `its query already has '${name}', which the request sets`)
    }
  }
  const get = (name: string): string | undefined => Params.get(parts.params, name)
  const redirect = get("redirect_uri")
  if (redirect !== undefined) {
    const checked = checkRedirectUri("redirectUri", redirect)
    if (Either.isLeft(checked)) return Either.left(checked.left)
  }
  const clientId = get("client_id")
  if (clientId === undefined) return fail("clientId", "expected a non-empty string")
  if (get("response_type") !== "code") return fail("params", "response_type must be 'code'")
  const method = get("code_challenge_method")
  if (method !== undefined && !Pkce.isMethod(method)) return fail("codeChallengeMethod", "must be 'S256' or 'plain'")
  if ((method === undefined) !== (get("code_challenge") === undefined)) {
    return fail("params", "code_challenge and code_challenge_method go together")
  }
  if ((method === undefined) !== (parts.codeVerifier === undefined)) {
    return fail("codeVerifier", "a code verifier goes with a code challenge")
  }
  if (parts.codeVerifier !== undefined) {
    const verifier = Pkce.validateVerifier(parts.codeVerifier)
    if (Either.isLeft(verifier)) return Either.left(verifier.left)
  }
  const maxAgeText = get("max_age")
  const maxAge = maxAgeText === undefined ? undefined : /^(0|[1-9][0-9]{0,15})$/.test(maxAgeText) ? Number(maxAgeText) : NaN
  if (maxAge !== undefined && !Number.isSafeInteger(maxAge)) return fail("maxAge", "must be a non-negative integer")
  if (parts.issuer !== undefined && parts.issuer.length === 0) return fail("issuer", "expected a non-empty string")
  if (parts.authorizationResponseIssParameterSupported && parts.issuer === undefined) {
    return fail("issuer", "is required when authorizationResponseIssParameterSupported is true")
  }
  const acrValues = get("acr_values")

  const variant = parts.variant
  let query: Params.Params
  switch (variant._tag) {
    case "AuthorizationRequest":
      query = parts.params
      break
    case "RequestUriRequest":
      if (variant.requestUri.length === 0) return fail("requestUri", "expected a non-empty string")
      query = [
        ["client_id", clientId],
        ["request_uri", variant.requestUri]
      ]
      break
    case "RequestObjectRequest":
      if (!compactJwt.test(variant.request)) return fail("request", "expected a compact JWS or JWE")
      {
        // OpenID Connect Core 6.1: response_type and scope (with openid) are sent outside the request object too
        const scope = get("scope")
        query = [
          ["client_id", clientId],
          ["response_type", "code"],
          ...(scope === undefined ? [] : [["scope", scope] as const]),
          ["request", variant.request]
        ]
      }
      break
  }

  const value: Record<string, unknown> = {
    _tag: variant._tag,
    authorizationEndpoint: parts.authorizationEndpoint,
    clientId
  }
  const set = (key: string, v: unknown) => {
    if (v !== undefined) value[key] = v
  }
  set("redirectUri", get("redirect_uri"))
  set("scope", get("scope"))
  set("responseMode", get("response_mode"))
  set("state", get("state"))
  set("nonce", get("nonce"))
  set("codeVerifier", parts.codeVerifier)
  set("codeChallengeMethod", method)
  set("acrValues", acrValues === undefined ? undefined : Data.array(acrValues.split(" ").filter((s) => s.length > 0)))
  set("maxAge", maxAge)
  set("issuer", parts.issuer)
  value.authorizationResponseIssParameterSupported = parts.authorizationResponseIssParameterSupported
  value.params = Data.array(parts.params.map(([n, v]) => Data.tuple(n, v)))
  value.url = buildUrl(endpoint.right, query)
  if (variant._tag === "RequestUriRequest") {
    value.requestUri = variant.requestUri
    set("expiresAt", variant.expiresAt)
  }
  if (variant._tag === "RequestObjectRequest") value.request = variant.request
  return ok(Data.struct(value) as unknown as PendingRequest)
}

// ---------------------------------------------------------------------------------------------------------------
// make
// ---------------------------------------------------------------------------------------------------------------

/** @internal */
export const make = Effect.fnUntraced(function* (options: Options) {
  if (!isRecord(options)) return yield* fail("options", "expected an object")
  yield* absoluteUrl("authorizationEndpoint", options.authorizationEndpoint, true)
  const clientId = yield* nonEmptyString("clientId", options.clientId)
  if (clientId === undefined) return yield* fail("clientId", "expected a non-empty string")
  const redirectUri = options.redirectUri === undefined ? undefined : yield* checkRedirectUri("redirectUri", options.redirectUri)
  const scope = (yield* tokens("scope", options.scope)) ?? ["openid"]

  const state = options.state
  if (!(state === undefined || state === false || (typeof state === "string" && visibleAscii.test(state)))) {
    return yield* fail("state", "expected a non-empty printable ASCII string, or false")
  }
  const nonce = options.nonce
  if (!(nonce === undefined || nonce === false || (typeof nonce === "string" && nonce.length > 0))) {
    return yield* fail("nonce", "expected a non-empty string, or false")
  }

  const method = options.codeChallengeMethod ?? "S256"
  if (method !== false && !Pkce.isMethod(method)) {
    return yield* fail("codeChallengeMethod", "must be 'S256', 'plain' or false")
  }
  if (method === false && options.codeVerifier !== undefined) {
    return yield* fail("codeVerifier", "cannot be used when codeChallengeMethod is false")
  }
  const givenVerifier = options.codeVerifier === undefined ? undefined : yield* Pkce.validateVerifier(options.codeVerifier)

  const acrValues = yield* tokens("acrValues", options.acrValues)
  const maxAge = options.maxAge
  if (maxAge !== undefined && !(typeof maxAge === "number" && Number.isSafeInteger(maxAge) && maxAge >= 0)) {
    return yield* fail("maxAge", "must be a non-negative integer")
  }
  const prompt = yield* tokens("prompt", options.prompt)
  if (prompt !== undefined && prompt.includes("none") && prompt.length > 1) {
    return yield* fail("prompt", "'none' cannot be combined with another value")
  }
  const loginHint = yield* nonEmptyString("loginHint", options.loginHint)
  if (options.claims !== undefined && !isRecord(options.claims)) return yield* fail("claims", "expected an object")
  const claims = options.claims === undefined ? undefined : yield* json("claims", options.claims)
  const resource = yield* tokens("resource", options.resource)
  for (const r of resource ?? []) yield* absoluteUrl("resource", r, false)
  const details = yield* authorizationDetails(options.authorizationDetails)
  const responseMode = yield* nonEmptyString("responseMode", options.responseMode)
  const issuer = yield* nonEmptyString("issuer", options.issuer)
  const issSupported = options.authorizationResponseIssParameterSupported ?? false
  if (typeof issSupported !== "boolean") {
    return yield* fail("authorizationResponseIssParameterSupported", "expected a boolean")
  }
  const extra = yield* extraParams(options.extraParams)
  const dpopJkt = yield* nonEmptyString("dpopJkt", options.dpopJkt)

  const generatedState = state === undefined ? yield* randomToken(32) : state === false ? undefined : state
  const generatedNonce = nonce === undefined ? (scope.includes("openid") ? yield* randomToken(32) : undefined) : nonce === false ? undefined : nonce
  const pkce = method === false ? undefined : yield* Pkce.make(givenVerifier === undefined ? { method } : { method, verifier: givenVerifier })

  const params = Params.make({
    client_id: clientId,
    response_type: "code",
    redirect_uri: redirectUri === undefined ? undefined : options.redirectUri,
    scope: scope.join(" "),
    state: generatedState,
    nonce: generatedNonce,
    code_challenge: pkce?.codeChallenge,
    code_challenge_method: pkce?.codeChallengeMethod,
    response_mode: responseMode,
    prompt: prompt?.join(" "),
    max_age: maxAge === undefined ? undefined : String(maxAge),
    acr_values: acrValues?.join(" "),
    login_hint: loginHint,
    claims,
    resource,
    authorization_details: details,
    dpop_jkt: dpopJkt
  }).map(([n, v]) => [n, Params.unwrap(v)] as const)

  return (yield* assemble({
    variant: { _tag: "AuthorizationRequest" },
    authorizationEndpoint: options.authorizationEndpoint,
    params: [...params, ...extra] as ReadonlyArray<readonly [string, string]>,
    ...(pkce === undefined ? {} : { codeVerifier: pkce.codeVerifier }),
    ...(issuer === undefined ? {} : { issuer }),
    authorizationResponseIssParameterSupported: issSupported
  })) as AuthorizationRequest
})

const partsOf = (self: Pending): Omit<Parts, "variant"> => ({
  authorizationEndpoint: self.authorizationEndpoint,
  params: self.params.map(([n, v]) => [n, Params.unwrap(v)] as const),
  ...(self.codeVerifier === undefined ? {} : { codeVerifier: self.codeVerifier }),
  ...(self.issuer === undefined ? {} : { issuer: self.issuer }),
  authorizationResponseIssParameterSupported: self.authorizationResponseIssParameterSupported
})

/** @internal */
export const withRequestUri = (
  self: AuthorizationRequest | RequestObjectRequest,
  options: { readonly requestUri: string; readonly expiresAt?: DateTime.Utc }
): Result<RequestUriRequest> => {
  if (!isRecord(options) || typeof options.requestUri !== "string" || options.requestUri.length === 0) {
    return fail("requestUri", "expected a non-empty string")
  }
  if (options.expiresAt !== undefined && !(DateTime.isDateTime(options.expiresAt) && DateTime.isUtc(options.expiresAt))) {
    return fail("expiresAt", "expected a DateTime.Utc")
  }
  return assemble({
    ...partsOf(self),
    variant: {
      _tag: "RequestUriRequest",
      requestUri: options.requestUri,
      ...(options.expiresAt === undefined ? {} : { expiresAt: options.expiresAt })
    }
  }) as Result<RequestUriRequest>
}

/** @internal */
export const withRequestObject = (self: AuthorizationRequest, request: string): Result<RequestObjectRequest> => {
  if (typeof request !== "string") return fail("request", "expected a compact JWS or JWE")
  return assemble({ ...partsOf(self), variant: { _tag: "RequestObjectRequest", request } }) as Result<RequestObjectRequest>
}

/** @internal */
export const queryParams = (self: PendingRequest): Params.Params => {
  switch (self._tag) {
    case "AuthorizationRequest":
      return self.params
    case "RequestUriRequest":
      return [
        ["client_id", self.clientId],
        ["request_uri", self.requestUri]
      ]
    case "RequestObjectRequest":
      return [
        ["client_id", self.clientId],
        ["request", self.request]
      ]
  }
}

const tags = new Set(["AuthorizationRequest", "RequestUriRequest", "RequestObjectRequest"])

/** @internal */
export const isPendingRequest = (u: unknown): u is PendingRequest =>
  isRecord(u) && typeof u._tag === "string" && tags.has(u._tag) && typeof u.url === "string" && Array.isArray(u.params)

// ---------------------------------------------------------------------------------------------------------------
// serialization
// ---------------------------------------------------------------------------------------------------------------

/** @internal */
export const maxSerializedLength = 256 * 1024

const Serialized = Schema.Struct({
  v: Schema.Literal(1),
  k: Schema.Literal("code", "uri", "jar"),
  e: Schema.String,
  p: Schema.Array(Schema.Tuple(Schema.String, Schema.String)),
  cv: Schema.optional(Schema.String),
  iss: Schema.optional(Schema.String),
  isp: Schema.optional(Schema.Boolean),
  ru: Schema.optional(Schema.String),
  exp: Schema.optional(Schema.Number.pipe(Schema.int())),
  ro: Schema.optional(Schema.String)
})
type Serialized = typeof Serialized.Type

const kinds = { AuthorizationRequest: "code", RequestUriRequest: "uri", RequestObjectRequest: "jar" } as const

/** @internal */
export const serialize = (self: PendingRequest): string => {
  const out: { -readonly [K in keyof Serialized]: Serialized[K] } = {
    v: 1,
    k: kinds[self._tag],
    e: self.authorizationEndpoint,
    p: self.params.map(([n, v]) => [n, Params.unwrap(v)] as const)
  }
  if (self.codeVerifier !== undefined) out.cv = Redacted.value(self.codeVerifier)
  if (self.issuer !== undefined) out.iss = self.issuer
  if (self.authorizationResponseIssParameterSupported) out.isp = true
  if (self._tag === "RequestUriRequest") {
    out.ru = self.requestUri
    if (self.expiresAt !== undefined) out.exp = DateTime.toEpochMillis(self.expiresAt)
  }
  if (self._tag === "RequestObjectRequest") out.ro = self.request
  return base64url.encode(JSON.stringify(out))
}

// compiled at the first use, not when the module is imported
let decodeSerializedParser: ReturnType<typeof Schema.decodeUnknownEither<typeof Serialized.Type, typeof Serialized.Encoded>> | undefined
const decodeSerialized = (u: unknown) => (decodeSerializedParser ??= Schema.decodeUnknownEither(Serialized))(u)
const utf8 = new TextDecoder("utf-8", { fatal: true })

/** @internal */
export const restore = (serialized: string): Result<PendingRequest> => {
  const invalid = (message: string) => fail("serialized", message)
  if (typeof serialized !== "string") return invalid("expected a string")
  if (serialized.length === 0 || serialized.length > maxSerializedLength) {
    return invalid(`expected 1 to ${maxSerializedLength} characters`)
  }
  if (!/^[A-Za-z0-9_-]+$/.test(serialized)) return invalid("not base64url")
  const text = Either.try(() => utf8.decode(base64url.decode(serialized)))
  if (Either.isLeft(text)) return invalid("not base64url-encoded UTF-8")
  const parsed = Either.try(() => JSON.parse(text.right) as unknown)
  if (Either.isLeft(parsed)) return invalid("not JSON")
  if (isRecord(parsed.right) && parsed.right.v !== 1) return invalid("unknown version")
  const decoded = decodeSerialized(parsed.right)
  if (Either.isLeft(decoded)) return invalid("not a serialized pending request")
  const s = decoded.right
  let variant: Variant
  if (s.k === "code") {
    if (s.ru !== undefined || s.ro !== undefined || s.exp !== undefined) return invalid("unexpected members")
    variant = { _tag: "AuthorizationRequest" }
  } else if (s.k === "uri") {
    if (s.ru === undefined || s.ro !== undefined) return invalid("expected a request_uri")
    let expiresAt: DateTime.Utc | undefined
    if (s.exp !== undefined) {
      const at = DateTime.make(s.exp)
      if (Option.isNone(at)) return invalid("bad expiry")
      expiresAt = DateTime.toUtc(at.value)
    }
    variant = { _tag: "RequestUriRequest", requestUri: s.ru, ...(expiresAt === undefined ? {} : { expiresAt }) }
  } else {
    if (s.ro === undefined || s.ru !== undefined || s.exp !== undefined) return invalid("expected a request object")
    variant = { _tag: "RequestObjectRequest", request: s.ro }
  }
  return Either.mapLeft(
    assemble({
      variant,
      authorizationEndpoint: s.e,
      params: s.p,
      ...(s.cv === undefined ? {} : { codeVerifier: Redacted.make(s.cv) }),
      ...(s.iss === undefined ? {} : { issuer: s.iss }),
      authorizationResponseIssParameterSupported: s.isp ?? false
    }),
    (e) => OAuthError.invalidArgument("serialized", `${e.argument}: ${e.message}`)
  )
}
