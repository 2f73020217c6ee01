import { ErrorLaws } from "@oauth2/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { Cli, Demo } from "@oauth2/cli"

const secret = "SECRET-VALUE-1234"

describe("cli errors are Effect errors", () => {
  it("DemoUnavailable (the import failure as cause) and DemoFailed", async () => {
    const importFailure = new Error("Cannot find package '@oauth2/testing'")
    const unavailable = Demo.demoUnavailable(importFailure)
    const failed = Demo.demoFailed(["device flow", "CIBA"])
    await ErrorLaws.check(unavailable)
    await ErrorLaws.check(failed)
    assert.strictEqual(unavailable.cause, importFailure)
    assert.include(unavailable.message, "npm install @oauth2/testing (Cannot find package '@oauth2/testing')")
    assert.containSubset(failed, { _tag: "DemoFailed", failed: ["device flow", "CIBA"], message: "2 flow(s) failed: device flow, CIBA" })
    assert.isTrue(Demo.isDemoError(unavailable))
    assert.isTrue(Demo.isDemoError(failed))
    assert.isFalse(Demo.isDemoError({ _tag: "DemoFailed", failed: [], message: "m" }))
    const caught = await Effect.runPromise(
      Effect.gen(function* () {
        return yield* failed
      }).pipe(Effect.catchTag("DemoFailed", (e) => Effect.succeed(e.failed.length)))
    )
    assert.strictEqual(caught, 2)
    ErrorLaws.rendersWithout(Demo.demoUnavailable({ message: "x", token: Redacted.make(secret) }), secret)
  })

  it("UsageError and LoginFailed (the command's own errors)", async () => {
    const usage = Cli.usageError("client_secret_post needs --client-secret")
    const cause = new Error("EADDRINUSE")
    const login = Cli.loginFailed("listen", "cannot listen on 127.0.0.1:8080", cause)
    await ErrorLaws.check(usage)
    await ErrorLaws.check(login)
    assert.containSubset(usage, { _tag: "UsageError", message: "client_secret_post needs --client-secret" })
    assert.containSubset(login, { _tag: "LoginFailed", reason: "listen" })
    assert.strictEqual(login.cause, cause)
    assert.isTrue(Cli.isCliError(usage) && Cli.isCliError(login))
    assert.isFalse(Cli.isCliError(Demo.demoFailed([])))
    assert.isFalse(Demo.isDemoError(usage))
    ErrorLaws.rendersWithout(Cli.usageError("bad key", { key: Redacted.make(secret) }), secret)
  })
})
