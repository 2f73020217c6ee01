/**
 * Client authentication: how a confidential or public client proves who it is on every back-channel request (token,
 * revocation, introspection, pushed authorization, device authorization, CIBA).
 *
 * A {@link ClientAuth} is built once (validating its configuration and importing any key) and then applied by the
 * transport to each request with `authenticate`, which adds form parameters and headers. Every method of the
 * `token_endpoint_auth_method` registry is covered: `client_secret_basic`, `client_secret_post`,
 * `client_secret_jwt`, `private_key_jwt`, `none`, `tls_client_auth` and `self_signed_tls_client_auth` (RFC 8705: the
 * certificate is presented by the transport, see `@oauth2/http/Mtls`), plus any user-supplied method ({@link custom}).
 *
 * Secrets (client secret, private key, assertions, the Basic credentials) are `Redacted` in values, parameters,
 * headers and errors: rendering a `ClientAuth` or one of its errors never shows them.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ClientAuthentication
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.2
 * @since 0.1.0
 */
import type { Jwt, OAuthError, Params } from "@oauth2/core"
import type * as Cause from "effect/Cause"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Inspectable from "effect/Inspectable"
import type * as Redacted from "effect/Redacted"
import type { JWK } from "jose"
import * as internal from "./internal/clientAuth.js"
import * as errors from "./internal/errors.js"

/**
 * A back-channel request about to be sent, as seen by client authentication: `authenticate` returns it with the
 * client's parameters and headers added.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthRequest {
  /** The endpoint URL (the default audience of client assertions). */
  readonly url: string
  /** Which endpoint is called, for error reporting. */
  readonly endpoint: OAuthError.Endpoint
  /** The form parameters, without client authentication yet. */
  readonly params: Params.Params
  /** The headers; client authentication adds `authorization` (lower case) for `client_secret_basic`. */
  readonly headers: Readonly<Record<string, string | Redacted.Redacted<string>>>
  /** The authorization server's issuer identifier, when known (for assertions whose audience is the issuer). */
  readonly issuer?: string
}

/**
 * The registered client authentication method names this module implements.
 *
 * @see https://www.iana.org/assignments/oauth-parameters/oauth-parameters.xhtml#token-endpoint-auth-method
 * @since 0.1.0
 * @category models
 */
export type Method =
  "client_secret_basic" | "client_secret_post" | "client_secret_jwt" | "private_key_jwt" | "none" | "tls_client_auth" | "self_signed_tls_client_auth"

/**
 * The HMAC algorithms of `client_secret_jwt`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.2
 * @since 0.1.0
 * @category models
 */
export type HmacAlgorithm = Jwt.HmacAlgorithm

/**
 * The signature algorithms of `private_key_jwt`. `EdDSA` and its fully-specified name `Ed25519` (RFC 9864) both
 * sign with an Ed25519 key.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.1
 * @see https://www.rfc-editor.org/rfc/rfc8037#section-3.1
 * @since 0.1.0
 * @category models
 */
export type AsymmetricAlgorithm = Jwt.AsymmetricAlgorithm

/**
 * The `aud` claim of a client assertion: `"endpoint"` the URL of the endpoint being called (the default, as
 * OpenID Connect Core 9 describes for the token endpoint), `"issuer"` the authorization server's issuer identifier
 * (what draft-ietf-oauth-rfc7523bis recommends, and the safest choice when the server supports it), or any fixed
 * string.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ClientAuthentication
 * @since 0.1.0
 * @category models
 */
export type Audience = "endpoint" | "issuer" | (string & {})

/**
 * What every client authentication method has.
 *
 * @since 0.1.0
 * @category models
 */
export interface Base<Tag extends string, M extends string> extends Inspectable.Inspectable {
  readonly _tag: Tag
  readonly clientId: string
  /** The `token_endpoint_auth_method` name, e.g. `"private_key_jwt"`. */
  readonly method: M
  /** Adds the client's credentials to a request; R is `never` and no key is imported here. */
  readonly authenticate: (request: AuthRequest) => Effect.Effect<AuthRequest, ClientAuthError>
}

