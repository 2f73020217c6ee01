#!/usr/bin/env node
/**
 * The `oauth2` executable.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { run } from "./internal/cli.js"

Effect.runPromiseExit(run(process.argv)).then((exit) => {
  if (Exit.isFailure(exit)) {
    const failure = Cause.failureOption(exit.cause)
    const message =
      failure._tag === "Some" && typeof failure.value === "object" && failure.value !== null && "message" in failure.value
        ? String(failure.value.message)
        : Cause.pretty(exit.cause)
    if (!(failure._tag === "Some" && (failure.value as { _tag?: string })?._tag === "DemoFailed")) console.error(message)
    process.exitCode = 1
  }
})
