/**
 * A scripted browser: `fetch` with a cookie jar and manual redirects. It walks the provider's pages the way a user
 * would (login, consent, device code entry) and stops where the browser would leave the server (the redirect to the
 * client's redirect_uri), without following it.
 *
 * @internal
 */
import { forms, marker } from "./html.js"

interface Cookie {
  readonly name: string
  readonly value: string
  readonly path: string
}

/** @internal */
export interface Jar {
  readonly cookies: Map<string, Cookie>
}

/** @internal */
export const makeJar = (): Jar => ({ cookies: new Map() })

const store = (jar: Jar, url: URL, headers: Headers): void => {
  for (const line of headers.getSetCookie()) {
    const [pair = "", ...attributes] = line.split(";")
    const eq = pair.indexOf("=")
    if (eq <= 0) continue
    const name = pair.slice(0, eq).trim()
    const value = pair.slice(eq + 1).trim()
    let path = url.pathname.replace(/\/[^/]*$/, "") || "/"
    let expired = value === ""
    for (const attribute of attributes) {
      const [key = "", ...rest] = attribute.split("=")
      const v = rest.join("=").trim()
      switch (key.trim().toLowerCase()) {
        case "path":
          path = v || "/"
          break
        case "expires":
          expired ||= Date.parse(v) <= Date.now()
          break
        case "max-age":
          expired ||= Number(v) <= 0
          break
      }
    }
    const key = `${name};${path}`
    if (expired) jar.cookies.delete(key)
    else jar.cookies.set(key, { name, value, path })
  }
}

const pathMatches = (requestPath: string, cookiePath: string): boolean =>
  requestPath === cookiePath || (requestPath.startsWith(cookiePath) && (cookiePath.endsWith("/") || requestPath[cookiePath.length] === "/"))

const cookieHeader = (jar: Jar, url: URL): string =>
  [...jar.cookies.values()]
    .filter((c) => pathMatches(url.pathname, c.path))
    .sort((a, b) => b.path.length - a.path.length)
    .map((c) => `${c.name}=${c.value}`)
    .join("; ")

/** One request: cookies in, cookies out, redirects not followed. @internal */
export const send = async (
  jar: Jar,
  url: URL,
  init: { readonly method?: string; readonly form?: ReadonlyArray<readonly [string, string]>; readonly accept?: string } = {}
): Promise<Response> => {
  const headers = new Headers({ accept: init.accept ?? "application/json, text/html;q=0.9" })
  const cookie = cookieHeader(jar, url)
  if (cookie !== "") headers.set("cookie", cookie)
  let body: string | undefined
  if (init.form !== undefined) {
    headers.set("content-type", "application/x-www-form-urlencoded")
    body = new URLSearchParams(init.form.map(([k, v]) => [k, v])).toString()
  }
  const response = await fetch(url, {
    method: init.method ?? (body === undefined ? "GET" : "POST"),
    headers,
    redirect: "manual",
    ...(body === undefined ? {} : { body })
  })
  store(jar, url, response.headers)
  return response
}

/** Where the walk ended. @internal */
export type Outcome =
  | { readonly _tag: "LeftServer"; readonly location: string }
  | { readonly _tag: "Page"; readonly url: string; readonly status: number; readonly contentType: string; readonly body: string }

/** What to answer at the interaction prompts. @internal */
export interface Script {
  readonly accountId: (details: InteractionPage) => string
  readonly consent: "approve" | "deny"
}

/** The JSON the interaction route answers. @internal */
export interface InteractionPage {
  readonly uid: string
  readonly prompt: string
  readonly params: Record<string, unknown>
  readonly session: string | null
  readonly actions: { readonly login: string; readonly confirm: string; readonly abort: string }
}

const isRedirect = (status: number) => status === 301 || status === 302 || status === 303 || status === 307 || status === 308

/** @internal */
export const excerpt = (body: string, max = 300): string => {
  const text = body
    .replace(/<style[\s\S]*?<\/style>|<script[\s\S]*?<\/script>/gi, "")
    .replace(/\s+/g, " ")
    .trim()
  return text.length > max ? `${text.slice(0, max)}…` : text
}

/**
 * Walks from `start`: follows redirects that stay on the server, answers interaction prompts per `script`, and
 * returns when a redirect leaves the server or a page that is not an interaction prompt is reached. A `form_post`
 * authorization response (an auto-submitting form whose action leaves the server) is returned as `LeftServer` with
 * the form fields in the query of the action URL.
 *
 * @internal
 */
export const walk = async (
  jar: Jar,
  start: { readonly url: URL; readonly form?: ReadonlyArray<readonly [string, string]> },
  isOwn: (url: URL) => boolean,
  script: Script
): Promise<Outcome> => {
  let next: { url: URL; form?: ReadonlyArray<readonly [string, string]> | undefined } = start
  for (let step = 0; step < 30; step++) {
    const response = await send(jar, next.url, next.form === undefined ? {} : { form: next.form })
    if (isRedirect(response.status)) {
      await response.body?.cancel()
      const location = response.headers.get("location")
      if (location === null) throw new Error(`redirect without location from ${next.url.href}`)
      const target = new URL(location, next.url)
      if (!isOwn(target)) return { _tag: "LeftServer", location: target.href }
      next = { url: target }
      continue
    }
    const contentType = response.headers.get("content-type") ?? ""
    const body = await response.text()
    if (response.status === 200 && contentType.includes("json") && /\/interaction\/[^/]+$/.test(next.url.pathname)) {
      const details = JSON.parse(body) as InteractionPage
      if (details.prompt === "login") {
        next = { url: new URL(details.actions.login), form: [["login", script.accountId(details)]] }
      } else if (details.prompt === "consent") {
        next = { url: new URL(script.consent === "approve" ? details.actions.confirm : details.actions.abort), form: [] }
      } else {
        throw new Error(`unexpected interaction prompt ${details.prompt}`)
      }
      continue
    }
    if (contentType.includes("html")) {
      const post = forms(body, next.url.href).find((f) => f.id === undefined && !isOwn(new URL(f.action)))
      if (post !== undefined && marker(body, "page") === undefined) {
        const target = new URL(post.action)
        for (const [k, v] of post.fields) target.searchParams.append(k, v)
        return { _tag: "LeftServer", location: target.href }
      }
    }
    return { _tag: "Page", url: next.url.href, status: response.status, contentType, body }
  }
  throw new Error("too many steps (redirect loop?)")
}
