/**
 * Mutual TLS for the test server (RFC 8705), opt-in: certificates generated at each start with the `openssl` command
 * (a CA, the server's certificate for 127.0.0.1, client certificates; in a temporary directory removed at once, kept
 * in memory only), an https listener on loopback that asks for a client certificate and serves the provider's
 * endpoints there (advertised as `mtls_endpoint_aliases`), and a small resource server on it that checks the
 * certificate binding (`cnf.x5t#S256`) of the access tokens it is given.
 *
 * @internal
 */
import { execFile } from "node:child_process"
import { createHash, X509Certificate } from "node:crypto"
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { createServer as createHttpsServer, type Server } from "node:https"
import type { IncomingMessage, ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { TLSSocket } from "node:tls"
import * as jose from "jose"
import type * as Oidc from "oidc-provider"

/** @internal */
export interface Pem {
  readonly cert: string
  readonly key: string
}

/** @internal */
export interface Certificates {
  readonly ca: Pem
  readonly server: Pem
  /** CA-signed, subject `CN=tls-client-auth` */
  readonly tlsClient: Pem
  /** self-signed, registered in the JWKS of `self-signed-tls-client-auth` */
  readonly selfSigned: Pem
  /** CA-signed, subject `CN=fapi2` (the FAPI 2.0 client's certificate, for bound tokens) */
  readonly fapi: Pem
  /** CA-signed, subject `CN=someone-else`: registered nowhere */
  readonly other: Pem
}

const run = (args: ReadonlyArray<string>, cwd: string): Promise<void> =>
  new Promise((resolve, reject) =>
    execFile("openssl", [...args], { cwd }, (error, _stdout, stderr) =>
      error === null
        ? resolve()
        : reject(
            (error as NodeJS.ErrnoException).code === "ENOENT"
              ? new Error(`the openssl command is not installed (mutual TLS needs it for its certificates): ${error.message}`, { cause: error })
              : new Error(`openssl ${args[0]} failed (is the openssl command installed?): ${stderr || error.message}`, { cause: error })
          )
    )
  )

const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]

