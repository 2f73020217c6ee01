/**
 * The scripted browser at the end-session endpoint (OpenID Connect RP-Initiated Logout): the logout confirmation
 * page is answered (yes, or no), and the walk ends where the browser leaves the server (the client's
 * post_logout_redirect_uri) or at the server's "signed out" page.
 *
 * @internal
 */
import { forms, marker } from "./html.js"
import { excerpt, type Jar, send } from "./userAgent.js"

const isRedirect = (status: number) => status === 301 || status === 302 || status === 303 || status === 307 || status === 308

/** @internal */
export const endSession = async (jar: Jar, start: URL, isOwn: (url: URL) => boolean, confirm: boolean): Promise<string> => {
  let next: { url: URL; form?: ReadonlyArray<readonly [string, string]> | undefined } = { url: start }
  for (let step = 0; step < 10; step++) {
    const response = await send(jar, next.url, next.form === undefined ? {} : { form: next.form, accept: "text/html" })
    if (isRedirect(response.status)) {
      await response.body?.cancel()
      const location = response.headers.get("location")
      if (location === null) throw new Error(`redirect without location from ${next.url.href}`)
      const target = new URL(location, next.url)
      if (!isOwn(target)) return target.href
      next = { url: target }
      continue
    }
    const body = await response.text()
    if (response.status !== 200) {
      throw new Error(
        `the logout did not complete: HTTP ${response.status} at ${next.url.href}: ${marker(body, "error") ?? ""} ${
          marker(body, "error-description") ?? excerpt(body)
        }`.replace(/\s+/g, " ")
      )
    }
    const kind = marker(body, "page")
    if (kind === "logout-success") return next.url.href
    const found = forms(body, next.url.href)
    // the confirmation page of a signed-in end-user: "Yes" posts the form with logout=yes, "No" without it
    const confirmation = kind === "logout" ? found.find((f) => f.id === "op.logoutForm") : undefined
    if (confirmation !== undefined) {
      next = { url: new URL(confirmation.action), form: [...confirmation.fields, ...(confirm ? ([["logout", "yes"]] as const) : [])] }
      continue
    }
    // no session: the provider answers a self-submitting form to the confirmation endpoint
    const auto = found.find((f) => isOwn(new URL(f.action)))
    if (auto !== undefined) {
      next = { url: new URL(auto.action), form: auto.fields }
      continue
    }
    throw new Error(`unexpected page during logout at ${next.url.href}: ${excerpt(body)}`)
  }
  throw new Error("too many steps during logout (redirect loop?)")
}
