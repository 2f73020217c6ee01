/**
 * The single-page app in real headless Chromium (Debian's `chromium`, driven by playwright-core; nothing is
 * downloaded) against `@oauth2/testing` with CORS: sign in as a user would (type the user name and password, click),
 * consent, land back in the app, which validates the callback and the ID token and calls the protected API; renew the
 * token (the refresh token rotates); reload (still signed in); sign out (revocation + RP-initiated logout).
 */
import { mkdirSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { chromium, type Browser, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { bundle as browserBundle, entryPoints } from "../../../scripts/browser-bundle.mjs"
import { keys } from "../src/config.js"
import { passwords, type Running, start } from "../server.js"

const executablePath = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium"
const artifacts = fileURLToPath(new URL("../artifacts/", import.meta.url))

let app: Running
/** Playwright starts Chromium with a fresh temporary profile (user data dir) and removes it on close. */
let browser: Browser

beforeAll(async () => {
  app = await start()
  browser = await chromium.launch({
    executablePath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync"
    ]
  })
})

afterAll(async () => {
  await browser?.close()
  await app?.stop()
})

/** The app's state (`data-state` of `#app`) once it has settled. */
const settled = async (page: Page, state: "signed-in" | "signed-out" | "error") => {
  await page.waitForSelector(`#app[data-state="${state}"], #app[data-state="error"]`, { timeout: 30_000 })
  const actual = await page.getAttribute("#app", "data-state")
  if (actual !== state) expect.fail(`the app is in state ${actual} (${await page.textContent("#error")}), not ${state}`)
}

/** The serialized token's refresh token, as kept in sessionStorage. */
const storedRefreshToken = async (page: Page): Promise<string | undefined> => {
  const serialized = await page.evaluate((key) => sessionStorage.getItem(key), keys.token)
  return serialized === null ? undefined : (JSON.parse(Buffer.from(serialized, "base64url").toString("utf8")).refresh_token as string)
}

const refresh = (refreshToken: string) =>
  fetch(app.server.endpoints.token, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: app.config.clientId })
  }).then((r) => r.json())

describe("the single-page app in headless Chromium", () => {
  it("core, http and flows bundle for the browser without Node built-ins", async () => {
    for (const entry of entryPoints) expect((await browserBundle(entry)).nodeImports, entry).toEqual([])
  })

  it("signs in, calls the API, renews, survives a reload, signs out", async () => {
    const context = await browser.newContext({ viewport: { width: 900, height: 640 } })
    const page = await context.newPage()
    const consoleErrors: Array<string> = []
    page.on("pageerror", (error) => consoleErrors.push(error.message))

    await page.goto(app.url)
    await settled(page, "signed-out")

    // to the Authorization Server's sign-in page: a wrong password first, then the right one, typed
    await page.click("#login")
    await page.waitForURL((url) => url.href.startsWith(app.server.issuer))
    await page.fill('input[name="login"]', "alice")
    await page.fill('input[name="password"]', "not-the-password")
    await page.click('button:has-text("Sign in")')
    await expect(page.locator('[role="alert"]').textContent()).resolves.toContain("Wrong user name or password")
    await page.fill('input[name="login"]', "alice")
    await page.fill('input[name="password"]', passwords.alice)
    await page.click('button:has-text("Sign in")')
    // consent
    await page.click('button:has-text("Allow")')

    // back in the app: the callback and the ID token validated, the API called with the access token
    await page.waitForURL((url) => url.href.startsWith(app.url))
    await settled(page, "signed-in")
    expect(new URL(page.url()).pathname).toBe("/")
    await expect(page.textContent("#user-name")).resolves.toBe("Alice Example")
    await expect(page.textContent("#user-sub")).resolves.toBe("alice")
    await expect(page.textContent("#user-iss")).resolves.toBe(app.server.issuer)
    const answer = JSON.parse((await page.textContent("#api")) ?? "")
    expect(answer).toMatchObject({ sub: "alice", client_id: "spa", message: expect.stringContaining("protected API") })
    expect(answer.scope.split(" ")).toContain("api:read")
    // the pending request is gone, the token is kept
    await expect(page.evaluate((key) => sessionStorage.getItem(key), keys.pending)).resolves.toBeNull()
    const firstRefreshToken = await storedRefreshToken(page)
    expect(firstRefreshToken).toMatch(/.+/)

    mkdirSync(artifacts, { recursive: true })
    await page.screenshot({ path: join(artifacts, "logged-in.png") })

    // renew: the refresh token rotates, and the API accepts the new access token
    await page.click("#renew")
    await page.waitForFunction(() => document.getElementById("renewals")?.textContent === "1")
    await settled(page, "signed-in")
    const secondRefreshToken = await storedRefreshToken(page)
    expect(secondRefreshToken).toMatch(/.+/)
    expect(secondRefreshToken).not.toBe(firstRefreshToken)
    expect(JSON.parse((await page.textContent("#api")) ?? "")).toMatchObject({ sub: "alice" })

    // reload: still signed in (token from sessionStorage, its ID token validated again), the API called again
    await page.evaluate(() => (document.getElementById("api")!.textContent = ""))
    await page.reload()
    await settled(page, "signed-in")
    await expect(page.textContent("#user-name")).resolves.toBe("Alice Example")
    expect(JSON.parse((await page.textContent("#api")) ?? "")).toMatchObject({ sub: "alice" })

    // sign out: refresh token revoked, RP-initiated logout confirmed at the server, back to the app signed out
    await page.click("#logout")
    await page.waitForURL((url) => url.href.startsWith(app.server.issuer))
    await page.click('button:has-text("Yes")')
    await page.waitForURL((url) => url.href.startsWith(app.url))
    await settled(page, "signed-out")
    await expect(page.evaluate(() => sessionStorage.length)).resolves.toBe(0)
    await expect(refresh(secondRefreshToken!)).resolves.toMatchObject({ error: "invalid_grant" })

    // signed out at the server too: signing in again asks for the password
    await page.click("#login")
    await page.waitForSelector('input[name="password"]')

    expect(consoleErrors).toEqual([])
    await context.close()
  })

  it("refuses a callback whose state is not the pending request's", async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(app.url)
    await settled(page, "signed-out")
    await page.click("#login")
    await page.waitForURL((url) => url.href.startsWith(app.server.issuer))
    // a forged callback (another request's answer) lands in the tab that has a pending request
    await page.goto(`${app.url}/callback?code=forged&state=forged&iss=${encodeURIComponent(app.server.issuer)}`)
    await settled(page, "error")
    await expect(page.textContent("#error")).resolves.toMatch(/^MismatchingState/)
    await expect(page.evaluate((key) => sessionStorage.getItem(key), keys.token)).resolves.toBeNull()
    await context.close()
  })

  it("the API refuses a request without a valid bearer token", async () => {
    const none = await fetch(`${app.config.api}/profile`)
    expect(none.status).toBe(401)
    expect(none.headers.get("www-authenticate")).toBe(`Bearer error="invalid_token"`)
    const forged = await fetch(`${app.config.api}/profile`, { headers: { authorization: "Bearer eyJhbGciOiJub25lIn0.e30." } })
    expect(forged.status).toBe(401)
  })
})
