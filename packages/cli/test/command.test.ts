/**
 * The built `oauth2` executable (dist/bin.js, compiled here by `tsc -b`), run as a process against the embedded
 * Authorization Server of this test process: every command, every client authentication method, every exit code,
 * stdout carrying only the result, progress on stderr, no ANSI escapes on pipes, and `login` completed by headless
 * Chromium following the URL the command prints.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { TestServer } from "@oauth2/testing"
import { Redacted } from "effect"
import * as jose from "jose"
import { execFile, spawn } from "node:child_process"
import { createPrivateKey } from "node:crypto"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { chromium } from "playwright-core"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..")
const bin = join(root, "packages/cli/dist/bin.js")
const chromiumPath = "/usr/bin/chromium"

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs the built command; `onStderr` sees stderr as it grows (to answer what the command asks for). */
const oauth2 = (
  args: ReadonlyArray<string>,
  options: { readonly env?: Record<string, string>; readonly onStderr?: (stderr: string) => void } = {}
): Promise<Run> =>
  new Promise((resolvePromise, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, ...options.env }
    delete env["OAUTH2_CLIENT_ID"]
    if (options.env?.["OAUTH2_CLIENT_SECRET"] === undefined) delete env["OAUTH2_CLIENT_SECRET"]
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += String(chunk)))
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk)
      options.onStderr?.(stderr)
    })
    child.once("error", reject)
    child.once("close", (code) => resolvePromise({ code, stdout, stderr }))
  })

const noAnsi = (run: Run) => {
  expect(run.stdout).not.toContain("\u001b")
  expect(run.stderr).not.toContain("\u001b")
}

let server: TestServer.StartedTestServer
let dir: string

