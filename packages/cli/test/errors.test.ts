import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import { inspect } from "node:util"
import { Demo } from "@oauth2/cli"

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

describe("cli errors are Effect errors", () => {
  it("DemoUnavailable (the import failure as cause) and DemoFailed", async () => {
    const importFailure = new Error("Cannot find package '@oauth2/testing'")
    const unavailable = Demo.demoUnavailable(importFailure)
    const failed = Demo.demoFailed(["device flow", "CIBA"])
    await laws(unavailable)
    await laws(failed)
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
    noSecret(Demo.demoUnavailable({ message: "x", token: Redacted.make(secret) }))
  })
})
