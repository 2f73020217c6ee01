#!/usr/bin/env node
/**
 * The `oauth2` executable. `oauth2 --help` (or `-h`) prints its text without loading anything else; every other
 * command line is parsed and run by @effect/cli, loaded on demand.
 *
 * @since 0.1.0
 */
import { text as help } from "./internal/help.js"

const args = process.argv.slice(2)

if (args.length === 1 && (args[0] === "--help" || args[0] === "-h")) {
  process.stdout.write(help)
} else {
  void Promise.all([import("effect/Cause"), import("effect/Effect"), import("effect/Exit"), import("./internal/cli.js")]).then(
    ([Cause, Effect, Exit, { run }]) =>
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
  )
}
