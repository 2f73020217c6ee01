/**
 * A real OpenID Connect / OAuth 2.x Authorization Server for tests: node-oidc-provider on 127.0.0.1 on a free port,
 * with registered clients for every client authentication method, test users, scripted user interactions (login,
 * consent, device code entry, CIBA approval) and knobs to make it misbehave on purpose.
 *
 * Use it as a scoped `Layer` (`TestServer.layer()`) or, outside Effect, with `TestServer.start()`.
 *
 * @since 0.1.0
 */
import type { JWK } from "jose"
import type * as Context from "effect/Context"
import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type { Fault } from "./Fault.js"
import * as errors from "./internal/errors.js"
import * as internal from "./internal/server.js"

// -----------------------------------------------------------------------------
// models
// -----------------------------------------------------------------------------

/**
 * A JSON Web Key with its `kid` and `alg` always set.
 *
 * @since 0.1.0
 * @category models
 */
export type Jwk = JWK & { readonly kid: string; readonly alg: string }

/**
 * The client authentication methods the registered clients cover.
 *
 * @since 0.1.0
 * @category models
 */
export type TokenEndpointAuthMethod = "client_secret_basic" | "client_secret_post" | "client_secret_jwt" | "private_key_jwt" | "none"

/**
 * What every registered client has. All clients are `application_type: "native"`, so their loopback redirect URIs
 * match on any port (RFC 8252 section 7.3): `http://127.0.0.1:8123/callback` is accepted for
 * `http://127.0.0.1/callback`. The exception is the optional browser app client `spa` (`application_type: "web"`),
 * whose one redirect URI must match exactly.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientInfo {
  readonly clientId: string
  readonly tokenEndpointAuthMethod: TokenEndpointAuthMethod
  readonly redirectUris: ReadonlyArray<string>
  readonly grantTypes: ReadonlyArray<string>
}

/**
 * A confidential client authenticated with a shared secret (`client_secret_basic`, `client_secret_post`, or
 * `client_secret_jwt` with HS256).
 *
 * @since 0.1.0
 * @category models
 */
export interface SecretClient extends ClientInfo {
  readonly tokenEndpointAuthMethod: "client_secret_basic" | "client_secret_post" | "client_secret_jwt"
  readonly clientSecret: Redacted.Redacted<string>
}

/**
 * A confidential client authenticated with `private_key_jwt`. Its key pair is generated at each start; the private
 * JWK carries `kid` and `alg` (ES256). The same key may sign RFC 7523 JWT bearer assertions (with `iss` = this
 * client's id) and request objects.
 *
 * @since 0.1.0
 * @category models
 */
export interface PrivateKeyJwtClient extends ClientInfo {
  readonly tokenEndpointAuthMethod: "private_key_jwt"
  readonly privateJwk: Redacted.Redacted<Jwk>
  readonly publicJwk: Jwk
}

/**
 * A public client (`token_endpoint_auth_method: "none"`); PKCE is required for it.
 *
 * @since 0.1.0
 * @category models
 */
export interface PublicClient extends ClientInfo {
  readonly tokenEndpointAuthMethod: "none"
}

/**
 * A `client_secret_basic` client whose ID tokens are encrypted (JWE `RSA-OAEP-256` / `A256GCM`) to its public key;
 * `decryptionJwk` is the private key to decrypt them with.
 *
 * @since 0.1.0
 * @category models
 */
export interface EncryptedIdTokenClient extends ClientInfo {
  readonly tokenEndpointAuthMethod: "client_secret_basic"
  readonly clientSecret: Redacted.Redacted<string>
  readonly idTokenEncryption: {
    readonly alg: "RSA-OAEP-256"
    readonly enc: "A256GCM"
    readonly decryptionJwk: Redacted.Redacted<Jwk>
    readonly publicJwk: Jwk
  }
}

/**
 * The registered clients, one per client authentication method plus one with encrypted ID tokens. Client ids are
 * fixed (`"client-secret-basic"`, `"client-secret-post"`, `"client-secret-jwt"`, `"private-key-jwt"`,
 * `"public"`, `"encrypted-id-token"`); secrets and keys are new at every start.
 *
 * @since 0.1.0
 * @category models
 */