/**
 * `client_secret_basic`: id and secret in an `Authorization: Basic` header.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientSecretBasic extends Base<"ClientSecretBasic", "client_secret_basic"> {
  readonly clientSecret: Redacted.Redacted<string>
  readonly encoding: "form" | "raw"
}

/**
 * `client_secret_post`: id and secret in the form body.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientSecretPost extends Base<"ClientSecretPost", "client_secret_post"> {
  readonly clientSecret: Redacted.Redacted<string>
}

/**
 * `client_secret_jwt`: a JWT assertion signed with HMAC, keyed by the client secret.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientSecretJwt extends Base<"ClientSecretJwt", "client_secret_jwt"> {
  readonly clientSecret: Redacted.Redacted<string>
  readonly alg: HmacAlgorithm
  readonly lifetime: Duration.Duration
  readonly audience: Audience
}

/**
 * `private_key_jwt`: a JWT assertion signed with the client's private key. `publicJwk` is the public half (with
 * `kid`, `alg` and `use: "sig"`; see `Jwt.publicJwk`), ready to register with the server, when the key was given as
 * a JWK.
 *
 * @since 0.1.0
 * @category models
 */
export interface PrivateKeyJwt extends Base<"PrivateKeyJwt", "private_key_jwt"> {
  readonly alg: AsymmetricAlgorithm
  readonly kid: string
  readonly lifetime: Duration.Duration
  readonly audience: Audience
  readonly publicJwk: JWK | undefined
}

/**
 * `none`: a public client, identified by `client_id` only.
 *
 * @since 0.1.0
 * @category models
 */
export interface None extends Base<"None", "none"> {}

/**
 * A user-supplied method.
 *
 * @since 0.1.0
 * @category models
 */
export interface Custom extends Base<"Custom", string> {}

/**
 * `tls_client_auth` (a certificate from a CA the server trusts, matched by subject) or `self_signed_tls_client_auth`
 * (a certificate registered in the client's JWKS): the client proves who it is by the TLS handshake, so only
 * `client_id` goes in the body. The certificate is the transport's (`@oauth2/http/Mtls`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8705#section-2
 * @since 0.1.0
 * @category models
 */
export interface TlsClientAuth extends Base<"TlsClientAuth", "tls_client_auth" | "self_signed_tls_client_auth"> {}

/**
 * A client authentication method, ready to apply to requests.
 *
 * @since 0.1.0
 * @category models
 */
export type ClientAuth = ClientSecretBasic | ClientSecretPost | ClientSecretJwt | PrivateKeyJwt | None | TlsClientAuth | Custom

/**
 * The type id of {@link ClientAuthError}.
 *
 * @since 0.1.0
 * @category type ids
 */
export const ClientAuthErrorTypeId: unique symbol = Symbol.for("@oauth2/http/ClientAuth/ClientAuthError")

/**
 * The type of {@link ClientAuthErrorTypeId}.
 *
 * @since 0.1.0
 * @category type ids
 */
export type ClientAuthErrorTypeId = typeof ClientAuthErrorTypeId

/**
 * Client authentication failed while a request was being prepared (nothing was sent):
 * - `SigningFailed`: the assertion could not be signed;
 * - `MissingIssuer`: the assertion audience is the issuer, but the request does not say which it is;
 * - `ConflictingCredentials`: the request already carries credentials or another `client_id` (RFC 6749 2.3 allows
 *   one authentication method per request);
 * - `Custom`: raised by a {@link custom} method.
 *
 * It never contains a secret. Configuration problems are caught earlier, at construction, as `InvalidArgument`.
 *
 * @since 0.1.0
 * @category errors
 */
export interface ClientAuthError extends Cause.YieldableError {
  readonly [ClientAuthErrorTypeId]: ClientAuthErrorTypeId
  readonly _tag: "ClientAuthError"
  /** The `token_endpoint_auth_method` name. */
  readonly method: string
  readonly endpoint: OAuthError.Endpoint
  readonly reason: "SigningFailed" | "MissingIssuer" | "ConflictingCredentials" | "Custom"
  readonly message: string
}

/**
 * Builds a {@link ClientAuthError}, e.g. from a {@link custom} method; `reason` defaults to `"Custom"`. Do not put
 * secrets in `message`.
 *
 * @since 0.1.0
 * @category errors
 */
export const clientAuthError: (fields: {
  readonly method: string
  readonly endpoint: OAuthError.Endpoint
  readonly reason?: ClientAuthError["reason"]
  readonly message: string
}) => ClientAuthError = errors.clientAuthError

/**
 * Whether a value is a {@link ClientAuthError}.
 *
 * @since 0.1.0
 * @category guards
 */
export const isClientAuthError: (u: unknown) => u is ClientAuthError = errors.isClientAuthError

/**
 * Whether a value is a {@link ClientAuth} built by this module.
 *
 * @since 0.1.0
 * @category guards
 */
export const isClientAuth: (u: unknown) => u is ClientAuth = internal.isClientAuth

/**
 * The `client_assertion_type` of JWT assertions.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.2
 * @since 0.1.0
 * @category models
 */
