/** @internal */
import type { CallbackErrorTypeId as CallbackErrorTypeIdType } from "../AuthorizationResponse.js"
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type { PendingRequest } from "../AuthorizationRequest.js"
import type {
  AuthorizationResponse,
  CallbackError,
  Input,
  InvalidCallback,
  MismatchingIssuer,
  MismatchingState,
  MissingAuthorizationCode,
  MissingIssuer,
  MissingState,
  RepeatedParameter,
  TokenRequestInputs
} from "../AuthorizationResponse.js"
import * as OAuthError from "../OAuthError.js"
import type * as Params from "../Params.js"
import { bound, hasTypeId, isRecord, taggedError } from "./errors.js"

// ---------------------------------------------------------------------------------------------------------------
// errors
// ---------------------------------------------------------------------------------------------------------------

/** @internal */
export const CallbackErrorTypeId: CallbackErrorTypeIdType = Symbol.for("@oauth2/core/AuthorizationResponse/CallbackError") as CallbackErrorTypeIdType

const InvalidCallbackError = taggedError<"InvalidCallback", InvalidCallback>("InvalidCallback", CallbackErrorTypeId)
const RepeatedParameterError = taggedError<"RepeatedParameter", RepeatedParameter>("RepeatedParameter", CallbackErrorTypeId)
const MissingIssuerError = taggedError<"MissingIssuer", MissingIssuer>("MissingIssuer", CallbackErrorTypeId)
const MismatchingIssuerError = taggedError<"MismatchingIssuer", MismatchingIssuer>("MismatchingIssuer", CallbackErrorTypeId)
const MissingStateError = taggedError<"MissingState", MissingState>("MissingState", CallbackErrorTypeId)
const MismatchingStateError = taggedError<"MismatchingState", MismatchingState>("MismatchingState", CallbackErrorTypeId)
const MissingAuthorizationCodeError = taggedError<"MissingAuthorizationCode", MissingAuthorizationCode>(
  "MissingAuthorizationCode",
  CallbackErrorTypeId
)

/** @internal */
export const invalidCallback = (reason: string): InvalidCallback =>
  new InvalidCallbackError({ reason: bound(reason), message: `invalid authorization callback: ${bound(reason)}` })

/** @internal */
export const repeatedParameter = (parameter: string): RepeatedParameter => {
  const name = bound(parameter, 64)
  return new RepeatedParameterError({
    parameter: name,
    message: `the authorization callback repeats the parameter '${name}'`
  })
}

/** @internal */
export const missingIssuer = (expected: string): MissingIssuer =>
  new MissingIssuerError({
    expected,
    message: `the authorization callback has no 'iss', but the server supports RFC 9207 (expected '${bound(expected, 200)}')`
  })

/** @internal */
export const mismatchingIssuer = (expected: string, received: string): MismatchingIssuer => {
  const shown = bound(received, 200)
  return new MismatchingIssuerError({
    expected,
    received: shown,
    message: `the authorization callback comes from issuer '${shown}', expected '${bound(expected, 200)}'`
  })
}

/** @internal */
export const missingState = (callback: "authorization" | "logout" = "authorization"): MissingState =>
  new MissingStateError({ message: `the ${callback} callback has no 'state', but one was sent` })

/** @internal */
export const mismatchingState = (callback: "authorization" | "logout" = "authorization"): MismatchingState =>
  new MismatchingStateError({ message: `the 'state' of the ${callback} callback is not the one sent` })

/** @internal */
export const missingAuthorizationCode = (): MissingAuthorizationCode =>
  new MissingAuthorizationCodeError({ message: "the authorization callback has no 'code'" })

/** @internal */
export const isCallbackError = (u: unknown): u is CallbackError => hasTypeId(u, CallbackErrorTypeId)

// ---------------------------------------------------------------------------------------------------------------
// parsing
// ---------------------------------------------------------------------------------------------------------------

/** @internal */
export const maxInputLength = 64 * 1024
const maxParameters = 256

const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/