export interface Clients {
  readonly clientSecretBasic: SecretClient
  readonly clientSecretPost: SecretClient
  readonly clientSecretJwt: SecretClient
  readonly privateKeyJwt: PrivateKeyJwtClient
  readonly public: PublicClient
  readonly encryptedIdToken: EncryptedIdTokenClient
  /**
   * A confidential client (`client_secret_basic`) registered with `dpop_bound_access_tokens: true`: its tokens must be
   * DPoP-bound. With `features.dpop` only.
   */
  readonly dpop?: SecretClient
  /** The browser app's public client (`"spa"`), registered with the {@link Options.spa} option only. */
  readonly spa?: PublicClient
}

/**
 * A test end-user: `sub` is the account id (the login name in the scripted login, the CIBA `login_hint`), `claims`
 * are released by scope (`profile`: name, given_name, family_name, preferred_username, updated_at; `email`: email,
 * email_verified).
 *
 * @since 0.1.0
 * @category models
 */
export interface User {
  readonly sub: string
  readonly claims: Readonly<Record<string, unknown>>
}

/**
 * The built-in users: `alice` (the default for every scripted login) and `bob`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultUsers: ReadonlyArray<User> = internal.defaultUsers

/**
 * Absolute URLs of the server's endpoints. Endpoints of disabled features answer 404.
 *
 * @since 0.1.0
 * @category models
 */
export interface Endpoints {
  /** `{issuer}/.well-known/openid-configuration` */
  readonly discovery: string
  /** RFC 8414 `/.well-known/oauth-authorization-server` URL (path inserted before the issuer path, if any) */
  readonly authorizationServerMetadata: string
  readonly authorization: string
  readonly token: string
  readonly userinfo: string
  readonly jwks: string
  readonly pushedAuthorizationRequest: string
  readonly deviceAuthorization: string
  /** where the user enters a device user code (`verification_uri`) */
  readonly deviceVerification: string
  readonly backchannelAuthentication: string
  readonly introspection: string
  readonly revocation: string
  readonly endSession: string
  /** RFC 7591 registration (served with `features.registration` only) */
  readonly registration: string
}

/**
 * The name of an endpoint, for `failNext`.
 *
 * @since 0.1.0
 * @category models
 */
export type EndpointName = keyof Endpoints

/**
 * Token lifetimes, in seconds. Short ones let tests see expiry without waiting long.
 *
 * @since 0.1.0
 * @category models
 */
export interface TtlOptions {
  /** user access tokens, for userinfo or the test API (default 3600) */
  readonly accessToken?: number
  /** every client_credentials token, for the test API or not (default 600) */
  readonly clientCredentials?: number
  /** default 60 */
  readonly authorizationCode?: number
  /** default 3600 */
  readonly idToken?: number
  /** default 14 days */
  readonly refreshToken?: number
  /** device_code and user_code (default 600) */
  readonly deviceCode?: number
  /** CIBA auth_req_id (default 600; a smaller `requested_expiry` wins) */
  readonly backchannelAuthenticationRequest?: number
  /** default 3600 */
  readonly interaction?: number
  /** the end-user's SSO session (default 14 days) */
  readonly session?: number
  /** default 14 days */
  readonly grant?: number
}

/**
 * Features to switch off (all are on by default). Discovery, JWKS, authorization code with PKCE and RFC 9207 `iss`
 * are always on.
 *
 * @since 0.1.0
 * @category models
 */