/** @internal */
export const generateCertificates = async (): Promise<Certificates> => {
  const dir = await mkdtemp(join(tmpdir(), "oauth2-testing-mtls-"))
  try {
    await run(["req", "-x509", ...newKey, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=oauth2 testing CA"], dir)
    const issued = async (name: string, subject: string, extensions: string): Promise<Pem> => {
      await run(["req", ...newKey, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject], dir)
      await writeFile(join(dir, `${name}.ext`), extensions)
      await run(
        ["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${name}.pem`, "-days", "2"].concat([
          "-extfile",
          `${name}.ext`
        ]),
        dir
      )
      return { cert: await readFile(join(dir, `${name}.pem`), "utf8"), key: await readFile(join(dir, `${name}.key`), "utf8") }
    }
    const ca = { cert: await readFile(join(dir, "ca.pem"), "utf8"), key: await readFile(join(dir, "ca.key"), "utf8") }
    // sequential: -CAcreateserial writes one serial file
    const server = await issued("server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    const tlsClient = await issued("client", "/CN=tls-client-auth", "extendedKeyUsage=clientAuth\n")
    const fapi = await issued("fapi", "/CN=fapi2", "extendedKeyUsage=clientAuth\n")
    const other = await issued("other", "/CN=someone-else", "extendedKeyUsage=clientAuth\n")
    await run(["req", "-x509", ...newKey, "-keyout", "self.key", "-out", "self.pem", "-days", "2", "-subj", "/CN=self-signed-tls-client-auth"], dir)
    const selfSigned = { cert: await readFile(join(dir, "self.pem"), "utf8"), key: await readFile(join(dir, "self.key"), "utf8") }
    return { ca, server, tlsClient, selfSigned, fapi, other }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** The public JWK of a certificate with its `x5c`, for a `self_signed_tls_client_auth` client's JWKS. @internal */
export const certificateJwk = async (pem: string): Promise<jose.JWK> => {
  const x509 = new X509Certificate(pem)
  const jwk = await jose.exportJWK(x509.publicKey)
  return { ...jwk, x5c: [x509.raw.toString("base64")] }
}

/** The RFC 8705 3.1 thumbprint of a certificate (`x5t#S256`). @internal */
export const thumbprint = (cert: X509Certificate): string => createHash("sha256").update(cert.raw).digest("base64url")

/** The client certificate of the request's TLS connection, if one was presented. @internal */
export const peerCertificate = (socket: unknown): X509Certificate | undefined => {
  const tls = socket as Partial<TLSSocket> | undefined
  if (tls === undefined || typeof tls.getPeerX509Certificate !== "function") return undefined
  return tls.getPeerX509Certificate() ?? undefined
}

/** The provider's mTLS feature: the certificate from the connection, CA-verified for `tls_client_auth`. @internal */
export const mtlsFeature = (ca: X509Certificate) => ({
  enabled: true,
  certificateBoundAccessTokens: true,
  tlsClientAuth: true,
  selfSignedTlsClientAuth: true,
  getCertificate: (ctx: Oidc.KoaContext) => peerCertificate(ctx.req.socket),
  certificateAuthorized: (ctx: Oidc.KoaContext) => {
    const cert = peerCertificate(ctx.req.socket)
    return cert !== undefined && cert.checkIssued(ca) && cert.verify(ca.publicKey)
  },
  certificateSubjectMatches: (ctx: Oidc.KoaContext, property: string, expected: string) => {
    const cert = peerCertificate(ctx.req.socket)
    return property === "tls_client_auth_subject_dn" && cert !== undefined && cert.subject.replace(/\n/g, ",") === expected
  }
})

/** Starts the https listener (client certificates asked for, verified by the provider, not by TLS). @internal */
export const listen = async (certificates: Certificates, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> => {
  const server = createHttpsServer(
    { cert: certificates.server.cert, key: certificates.server.key, ca: certificates.ca.cert, requestCert: true, rejectUnauthorized: false },
    handler
  )
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject)
      resolve()
    })
  })
  return server
}

/** The port of a listening server. @internal */
export const portOf = (server: Server): number => (server.address() as AddressInfo).port

/**
 * The resource server on the mTLS listener (`GET /resource`): a valid access token whose certificate binding
 * matches the presented certificate answers `{ sub, client_id, scope, cnf }`; anything else 401 `invalid_token`.
 *
 * @internal
 */
export const resource = async (
  req: IncomingMessage,
  res: ServerResponse,
  find: (token: string) => Promise<{ readonly claims: Record<string, unknown>; readonly bound: string | undefined } | undefined>
): Promise<void> => {
  const refuse = (description: string) => {
    res.writeHead(401, {
      "www-authenticate": `Bearer error="invalid_token", error_description="${description}"`,
      "content-type": "application/json",
      "cache-control": "no-store"
    })
    res.end(JSON.stringify({ error: "invalid_token", error_description: description }))
  }
  const header = req.headers.authorization ?? ""
  const match = /^Bearer ([\x21-\x7e]+)$/i.exec(header)
  if (match === null) return refuse("no bearer token")
  const found = await find(match[1]!)
  if (found === undefined) return refuse("unknown or expired access token")
  const cert = peerCertificate(req.socket)
  if (found.bound !== undefined && (cert === undefined || thumbprint(cert) !== found.bound)) {
    return refuse("the certificate does not match the token's binding (cnf x5t#S256)")
  }
  res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" })
  const { sub, client_id, scope } = found.claims
  res.end(JSON.stringify({ sub, client_id, scope, cnf: found.bound === undefined ? null : { "x5t#S256": found.bound } }))
}

// ---------------------------------------------------------------------------------------------------------------------
// the opt-in profiles of a test server: mTLS, JARM, FAPI 2.0
// ---------------------------------------------------------------------------------------------------------------------

/** What the provider configuration needs of the profiles. @internal */
export interface SecureProvider {
  readonly jarm: boolean
  readonly fapi2: boolean
  /** the mTLS listener's origin + issuer path, and the CA */
  readonly mtls: { readonly base: string; readonly ca: X509Certificate } | undefined
}

