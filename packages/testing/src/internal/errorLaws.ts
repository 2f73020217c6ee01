/** @internal */
import * as assert from "node:assert/strict"
import { inspect } from "node:util"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"

/** @internal */
export const check = async (error: { readonly _tag: string; readonly message: string } & Error): Promise<void> => {
  const name = error._tag
  assert.ok(error instanceof Error, `${name} is not an Error`)
  assert.equal(error.name, name)
  assert.equal(typeof error.message, "string", name)
  assert.ok(error.message.length > 0, `${name} has an empty message`)
  assert.equal(typeof error.stack, "string", name)
  assert.ok(error.stack!.startsWith(`${name}: ${error.message}`), `${name}: ${error.stack}`)
  assert.equal(String(error), `${name}: ${error.message}`)

  const exit = await Effect.runPromiseExit(
    Effect.gen(function* () {
      return yield* error as unknown as Effect.Effect<never, typeof error>
    })
  )
  assert.ok(Exit.isFailure(exit), `yield* ${name} did not fail`)
  const failure = Cause.failureOption(exit.cause)
  assert.ok(failure._tag === "Some" && failure.value === error, `yield* ${name} failed with something else`)

  const pretty = Cause.pretty(Cause.fail(error))
  assert.ok(pretty.startsWith(`${name}: ${error.message}`), pretty)
  assert.ok(!pretty.includes('{"_tag"'), pretty)

  const rejection: unknown = await Effect.runPromise(Effect.fail(error)).then(
    () => assert.fail("expected a rejection"),
    (e: unknown) => e
  )
  assert.equal((rejection as Error).message, error.message)
  assert.ok(String(rejection).includes(`${name}: ${error.message}`), String(rejection))
  assert.ok(!String(rejection).includes('{"_tag"'), String(rejection))
}

/** @internal */
export const rendersWithout = (error: Error, secret: string): void => {
  for (const [how, shown] of [
    ["String", String(error)],
    ["message", error.message],
    ["stack", error.stack ?? ""],
    ["JSON.stringify", JSON.stringify(error)],
    ["util.inspect", inspect(error, { depth: 8 })],
    ["Cause.pretty", Cause.pretty(Cause.fail(error))]
  ] as const) {
    assert.ok(!shown.includes(secret), `${how} of ${error.name} shows the secret: ${shown}`)
  }
}