export interface FeatureOptions {
  readonly clientCredentials?: boolean
  readonly refreshToken?: boolean
  readonly deviceFlow?: boolean
  /** CIBA, poll mode */
  readonly ciba?: boolean
  readonly pushedAuthorizationRequests?: boolean
  /** reject authorization requests that do not come through PAR (default false) */
  readonly requirePushedAuthorizationRequests?: boolean
  /** JAR request objects (`request` parameter), signed or signed then encrypted */
  readonly requestObjects?: boolean
  readonly introspection?: boolean
  readonly revocation?: boolean
  readonly userinfo?: boolean
  /** RFC 8707 `resource`; without it there is no test API audience */
  readonly resourceIndicators?: boolean
  /** JWE: encrypted ID tokens and encrypted request objects */
  readonly encryption?: boolean
  /** RFC 8693 token exchange grant */
  readonly tokenExchange?: boolean
  /** RFC 7523 JWT bearer grant */
  readonly jwtBearer?: boolean
  /**
   * RFC 9449 DPoP, configured (default: node-oidc-provider's own defaults, proofs accepted without nonces): proofs checked at the token, PAR and UserInfo endpoints, DPoP-bound tokens
   * (`cnf.jkt`), algorithms ES256, EdDSA, PS256, RS256; with `{ requireNonce: true }` every proof must carry a nonce
   * the server gave (`use_dpop_nonce` and a `DPoP-Nonce` header otherwise). Registers `Clients.dpop`.
   */
  readonly dpop?: boolean | { readonly requireNonce?: boolean }
  /** RFC 7591 dynamic client registration at `endpoints.registration` (default false; see `Options.initialAccessToken`) */
  readonly registration?: boolean
  /** RFC 7592 management of registered clients with their registration access token (default false; needs `registration`) */
  readonly registrationManagement?: boolean
}

/**
 * Options of `layer`, `make` and `start`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** a path for the issuer, e.g. `"/oidc"` gives `http://127.0.0.1:PORT/oidc` (default: none) */
  readonly issuerPath?: string
  readonly features?: FeatureOptions
  readonly ttl?: TtlOptions
  /** rotate refresh tokens at every use (default true); reusing a rotated one revokes the grant */
  readonly rotateRefreshToken?: boolean
  /** require PKCE from confidential clients too (default false: required from the public client only) */
  readonly requirePkce?: boolean
  /** format of access tokens for the test API (default `"jwt"`, RFC 9068 `at+jwt`) */
  readonly accessTokenFormat?: "jwt" | "opaque"
  /** replaces the built-in users (`defaultUsers`); the first one is the default login */
  readonly users?: ReadonlyArray<User>
  /** more redirect URIs registered for every client */
  readonly redirectUris?: ReadonlyArray<string>
  /**
   * Enables OpenID Connect Back-Channel Logout: every built-in client registers `uri` as its
   * `backchannel_logout_uri`, and `backchannel_logout_session_required` (`sessionRequired`, default true: ID
   * tokens and logout tokens carry `sid`). When a session ends at the end-session endpoint, the server POSTs a
   * logout token there for each client of the session. Off by default.
   */
  readonly backchannelLogout?: { readonly uri: string; readonly sessionRequired?: boolean }
  /** with `features.registration`: the initial access token registration requires (RFC 7591 3); default: none required */
  readonly initialAccessToken?: string
  /** serves a small protected resource (RFC 9728) on the server's origin; see {@link ProtectedResourceOptions} */
  readonly protectedResource?: ProtectedResourceOptions
  /**
   * The origins a browser may call the client-authenticated endpoints from (token, revocation, introspection,
   * userinfo, ...: node-oidc-provider's `clientBasedCORS`); a request from any other origin is refused with
   * `invalid_request`. Default: any origin. Discovery and the JWKS are open to every origin.
   */
  readonly corsOrigins?: ReadonlyArray<string>
  /** registers a browser single-page app as the public client `"spa"` (`Clients.spa`); see {@link SpaOptions} */
  readonly spa?: SpaOptions
  /**
   * Makes the HTML sign-in page (the one a real browser gets) ask for a user name and a password, typed, and accept
   * a user only with its password from `passwords` (by `sub`). Without it, the page offers a list of the users.
   * The scripted `authorize` (which asks for JSON) still signs in without a password.
   */
  readonly passwordLogin?: { readonly passwords: Readonly<Record<string, string>> }
  /**
   * Mutual TLS (RFC 8705), default false: certificates generated at start with the `openssl` command (a CA, the
   * server's, clients'), a second listener `https://127.0.0.1:PORT` that asks for a client certificate and serves the
   * client-authenticated endpoints, advertised as `mtls_endpoint_aliases`; the clients `tls-client-auth` and
   * `self-signed-tls-client-auth`, both with certificate-bound access tokens; a resource server on that listener
   * that checks the binding. See {@link TestServerInfo.mtls}.
   */
  readonly mtls?: boolean
  /** JARM: `response_mode=jwt`, `query.jwt`, `fragment.jwt`, `form_post.jwt` (default false) */
  readonly jarm?: boolean
  /**
   * FAPI 2.0 Security Profile, default false: registers the client `fapi2` (private_key_jwt with the
   * `privateKeyJwt` client's key, certificate-bound tokens, ES256 ID tokens and JARM answers, PAR required) under
   * node-oidc-provider's FAPI 2.0 profile; implies {@link Options.mtls}. With `features.dpop` too, the client
   * `fapi2-dpop` (the same key, DPoP-bound tokens instead of certificate-bound).
   */
  readonly fapi2?: boolean
}

