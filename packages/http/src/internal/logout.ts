/** @internal */
import { BearerToken, EndSession, IdToken } from "@oauth2/core"
import type { OAuthError } from "@oauth2/core"
import * as Effect from "effect/Effect"
import * as ClientError from "../ClientError.js"
import type * as Logout from "../Logout.js"
import type * as OAuthClient from "../OAuthClient.js"
import { tag } from "./client.js"

/** @internal */
export const endSessionUrlWith = (
  client: OAuthClient.OAuthClient,
  options: Logout.EndSessionOptions = {}
): Effect.Effect<EndSession.EndSessionRequest, ClientError.EndpointNotSupported | OAuthError.InvalidArgument> =>
  Effect.suspend((): Effect.Effect<EndSession.EndSessionRequest, ClientError.EndpointNotSupported | OAuthError.InvalidArgument> => {
    const endpoint = client.endpoints.endSessionEndpoint
    // refused before anything is built: a server without the endpoint cannot log the end-user out
    if (endpoint === undefined) return Effect.fail(ClientError.endpointNotSupported("end_session"))
    const { idTokenHint, clientId, ...rest } = options
    const hint = BearerToken.isBearerToken(idTokenHint) ? IdToken.fromBearerToken(idTokenHint) : idTokenHint
    return EndSession.make({
      ...rest,
      endSessionEndpoint: endpoint,
      ...(hint === undefined ? {} : { idTokenHint: hint }),
      ...(clientId === false ? {} : { clientId: client.clientId })
    })
  }).pipe(Effect.withSpan("oauth2.end_session", { attributes: { "oauth2.endpoint": "end_session" } }))

/** @internal */
export const endSessionUrl = (options: Logout.EndSessionOptions = {}) => Effect.flatMap(tag, (client) => endSessionUrlWith(client, options))
