/** @internal */
import * as Context from "effect/Context"
import * as Option from "effect/Option"
import type * as OAuthClient from "../OAuthClient.js"
import type * as Transport from "../Transport.js"

/**
 * The mTLS marker: present in context when the transport presents a client certificate. Kept apart from the mTLS
 * layer (which loads undici) so that the client reads it without loading Node modules. It names the transport that
 * presents the certificate: a marker is trusted only while that transport is the one in context (a `Transport`
 * provided after `Mtls.layer` replaces it, and then there is no certificate).
 *
 * @internal
 */
export interface MtlsMarker {
  readonly _tag: "MtlsTransport"
  readonly transport?: Transport.Transport | undefined
}

/** @internal */
export const tag = Context.GenericTag<MtlsMarker>("@oauth2/http/Mtls/MtlsTransport")

/** @internal */
export const marker = (transport: Transport.Transport): MtlsMarker => ({ _tag: "MtlsTransport", transport })

/**
 * Whether the transport in use presents a client certificate: the marker is in context and names that transport.
 *
 * @internal
 */
export const presents = (marker: Option.Option<MtlsMarker>, transport: Transport.Transport | undefined): boolean =>
  Option.isSome(marker) && transport !== undefined && marker.value.transport === transport

/** The endpoints RFC 8705 section 5 gives aliases for, by option name, with their metadata name. */
const aliased = {
  tokenEndpoint: "token_endpoint",
  revocationEndpoint: "revocation_endpoint",
  introspectionEndpoint: "introspection_endpoint",
  userinfoEndpoint: "userinfo_endpoint",
  pushedAuthorizationRequestEndpoint: "pushed_authorization_request_endpoint",
  deviceAuthorizationEndpoint: "device_authorization_endpoint",
  backchannelAuthenticationEndpoint: "backchannel_authentication_endpoint"
} as const satisfies Partial<Record<keyof OAuthClient.Endpoints, string>>

/**
 * The metadata's `mtls_endpoint_aliases` for an endpoint option, when the server gives one.
 *
 * @internal
 */
export const alias = (aliases: Readonly<Record<string, string>> | undefined, field: string): string | undefined => {
  if (aliases === undefined || !Object.hasOwn(aliased, field)) return undefined
  const name = aliased[field as keyof typeof aliased]
  return Object.hasOwn(aliases, name) ? aliases[name] : undefined
}