/** The endpoints served on the mTLS listener, by metadata name, with their route. */
const aliased = {
  token_endpoint: "/token",
  pushed_authorization_request_endpoint: "/request",
  userinfo_endpoint: "/me",
  introspection_endpoint: "/token/introspection",
  revocation_endpoint: "/token/revocation",
  device_authorization_endpoint: "/device/auth",
  backchannel_authentication_endpoint: "/backchannel"
} as const

/** Adds the profiles to a provider configuration (before the provider is built). @internal */
export const configure = (configuration: Oidc.Configuration, secure: SecureProvider | undefined): void => {
  if (secure === undefined) return
  const features = configuration.features as Record<string, unknown>
  if (secure.jarm) features["jwtResponseModes"] = { enabled: true }
  if (secure.fapi2) {
    features["fapi"] = {
      enabled: true,
      profile: (_ctx: unknown, client: { clientId?: string } | undefined) =>
        client?.clientId === "fapi2" || client?.clientId === "fapi2-dpop" ? "2.0" : undefined
    }
  }
  if (secure.mtls !== undefined) {
    features["mTLS"] = mtlsFeature(secure.mtls.ca)
    const configured = configuration as { clientAuthMethods?: Array<string> }
    configured.clientAuthMethods = [
      ...(configured.clientAuthMethods ?? ["client_secret_basic", "client_secret_jwt", "client_secret_post", "private_key_jwt", "none"]),
      "tls_client_auth",
      "self_signed_tls_client_auth"
    ]
    const routes = (configuration as { routes?: Record<string, string> }).routes ?? {}
    const mtlsBase = secure.mtls.base
    const route = (name: string, fallback: string) => mtlsBase + (routes[name] ?? fallback)
    const withDiscovery = configuration as { discovery?: Record<string, unknown> }
    withDiscovery.discovery = {
      ...withDiscovery.discovery,
      mtls_endpoint_aliases: {
        token_endpoint: route("token", aliased.token_endpoint),
        pushed_authorization_request_endpoint: route("pushed_authorization_request", aliased.pushed_authorization_request_endpoint),
        userinfo_endpoint: route("userinfo", aliased.userinfo_endpoint),
        introspection_endpoint: route("introspection", aliased.introspection_endpoint),
        revocation_endpoint: route("revocation", aliased.revocation_endpoint),
        device_authorization_endpoint: route("device_authorization", aliased.device_authorization_endpoint),
        backchannel_authentication_endpoint: route("backchannel_authentication", aliased.backchannel_authentication_endpoint)
      }
    }
  }
}

/** The answer of the test server's opt-in profiles at start: clients to register, what tests see, and how to stop. @internal */
export interface Setup {
  readonly provider: SecureProvider
  readonly clients: ReadonlyArray<Record<string, unknown>>
  readonly info: unknown
  readonly close: () => Promise<void>
}

/** A token found by the resource server. @internal */
export type FindToken = (token: string) => Promise<{ readonly claims: Record<string, unknown>; readonly bound: string | undefined } | undefined>

/**
 * Starts what the opt-in profiles need: certificates and the mTLS listener (mTLS or FAPI 2.0), and the clients:
 * `tls-client-auth`, `self-signed-tls-client-auth` (mTLS), `fapi2` (FAPI 2.0: private_key_jwt with the given key,
 * certificate-bound tokens, ES256 ID tokens and JARM responses, PAR required).
 *
 * @internal
 */
