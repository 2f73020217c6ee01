import { describe, expect, it } from "@effect/vitest"
import { Cli } from "@oauth2/cli"
import { text as helpText } from "../src/internal/help.js"
import { TestServer } from "@oauth2/testing"
import { Effect, Redacted } from "effect"
import { vi } from "vitest"

/** Runs the command line, capturing what it prints. */
const capture = <E>(effect: Effect.Effect<void, E>) =>
  Effect.gen(function* () {
    const lines: Array<string> = []
    const log = vi.spyOn(console, "log").mockImplementation((...args) => void lines.push(args.join(" ")))
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => (lines.push(String(chunk)), true))
    const exit = yield* Effect.exit(effect).pipe(Effect.ensuring(Effect.sync(() => (log.mockRestore(), write.mockRestore()))))
    return { exit, output: lines.join("\n") }
  })

describe("oauth2 command", () => {
  it.live("discover and client-credentials against the embedded server", () =>
    Effect.gen(function* () {
      const server = yield* TestServer.TestServer
      const discovered = yield* capture(Cli.run(["node", "oauth2", "discover", server.issuer]))
      expect(discovered.exit._tag).toBe("Success")
      expect(JSON.parse(discovered.output).issuer).toBe(server.issuer)
      const c = server.clients.clientSecretPost
      const secret = Redacted.value(c.clientSecret)
      const args = [
        "node",
        "oauth2",
        "client-credentials",
        "--issuer",
        server.issuer,
        "--client-id",
        c.clientId,
        "--client-secret",
        secret,
        "--auth-method",
        "client_secret_post",
        "--scope",
        "api:read"
      ]
      const hidden = yield* capture(Cli.run(args))
      expect(hidden.exit._tag).toBe("Success")
      expect(JSON.parse(hidden.output)).toMatchObject({ access_token: "<redacted>", token_type: "Bearer", scope: "api:read" })
      expect(hidden.output).not.toContain(secret)
      const shown = yield* capture(Cli.run([...args, "--show-tokens"]))
      expect(JSON.parse(shown.output).access_token).not.toBe("<redacted>")
      const wrong = yield* capture(
        Cli.run([
          "node",
          "oauth2",
          "client-credentials",
          "--issuer",
          server.issuer,
          "--client-id",
          c.clientId,
          "--client-secret",
          "nope",
          "--auth-method",
          "client_secret_post"
        ])
      )
      expect(wrong.exit._tag).toBe("Failure")
    }).pipe(Effect.provide(TestServer.layer()))
  )

  /** `oauth2 --help` as @effect/cli renders it, on a terminal or not. */
  const renderHelp = (tty: boolean) =>
    Effect.gen(function* () {
      const written: Array<string> = []
      const before = Object.getOwnPropertyDescriptor(process.stdout, "isTTY")
      Object.defineProperty(process.stdout, "isTTY", { value: tty, configurable: true })
      const log = vi.spyOn(console, "log").mockImplementation((...args) => void written.push(args.join(" ") + "\n"))
      const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => (written.push(String(chunk)), true))
      const exit = yield* Effect.exit(Cli.run(["node", "oauth2", "--help"])).pipe(
        Effect.ensuring(
          Effect.sync(() => {
            log.mockRestore()
            write.mockRestore()
            if (before === undefined) delete (process.stdout as { isTTY?: boolean }).isTTY
            else Object.defineProperty(process.stdout, "isTTY", before)
          })
        )
      )
      expect(exit._tag).toBe("Success")
      return written.join("")
    })

  it.effect("the executable's built-in --help text is exactly what @effect/cli renders (regenerate internal/help.ts if not)", () =>
    Effect.gen(function* () {
      expect(yield* renderHelp(true)).toBe(helpText)
      for (const command of ["login", "refresh", "token-exchange", "jwt-bearer", "ciba", "userinfo", "par"])
        expect(helpText).toContain(`- ${command} `)
    })
  )

  it.effect("without a terminal, @effect/cli's rendering has no ANSI escapes", () =>
    Effect.gen(function* () {
      const plain = yield* renderHelp(false)
      expect(plain).not.toContain("\u001b")
      expect(plain).toBe(helpText.replace(/\u001b\[[0-9;]*m/g, ""))
    })
  )
})
