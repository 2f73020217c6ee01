/** @internal */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as AuthorizationRequest from "../AuthorizationRequest.js"
import { withRequestObject } from "../AuthorizationRequest.js"
import * as BackchannelAuthentication from "../BackchannelAuthentication.js"
import * as OAuthError from "../OAuthError.js"
import * as Params from "../Params.js"
import type { BackchannelOptions, Options } from "../RequestObject.js"
import { isRecord } from "./errors.js"
import * as jose from "./jose.js"
import { randomToken } from "./random.js"

type InvalidArgument = OAuthError.InvalidArgument

/** @internal */
export const requestObjectType = "oauth-authz-req+jwt" as const

/** Claims this module sets itself, refused as parameters. */
const reserved = new Set(["iss", "aud", "exp", "iat", "nbf", "jti", "request", "request_uri"])
const numbers = new Set(["max_age", "requested_expiry"])
const jsonValued: Readonly<Record<string, "object" | "array">> = { claims: "object", authorization_details: "array" }

/** @internal */
export const claimsOf = (params: Params.Params): Either.Either<Record<string, unknown>, InvalidArgument> => {
  const claims: Record<string, unknown> = {}
  for (const [name, wrapped] of params) {
    if (reserved.has(name)) {
      return Either.left(OAuthError.invalidArgument("params", `'${name}' cannot be a request object parameter (the request object sets it)`))
    }
    const text = Params.unwrap(wrapped)
    let value: unknown = text
    if (numbers.has(name) && /^[0-9]{1,15}$/.test(text)) value = Number(text)
    const kind = jsonValued[name]
    if (kind !== undefined) {
      const parsed = Either.try(() => JSON.parse(text) as unknown)
      if (Either.isLeft(parsed) || (kind === "object" ? !isRecord(parsed.right) : !Array.isArray(parsed.right))) {
        return Either.left(OAuthError.invalidArgument("params", `'${name}' is not a JSON ${kind}`))
      }
      value = parsed.right
    }
    const existing = claims[name]
    if (existing === undefined) {
      Object.defineProperty(claims, name, { value, enumerable: true, writable: true, configurable: true })
    } else {
      claims[name] = Array.isArray(existing) && !(kind === "array") ? [...existing, value] : [existing, value]
    }
  }
  return Either.right(claims)
}

const checkLifetime = (input: Duration.DurationInput | undefined): Either.Either<number | undefined, InvalidArgument> => {
  if (input === undefined) return Either.right(undefined)
  const decoded = Duration.decodeUnknown(input)
  if (Option.isNone(decoded) || !Duration.isFinite(decoded.value) || Duration.toMillis(decoded.value) < 1000) {
    return Either.left(OAuthError.invalidArgument("lifetime", "must be a finite duration of at least 1 second"))
  }
  return Either.right(Math.floor(Duration.toMillis(decoded.value) / 1000))
}

const signClaims = (params: Params.Params, clientId: string, options: Options, lifetimeSeconds: number | undefined, type: string | false) =>
  Effect.gen(function* () {
    if (!isRecord(options) || !isRecord(options.signingKey) || options.signingKey._tag !== "SigningKey") {
      return yield* Effect.fail(OAuthError.invalidArgument("signingKey", "expected a Jwt.SigningKey"))
    }
    if (typeof options.audience !== "string" || options.audience.length === 0) {
      return yield* Effect.fail(OAuthError.invalidArgument("audience", "the issuer identifier of the authorization server is required"))
    }
    if (options.issuer !== undefined && (typeof options.issuer !== "string" || options.issuer.length === 0)) {
      return yield* Effect.fail(OAuthError.invalidArgument("issuer", "expected a non-empty string"))
    }
    const claims = yield* claimsOf(params)
    claims.iss = options.issuer ?? clientId
    claims.aud = options.audience
    if (lifetimeSeconds !== undefined) {
      const iat = Math.floor((yield* Clock.currentTimeMillis) / 1000)
      claims.iat = iat
      claims.nbf = iat
      claims.exp = iat + lifetimeSeconds
      claims.jti = yield* randomToken(32)
    }
    const jws = yield* jose.sign(claims, options.signingKey, type === false ? {} : { typ: type })
    return options.encryptionKey === undefined ? jws : yield* jose.encrypt(jws, options.encryptionKey)
  })

/** @internal */
export const make = (
  request: AuthorizationRequest.AuthorizationRequest,
  options: Options
): Effect.Effect<AuthorizationRequest.RequestObjectRequest, InvalidArgument> =>
  Effect.gen(function* () {
    if (!isRecord(request) || request._tag !== "AuthorizationRequest") {
      return yield* Effect.fail(OAuthError.invalidArgument("request", "expected an AuthorizationRequest (not already pushed or signed)"))
    }
    const lifetime = yield* checkLifetime(options?.lifetime)
    const type = options?.type ?? requestObjectType
    const jwt = yield* signClaims(request.params, request.clientId, options, lifetime, type)
    return yield* withRequestObject(request, jwt)
  })

/** @internal */
export const backchannel = (
  request: BackchannelAuthentication.BackchannelAuthenticationRequest,
  options: BackchannelOptions
): Effect.Effect<Params.Params, InvalidArgument> =>
  Effect.gen(function* () {
    if (!isRecord(options) || typeof options.clientId !== "string" || options.clientId.length === 0) {
      return yield* Effect.fail(OAuthError.invalidArgument("clientId", "expected a non-empty string"))
    }
    const params = yield* BackchannelAuthentication.params(request)
    const lifetime = yield* checkLifetime(options.lifetime ?? Duration.minutes(5))
    const jwt = yield* signClaims(params, options.clientId, { signingKey: options.signingKey, audience: options.audience }, lifetime, false)
    const out: Params.Params = [["request", jwt]]
    return out
  })