export const setup = async (options: {
  readonly mtls: boolean
  readonly jarm: boolean
  readonly fapi2: boolean
  /** DPoP is on: with `fapi2`, the client `fapi2-dpop` (DPoP-bound tokens instead of certificate-bound) */
  readonly dpop: boolean
  readonly issuerPath: string
  /** the registration every client shares (redirect URIs, grant types) */
  readonly common: Record<string, unknown>
  readonly clientSigningJwk: jose.JWK
  readonly forward: (req: IncomingMessage, res: ServerResponse) => void
  readonly find: FindToken
}): Promise<Setup | undefined> => {
  if (!options.mtls && !options.jarm && !options.fapi2) return undefined
  if (!options.mtls && !options.fapi2) {
    return { provider: { jarm: options.jarm, fapi2: false, mtls: undefined }, clients: [], info: undefined, close: () => Promise.resolve() }
  }
  const certificates = await generateCertificates()
  const server = await listen(certificates, (req, res) => {
    const path = (req.url ?? "/").split("?")[0]
    if (path === "/resource") {
      resource(req, res, options.find).catch(() => res.destroy())
      return
    }
    options.forward(req, res)
  })
  const origin = `https://127.0.0.1:${portOf(server)}`
  const bound = { tls_client_certificate_bound_access_tokens: true }
  const clients: Array<Record<string, unknown>> = [
    {
      ...options.common,
      ...bound,
      client_id: "tls-client-auth",
      token_endpoint_auth_method: "tls_client_auth",
      tls_client_auth_subject_dn: "CN=tls-client-auth"
    },
    {
      ...options.common,
      ...bound,
      client_id: "self-signed-tls-client-auth",
      token_endpoint_auth_method: "self_signed_tls_client_auth",
      jwks: { keys: [await certificateJwk(certificates.selfSigned.cert)] }
    }
  ]
  if (options.fapi2) {
    clients.push({
      ...options.common,
      ...bound,
      client_id: "fapi2",
      token_endpoint_auth_method: "private_key_jwt",
      token_endpoint_auth_signing_alg: "ES256",
      jwks: { keys: [options.clientSigningJwk] },
      id_token_signed_response_alg: "ES256",
      authorization_signed_response_alg: "ES256",
      request_object_signing_alg: "ES256",
      require_pushed_authorization_requests: true
    })
    if (options.dpop) {
      clients.push({
        ...options.common,
        client_id: "fapi2-dpop",
        token_endpoint_auth_method: "private_key_jwt",
        token_endpoint_auth_signing_alg: "ES256",
        jwks: { keys: [options.clientSigningJwk] },
        dpop_bound_access_tokens: true,
        id_token_signed_response_alg: "ES256",
        authorization_signed_response_alg: "ES256",
        require_pushed_authorization_requests: true
      })
    }
  }
  const pem = (p: Pem) => ({ cert: p.cert, key: p.key })
  return {
    provider: {
      jarm: options.jarm,
      fapi2: options.fapi2,
      mtls: { base: origin + options.issuerPath, ca: new X509Certificate(certificates.ca.cert) }
    },
    clients,
    info: {
      origin,
      ca: certificates.ca.cert,
      resource: `${origin}/resource`,
      certificates: {
        tlsClientAuth: pem(certificates.tlsClient),
        selfSignedTlsClientAuth: pem(certificates.selfSigned),
        fapi2: pem(certificates.fapi),
        other: pem(certificates.other)
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}

/** The access token lookup of the resource server: a JWT access token verified with the server's keys, or a stored one. @internal */
export const findToken =
  (issuer: string, signingKeys: () => ReadonlyArray<jose.JWK>, stored: (token: string) => Promise<Record<string, unknown> | undefined>): FindToken =>
  async (token) => {
    if (token.split(".").length === 3) {
      try {
        const keys = jose.createLocalJWKSet({
          keys: signingKeys().map(({ d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...k }) => k) as Array<jose.JWK>
        })
        const { payload } = await jose.jwtVerify(token, keys, { issuer, typ: "at+jwt" })
        const cnf = payload["cnf"] as { "x5t#S256"?: unknown } | undefined
        return { claims: payload as Record<string, unknown>, bound: typeof cnf?.["x5t#S256"] === "string" ? cnf["x5t#S256"] : undefined }
      } catch {
        return undefined
      }
    }
    const found = await stored(token)
    if (found === undefined) return undefined
    const bound = found["x5t#S256"]
    return {
      claims: { sub: found["accountId"], client_id: found["clientId"], scope: found["scope"] },
      bound: typeof bound === "string" ? bound : undefined
    }
  }
