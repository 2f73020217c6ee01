/**
 * The FAPI 2.0 Security Profile as one layer: it configures an `OAuthClient` for the profile and refuses, at layer
 * construction, any configuration that breaks it, with an `InvalidConfiguration` whose field names the rule
 * (`fapi2.<rule>`, see {@link Rule}):
 * - `clientAuthentication`: `private_key_jwt`, or `tls_client_auth` / `self_signed_tls_client_auth` over the mTLS
 *   transport (`@oauth2/http/Mtls`); nothing else;
 * - `clientAssertionAudience`: a client assertion's `aud` is the issuer identifier;
 * - `senderConstrainedTokens`: the mTLS transport (certificate-bound tokens) or DPoP (`Dpop.layer`) is in context;
 * - `signingAlgorithms`: PS256, ES256 or EdDSA only, for the client assertion, the DPoP key, request objects, and the
 *   ID tokens, JARM responses, UserInfo and introspection answers accepted (by default those the server advertises
 *   among them);
 * - `par`, `iss`, `pkce`: the server has a PAR endpoint, sends RFC 9207 `iss`, and supports PKCE S256;
 * - `jar`, `jarm` (with {@link Options.messageSigning}): a request object lives at most 60 minutes, and the server
 *   supports a JWT response mode.
 *
 * The client it provides always pushes authorization requests (its metadata says `require_pushed_authorization_requests`,
 * so `Grants.authorizationCodeFlow` pushes) and requires `iss` in callbacks (the pending request's issuer, or the
 * client's when it names none); a request without PKCE S256, a callback for a request that was not pushed, or a code
 * redeemed without its verifier fails with the rule's `InvalidConfiguration`. With {@link Options.messageSigning}
 * (FAPI 2.0 Message Signing), authorization requests are signed request objects (JAR, signed when pushed, always with
 * `iat`, `nbf`, `exp` and `jti`) and responses must use a JWT response mode (JARM).
 *
 * The profile lives in `@oauth2/http` because every rule is about what this package configures (client
 * authentication, the transport, DPoP, the JWTs the client accepts); the flows of `@oauth2/flows` follow it through
 * the client's metadata without knowing about it.
 *
 * @see https://openid.net/specs/fapi-security-profile-2_0-final.html
 * @see https://openid.net/specs/fapi-message-signing-2_0.html
 * @since 0.1.0
 */
import type { Jwt, ServerMetadata } from "@oauth2/core"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as ClientAuth from "./ClientAuth.js"
import type { InvalidConfiguration } from "./ClientError.js"
import * as internal from "./internal/fapi2.js"
import type * as OAuthClient from "./OAuthClient.js"
import type * as Transport from "./Transport.js"

/**
 * The profile's rules, as named in the `field` (`fapi2.<rule>`) of the `InvalidConfiguration` that reports a
 * violation.
 *
 * @since 0.1.0
 * @category models
 */
export type Rule =
  "clientAuthentication" | "clientAssertionAudience" | "senderConstrainedTokens" | "signingAlgorithms" | "par" | "pkce" | "iss" | "jar" | "jarm"

/**
 * Options of {@link layer}: a client's options with a mandatory authentication method, the server by `issuer`
 * (discovered) or `metadata`, and the Message Signing option.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Omit<OAuthClient.Options, "auth" | "clientId" | "clientSecret" | "metadata"> {
  /** `ClientAuth.privateKeyJwt` (with `audience: "issuer"`), `ClientAuth.tlsClientAuth` or `selfSignedTlsClientAuth`. */
  readonly auth: ClientAuth.ClientAuth
  /** The issuer identifier: its metadata is discovered (OpenID Connect discovery). */
  readonly issuer?: string
  /** The server's metadata, instead of discovery. */
  readonly metadata?: ServerMetadata.ServerMetadata
  /** FAPI 2.0 Message Signing: authorization requests signed with this key (JAR), responses in JARM. */
  readonly messageSigning?: {
    readonly signingKey: Jwt.SigningKey
    /**
     * The request object's lifetime, between `nbf` and `exp`: 5 minutes by default, at most 60 minutes (a longer one
     * fails at construction with the `jar` rule).
     */
    readonly lifetime?: Duration.DurationInput
  }
}

/**
 * The signature algorithms the profile allows: PS256, ES256 and EdDSA (with its fully-specified name Ed25519).
 *
 * @see https://openid.net/specs/fapi-security-profile-2_0-final.html#name-cryptography-and-secrets
 * @since 0.1.0
 * @category models
 */
export const signingAlgorithms: ReadonlyArray<string> = internal.signingAlgorithms

/**
 * Checks the options and the context, discovers the server, checks its metadata, and builds the client that enforces
 * the profile.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  options: Options
) => Effect.Effect<OAuthClient.OAuthClient, InvalidConfiguration | OAuthClient.DiscoveryError | OAuthClient.JwksError, Transport.Transport> =
  internal.make

/**
 * The FAPI 2.0 client as a layer (needs the `Transport`; the mTLS transport or DPoP in context make tokens
 * sender-constrained).
 *
 * @example
 * ```ts
 * import { ClientAuth, Fapi2 } from "@oauth2/http"
 * import * as Mtls from "@oauth2/http/Mtls"
 * import { Effect, Layer, Redacted } from "effect"
 * import type { JWK } from "jose"
 *
 * declare const privateJwk: JWK
 * declare const certPem: string
 * declare const keyPem: string
 *
 * const MtlsLive = Mtls.layer({ cert: certPem, key: Redacted.make(keyPem) })
 * const ClientLive = Layer.unwrapEffect(
 *   Effect.map(ClientAuth.privateKeyJwt({ clientId: "my-client", privateKey: privateJwk, audience: "issuer" }), (auth) =>
 *     Fapi2.layer({ issuer: "https://as.example.com", auth })
 *   )
 * ).pipe(Layer.provideMerge(MtlsLive))
 * ```
 *
 * @see https://openid.net/specs/fapi-security-profile-2_0-final.html
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<OAuthClient.OAuthClient, InvalidConfiguration | OAuthClient.DiscoveryError | OAuthClient.JwksError, Transport.Transport> =>
  internal.layer(options)