export const assertionType: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" = internal.assertionType

/**
 * Options of {@link clientSecretBasic}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientSecretBasicOptions {
  readonly clientId: string
  readonly clientSecret: string | Redacted.Redacted<string>
  /**
   * `"form"` (default): id and secret are each `application/x-www-form-urlencoded` before being joined with `:`
   * and base64-encoded, as RFC 6749 2.3.1 requires. `"raw"`: they are not, for servers that do not decode them
   * (the client id must then not contain `:`).
   */
  readonly encoding?: "form" | "raw"
}

/**
 * `client_secret_basic`: sends `Authorization: Basic base64(form(clientId) ":" form(clientSecret))` and no
 * `client_id` in the body. The header value is computed once, kept `Redacted`, and replaces nothing: a request
 * that already has an `Authorization` header fails with `ConflictingCredentials`.
 *
 * Note that `HttpClientRequest.basicAuth` of `@effect/platform` does not form-encode, so a secret with `+`, `%`,
 * `:` or non-ASCII characters would be rejected by a conforming server.
 *
 * @example
 * ```ts
 * import { ClientAuth } from "@oauth2/http"
 * import { Effect, Redacted } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const auth = yield* ClientAuth.clientSecretBasic({ clientId: "my client", clientSecret: Redacted.make("s3cr3t+%") })
 *   const request = yield* auth.authenticate({
 *     url: "https://as.example.com/token",
 *     endpoint: "token",
 *     params: [["grant_type", "client_credentials"]],
 *     headers: {}
 *   })
 *   console.log(Object.keys(request.headers)) // ["authorization"]
 * })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 * @since 0.1.0
 * @category constructors
 */
export const clientSecretBasic: (options: ClientSecretBasicOptions) => Effect.Effect<ClientSecretBasic, OAuthError.InvalidArgument> =
  internal.clientSecretBasic

/**
 * Options of {@link clientSecretPost}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientSecretPostOptions {
  readonly clientId: string
  readonly clientSecret: string | Redacted.Redacted<string>
}

/**
 * `client_secret_post`: sends `client_id` and `client_secret` (kept `Redacted`) in the form body.
 *
 * @example
 * ```ts
 * import { ClientAuth } from "@oauth2/http"
 * import { Config, Effect } from "effect"
 *
 * const auth = Effect.gen(function*() {
 *   const clientSecret = yield* Config.redacted("CLIENT_SECRET")
 *   return yield* ClientAuth.clientSecretPost({ clientId: "my-client", clientSecret })
 * })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 * @since 0.1.0
 * @category constructors
 */
export const clientSecretPost: (options: ClientSecretPostOptions) => Effect.Effect<ClientSecretPost, OAuthError.InvalidArgument> =
  internal.clientSecretPost

/**
 * What JWT assertions share.
 *
 * @since 0.1.0
 * @category models
 */
export interface AssertionOptions {
  /** `exp - iat`, at least 1 second (whole seconds are used); 60 seconds by default. */
  readonly lifetime?: Duration.DurationInput
  /** The `aud` claim; `"endpoint"` by default. */
  readonly audience?: Audience
}

/**
 * Options of {@link clientSecretJwt}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientSecretJwtOptions extends AssertionOptions {
  readonly clientId: string
  readonly clientSecret: string | Redacted.Redacted<string>
  /** `HS256` by default. */
  readonly alg?: HmacAlgorithm
}

/**
 * `client_secret_jwt`: sends `client_id`, `client_assertion_type` and a `client_assertion` JWT (header `alg`,
 * `typ: "JWT"`; claims `iss` = `sub` = client id, `aud`, `iat` from `Clock`, `exp` = `iat` + lifetime, a random
 * 256-bit `jti`) signed with HMAC keyed by the client secret. The HMAC key is imported once, here, by `Jwt.secretKey`.
 *
 * `client_id` is sent in the body too: RFC 7521 4.2 allows it and some servers require it.
 *
 * @example
 * ```ts
 * import { ClientAuth } from "@oauth2/http"
 * import { Effect, Redacted } from "effect"
 *
 * const auth = ClientAuth.clientSecretJwt({
 *   clientId: "my-client",
 *   clientSecret: Redacted.make("a-long-random-client-secret-of-32-bytes"),
 *   alg: "HS256",
 *   lifetime: "2 minutes",
 *   audience: "issuer"
 * })
 * const method: Effect.Effect<string, unknown> = Effect.map(auth, (a) => a.method) // "client_secret_jwt"
 * ```
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ClientAuthentication
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.2
 * @see https://www.rfc-editor.org/rfc/rfc7521#section-4.2
 * @since 0.1.0
 * @category constructors
 */
