/** @internal */
import { OAuthError } from "@oauth2/core"
import type { AuthorizationRequest, AuthorizationResponse, ServerMetadata } from "@oauth2/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ClientError from "../ClientError.js"
import type * as Fapi2 from "../Fapi2.js"
import * as OAuthClient from "../OAuthClient.js"
import * as internalClient from "./client.js"
import * as dpop from "./dpop.js"
import { isJwtResponseMode } from "./jarm.js"
import * as mtls from "./mtlsMarker.js"
import * as transport from "./transport.js"

/** @internal */
export const signingAlgorithms: ReadonlyArray<string> = ["PS256", "ES256", "EdDSA", "Ed25519"]

const allowed = (alg: string) => signingAlgorithms.includes(alg)

const rule = (name: Fapi2.Rule, message: string) => ClientError.invalidConfiguration(`fapi2.${name}`, message)

const fail = (name: Fapi2.Rule, message: string) => Effect.fail(rule(name, message))

const mtlsMethods: ReadonlyArray<string> = ["tls_client_auth", "self_signed_tls_client_auth"]

/** FAPI 2.0 Message Signing: a request object's `exp` is at most 60 minutes after its `nbf`. */
const maxRequestObjectLifetime = Duration.minutes(60)

/** The request object's lifetime when the caller gives none: it always carries `iat`, `nbf`, `exp` and `jti`. */
const defaultRequestObjectLifetime = Duration.minutes(5)

/** The rules that the options and the context decide, before any request. */
const checkOptions = (options: Fapi2.Options) =>
  Effect.gen(function* () {
    const auth = options.auth
    // the marker counts only with the transport it came with: a Transport provided after Mtls.layer has no certificate
    const hasMtls = mtls.presents(yield* Effect.serviceOption(mtls.tag), Option.getOrUndefined(yield* Effect.serviceOption(transport.tag)))
    const dpopService = options.dpop === false ? undefined : (options.dpop ?? Option.getOrUndefined(yield* Effect.serviceOption(dpop.tag)))
    if (auth.method === "private_key_jwt") {
      const jwtAuth = auth as { readonly alg?: string; readonly audience?: string }
      if (jwtAuth.alg === undefined || !allowed(jwtAuth.alg)) {
        return yield* fail(
          "signingAlgorithms",
          `the client assertion is signed with ${jwtAuth.alg ?? "?"}: only ${signingAlgorithms.join(", ")} are allowed`
        )
      }
      if (jwtAuth.audience !== "issuer" && (options.issuer === undefined || jwtAuth.audience !== options.issuer)) {
        return yield* fail(
          "clientAssertionAudience",
          "the client assertion's audience must be the issuer identifier (ClientAuth.privateKeyJwt audience: 'issuer')"
        )
      }
    } else if (mtlsMethods.includes(auth.method)) {
      if (!hasMtls) return yield* fail("clientAuthentication", `${auth.method} needs the mTLS transport (Mtls.layer of @oauth2/http/Mtls)`)
    } else {
      return yield* fail(
        "clientAuthentication",
        `'${auth.method}' is not allowed: use private_key_jwt, tls_client_auth or self_signed_tls_client_auth`
      )
    }
    if (!hasMtls && dpopService === undefined) {
      return yield* fail(
        "senderConstrainedTokens",
        "access tokens must be sender-constrained: provide the mTLS transport (Mtls.layer) or DPoP (Dpop.layer)"
      )
    }
    if (dpopService !== undefined && !allowed(dpopService.key.algorithm)) {
      return yield* fail(
        "signingAlgorithms",
        `the DPoP key signs with ${dpopService.key.algorithm}: only ${signingAlgorithms.join(", ")} are allowed`
      )
    }
    for (const [field, algorithms] of [
      ["idToken.signingAlgorithms", options.idToken?.signingAlgorithms],
      ["authorizationResponse.signingAlgorithms", options.authorizationResponse?.signingAlgorithms],
      ["userinfo.signingAlgorithms", options.userinfo?.signingAlgorithms],
      ["introspection.signingAlgorithms", options.introspection?.signingAlgorithms]
    ] as const) {
      if (Array.isArray(algorithms)) {
        const refused = algorithms.filter((a) => !allowed(a))
        if (refused.length > 0)
          return yield* fail("signingAlgorithms", `${field} allows ${refused.join(", ")}: only ${signingAlgorithms.join(", ")} are allowed`)
      }
    }
    const signing = options.messageSigning
    if (signing !== undefined && !allowed(signing.signingKey.alg)) {
      return yield* fail(
        "signingAlgorithms",
        `the request object key signs with ${signing.signingKey.alg}: only ${signingAlgorithms.join(", ")} are allowed`
      )
    }
    if (signing?.lifetime !== undefined) {
      const lifetime = Duration.decodeUnknown(signing.lifetime)
      if (
        Option.isNone(lifetime) ||
        !Duration.isFinite(lifetime.value) ||
        Duration.lessThan(lifetime.value, Duration.seconds(1)) ||
        Duration.greaterThan(lifetime.value, maxRequestObjectLifetime)
      ) {
        return yield* fail("jar", "messageSigning.lifetime must be between 1 second and 60 minutes (the request object's exp - nbf)")
      }
    }
    if (options.idToken?.signingAlgorithms === "advertised") {
      return yield* fail("signingAlgorithms", "idToken.signingAlgorithms 'advertised' is not allowed: the profile fixes them")
    }
  })

