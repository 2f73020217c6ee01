/**
 * A loopback node:http server that serves an `@effect/platform` `HttpApp` through `HttpApp.toWebHandler` (node
 * requests converted to web `Request`s and back), for tests: `@effect/platform-node` is not needed.
 *
 * @internal
 */
import * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import type { HttpListener } from "../HttpListener.js"

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

const toWebRequest = async (req: IncomingMessage, origin: string): Promise<Request> => {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v)
  }
  const method = req.method ?? "GET"
  const body = method === "GET" || method === "HEAD" ? undefined : await readBody(req)
  return new Request(new URL(req.url ?? "/", origin), { method, headers, ...(body === undefined ? {} : { body: new Uint8Array(body) }) })
}

const writeWebResponse = async (res: ServerResponse, response: Response): Promise<void> => {
  const headers: Record<string, string | Array<string>> = {}
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value
  })
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) headers["set-cookie"] = cookies
  res.writeHead(response.status, headers)
  res.end(Buffer.from(await response.arrayBuffer()))
}

/** @internal */
export const make: Effect.Effect<HttpListener, never, Scope.Scope> = Effect.acquireRelease(
  Effect.promise(async () => {
    let handler: ((request: Request) => Promise<Response>) | undefined
    let requests = 0
    const server = createServer((req, res) => {
      requests++
      if (handler === undefined) {
        res.writeHead(503, { "content-type": "text/plain" })
        res.end("no app served yet")
        return
      }
      const run = handler
      toWebRequest(req, origin)
        .then(run)
        .then((response) => writeWebResponse(res, response))
        .catch((error: unknown) => {
          if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" })
          res.end(error instanceof Error ? error.message : String(error))
        })
    })
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject)
      server.listen(0, "127.0.0.1", () => {
        server.off("error", reject)
        resolve()
      })
    })
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const listener: HttpListener & { readonly close: () => Promise<void> } = {
      url: origin,
      serve: <E>(app: HttpApp.Default<E, Scope.Scope>) =>
        Effect.sync(() => {
          handler = HttpApp.toWebHandler(app as Effect.Effect<HttpServerResponse.HttpServerResponse, E, never>)
        }),
      requests: Effect.sync(() => requests),
      close: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        })
    }
    return listener
  }),
  (listener) => Effect.promise(() => (listener as HttpListener & { readonly close: () => Promise<void> }).close())
)
