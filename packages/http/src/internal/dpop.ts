/** @internal */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as Headers from "@effect/platform/Headers"
import { BearerToken, Dpop as CoreDpop, OAuthError } from "@oauth2/core"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Bearer from "../Bearer.js"
import type * as Dpop from "../Dpop.js"
import type * as Transport from "../Transport.js"
import { parseChallenges } from "./challenge.js"
import { decodeText } from "./jose.js"

/** @internal */
export const tag = Context.GenericTag<Dpop.Dpop>("@oauth2/http/Dpop")

/** @internal */
export const defaultEndpoints: ReadonlyArray<Dpop.ProofEndpoint> = ["token", "pushed_authorization", "userinfo", "revocation", "introspection"]

/** The most origins whose nonce is remembered: the least recently updated one goes first. */
const maxOrigins = 256

const originPattern = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i

/** The origin of an absolute URL (scheme and authority, lower-cased), or the URL itself when it has none. */
const originOf = (url: string): string => (originPattern.exec(url)?.[0] ?? url).toLowerCase()

/** A `DPoP-Nonce` value: printable ASCII without spaces or quotes (RFC 9449 8.1: NQCHAR), bounded. */
const validNonce = (value: unknown): value is string =>
  typeof value === "string" && value.length > 0 && value.length <= 1024 && /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(value)

/** @internal */
export const make = (options: Dpop.Options = {}): Effect.Effect<Dpop.Dpop, OAuthError.InvalidArgument> =>
  Effect.gen(function* () {
    const key = CoreDpop.isDpopKey(options.key)
      ? options.key
      : options.key === undefined
        ? yield* CoreDpop.generate(options.algorithm === undefined ? {} : { algorithm: options.algorithm })
        : yield* CoreDpop.fromKey(options.key, options.algorithm === undefined ? {} : { algorithm: options.algorithm })
    const endpoints = new Set<OAuthError.Endpoint>(options.endpoints ?? defaultEndpoints)
    const nonces = new Map<string, string>()
    const nonce = (url: string): string | undefined => nonces.get(originOf(url))
    const updateNonce = (url: string, headers: Headers.Headers): void => {
      const value = headers["dpop-nonce"]
      if (!validNonce(value)) return
      const origin = originOf(url)
      nonces.delete(origin)
      if (nonces.size >= maxOrigins) nonces.delete(nonces.keys().next().value!)
      nonces.set(origin, value)
    }
    const service: Dpop.Dpop = {
      key,
      thumbprint: key.thumbprint,
      endpoints,
      nonce,
      updateNonce,
      proof: (request) => {
        const known = request.nonce ?? nonce(request.url)
        return CoreDpop.proof(key, { ...request, ...(known === undefined ? {} : { nonce: known }) })
      }
    }
    return service
  })

/** @internal */
export const layer = (options?: Dpop.Options) => Layer.effect(tag, make(options))

/** @internal */
export const config: Config.Config<Dpop.Options> = Config.all({
  key: Config.option(Config.redacted("OAUTH2_DPOP_KEY")),
  algorithm: Config.option(Config.literal("ES256", "EdDSA", "PS256", "RS256")("OAUTH2_DPOP_ALGORITHM"))
}).pipe(
  Config.map((c): Dpop.Options => ({
    ...(Option.isSome(c.key) ? { key: c.key.value } : {}),
    ...(Option.isSome(c.algorithm) ? { algorithm: c.algorithm.value } : {})
  }))
)

/** @internal */
export const layerConfig = (config: Config.Config<Dpop.Options>) => Layer.unwrapEffect(Effect.map(config, layer))

/** @internal */
export const isConfigured: Effect.Effect<boolean> = Effect.map(Effect.serviceOption(tag), Option.isSome)

/** Whether an error is the `use_dpop_nonce` answer of an endpoint. @internal */
export const isUseDpopNonce = (u: unknown): boolean => OAuthError.isOAuthError(u) && u._tag === "UseDpopNonce"

/**
 * Sends a back-channel request with a fresh proof at each attempt (after the client authentication), remembers the
 * `DPoP-Nonce` of every answer, and answers a `use_dpop_nonce` error with exactly one more request carrying the new
 * nonce (RFC 9449 8): never a second one, and none when the server gave no new nonce.
 *
 * @internal
 */