export const clientSecretJwt: (options: ClientSecretJwtOptions) => Effect.Effect<ClientSecretJwt, OAuthError.InvalidArgument> =
  internal.clientSecretJwt

/**
 * Options of {@link privateKeyJwt}.
 *
 * @since 0.1.0
 * @category models
 */
export interface PrivateKeyJwtOptions extends AssertionOptions {
  readonly clientId: string
  /**
   * The private key: a private JWK (RSA, EC P-256/P-384/P-521 or OKP Ed25519), a `CryptoKey` (imported for signing),
   * or a string holding a JSON JWK or a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`, needs `alg`); optionally
   * `Redacted`, e.g. from `Config.redacted`.
   */
  readonly privateKey: JWK | CryptoKey | string | Redacted.Redacted<JWK | CryptoKey | string>
  /**
   * The signature algorithm. By default the JWK's `alg`; otherwise derived from the key: RSA -> `RS256`,
   * EC P-256/P-384/P-521 -> `ES256`/`ES384`/`ES512`, Ed25519 -> `EdDSA`; a `CryptoKey` fixes its own algorithm.
   */
  readonly alg?: AsymmetricAlgorithm
  /** The key id, sent in the JWS header. By default the JWK's `kid`; required one way or the other. */
  readonly kid?: string
}

/**
 * `private_key_jwt`: sends `client_id`, `client_assertion_type` and a `client_assertion` JWT (header `alg`, `kid`,
 * `typ: "JWT"`; claims as for {@link clientSecretJwt}) signed with the client's private key.
 *
 * The key is checked and imported once, here, by `Jwt.signingKey` (the one key-import path of `@oauth2/core`, whose
 * rules every key of this library follows), as a non-extractable `CryptoKey`; the given key material is not kept.
 * Client authentication only adds that a `kid` is required. These are `InvalidArgument`s: a symmetric key, a public
 * key, no `kid`, an unsupported `alg`, an `alg` that the key cannot sign with (or that differs from the JWK's), a JWK
 * whose `use`/`key_ops` forbid signing, an RSA key under 2048 bits, a key that does not import.
 *
 * @example
 * ```ts
 * import { ClientAuth } from "@oauth2/http"
 * import { Effect } from "effect"
 * import * as jose from "jose"
 *
 * const program = Effect.gen(function*() {
 *   const { privateKey } = yield* Effect.promise(() => jose.generateKeyPair("ES256", { extractable: true }))
 *   const jwk = yield* Effect.promise(() => jose.exportJWK(privateKey))
 *   const auth = yield* ClientAuth.privateKeyJwt({ clientId: "my-client", privateKey: { ...jwk, kid: "key-1" } })
 *   console.log(auth.alg, auth.publicJwk) // "ES256", { kty: "EC", crv: "P-256", x, y, kid: "key-1", alg: "ES256", use: "sig" }
 * })
 * ```
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ClientAuthentication
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.2
 * @since 0.1.0
 * @category constructors
 */
export const privateKeyJwt: (options: PrivateKeyJwtOptions) => Effect.Effect<PrivateKeyJwt, OAuthError.InvalidArgument> = internal.privateKeyJwt

/**
 * Options of {@link none}.
 *
 * @since 0.1.0
 * @category models
 */
export interface NoneOptions {
  readonly clientId: string
}

/**
 * `none`: a public client (or one authenticated by its TLS certificate at the transport) sends only `client_id` in
 * the body.
 *
 * @example
 * ```ts
 * import { ClientAuth } from "@oauth2/http"
 *
 * const auth = ClientAuth.none({ clientId: "my-spa" })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.1
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ClientAuthentication
 * @since 0.1.0
 * @category constructors
 */
export const none: (options: NoneOptions) => Effect.Effect<None, OAuthError.InvalidArgument> = internal.none

/**
 * Options of {@link tlsClientAuth} and {@link selfSignedTlsClientAuth}.
 *
 * @since 0.1.0
 * @category models
 */
export interface TlsClientAuthOptions {
  readonly clientId: string
}

/**
 * `tls_client_auth` (RFC 8705 2.1): the client authenticates with a certificate issued by a CA the server trusts,
 * presented by the mTLS transport; `client_id` is sent in the body, no secret.
 *
 * @example
 * ```ts
 * import { ClientAuth } from "@oauth2/http"
 *
 * const auth = ClientAuth.tlsClientAuth({ clientId: "my-client" })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc8705#section-2.1
 * @since 0.1.0
 * @category constructors
 */
