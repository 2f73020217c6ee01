/**
 * A small protected resource (RFC 9728) served by the test server on its own origin when asked for: a 401 with
 * `WWW-Authenticate: Bearer resource_metadata="..."` without a valid token, its metadata document at the well-known
 * URL, and a JSON answer for a JWT access token (RFC 9068) this server signed for its resource (`aud`).
 *
 * @internal
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import * as jose from "jose"
import type { ProtectedResourceOptions } from "../TestServer.js"
import { toPublicJwk } from "./keys.js"
import type { ServerState } from "./state.js"

/** @internal */
export interface ProtectedResourceConfig {
  /** The path of the resource on the server's origin, e.g. `/mcp`. */
  readonly path: string
  /** The resource identifier: origin + path. */
  readonly resource: string
  readonly metadataUrl: string
  readonly scopes: ReadonlyArray<string>
  readonly authorizationServers: ReadonlyArray<string>
  /** The `resource` the metadata document claims (the identifier, unless a test asks for a wrong one). */
  readonly advertisedResource: string
}

/** @internal */
export const configure = (
  origin: string,
  issuer: string,
  scopes: ReadonlyArray<string>,
  options: ProtectedResourceOptions
): ProtectedResourceConfig => {
  const raw = options.path ?? "/mcp"
  const path = `/${raw.replace(/^\/+/, "")}`
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(path)) throw new Error(`invalid protectedResource.path ${JSON.stringify(raw)}`)
  const resource = origin + path
  return {
    path,
    resource,
    metadataUrl: `${origin}/.well-known/oauth-protected-resource${path}`,
    scopes: options.scopes ?? scopes,
    authorizationServers: options.authorizationServers ?? [issuer],
    advertisedResource: options.advertisedResource ?? resource
  }
}

const write = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers })
  res.end(JSON.stringify(body))
}

const verify = async (state: ServerState, config: ProtectedResourceConfig, token: string): Promise<jose.JWTPayload | undefined> => {
  try {
    const keys = jose.createLocalJWKSet({ keys: state.signingKeys.map((k) => toPublicJwk(k)) as Array<jose.JWK> })
    const { payload } = await jose.jwtVerify(token, keys, { issuer: state.issuer, typ: "at+jwt", audience: config.resource })
    return typeof payload.jti === "string" && !state.revokedJwtAccessTokens.has(payload.jti) ? payload : undefined
  } catch {
    return undefined
  }
}

/** Serves the request when it is for the protected resource or its metadata; `false` otherwise. @internal */
export const handle = async (
  state: ServerState,
  config: ProtectedResourceConfig,
  req: IncomingMessage,
  res: ServerResponse,
  path: string
): Promise<boolean> => {
  if (path === `/.well-known/oauth-protected-resource${config.path}`) {
    write(res, 200, {
      resource: config.advertisedResource,
      authorization_servers: config.authorizationServers,
      scopes_supported: config.scopes,
      bearer_methods_supported: ["header"],
      resource_name: "oauth2 test protected resource"
    })
    return true
  }
  if (path !== config.path) return false
  for await (const _ of req) void _
  const authorization = req.headers["authorization"] ?? ""
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization)
  const challenge = `Bearer resource_metadata="${config.metadataUrl}"`
  if (match === null) {
    write(res, 401, { error: "unauthorized" }, { "www-authenticate": challenge })
    return true
  }
  const claims = await verify(state, config, match[1]!)
  if (claims === undefined) {
    write(res, 401, { error: "invalid_token" }, { "www-authenticate": `${challenge}, error="invalid_token"` })
    return true
  }
  write(res, 200, { resource: config.resource, sub: claims.sub, client_id: claims["client_id"], scope: claims["scope"] })
  return true
}
