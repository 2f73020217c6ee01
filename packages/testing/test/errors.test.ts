import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import { ErrorLaws, TestServer } from "@oauth2/testing"

const secret = "SECRET-VALUE-1234"

describe("testing errors are Effect errors", () => {
  it("TestServerError: the laws, its guard, its cause, catchTag", async () => {
    const cause = new Error("listen EADDRINUSE: address already in use 127.0.0.1:3000")
    const error = TestServer.TestServerError({ operation: "start", message: cause.message, cause })
    await ErrorLaws.check(error)
    assert.isTrue(TestServer.isTestServerError(error))
    assert.isFalse(TestServer.isTestServerError({ _tag: "TestServerError", operation: "start", message: "m" }))
    assert.strictEqual(error.cause, cause)
    assert.containSubset(error, { _tag: "TestServerError", operation: "start", message: cause.message })
    const caught = await Effect.runPromise(
      Effect.gen(function* () {
        return yield* error
      }).pipe(Effect.catchTag("TestServerError", (e) => Effect.succeed(e.operation)))
    )
    assert.strictEqual(caught, "start")
    ErrorLaws.rendersWithout(
      TestServer.TestServerError({ operation: "authorize", message: "login failed", cause: { password: Redacted.make(secret) } }),
      secret
    )
  })

  it("a failed scripted interaction fails with a TestServerError instance", async () => {
    const exit = await Effect.runPromiseExit(
      Effect.scoped(
        Effect.gen(function* () {
          const server = yield* TestServer.make()
          return yield* server.approveDevice("NO-SUCH-CODE")
        })
      )
    )
    assert.isTrue(Exit.isFailure(exit))
    if (Exit.isFailure(exit)) {
      const failure = Cause.failureOption(exit.cause)
      assert.isTrue(failure._tag === "Some" && TestServer.isTestServerError(failure.value) && failure.value instanceof Error)
    }
  })

  it("ErrorLaws refuses what is not an Effect error, and finds a secret in any rendering", async () => {
    // a plain tagged value, as the errors were before: not an Error, not yieldable
    const plain = { _tag: "InvalidClient", message: "nope", name: "InvalidClient" } as unknown as Error & { _tag: string; message: string }
    const refused = await ErrorLaws.check(plain).then(
      () => undefined,
      (e: unknown) => e
    )
    assert.instanceOf(refused, Error)
    assert.include(String(refused), "is not an Error")
    // an Error whose _tag is not its name, as a hand-made `new Error(...)` would be
    const misnamed = Object.assign(new Error("nope"), { _tag: "InvalidClient" })
    assert.isDefined(
      await ErrorLaws.check(misnamed).then(
        () => undefined,
        (e: unknown) => e
      )
    )
    const leaky = TestServer.TestServerError({ operation: "start", message: `failed with ${secret}` })
    assert.throws(() => ErrorLaws.rendersWithout(leaky, secret), /shows the secret/)
    ErrorLaws.rendersWithout(leaky, "SOMETHING-ELSE")
  })
})