/**
 * A PEM certificate with its private key (generated at each start, for tests only).
 *
 * @since 0.1.0
 * @category models
 */
export interface Certificate {
  readonly cert: string
  readonly key: string
}

/**
 * The mTLS side of a test server started with `mtls` (or `fapi2`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8705
 * @since 0.1.0
 * @category models
 */
export interface MtlsInfo {
  /** the https listener, e.g. `https://127.0.0.1:54322` */
  readonly origin: string
  /** the CA (PEM) that issued the server's and the clients' certificates: trust it for the listener */
  readonly ca: string
  /**
   * `GET` with `Authorization: Bearer <token>`: answers `{ sub, client_id, scope, cnf }` when the token is valid and
   * its `cnf.x5t#S256` (if bound) is the presented certificate's thumbprint; else 401 `invalid_token`
   */
  readonly resource: string
  readonly certificates: {
    /** issued by the CA, subject `CN=tls-client-auth`: the client `tls-client-auth` */
    readonly tlsClientAuth: Certificate
    /** self-signed, in the JWKS of the client `self-signed-tls-client-auth` */
    readonly selfSignedTlsClientAuth: Certificate
    /** issued by the CA, subject `CN=fapi2`: the client `fapi2` binds its tokens to it */
    readonly fapi2: Certificate
    /** issued by the CA, subject `CN=someone-else`: no client's */
    readonly other: Certificate
  }
}

/**
 * A browser single-page app registered as a public web client (`client_id` `"spa"`, `application_type: "web"`,
 * `token_endpoint_auth_method: "none"`, PKCE required): its exact redirect URI, and where it may ask to land after
 * an RP-initiated logout. It gets a refresh token with every authorization code (no `offline_access` needed; it ends
 * with the end-user's session), rotated at every use unless `rotateRefreshToken: false`.
 *
 * @since 0.1.0
 * @category models
 */
export interface SpaOptions {
  readonly redirectUri: string
  readonly postLogoutRedirectUris?: ReadonlyArray<string>
}

/**
 * A protected resource served by the test server on its own origin (`http://127.0.0.1:PORT/mcp` by default): without
 * a valid token it answers 401 with `WWW-Authenticate: Bearer resource_metadata="..."`; its RFC 9728 metadata is at
 * `/.well-known/oauth-protected-resource/mcp`; it accepts the JWT access tokens this server issues for its resource
 * identifier (`aud`, asked for with `resource`) and answers `{ resource, sub, client_id, scope }`. The options
 * change what its metadata says, to test clients that must refuse it.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728
 * @since 0.1.0
 * @category models
 */
export interface ProtectedResourceOptions {
  /** its path on the server's origin (default `"/mcp"`) */
  readonly path?: string
  /** `scopes_supported`, also the scopes the server grants for it (default the test API's scopes) */
  readonly scopes?: ReadonlyArray<string>
  /** `authorization_servers` (default `[issuer]`) */
  readonly authorizationServers?: ReadonlyArray<string>
  /** the `resource` its metadata claims (default its identifier; another value makes the metadata mismatch) */
  readonly advertisedResource?: string
}

/**
 * A cookie jar for the scripted user agent. Pass the same browser to several `authorize` calls to keep the
 * end-user's session (SSO, `prompt=none` that succeeds); without one each call starts signed out.
 *
 * @since 0.1.0
 * @category models
 */
