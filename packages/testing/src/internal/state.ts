/**
 * The state one test server owns: options resolved to values, users, client metadata, storage and keys.
 *
 * @internal
 */
import type * as Oidc from "oidc-provider"
import type { Jwk } from "./keys.js"
import type { SecureProvider } from "./mtls.js"
import type { ProtectedResourceConfig } from "./protectedResource.js"

/** @internal */
export const GrantType = {
  authorizationCode: "authorization_code",
  refreshToken: "refresh_token",
  clientCredentials: "client_credentials",
  deviceCode: "urn:ietf:params:oauth:grant-type:device_code",
  ciba: "urn:openid:params:grant-type:ciba",
  tokenExchange: "urn:ietf:params:oauth:grant-type:token-exchange",
  jwtBearer: "urn:ietf:params:oauth:grant-type:jwt-bearer"
} as const

/** @internal */
export interface ResolvedFeatures {
  readonly clientCredentials: boolean
  readonly refreshToken: boolean
  readonly deviceFlow: boolean
  readonly ciba: boolean
  readonly pushedAuthorizationRequests: boolean
  readonly requirePushedAuthorizationRequests: boolean
  readonly requestObjects: boolean
  readonly introspection: boolean
  readonly revocation: boolean
  readonly userinfo: boolean
  readonly resourceIndicators: boolean
  readonly encryption: boolean
  readonly tokenExchange: boolean
  readonly jwtBearer: boolean
  /** DPoP (RFC 9449): off, or on with or without required nonces */
  readonly dpop: false | { readonly requireNonce: boolean }
  readonly registration: boolean
  readonly registrationManagement: boolean
}

/** @internal */
export interface ResolvedTtl {
  readonly accessToken: number
  readonly clientCredentials: number
  readonly authorizationCode: number
  readonly idToken: number
  readonly refreshToken: number
  readonly deviceCode: number
  readonly backchannelAuthenticationRequest: number
  readonly interaction: number
  readonly session: number
  readonly grant: number
}

/** @internal */
export interface TestUser {
  readonly sub: string
  readonly claims: Readonly<Record<string, unknown>>
}

/** @internal */
export interface ServerState {
  /** the opt-in mTLS, JARM and FAPI 2.0 settings (undefined: none) */
  readonly secure: SecureProvider | undefined
  /** OpenID Connect Back-Channel Logout is enabled (the `backchannelLogout` option). */
  readonly backchannelLogout: boolean
  readonly issuer: string
  readonly issuerPath: string
  readonly features: ResolvedFeatures
  readonly ttl: ResolvedTtl
  readonly rotateRefreshToken: boolean
  readonly requirePkce: boolean
  readonly accessTokenFormat: "jwt" | "opaque"
  readonly resource: string
  readonly resourceScopes: ReadonlyArray<string>
  /** the initial access token dynamic registration requires, if any */
  readonly initialAccessToken: string | undefined
  /** the protected resource (RFC 9728) served on the origin, if any; set once the port is known */
  protectedResource: ProtectedResourceConfig | undefined
  readonly users: ReadonlyMap<string, TestUser>
  readonly clients: ReadonlyArray<Record<string, unknown>>
  /** the origins allowed by CORS on client-authenticated endpoints; undefined: any */
  readonly corsOrigins: ReadonlyArray<string> | undefined
  /** clients that get a refresh token with every authorization code, without `offline_access` */
  readonly refreshTokenClients: ReadonlySet<string>
  /** `passwordLogin`: passwords by `sub`; undefined: the sign-in page lists the users */
  readonly passwords: ReadonlyMap<string, string> | undefined
  readonly adapter: unknown
  readonly cookieKeys: Array<string>
  /** Private signing keys, the first one of each `alg` signs. Replaced on rotation. */
  signingKeys: ReadonlyArray<Jwk>
  readonly encryptionKeys: ReadonlyArray<Jwk>
  /** `jti`s of revoked JWT access tokens (the provider does not store JWTs); kept across key rotations. */
  readonly revokedJwtAccessTokens: Set<string>
}

/** Scopes and the claims they release. @internal */
export const claimsByScope = {
  openid: ["sub"],
  profile: ["name", "given_name", "family_name", "preferred_username", "updated_at"],
  email: ["email", "email_verified"]
} as const

/** @internal */
export const oidcScopes: ReadonlyArray<string> = ["openid", "offline_access", "profile", "email"]

/** @internal */
export const resourceServerInfo = (state: ServerState, resource: string): Oidc.ResourceServerInfo | undefined =>
  resource === state.resource || resource === state.protectedResource?.resource
    ? {
        scope: (resource === state.resource ? state.resourceScopes : state.protectedResource!.scopes).join(" "),
        audience: resource,
        accessTokenTTL: state.ttl.accessToken,
        accessTokenFormat: state.accessTokenFormat,
        ...(state.accessTokenFormat === "jwt" ? { jwt: { sign: { alg: "RS256" } } } : {})
      }
    : undefined

/** The provider's route paths (relative to the issuer); set explicitly so the router and the config agree. @internal */
export const routes = {
  authorization: "/auth",
  backchannel_authentication: "/backchannel",
  code_verification: "/device",
  device_authorization: "/device/auth",
  end_session: "/session/end",
  introspection: "/token/introspection",
  jwks: "/jwks",
  pushed_authorization_request: "/request",
  registration: "/reg",
  revocation: "/token/revocation",
  token: "/token",
  userinfo: "/me"
} as const