export const tlsClientAuth: (options: TlsClientAuthOptions) => Effect.Effect<TlsClientAuth, OAuthError.InvalidArgument> = internal.tlsClientAuth

/**
 * `self_signed_tls_client_auth` (RFC 8705 2.2): the client authenticates with a self-signed certificate registered
 * in its JWKS, presented by the mTLS transport; `client_id` is sent in the body, no secret.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8705#section-2.2
 * @since 0.1.0
 * @category constructors
 */
export const selfSignedTlsClientAuth: (options: TlsClientAuthOptions) => Effect.Effect<TlsClientAuth, OAuthError.InvalidArgument> =
  internal.selfSignedTlsClientAuth

/**
 * Options of {@link custom}.
 *
 * @since 0.1.0
 * @category models
 */
export interface CustomOptions {
  readonly clientId: string
  /** The method name, e.g. `"tls_client_auth"` or a vendor's. */
  readonly method: string
  readonly authenticate: (request: AuthRequest) => Effect.Effect<AuthRequest, ClientAuthError>
}

/**
 * A user-supplied method: `authenticate` receives each request and returns it with credentials added.
 *
 * @example
 * ```ts
 * import { ClientAuth } from "@oauth2/http"
 * import { Effect, Redacted } from "effect"
 *
 * const apiKey = Redacted.make("k-123")
 * const auth = ClientAuth.custom({
 *   clientId: "my-client",
 *   method: "vendor_api_key",
 *   authenticate: (request) =>
 *     Effect.succeed({
 *       ...request,
 *       params: [...request.params, ["client_id", "my-client"]],
 *       headers: { ...request.headers, "x-api-key": apiKey }
 *     })
 * })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.2
 * @since 0.1.0
 * @category constructors
 */
export const custom: (options: CustomOptions) => Effect.Effect<Custom, OAuthError.InvalidArgument> = internal.custom

/**
 * The options of one of the registered methods, selected by its `token_endpoint_auth_method` name.
 *
 * @since 0.1.0
 * @category models
 */
export type MakeOptions =
  | ({ readonly method: "client_secret_basic" } & ClientSecretBasicOptions)
  | ({ readonly method: "client_secret_post" } & ClientSecretPostOptions)
  | ({ readonly method: "client_secret_jwt" } & ClientSecretJwtOptions)
  | ({ readonly method: "private_key_jwt" } & PrivateKeyJwtOptions)
  | ({ readonly method: "none" } & NoneOptions)
  | ({ readonly method: "tls_client_auth" | "self_signed_tls_client_auth" } & TlsClientAuthOptions)

/**
 * Builds a method from its `token_endpoint_auth_method` name, e.g. when the name comes from configuration or from
 * a client registration. An unknown name is an `InvalidArgument` (use {@link custom} for non-registered methods).
 *
 * @example
 * ```ts
 * import { ClientAuth } from "@oauth2/http"
 * import { Redacted } from "effect"
 *
 * const auth = ClientAuth.make({ method: "client_secret_post", clientId: "c", clientSecret: Redacted.make("s") })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: MakeOptions) => Effect.Effect<ClientAuth, OAuthError.InvalidArgument> = internal.make

/**
 * A client as registered with the Authorization Server (the camelCase of RFC 7591 client metadata): its id, its
 * `token_endpoint_auth_method`, and the credential that method needs.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 * @since 0.1.0
 * @category models
 */
export interface Registration {
  readonly clientId: string
  readonly tokenEndpointAuthMethod: Method | (string & {})
  /** For `client_secret_basic`, `client_secret_post` and `client_secret_jwt`. */
  readonly clientSecret?: string | Redacted.Redacted<string>
  /** For `private_key_jwt`: the private JWK, with `kid`. */
  readonly privateJwk?: JWK | Redacted.Redacted<JWK>
}

/**
 * Builds the method a registered client uses: `none`, `private_key_jwt` with its private JWK, or a secret-based
 * method with its secret (`client_secret_jwt` with HS256). A missing credential or an unknown method is an
 * `InvalidArgument`.
 *
 * @example
 * ```ts
 * import { ClientAuth } from "@oauth2/http"
 * import { Redacted } from "effect"
 *
 * const auth = ClientAuth.fromRegistration({
 *   clientId: "my-client",
 *   tokenEndpointAuthMethod: "client_secret_jwt",
 *   clientSecret: Redacted.make("a-long-shared-secret")
 * })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 * @since 0.1.0
 * @category constructors
 */
export const fromRegistration: (registration: Registration) => Effect.Effect<ClientAuth, OAuthError.InvalidArgument> = internal.fromRegistration