const wrongPlace = (found: "query" | "fragment", mode: string) =>
  Either.left(invalidCallback(`the parameters are in the ${found}, but the request asked for response_mode=${mode}`))

/**
 * The component of the input that holds the parameters. `strict` (callback validation): the response mode of the
 * request (`query` by default) is the only place read, a response found in the other place is refused.
 */
const component = (input: string, responseMode: string | undefined, strict: boolean): Either.Either<string, InvalidCallback> => {
  const mode = responseMode ?? ""
  const inQuery = mode === "query" || mode.startsWith("query.")
  const inFragment = mode === "fragment" || mode.startsWith("fragment.")
  if (input.startsWith("?")) {
    if (strict && inFragment) return wrongPlace("query", mode)
    const end = input.indexOf("#")
    return Either.right(input.slice(1, end < 0 ? undefined : end))
  }
  if (input.startsWith("#")) {
    if (strict && inQuery) return wrongPlace("fragment", mode)
    return Either.right(input.slice(1))
  }
  let url: URL | undefined
  if (input.startsWith("/")) {
    url = URL.canParse(input, "http://localhost") ? new URL(input, "http://localhost") : undefined
    if (url === undefined) return Either.left(invalidCallback("not a valid path"))
  } else if (scheme.test(input)) {
    url = URL.canParse(input) ? new URL(input) : undefined
    if (url === undefined) return Either.left(invalidCallback("not a valid URL"))
  }
  if (url === undefined) return Either.right(input) // a bare query string or form body
  const query = url.search.slice(1)
  const fragment = url.hash.slice(1)
  if (mode.startsWith("fragment")) {
    if (strict && fragment === "" && query !== "") return wrongPlace("query", mode)
    return Either.right(fragment)
  }
  if (mode.startsWith("query")) {
    if (strict && query === "" && fragment !== "") return wrongPlace("fragment", mode)
    return Either.right(query)
  }
  return Either.right(query !== "" ? query : fragment)
}

const decode = (s: string): Either.Either<string, InvalidCallback> =>
  Either.mapLeft(
    Either.try(() => decodeURIComponent(s.replace(/\+/g, " "))),
    () => invalidCallback("bad percent-encoding")
  )

const collect = (
  entries: Iterable<readonly [string, string]>
): Either.Either<Readonly<Record<string, string>>, InvalidCallback | RepeatedParameter> => {
  const seen = new Map<string, string>()
  let count = 0
  for (const [name, value] of entries) {
    if (++count > maxParameters) return Either.left(invalidCallback(`more than ${maxParameters} parameters`))
    if (name.length === 0) continue
    if (seen.has(name)) return Either.left(repeatedParameter(name))
    seen.set(name, value)
  }
  // Parameters sent without a value are treated as omitted (RFC 6749 3.1).
  return Either.right(Object.fromEntries([...seen].filter(([, v]) => v.length > 0)))
}

/** @internal */
export const parse = (
  input: Input,
  options?: { readonly responseMode?: string }
): Either.Either<Readonly<Record<string, string>>, InvalidCallback | RepeatedParameter> =>
  parseIn(input, isRecord(options) && typeof options.responseMode === "string" ? options.responseMode : undefined, false)

const parseIn = (
  input: Input,
  responseMode: string | undefined,
  strict: boolean
): Either.Either<Readonly<Record<string, string>>, InvalidCallback | RepeatedParameter> => {
  if (input instanceof URLSearchParams) return collect(input.entries())
  const text: unknown = input instanceof URL ? input.href : input
  if (typeof text !== "string") return Either.left(invalidCallback("expected a URL, a query string, a fragment or a form body"))
  if (text.length > maxInputLength) return Either.left(invalidCallback(`longer than ${maxInputLength} characters`))
  const trimmed = text.trim()
  if (trimmed.length === 0) return Either.left(invalidCallback("empty"))
  const part = component(trimmed, responseMode, strict)
  if (Either.isLeft(part)) return Either.left(part.left)
  const entries: Array<readonly [string, string]> = []
  for (const segment of part.right.split("&")) {
    if (segment.length === 0) continue
    if (entries.length >= maxParameters) return Either.left(invalidCallback(`more than ${maxParameters} parameters`))
    const at = segment.indexOf("=")
    const name = decode(at < 0 ? segment : segment.slice(0, at))
    if (Either.isLeft(name)) return Either.left(name.left)
    const value = decode(at < 0 ? "" : segment.slice(at + 1))
    if (Either.isLeft(value)) return Either.left(value.left)
    entries.push([name.right, value.right])
  }
  return collect(entries)
}