/** The rules that the server's metadata decides. */
const checkMetadata = (options: Fapi2.Options, metadata: ServerMetadata.ServerMetadata) =>
  Effect.gen(function* () {
    if (metadata.pushedAuthorizationRequestEndpoint === undefined && options.endpoints?.pushedAuthorizationRequestEndpoint === undefined) {
      return yield* fail("par", "the authorization server has no pushed authorization request endpoint (PAR is required)")
    }
    if (metadata.authorizationResponseIssParameterSupported !== true) {
      return yield* fail(
        "iss",
        "the authorization server does not advertise authorization_response_iss_parameter_supported (RFC 9207 iss is required)"
      )
    }
    const methods = metadata.codeChallengeMethodsSupported
    if (methods !== undefined && !methods.includes("S256")) {
      return yield* fail("pkce", "the authorization server does not support PKCE S256")
    }
    if (options.messageSigning !== undefined) {
      const modes = metadata.responseModesSupported
      if (modes !== undefined && !modes.some(isJwtResponseMode)) {
        return yield* fail("jarm", "Message Signing needs JARM: the authorization server supports no JWT response mode")
      }
    }
  })

/** The algorithms the profile accepts among those given or advertised. */
const narrowed = (given: ReadonlyArray<string> | undefined, advertised: ReadonlyArray<string> | undefined): ReadonlyArray<string> => {
  if (given !== undefined) return given
  const usable = (advertised ?? []).filter(allowed)
  return usable.length > 0 ? usable : ["PS256", "ES256"]
}