export interface Browser {
  readonly _tag: "Browser"
}

/**
 * Options of the scripted authorization.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthorizeOptions {
  /** who signs in at the login prompt (default: the request's `login_hint` if it names a user, else the first user) */
  readonly accountId?: string
  /** the answer at the consent prompt (default `"approve"`); `"deny"` ends with `error=access_denied` */
  readonly consent?: "approve" | "deny"
  /** keeps cookies (the end-user's session) across calls */
  readonly browser?: Browser
}

/**
 * Options of the scripted logout (`endSession`).
 * @since 0.1.0
 * @category models
 */
export interface EndSessionOptions {
  /** the browser of the login, whose session is ended */
  readonly browser?: Browser
  /** the answer at the logout confirmation (default true: sign out of the server) */
  readonly confirm?: boolean
}

/**
 * The result of a signing key rotation.
 *
 * @since 0.1.0
 * @category models
 */
export interface RotatedKey {
  /** `kid` of the new key, which now signs ID tokens and JWT access tokens for its `alg` */
  readonly kid: string
  readonly alg: string
  /** kids of the previous keys of that `alg` that are no longer in the JWKS (empty when `keepPrevious`) */
  readonly removedKids: ReadonlyArray<string>
}

/**
 * Options of `rotateSigningKey`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RotateOptions {
  /** algorithm of the new key (default `"RS256"`) */
  readonly alg?: "RS256" | "PS256" | "ES256"
  /** keep the previous keys of that alg in the JWKS, so old tokens still verify (default true) */
  readonly keepPrevious?: boolean
}

/**
 * What a test server is and holds, in both APIs.
 *
 * @since 0.1.0
 * @category models
 */
export interface TestServerInfo {
  /** e.g. `http://127.0.0.1:54321` (or with the `issuerPath`) */
  readonly issuer: string
  readonly endpoints: Endpoints
  readonly clients: Clients
  readonly users: ReadonlyArray<User>
  /** the test API's resource indicator and JWT access token audience: `https://api.example.test` */
  readonly resource: string
  /** the test API's scopes: `api:read`, `api:write` */
  readonly resourceScopes: ReadonlyArray<string>
  /** the protected resource, with the `protectedResource` option: its identifier (its URL) and its metadata URL */
  readonly protectedResource?: { readonly resource: string; readonly metadataUrl: string }
  /** with the `mtls` or `fapi2` option */
  readonly mtls?: MtlsInfo
}

/**
 * The test server as an Effect service. Helpers fail with `TestServerError` when the server does not behave as the
 * script expects (e.g. the authorization request is invalid, so the browser never leaves the server).
 *
 * @since 0.1.0
 * @category models
 */