// ---------------------------------------------------------------------------------------------------------------
// validation
// ---------------------------------------------------------------------------------------------------------------

/** @internal */
export const validate = (
  self: PendingRequest,
  input: Input
): Either.Either<AuthorizationResponse, CallbackError | OAuthError.ErrorOf<"authorization">> => {
  if (!isRecord(self) || typeof self.clientId !== "string") {
    return Either.left(invalidCallback("the pending request to validate against is not one"))
  }
  // only the place the request asked for (RFC 6749 4.1.2: the query for a code flow without response_mode)
  const parsed = parseIn(input, typeof self.responseMode === "string" ? self.responseMode : "query", true)
  if (Either.isLeft(parsed)) return Either.left(parsed.left)
  const params = new Map(Object.entries(parsed.right))

  // RFC 9207: bind the response to the issuer before anything else is believed.
  const iss = params.get("iss")
  if (iss === undefined) {
    if (self.authorizationResponseIssParameterSupported && self.issuer !== undefined) {
      return Either.left(missingIssuer(self.issuer))
    }
  } else if (self.issuer !== undefined && iss !== self.issuer) {
    return Either.left(mismatchingIssuer(self.issuer, iss))
  }

  if (self.state !== undefined) {
    const state = params.get("state")
    if (state === undefined) return Either.left(missingState())
    if (state !== self.state) return Either.left(mismatchingState())
  }

  const error = params.get("error")
  if (error !== undefined) {
    const description = params.get("error_description")
    const uri = params.get("error_uri")
    return Either.left(
      OAuthError.make("authorization", {
        error,
        ...(description === undefined ? {} : { description }),
        ...(uri === undefined ? {} : { uri })
      })
    )
  }

  const code = params.get("code")
  if (code === undefined) return Either.left(missingAuthorizationCode())

  const extra: Record<string, string> = {}
  for (const [name, value] of params) {
    if (name !== "code" && name !== "state") Object.defineProperty(extra, name, { value, enumerable: true })
  }
  const value: Record<string, unknown> = {
    _tag: "AuthorizationResponse",
    code: Redacted.make(code),
    clientId: self.clientId,
    extra: Data.struct(extra)
  }
  const state = params.get("state")
  if (state !== undefined) value.state = state
  if (self.redirectUri !== undefined) value.redirectUri = self.redirectUri
  if (self.codeVerifier !== undefined) value.codeVerifier = self.codeVerifier
  if (self.nonce !== undefined) value.nonce = self.nonce
  if (self.acrValues !== undefined) value.acrValues = self.acrValues
  if (self.maxAge !== undefined) value.maxAge = self.maxAge
  if (self.issuer !== undefined) value.issuer = self.issuer
  return Either.right(Data.struct(value) as unknown as AuthorizationResponse)
}

/** @internal */
export const tokenRequestInputs = (self: AuthorizationResponse): TokenRequestInputs => ({
  code: self.code,
  ...(self.redirectUri === undefined ? {} : { redirectUri: self.redirectUri }),
  ...(self.codeVerifier === undefined ? {} : { codeVerifier: self.codeVerifier })
})

/** @internal */
export const toParams = (self: AuthorizationResponse): Params.Params => {
  const out: Array<readonly [string, Params.Value]> = [["code", self.code]]
  if (self.redirectUri !== undefined) out.push(["redirect_uri", self.redirectUri])
  if (self.codeVerifier !== undefined) out.push(["code_verifier", self.codeVerifier])
  return out
}
