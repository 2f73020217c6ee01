import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import { inspect } from "node:util"
import { TestServer } from "@oauth2/testing"

/** What every error of every family must be: an `Error`, yieldable, readable in `Cause.pretty` and in a rejection. */
const laws = async (error: { readonly _tag: string; readonly message: string } & Error): Promise<void> => {
  const name = error._tag
  assert.instanceOf(error, Error, name)
  assert.strictEqual(error.name, name)
  assert.isString(error.message, name)
  assert.isAbove(error.message.length, 0, name)
  assert.isString(error.stack, name)
  assert.isTrue(error.stack!.startsWith(`${name}: ${error.message}`), `${name}: ${error.stack}`)
  assert.strictEqual(String(error), `${name}: ${error.message}`)

  const exit = await Effect.runPromiseExit(
    Effect.gen(function* () {
      return yield* error as unknown as Effect.Effect<never, typeof error>
    })
  )
  assert.isTrue(Exit.isFailure(exit), name)
  if (Exit.isFailure(exit)) {
    const failure = Cause.failureOption(exit.cause)
    assert.isTrue(failure._tag === "Some" && failure.value === error, name)
  }

  const pretty = Cause.pretty(Cause.fail(error))
  assert.isTrue(pretty.startsWith(`${name}: ${error.message}`), pretty)
  assert.notInclude(pretty, '{"_tag"')

  const rejection: unknown = await Effect.runPromise(Effect.fail(error)).then(
    () => assert.fail("expected a rejection"),
    (e: unknown) => e
  )
  assert.strictEqual((rejection as Error).message, error.message)
  assert.include(String(rejection), `${name}: ${error.message}`)
  assert.notInclude(String(rejection), '{"_tag"')
}

const secret = "SECRET-VALUE-1234"

/** No rendering of an error shows `secret`. */
const noSecret = (error: Error): void => {
  for (const shown of [
    String(error),
    error.message,
    error.stack ?? "",
    JSON.stringify(error),
    inspect(error, { depth: 8 }),
    Cause.pretty(Cause.fail(error))
  ]) {
    assert.notInclude(shown, secret)
  }
}

describe("testing errors are Effect errors", () => {
  it("TestServerError: the laws, its guard, its cause, catchTag", async () => {
    const cause = new Error("listen EADDRINUSE: address already in use 127.0.0.1:3000")
    const error = TestServer.TestServerError({ operation: "start", message: cause.message, cause })
    await laws(error)
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
    noSecret(TestServer.TestServerError({ operation: "authorize", message: "login failed", cause: { password: Redacted.make(secret) } }))
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
})