export interface TestServer extends TestServerInfo {
  /**
   * Plays the end-user's browser for an authorization request URL (or a PAR `request_uri` one): signs in, answers
   * consent, and returns the URL the browser would land on at the client's redirect_uri (not followed), e.g.
   * `http://127.0.0.1/callback?code=...&state=...&iss=...`. Authorization errors come back in that URL too
   * (`error=access_denied`, `error=login_required` for `prompt=none` without a session). A `form_post` response
   * comes back as the redirect_uri with the posted fields in its query. Fails when the browser never leaves the
   * server (e.g. an unknown client or redirect_uri: the server shows an error page).
   */
  readonly authorize: (url: string | URL, options?: AuthorizeOptions) => Effect.Effect<string, TestServerError>
  /**
   * Plays the end-user's browser for an RP-initiated logout URL (the end-session endpoint with its parameters):
   * answers the logout confirmation (`confirm`, default true: "yes, sign out" ends the whole session; false ends
   * only this client's part) and returns the URL the browser lands on: the `post_logout_redirect_uri` (with its
   * `state`, not followed), or the server's "signed out" page. With the `browser` of the login, the session it
   * holds is ended (and back-channel logout tokens are sent before this returns).
   */
  readonly endSession: (url: string | URL, options?: EndSessionOptions) => Effect.Effect<string, TestServerError>
  /** Enters the device user code at the verification page, confirms, signs in as `accountId`, and consents. */
  readonly approveDevice: (userCode: string, options?: { readonly accountId?: string }) => Effect.Effect<void, TestServerError>
  /** Enters the device user code and aborts: the device then gets `access_denied`. */
  readonly denyDevice: (userCode: string) => Effect.Effect<void, TestServerError>
  /** Approves a pending CIBA request (`auth_req_id`) on the end-user's behalf, granting what it asked for. */
  readonly approveCiba: (authReqId: string) => Effect.Effect<void, TestServerError>
  /** Denies a pending CIBA request: the client then gets `access_denied`. */
  readonly denyCiba: (authReqId: string) => Effect.Effect<void, TestServerError>
  /** The next `polls` device_code token requests answer `slow_down` (HTTP 400) without being processed. */
  readonly slowDown: (polls: number) => Effect.Effect<void>
  /** The next request(s) to `endpoint` get `fault` instead of being processed (CORS preflights excepted). */
  readonly failNext: (endpoint: EndpointName, fault: Fault, options?: { readonly times?: number }) => Effect.Effect<void>
  /** Forgets every pending `failNext` and `slowDown`. */
  readonly clearFaults: Effect.Effect<void>
  /**
   * How many requests reached `endpoint` since the server started (CORS preflights excepted; those answered by a
   * `failNext` fault or a `slowDown` included): e.g. to check that many callers made one token request.
   */
  readonly requests: (endpoint: EndpointName) => Effect.Effect<number>
  /**
   * Adds a new signing key (new `kid`) and signs with it from now on. Sessions, grants and tokens survive; tokens
   * signed by a removed key no longer verify.
   */
  readonly rotateSigningKey: (options?: RotateOptions) => Effect.Effect<RotatedKey, TestServerError>
}

/**
 * The test server service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export const TestServer: Context.Tag<TestServer, TestServer> = internal.tag

/**
 * The test server outside Effect: the same information and helpers, returning promises, plus `stop`.
 *
 * @since 0.1.0
 * @category models
 */
export interface StartedTestServer extends TestServerInfo {
  readonly authorize: (url: string | URL, options?: AuthorizeOptions) => Promise<string>
  readonly endSession: (url: string | URL, options?: EndSessionOptions) => Promise<string>
  readonly approveDevice: (userCode: string, options?: { readonly accountId?: string }) => Promise<void>
  readonly denyDevice: (userCode: string) => Promise<void>
  readonly approveCiba: (authReqId: string) => Promise<void>
  readonly denyCiba: (authReqId: string) => Promise<void>
  readonly slowDown: (polls: number) => void
  readonly failNext: (endpoint: EndpointName, fault: Fault, options?: { readonly times?: number }) => void
  readonly clearFaults: () => void
  readonly requests: (endpoint: EndpointName) => number
  readonly rotateSigningKey: (options?: RotateOptions) => Promise<RotatedKey>
  /** Closes the server and its connections. */
  readonly stop: () => Promise<void>
}

// -----------------------------------------------------------------------------
// errors
// -----------------------------------------------------------------------------

/**
 * The type id of {@link TestServerError}.
 *
 * @since 0.1.0
 * @category type ids
 */
export const TestServerErrorTypeId: unique symbol = Symbol.for("@oauth2/testing/TestServer/TestServerError")

/**
 * The type of {@link TestServerErrorTypeId}.
 *
 * @since 0.1.0
 * @category type ids
 */
export type TestServerErrorTypeId = typeof TestServerErrorTypeId

/**
 * A test server operation failed: it could not start, or a scripted interaction did not go as scripted.
 *
 * @since 0.1.0
 * @category errors
 */
export interface TestServerError extends Cause.YieldableError {
  readonly [TestServerErrorTypeId]: TestServerErrorTypeId
  readonly _tag: "TestServerError"
  readonly operation: "start" | "authorize" | "endSession" | "approveDevice" | "denyDevice" | "approveCiba" | "denyCiba" | "rotateSigningKey"
  readonly message: string
  readonly cause?: unknown
}

