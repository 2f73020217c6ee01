/**
 * Everything the single-page app needs, on loopback ports: the app itself (bundled with esbuild, served with its
 * `/config.json`), the Authorization Server (`@oauth2/testing`'s TestServer with CORS, the app's public client and a
 * sign-in page that asks for a password) and a small protected API (checks the bearer JWT access token, answers JSON
 * with CORS headers).
 *
 * `npm run example:spa` starts them and prints the app's URL; the test (`test/spa.test.ts`) starts them too.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"
import { readFile } from "node:fs/promises"
import { TestServer } from "@oauth2/testing"
import * as esbuild from "esbuild"
import * as jose from "jose"
import type { Config } from "./src/config.js"

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

/** The test users' passwords on the sign-in page. */
export const passwords = { alice: "wonderland", bob: "builder" } as const

/** Bundles the app for the browser (esbuild: ES modules, minified, the library resolved to its TypeScript sources). */
export const bundle = async (): Promise<Uint8Array> => {
  const result = await esbuild.build({
    entryPoints: [here("./src/app.ts")],
    bundle: true,
    write: false,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: true,
    conditions: ["@oauth2/source"],
    logLevel: "silent"
  })
  if (result.warnings.length > 0) throw new Error(`esbuild: ${result.warnings.map((w) => w.text).join("; ")}`)
  return result.outputFiles[0]!.contents
}

const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve())
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })

/** Serves the app: `/app.js`, `/config.json`, and `index.html` for every other path (`/`, `/callback`). */
const serveApp = async (script: Uint8Array, config: () => Config | undefined) => {
  const html = await readFile(here("./index.html"))
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname
    const send = (type: string, body: string | Uint8Array) => {
      res.writeHead(200, { "content-type": type, "cache-control": "no-store" })
      res.end(body)
    }
    if (path === "/app.js") return send("text/javascript; charset=utf-8", script)
    if (path === "/config.json") return send("application/json", JSON.stringify(config() ?? {}))
    if (path === "/favicon.ico") return res.writeHead(404).end()
    return send("text/html; charset=utf-8", html)
  })
  return { server, url: await listen(server) }
}

/**
 * The protected API: `GET /profile` with `Authorization: Bearer <JWT access token>` (RFC 9068, verified with the
 * server's keys: issuer, audience = the API's resource indicator, scope `api:read`) answers who called; anything else
 * is `401` with a `WWW-Authenticate: Bearer error="invalid_token"` challenge. CORS: only the app's origin.
 */
export const startApi = async (options: {
  readonly issuer: string
  readonly jwksUri: string
  readonly resource: string
  readonly origin: string
}) => {
  const jwks = jose.createRemoteJWKSet(new URL(options.jwksUri))
  const cors = {
    "access-control-allow-origin": options.origin,
    "access-control-expose-headers": "www-authenticate",
    vary: "origin"
  }
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === "OPTIONS") {
      res.writeHead(204, {
        ...cors,
        "access-control-allow-methods": "GET", // Effect's HttpClient also sends trace headers (traceparent, b3)
        "access-control-allow-headers": req.headers["access-control-request-headers"] ?? "authorization",
        "access-control-max-age": "600"
      })
      return res.end()
    }
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { ...cors, ...headers, "content-type": "application/json", "cache-control": "no-store" })
      res.end(JSON.stringify(body))
    }
    const path = new URL(req.url ?? "/", "http://localhost").pathname
    if (req.method !== "GET" || path !== "/profile") return json(404, { error: "not_found" })
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(req.headers.authorization ?? "")
    const refuse = (description: string) =>
      json(401, { error: "invalid_token", error_description: description }, { "www-authenticate": `Bearer error="invalid_token"` })
    if (match === null) return refuse("no bearer token")
    try {
      const { payload } = await jose.jwtVerify(match[1]!, jwks, { issuer: options.issuer, audience: options.resource, typ: "at+jwt" })
      const scopes = typeof payload["scope"] === "string" ? payload["scope"].split(" ") : []
      if (!scopes.includes("api:read"))
        return json(403, { error: "insufficient_scope" }, { "www-authenticate": `Bearer error="insufficient_scope", scope="api:read"` })
      return json(200, {
        message: `Hello ${payload.sub}, this answer comes from the protected API`,
        sub: payload.sub,
        client_id: payload["client_id"],
        scope: payload["scope"],
        expires_at: new Date((payload.exp ?? 0) * 1000).toISOString()
      })
    } catch (error) {
      return refuse(error instanceof Error ? error.message : "invalid token")
    }
  }
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(500, cors).end())
  })
  return { url: await listen(server), stop: () => close(server) }
}

/** What {@link start} runs. */
export interface Running {
  /** the app's URL */
  readonly url: string
  readonly config: Config
  readonly server: TestServer.StartedTestServer
  readonly stop: () => Promise<void>
}

/** Bundles the app and starts the app server, the Authorization Server and the API. */
export const start = async (options: TestServer.Options = {}): Promise<Running> => {
  let config: Config | undefined
  const app = await serveApp(await bundle(), () => config)
  const stops: Array<() => Promise<void>> = [() => close(app.server)]
  try {
    const server = await TestServer.start({
      spa: { redirectUri: `${app.url}/callback`, postLogoutRedirectUris: [`${app.url}/`] },
      corsOrigins: [app.url],
      passwordLogin: { passwords },
      ...options
    })
    stops.push(server.stop)
    const api = await startApi({ issuer: server.issuer, jwksUri: server.endpoints.jwks, resource: server.resource, origin: app.url })
    stops.push(api.stop)
    config = {
      issuer: server.issuer,
      clientId: server.clients.spa!.clientId,
      redirectUri: `${app.url}/callback`,
      postLogoutRedirectUri: `${app.url}/`,
      api: api.url,
      resource: server.resource,
      scope: "openid profile email api:read"
    }
    return { url: app.url, config, server, stop: () => Promise.all(stops.map((stop) => stop())).then(() => undefined) }
  } catch (error) {
    await Promise.all(stops.map((stop) => stop()))
    throw error
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const running = await start()
  console.log(`The single-page app runs at ${running.url}`)
  console.log(`Sign in as alice / ${passwords.alice} (or bob / ${passwords.bob}). Ctrl-C stops.`)
  process.once("SIGINT", () => void running.stop().then(() => process.exit(0)))
}
