/**
 * The loopback redirect of `oauth2 login` (RFC 8252 section 7.3): an HTTP server on 127.0.0.1 (a free port unless
 * one is given) that waits for the one request to `/callback`, and a way to open the default browser.
 *
 * @internal
 */
import { spawn } from "node:child_process"
import { createServer, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Scope from "effect/Scope"
import type * as Cli from "../Cli.js"
import { loginFailed } from "./errors.js"

/** The redirect as received; `respond` answers the browser, once. */
export interface Callback {
  readonly url: string
  readonly respond: (status: number, html: string) => Effect.Effect<void>
}

/** A listening loopback server. */
export interface Loopback {
  readonly redirectUri: string
  /** Completes with the first request to `/callback` that carries the expected state (see `expectState`). */
  readonly callback: Effect.Effect<Callback>
  /**
   * The state of the authorization request: a request to `/callback` without it (a stray or hostile page probing
   * loopback ports) is answered 400 and does not end the wait.
   */
  readonly expectState: (state: string | undefined) => void
}

const answer = (res: ServerResponse, status: number, html: string) => {
  if (res.writableEnded) return
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", connection: "close" })
  res.end(html)
}

/** Listens on 127.0.0.1:`port` (0: a free port) until the scope closes. */
export const listen = (port: number): Effect.Effect<Loopback, Cli.LoginFailed, Scope.Scope> =>
  Effect.gen(function* () {
    const received = yield* Deferred.make<Callback>()
    let done = false
    let expected: string | undefined
    const server = createServer((req, res) => {
      const path = (req.url ?? "/").split("?")[0]
      if (req.method !== "GET" || path !== "/callback") return answer(res, 404, page("Not found", "This is the redirect of oauth2 login."))
      const address = server.address() as AddressInfo
      const url = `http://127.0.0.1:${address.port}${req.url ?? "/"}`
      if (done) return answer(res, 409, page("Already done", "oauth2 login has already received its redirect."))
      const params = new URL(url).searchParams
      // a JARM response carries its state inside the JWT: the callback checks it
      if (expected !== undefined && params.get("state") !== expected && !params.has("response")) {
        return answer(res, 400, page("Not this sign-in", "This redirect does not carry the state of the sign-in that oauth2 login is waiting for."))
      }
      done = true
      Deferred.unsafeDone(received, Exit.succeed({ url, respond: (status, html) => Effect.sync(() => answer(res, status, html)) }))
    })
    yield* Effect.acquireRelease(
      Effect.async<void, Cli.LoginFailed>((resume) => {
        server.once("error", (error) => resume(Effect.fail(loginFailed("listen", `cannot listen on 127.0.0.1:${port}: ${error.message}`, error))))
        server.listen(port, "127.0.0.1", () => resume(Effect.void))
      }),
      () =>
        Effect.async<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )
    const { port: bound } = server.address() as AddressInfo
    return {
      redirectUri: `http://127.0.0.1:${bound}/callback`,
      callback: Deferred.await(received),
      expectState: (state) => {
        expected = state
      }
    }
  })

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c)

/** A minimal HTML page. */
export const page = (title: string, text: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>` +
  `<body style="font-family: sans-serif; margin: 3em"><h1>${escape(title)}</h1><p>${escape(text)}</p></body></html>`

/**
 * Opens `url` in the default browser (xdg-open, open, or the URL handler on Windows); answers `false` when the opener could not be started.
 */
export const openBrowser = (url: string): Effect.Effect<boolean> =>
  Effect.async<boolean>((resume) => {
    const [command, args] =
      process.platform === "darwin"
        ? ["open", [url]]
        : process.platform === "win32"
          ? // not through cmd: its quoting rules would let characters of the URL run commands
            ["rundll32", ["url.dll,FileProtocolHandler", url]]
          : ["xdg-open", [url]]
    try {
      const child = spawn(command, args, { stdio: "ignore", detached: true })
      child.once("error", () => resume(Effect.succeed(false)))
      child.once("spawn", () => {
        child.unref()
        resume(Effect.succeed(true))
      })
    } catch {
      resume(Effect.succeed(false))
    }
  })
