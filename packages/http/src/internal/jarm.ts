/** @internal */
import { AuthorizationResponse, JwtResponse } from "@oauth2/core"
import type { AuthorizationRequest, ServerMetadata } from "@oauth2/core"
import * as Effect from "effect/Effect"
import * as ClientError from "../ClientError.js"
import type * as OAuthClient from "../OAuthClient.js"

/** The JARM response modes (JARM 2.3). */
const jwtResponseModes: ReadonlySet<string> = new Set(["jwt", "query.jwt", "fragment.jwt", "form_post.jwt"])

/** @internal */
export const isJwtResponseMode = (mode: unknown): boolean => typeof mode === "string" && jwtResponseModes.has(mode)

/** What a JARM response is verified with: the client's keys, secret, decryption keys and tolerance. */
type Verification = Omit<JwtResponse.Options<OAuthClient.JwksError>, "issuer" | "clientId" | "algorithms" | "encryption">

/**
 * The accepted JARM algorithms: the option (checked when the client is built), else the server's advertised ones
 * without `none` and `HS*`, else `RS256`.
 *
 * @internal
 */
export const algorithms = (given: ReadonlyArray<string> | undefined, metadata: ServerMetadata.ServerMetadata | undefined): ReadonlyArray<string> => {
  if (given !== undefined) return given
  const advertised = metadata?.authorizationSigningAlgValuesSupported?.filter((a) => a !== "none" && !a.startsWith("HS"))
  return advertised !== undefined && advertised.length > 0 ? advertised : ["RS256"]
}

/**
 * The callback validation of a client: JARM responses verified first, every callback checked by
 * `AuthorizationResponse.validate`.
 *
 * @internal
 */
export const make = (options: {
  readonly verification: Verification
  readonly issuer: string | undefined
  readonly clientId: string
  readonly algorithms: ReadonlyArray<string>
  readonly encryption: OAuthClient.JwtResponseSettings["encryption"]
}): OAuthClient.OAuthClient["authorizationResponse"] => {
  return (pending: AuthorizationRequest.PendingRequest, input: AuthorizationResponse.Input) =>
    Effect.gen(function* () {
      if (!isJwtResponseMode(pending.responseMode)) return yield* AuthorizationResponse.validate(pending, input)
      const issuer = options.issuer ?? pending.issuer
      if (issuer === undefined) {
        return yield* Effect.fail(
          ClientError.invalidConfiguration("issuer", "a JARM response needs the issuer identifier of the authorization server (its 'iss')")
        )
      }
      const params = yield* AuthorizationResponse.parse(input, { responseMode: pending.responseMode! })
      const response = params["response"]
      if (response === undefined) {
        return yield* Effect.fail(AuthorizationResponse.invalidCallback("the JARM callback has no 'response' parameter"))
      }
      const claims = yield* JwtResponse.authorization(response, {
        ...options.verification,
        issuer,
        clientId: options.clientId,
        algorithms: options.algorithms,
        encryption: options.encryption
      })
      return yield* AuthorizationResponse.validate(pending, claims)
    })
}