export const send = <E extends OAuthError.Endpoint, A>(
  transport: Transport.Transport,
  dpop: Dpop.Dpop,
  request: Transport.Request<E, A>,
  accessToken?: Redacted.Redacted<string>
) => {
  const { url, method } = request
  let used: string | undefined
  const authenticate = request.authenticate
  const withProof: Transport.Request<E, A | OAuthError.InvalidArgument> = {
    ...request,
    authenticate: (input) => {
      used = dpop.nonce(url)
      return Effect.zipWith(
        authenticate === undefined ? Effect.succeed(input) : authenticate(input),
        dpop.proof({ method, url, ...(accessToken === undefined ? {} : { accessToken }), ...(used === undefined ? {} : { nonce: used }) }),
        (authenticated, proof) => ({ params: authenticated.params, headers: { ...authenticated.headers, dpop: proof } })
      )
    },
    onResponse: (response) => dpop.updateNonce(url, response.headers)
  }
  const once = transport.send(withProof)
  return Effect.catchIf(
    once,
    (error) => isUseDpopNonce(error) && dpop.nonce(url) !== undefined && dpop.nonce(url) !== used,
    () => transport.send(withProof)
  )
}

// ---------------------------------------------------------------------------------------------------------------------
// resource calls
// ---------------------------------------------------------------------------------------------------------------------

/** @internal */
export const isNonceChallenge = (response: HttpClientResponse.HttpClientResponse): boolean => {
  if (response.status !== 401) return false
  const header = response.headers["www-authenticate"]
  return header !== undefined && parseChallenges(header).some((c) => c.scheme === "dpop" && c.params["error"] === "use_dpop_nonce")
}

const replayable = (request: HttpClientRequest.HttpClientRequest): boolean => request.body._tag !== "Stream"

/**
 * The resource-call middleware with DPoP: a `DPoP` token goes as `Authorization: DPoP <token>` with a fresh proof
 * (`ath` included) for the final URL of each request; a `Bearer` token (a server that did not bind it) as before.
 * Every answer's `DPoP-Nonce` is remembered for its origin, and a 401 `use_dpop_nonce` challenge is answered by one
 * more request with the new nonce.
 *
 * @internal
 */
export const withToken = <E, R, E2, R2>(
  self: HttpClient.HttpClient.With<E, R>,
  token: Effect.Effect<BearerToken.BearerToken, E2, R2>,
  dpop: Dpop.Dpop,
  options: Bearer.Options,
  sendableToken: <E2, R2>(
    request: HttpClientRequest.HttpClientRequest,
    token: Effect.Effect<BearerToken.BearerToken, E2, R2>,
    leeway: Duration.Duration,
    allowInsecureHttp: boolean
  ) => Effect.Effect<BearerToken.BearerToken, E2 | Bearer.ExpiredAccessToken | HttpClientError.RequestError, R2>
): HttpClient.HttpClient.With<E | E2 | Bearer.ExpiredAccessToken | HttpClientError.RequestError, R | R2> => {
  const leeway = Duration.decode(options.leeway ?? Duration.zero)
  const allowInsecureHttp = options.allowInsecureHttp === true
  const authorized = HttpClient.mapRequestEffect(self, (request) =>
    Effect.gen(function* () {
      const current = yield* sendableToken(request, token, leeway, allowInsecureHttp)
      const value = Redacted.value(current.accessToken)
      if (!CoreDpop.isDpopTokenType(current.tokenType)) return HttpClientRequest.setHeader(request, "authorization", `Bearer ${value}`)
      const proof = yield* Effect.mapError(
        dpop.proof({ method: request.method, url: request.url, accessToken: current.accessToken }),
        (e) => new HttpClientError.RequestError({ request, reason: "Encode", description: e.message })
      )
      return HttpClientRequest.setHeaders(request, { authorization: `DPoP ${value}`, dpop: proof })
    })
  )
  const observe = (response: HttpClientResponse.HttpClientResponse) => {
    dpop.updateNonce(response.request.url, response.headers)
    return response
  }
  const send = (request: HttpClientRequest.HttpClientRequest) =>
    Effect.flatMap(authorized.execute(request), (first) => {
      observe(first)
      const sent = first.request.headers["dpop"]
      if (sent === undefined || !isNonceChallenge(first) || !replayable(request)) return Effect.succeed(first)
      const now = dpop.nonce(first.request.url)
      if (now === undefined || now === nonceOf(sent)) return Effect.succeed(first)
      // RFC 9449 9: the resource server wants a (new) nonce: once more with it, and never a second time
      return Effect.map(authorized.execute(request), observe)
    })
  return HttpClient.makeWith<never, never, E | E2 | Bearer.ExpiredAccessToken | HttpClientError.RequestError, R | R2>(
    (request) => Effect.flatMap(request, send),
    Effect.succeed
  )
}

/** The `nonce` claim of a proof this module signed (its payload is ours: no verification needed). */
const nonceOf = (proof: string): string | undefined => {
  try {
    const payload = JSON.parse(decodeText(proof.split(".")[1] ?? "") ?? "null") as { nonce?: unknown } | null
    if (payload === null) return undefined
    return typeof payload.nonce === "string" ? payload.nonce : undefined
  } catch {
    return undefined
  }
}