/** The client, with the profile's checks around the calls that can break it. */
const enforce = (client: OAuthClient.OAuthClient, options: Fapi2.Options): OAuthClient.OAuthClient => {
  const signing = options.messageSigning
  /** What breaks the profile in an authorization request. */
  const violation = (request: AuthorizationRequest.PendingRequest): readonly [Fapi2.Rule, string] | undefined => {
    if (request.codeChallengeMethod !== "S256" || request.codeVerifier === undefined)
      return ["pkce", "the authorization request must use PKCE with S256"]
    if (signing !== undefined && !isJwtResponseMode(request.responseMode)) {
      return ["jarm", "with Message Signing the authorization request must ask for a JWT response mode (responseMode 'jwt')"]
    }
    return undefined
  }
  // a request argument that breaks the profile: InvalidArgument (what the PAR call may fail with), named after the rule
  const checkArgument = (request: AuthorizationRequest.PendingRequest) => {
    const found = violation(request)
    return found === undefined ? Effect.void : Effect.fail(OAuthError.invalidArgument(`fapi2.${found[0]}`, found[1]))
  }
  const checkRequest = (request: AuthorizationRequest.PendingRequest) => {
    const found = violation(request)
    return found === undefined ? Effect.void : fail(found[0], found[1])
  }
  return {
    ...client,
    pushedAuthorization: (request) =>
      Effect.gen(function* () {
        yield* checkArgument(request)
        if (signing !== undefined && request._tag === "AuthorizationRequest") {
          // JAR: the request is signed with the Message Signing key before it is pushed
          const signed = yield* Effect.mapError(
            client.requestObject(request, {
              signingKey: signing.signingKey,
              lifetime: signing.lifetime ?? defaultRequestObjectLifetime
            }),
            (e) => OAuthError.invalidArgument("fapi2.jar", `the request object could not be made: ${e.message}`)
          )
          return yield* client.pushedAuthorization(signed)
        }
        return yield* client.pushedAuthorization(request)
      }),
    authorizationResponse: (pending: AuthorizationRequest.PendingRequest, input: AuthorizationResponse.Input) =>
      Effect.gen(function* () {
        if (pending._tag !== "RequestUriRequest") {
          return yield* fail("par", "the authorization request was not pushed (PAR is required)")
        }
        yield* checkRequest(pending)
        // RFC 9207: iss required and checked whatever the pending request says (a hand-made request may lack the issuer)
        const issuer = pending.issuer ?? client.endpoints.issuer
        if (issuer === undefined) return yield* fail("iss", "the issuer identifier is unknown: the callback's iss cannot be checked")
        return yield* client.authorizationResponse({ ...pending, issuer, authorizationResponseIssParameterSupported: true }, input)
      }),
    authorizationCode: (response, codeOptions) =>
      response.codeVerifier === undefined
        ? fail("pkce", "the code must be redeemed with its PKCE verifier")
        : client.authorizationCode(response, codeOptions)
  }
}

/** @internal */
export const make = (options: Fapi2.Options) =>
  Effect.gen(function* () {
    yield* checkOptions(options)
    const { messageSigning: _messageSigning, ...clientOptions } = options
    const discovered = options.metadata ?? (options.issuer === undefined ? undefined : yield* OAuthClient.discover({ issuer: options.issuer }))
    if (discovered === undefined) {
      return yield* fail("par", "the profile needs the server's metadata: give 'issuer' (discovery) or 'metadata'")
    }
    yield* checkMetadata(options, discovered)
    // the metadata the client and the flows see: PAR always, iss always
    const metadata: ServerMetadata.ServerMetadata = {
      ...discovered,
      requirePushedAuthorizationRequests: true,
      authorizationResponseIssParameterSupported: true
    }
    const { issuer: _issuer, metadata: _metadata, ...rest } = clientOptions
    // signed UserInfo and introspection answers too are held to the profile's algorithms, without making the client
    // ask for JWT answers (what the public userinfo/introspection.signingAlgorithms would do)
    const accepted = (given: ReadonlyArray<string> | undefined, advertised: ReadonlyArray<string> | undefined) =>
      given === undefined ? narrowed(undefined, advertised) : undefined
    const client = yield* internalClient.make(
      {
        ...rest,
        metadata,
        idToken: {
          ...options.idToken,
          signingAlgorithms: narrowed(
            options.idToken?.signingAlgorithms as ReadonlyArray<string> | undefined,
            discovered.idTokenSigningAlgValuesSupported
          )
        },
        authorizationResponse: {
          ...options.authorizationResponse,
          signingAlgorithms: narrowed(options.authorizationResponse?.signingAlgorithms, discovered.authorizationSigningAlgValuesSupported)
        }
      },
      {
        acceptedAlgorithms: {
          userinfo: accepted(options.userinfo?.signingAlgorithms, discovered.userinfoSigningAlgValuesSupported),
          introspection: accepted(options.introspection?.signingAlgorithms, discovered.introspectionSigningAlgValuesSupported)
        }
      }
    )
    if (client.endpoints.jwksUri !== undefined) yield* client.jwks()
    return enforce(client, options)
  })

/** @internal */
export const layer = (options: Fapi2.Options) => Layer.effect(OAuthClient.OAuthClient, make(options))