beforeAll(async () => {
  // the command as installed: compiled JavaScript (type errors are the type-check's business; tsc still emits)
  await new Promise<void>((done) =>
    execFile(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-b", "packages/cli/tsconfig.build.json"], { cwd: root }, () => done())
  )
  if (!existsSync(bin)) throw new Error(`the build did not produce ${bin}`)
  server = await TestServer.start({ features: { dpop: true } })
  dir = mkdtempSync(join(tmpdir(), "oauth2-cli-"))
}, 300_000)

afterAll(async () => {
  await server?.stop()
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

const client = (name: "clientSecretBasic" | "clientSecretPost" | "clientSecretJwt") => {
  const c = server.clients[name]
  return ["--issuer", server.issuer, "--allow-insecure-http", "--client-id", c.clientId, "--client-secret", Redacted.value(c.clientSecret)]
}

const privateKeyFiles = () => {
  const jwk = Redacted.value(server.clients.privateKeyJwt.privateJwk)
  const jwkFile = join(dir, "key.json")
  const pemFile = join(dir, "key.pem")
  writeFileSync(jwkFile, JSON.stringify(jwk))
  writeFileSync(pemFile, createPrivateKey({ key: jwk as never, format: "jwk" }).export({ type: "pkcs8", format: "pem" }))
  return { jwk, jwkFile, pemFile }
}

describe("the built oauth2 command", () => {
  it("--help: the static text, without ANSI escapes on a pipe", async () => {
    const run = await oauth2(["--help"])
    expect(run.code).toBe(0)
    noAnsi(run)
    expect(run.stdout).toContain("- login ")
    expect(run.stdout).toContain("- token-exchange ")
  })

  it("exit code 2: a usage error, printed once and readably, nothing on stdout", async () => {
    const { pemFile } = privateKeyFiles()
    const cc = ["client-credentials", "--issuer", server.issuer, "--allow-insecure-http"]
    const [missing, badChoice, unknown, noSecret, pemWithoutAlg, noFile, badTokenType] = await Promise.all([
      oauth2(["client-credentials", "--client-id", "x"]),
      oauth2(["discover", "--output", "yaml", server.issuer]),
      oauth2(["nope"]),
      // an option the library refuses is a usage error too: a method without its credential, a PEM key without
      // --alg, a key file that is not there, a token type the library does not know
      oauth2([...cc, "--client-id", "c", "--auth-method", "client_secret_post"], { env: { OAUTH2_CLIENT_SECRET: "" } }),
      oauth2([...cc, "--client-id", "private-key-jwt", "--private-key", pemFile]),
      oauth2([...cc, "--client-id", "c", "--private-key", join(dir, "absent.pem")]),
      oauth2(["token-exchange", ...client("clientSecretBasic"), "--subject-token", "t", "--subject-token-type", "nonsense"])
    ])
    expect(missing.code).toBe(2)
    expect(missing.stdout).toBe("")
    expect(missing.stderr.match(/Expected to find option: '--issuer'/g)).toHaveLength(1)
    expect(missing.stderr).not.toContain("{") // not a JSON dump of the error
    for (const run of [missing, badChoice, unknown, noSecret, pemWithoutAlg, noFile, badTokenType]) {
      expect(run.code, run.stderr).toBe(2)
      expect(run.stdout).toBe("")
      noAnsi(run)
    }
    expect(noSecret.stderr).toBe("oauth2: client_secret_post needs --client-secret (or OAUTH2_CLIENT_SECRET) (see oauth2 <command> --help)\n")
    expect(pemWithoutAlg.stderr).toContain("needs --alg")
    expect(noFile.stderr).toContain("cannot read --private-key")
  }, 120_000)

  it("exit code 1: an authorization failure (an OAuth error, a refused connection), nothing on stdout", async () => {
    const args = client("clientSecretPost")
    args[args.length - 1] = "wrong-secret"
    const wrong = await oauth2(["client-credentials", ...args, "--auth-method", "client_secret_post"])
    expect(wrong.code).toBe(1)
    expect(wrong.stdout).toBe("")
    expect(wrong.stderr).toMatch(/^oauth2: InvalidClient: /)
    expect(wrong.stderr.split("\n").filter((l) => l.length > 0)).toHaveLength(1)
    noAnsi(wrong)

    const unreachable = await oauth2(["discover", "--allow-insecure-http", "http://127.0.0.1:9/"])
    expect(unreachable.code).toBe(1)
  }, 60_000)

  it("discover, and every client authentication method with client-credentials (--output json|text, --log-level after the subcommand)", async () => {
    const discovered = await oauth2(["discover", "--allow-insecure-http", server.issuer])
    expect(discovered.code).toBe(0)
    expect(JSON.parse(discovered.stdout).issuer).toBe(server.issuer)

    const { jwk, jwkFile, pemFile } = privateKeyFiles()
    const cc = ["client-credentials", "--scope", "api:read"]
    const runs = await Promise.all([
      oauth2([...cc, ...client("clientSecretBasic")]),
      oauth2([...cc, ...client("clientSecretBasic"), "--raw-basic"]),
      oauth2([...cc, ...client("clientSecretPost"), "--auth-method", "client_secret_post"]),
      oauth2([...cc, ...client("clientSecretJwt"), "--auth-method", "client_secret_jwt"]),
      oauth2([...cc, "--issuer", server.issuer, "--allow-insecure-http", "--client-id", "private-key-jwt", "--private-key", jwkFile]),
      oauth2([
        ...cc,
        ...["--issuer", server.issuer, "--allow-insecure-http", "--client-id", "private-key-jwt", "--auth-method", "private_key_jwt"],
        ...["--private-key", pemFile, "--alg", jwk.alg, "--kid", jwk.kid]
      ])
    ])
    for (const run of runs) {
      expect(run.stderr).toBe("")
      expect(run.code).toBe(0)
      expect(JSON.parse(run.stdout)).toMatchObject({ access_token: "<redacted>", token_type: "Bearer", scope: "api:read" })
    }

    const text = await oauth2([...cc, ...client("clientSecretBasic"), "--output", "text", "--show-tokens", "--log-level", "debug"])
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^access_token: \S+\ntoken_type: Bearer\nexpires_in: \d+\nscope: api:read\n$/)
    expect(text.stdout).not.toContain("<redacted>")
    noAnsi(text)

    // an empty OAUTH2_CLIENT_SECRET is no secret: the client is public (method none), which this grant refuses
    const empty = await oauth2([...cc, "--issuer", server.issuer, "--allow-insecure-http", "--client-id", "public"], {
      env: { OAUTH2_CLIENT_SECRET: "" }
    })
    expect(empty.code).toBe(1)
    expect(empty.stderr).not.toContain("needs --client-secret")
  }, 120_000)

  it("login: authorization code + PKCE on a loopback redirect, completed by headless Chromium; then refresh, userinfo, introspect, token-exchange, revoke", async () => {
    const browser = await chromium.launch({
      executablePath: chromiumPath,
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
    try {
      const page = await browser.newPage()
      let url: Promise<string> | undefined
      let pageText = ""
      let strayStatus = 0
      const login = await oauth2(
        [
          "login",
          "--issuer",
          server.issuer,
          "--allow-insecure-http",
          "--client-id",
          "public",
          "--scope",
          "openid email offline_access",
          "--prompt",
          "consent",
          "--timeout",
          "60",
          "--show-tokens"
        ],
        {
          onStderr: (stderr) => {
            const found = /^ {2}(http:\/\/\S+)$/m.exec(stderr)
            if (found === null || url !== undefined) return
            url = (async () => {
              // a stray request to the loopback redirect (another page probing ports) is refused and does not end the wait
              const redirect = new URL(found[1]!).searchParams.get("redirect_uri")!
              strayStatus = (await fetch(`${redirect}?code=stolen&state=not-this-one`)).status
              await page.goto(found[1]!)
              await page.getByRole("button", { name: "Sign in" }).click()
              await page.getByRole("button", { name: "Allow" }).click()
              await page.getByText("You can close this window").waitFor()
              pageText = await page.innerText("body")
              return found[1]!
            })()
          }
        }
      )
      expect(login.stderr).toContain("Open this URL in a browser to sign in:")
      expect(login.code, login.stderr).toBe(0)
      const authorizationUrl = new URL(await url!)
      expect(authorizationUrl.searchParams.get("code_challenge_method")).toBe("S256")
      expect(authorizationUrl.searchParams.get("redirect_uri")).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/)
      expect(pageText).toContain("You can close this window")
      expect(strayStatus).toBe(400)
      expect(login.stderr).toContain("Signed in as alice (ID token validated)")
      noAnsi(login)
      const token = JSON.parse(login.stdout)
      expect(token).toMatchObject({ token_type: "Bearer", id_token_claims: { sub: "alice", iss: server.issuer, aud: "public" } })
      expect(token.access_token).not.toBe("<redacted>")
      expect(token.refresh_token).toBeTypeOf("string")

      const publicClient = ["--issuer", server.issuer, "--allow-insecure-http", "--client-id", "public"]
      const refreshed = await oauth2(["refresh", ...publicClient, "--refresh-token", token.refresh_token, "--show-tokens"])
      expect(refreshed.code, refreshed.stderr).toBe(0)
      const renewed = JSON.parse(refreshed.stdout)
      expect(renewed.access_token).not.toBe(token.access_token)
      expect(renewed.id_token_claims?.sub).toBe("alice")

      const userinfo = await oauth2(["userinfo", ...publicClient, "--token", renewed.access_token])
      expect(userinfo.code, userinfo.stderr).toBe(0)
      expect(JSON.parse(userinfo.stdout)).toMatchObject({ sub: "alice" })

      const introspected = await oauth2(["introspect", ...client("clientSecretBasic"), "--token", renewed.access_token, "--hint", "access_token"])
      expect(introspected.code, introspected.stderr).toBe(0)
      expect(JSON.parse(introspected.stdout)).toMatchObject({ active: true, sub: "alice" })

      const { jwkFile } = privateKeyFiles()
      const pkj = ["--issuer", server.issuer, "--allow-insecure-http", "--client-id", "private-key-jwt", "--private-key", jwkFile]
      const exchanged = await oauth2(["token-exchange", ...pkj, "--subject-token", renewed.access_token, "--audience", server.resource])
      expect(exchanged.code, exchanged.stderr).toBe(0)
      expect(JSON.parse(exchanged.stdout)).toMatchObject({ access_token: "<redacted>" })

      const revoked = await oauth2(["revoke", ...publicClient, "--token", renewed.refresh_token, "--hint", "refresh_token", "--output", "text"])
      expect(revoked.code, revoked.stderr).toBe(0)
      expect(revoked.stdout).toBe("revoked: true\n")
      const afterRevocation = await oauth2(["refresh", ...publicClient, "--refresh-token", renewed.refresh_token])
      expect(afterRevocation.code).toBe(1)
      expect(afterRevocation.stderr).toContain("InvalidGrant")
    } finally {
      await browser.close()
    }
  }, 180_000)

  it("login --open starts the browser opener with the URL; it gives up after --timeout (exit 1) and refuses a bad port (exit 2)", async () => {
    // a fake xdg-open that records what it was asked to open
    const opener = join(dir, "bin")
    const opened = join(dir, "opened.txt")
    mkdirSync(opener, { recursive: true })
    writeFileSync(join(opener, "xdg-open"), `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`, { mode: 0o755 })
    const args = ["login", "--issuer", server.issuer, "--allow-insecure-http", "--client-id", "public"]
    const [late, badPort] = await Promise.all([
      oauth2([...args, "--timeout", "2", ...(process.platform === "linux" ? ["--open"] : [])], { env: { PATH: `${opener}:${process.env["PATH"]}` } }),
      oauth2([...args, "--redirect-port", "70000"])
    ])
    expect(late.code).toBe(1)
    expect(late.stderr).toMatch(/oauth2: LoginFailed: no redirect to http:\/\/127\.0\.0\.1:\d+\/callback within 2 s/)
    if (process.platform === "linux") {
      const url = /^ {2}(http:\/\/\S+)$/m.exec(late.stderr)![1]
      expect(readFileSync(opened, "utf8")).toBe(url)
    }
    expect(badPort.code).toBe(2)
  }, 60_000)

  it("device: the code, the time left, each poll and the slow_down back-off on stderr; the token on stdout", async () => {
    server.slowDown(1) // the next token request (the first poll) answers slow_down
    let approved: Promise<void> | undefined
    const run = await oauth2(
      ["device", ...client("clientSecretPost"), "--auth-method", "client_secret_post", "--scope", "openid", "--poll-interval", "1"],
      {
        onStderr: (stderr) => {
          const code = /enter the code (\S+)/.exec(stderr)
          // approve once the server has answered the first poll (slow_down)
          if (code !== null && approved === undefined && stderr.includes("poll 1:")) approved = server.approveDevice(code[1]!)
        }
      }
    )
    await approved
    expect(run.code, run.stderr).toBe(0)
    noAnsi(run)
    const lines = run.stderr.trim().split("\n")
    expect(lines[0]).toMatch(/^To sign in, open http:\/\/\S+ and enter the code \S+$/)
    expect(run.stderr).toMatch(/The code expires in \d+m/)
    expect(run.stderr).toMatch(/waiting 1s before the first poll \(\d+m[ \d]*s? left\)/)
    expect(run.stderr).toMatch(/poll 1: slow_down, the interval is now 6s; next poll in 6s \(.+ left\)/)
    expect(lines.at(-1)).toBe("authorized")
    expect(JSON.parse(run.stdout)).toMatchObject({ access_token: "<redacted>", token_type: "Bearer" })
  }, 60_000)

  it("ciba: authorization_pending polls on stderr until approved", async () => {
    let approved: Promise<void> | undefined
    const run = await oauth2(
      ["ciba", ...client("clientSecretBasic"), "--login-hint", "alice", "--binding-message", "CLI", "--poll-interval", "1", "--show-tokens"],
      {
        onStderr: (stderr) => {
          const id = /auth_req_id (\S+),/.exec(stderr)
          if (id !== null && approved === undefined && stderr.includes("poll 1: authorization_pending")) approved = server.approveCiba(id[1]!)
        }
      }
    )
    await approved
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toContain("binding message CLI")
    expect(run.stderr).toMatch(/poll 1: authorization_pending; next poll in 1s/)
    expect(JSON.parse(run.stdout)).toMatchObject({ token_type: "Bearer" })
  }, 60_000)

  it("jwt-bearer and par", async () => {
    const { jwk, jwkFile } = privateKeyFiles()
    const now = Math.floor(Date.now() / 1000)
    const assertion = await new jose.SignJWT({})
      .setProtectedHeader({ alg: jwk.alg, kid: jwk.kid })
      .setIssuer("private-key-jwt")
      .setSubject("alice")
      .setAudience(server.issuer)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .setJti(crypto.randomUUID())
      .sign(await jose.importJWK(jwk, jwk.alg))
    const pkj = ["--issuer", server.issuer, "--allow-insecure-http", "--client-id", "private-key-jwt", "--private-key", jwkFile]
    const bearer = await oauth2(["jwt-bearer", ...pkj, "--assertion", assertion, "--scope", "openid"])
    expect(bearer.code, bearer.stderr).toBe(0)
    expect(JSON.parse(bearer.stdout)).toMatchObject({ token_type: "Bearer" })

    const pushed = await oauth2(["par", ...client("clientSecretBasic"), "--redirect-uri", "http://127.0.0.1/callback"])
    expect(pushed.code, pushed.stderr).toBe(0)
    const answer = JSON.parse(pushed.stdout)
    expect(answer.request_uri).toMatch(/^urn:ietf:params:oauth:request_uri:/)
    expect(new URL(answer.authorization_url).searchParams.get("request_uri")).toBe(answer.request_uri)
    expect(answer.code_verifier).toBe("<redacted>")
  }, 60_000)

  it("--dpop and --dpop-key: DPoP-bound tokens (RFC 9449); a key file that is no private JWK is a usage error", async () => {
    const dpopClient = server.clients.dpop!
    const args = [
      "client-credentials",
      ...[
        "--issuer",
        server.issuer,
        "--allow-insecure-http",
        "--client-id",
        dpopClient.clientId,
        "--client-secret",
        Redacted.value(dpopClient.clientSecret)
      ]
    ]
    const { privateKey } = await jose.generateKeyPair("ES256", { extractable: true })
    const keyFile = join(dir, "dpop.json")
    writeFileSync(keyFile, JSON.stringify({ ...(await jose.exportJWK(privateKey)), alg: "ES256" }))
    const notAKey = join(dir, "dpop-not-a-key.json")
    writeFileSync(notAKey, JSON.stringify({ kty: "oct", k: "c2VjcmV0" }))
    const [generated, fromFile, badKey] = await Promise.all([
      oauth2([...args, "--dpop"]),
      oauth2([...args, "--dpop-key", keyFile]),
      oauth2([...args, "--dpop-key", notAKey])
    ])
    expect(generated.code, generated.stderr).toBe(0)
    expect(JSON.parse(generated.stdout)).toMatchObject({ token_type: "DPoP" })
    expect(fromFile.code, fromFile.stderr).toBe(0)
    expect(JSON.parse(fromFile.stdout)).toMatchObject({ token_type: "DPoP" })
    expect(badKey.code, badKey.stderr).toBe(2)
    expect(badKey.stderr).toMatch(/^oauth2: --dpop-key: /)
  }, 120_000)
})
