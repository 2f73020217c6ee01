/**
 * The state one test server owns: options resolved to values, users, client metadata, storage and keys.
 *
 * @internal
 */
import type * as Oidc from "oidc-provider"
import type { Jwk } from "./keys.js"

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
  readonly issuer: string
  readonly issuerPath: string
  readonly features: ResolvedFeatures
  readonly ttl: ResolvedTtl
  readonly rotateRefreshToken: boolean
  readonly requirePkce: boolean
  readonly accessTokenFormat: "jwt" | "opaque"
  readonly resource: string
  readonly resourceScopes: ReadonlyArray<string>
  readonly users: ReadonlyMap<string, TestUser>
  readonly clients: ReadonlyArray<Record<string, unknown>>
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
  resource === state.resource
    ? {
        scope: state.resourceScopes.join(" "),
        audience: state.resource,
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