/**
 * Constructs a `TestServerError`.
 *
 * @since 0.1.0
 * @category errors
 */
export const TestServerError: (args: {
  readonly operation: TestServerError["operation"]
  readonly message: string
  readonly cause?: unknown
}) => TestServerError = errors.testServerError

/**
 * Whether a value is a `TestServerError`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isTestServerError: (u: unknown) => u is TestServerError = errors.isTestServerError

// -----------------------------------------------------------------------------
// constructors
// -----------------------------------------------------------------------------

/**
 * A new, empty cookie jar for `authorize`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeBrowser: () => Browser = internal.makeBrowser

/**
 * Starts a test server outside Effect. Call `stop()` when done (e.g. in `afterAll`).
 *
 * @example
 * ```ts
 * import { TestServer } from "@oauth2/testing"
 *
 * const main = async () => {
 *   const server = await TestServer.start({ ttl: { accessToken: 5 } })
 *   try {
 *     const metadata = await (await fetch(server.endpoints.discovery)).json()
 *     console.log(metadata.issuer === server.issuer) // true
 *   } finally {
 *     await server.stop()
 *   }
 * }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const start = (options: Options = {}): Promise<StartedTestServer> => internal.start(options)

const toError =
  (operation: TestServerError["operation"]) =>
  (cause: unknown): TestServerError =>
    TestServerError({ operation, message: cause instanceof Error ? cause.message : String(cause), cause })

/**
 * Starts a test server in the current scope; it stops when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<TestServer, TestServerError, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(Effect.tryPromise({ try: () => internal.start(options), catch: toError("start") }), (server) =>
      Effect.promise(() => server.stop())
    ),
    (server): TestServer => ({
      issuer: server.issuer,
      endpoints: server.endpoints,
      clients: server.clients,
      users: server.users,
      resource: server.resource,
      resourceScopes: server.resourceScopes,
      ...(server.protectedResource === undefined ? {} : { protectedResource: server.protectedResource }),
      ...(server.mtls === undefined ? {} : { mtls: server.mtls }),
      authorize: (url, options) => Effect.tryPromise({ try: () => server.authorize(url, options), catch: toError("authorize") }),
      endSession: (url, options) => Effect.tryPromise({ try: () => server.endSession(url, options), catch: toError("endSession") }),
      approveDevice: (userCode, options) =>
        Effect.tryPromise({ try: () => server.approveDevice(userCode, options), catch: toError("approveDevice") }),
      denyDevice: (userCode) => Effect.tryPromise({ try: () => server.denyDevice(userCode), catch: toError("denyDevice") }),
      approveCiba: (authReqId) => Effect.tryPromise({ try: () => server.approveCiba(authReqId), catch: toError("approveCiba") }),
      denyCiba: (authReqId) => Effect.tryPromise({ try: () => server.denyCiba(authReqId), catch: toError("denyCiba") }),
      slowDown: (polls) => Effect.sync(() => server.slowDown(polls)),
      failNext: (endpoint, fault, options) => Effect.sync(() => server.failNext(endpoint, fault, options)),
      clearFaults: Effect.sync(() => server.clearFaults()),
      requests: (endpoint) => Effect.sync(() => server.requests(endpoint)),
      rotateSigningKey: (options) => Effect.tryPromise({ try: () => server.rotateSigningKey(options), catch: toError("rotateSigningKey") })
    })
  )

// -----------------------------------------------------------------------------
// layers
// -----------------------------------------------------------------------------

/**
 * A scoped layer: the server starts when the layer is built and stops when its scope closes. Build it once per
 * test file (e.g. with `it.layer`) — it starts in well under a second, on its own port, with its own keys.
 *
 * @example
 * ```ts
 * import { TestServer } from "@oauth2/testing"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const server = yield* TestServer.TestServer
 *   const response = yield* Effect.promise(() => fetch(server.endpoints.discovery))
 *   return response.status
 * })
 *
 * const TestServerLive = TestServer.layer({ issuerPath: "/oidc" })
 * Effect.runPromise(Effect.provide(program, TestServerLive)).then(console.log) // 200
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<TestServer, TestServerError> => Layer.scoped(TestServer, make(options))
