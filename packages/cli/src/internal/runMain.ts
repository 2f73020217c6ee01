/**
 * Runs the command's program as a fiber and interrupts it on SIGINT, SIGTERM or SIGHUP, so that its finalizers run
 * (the demo's servers, child processes and temporary directories): the small equivalent of
 * `@effect/platform-node`'s `runMain`, which this package does not depend on. The exit code of an interrupted run
 * is the shells' one for the signal (128 + its number): 130 for SIGINT (as `Cli.exitCode` says of an interruption),
 * 143 for SIGTERM, 129 for SIGHUP. A second signal, once the listeners are removed, ends the process at once.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"

/** The signals that interrupt the program, with the exit code of a run they interrupted. */
export const signals = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const

type Signal = keyof typeof signals

/** How a run ended: its exit code, and the signal that interrupted it, if one did. */
export interface Ended {
  readonly code: number
  readonly signal?: Signal
}

/** Runs `program` (its success is the exit code); a failure or a defect is 1, printed on stderr. */
export const run = (program: Effect.Effect<number>): Promise<Ended> =>
  new Promise((resolve) => {
    const fiber = Effect.runFork(program)
    let received: Signal | undefined
    const remove = () => {
      for (const name of Object.keys(signals) as Array<Signal>) process.removeListener(name, onSignal)
    }
    function onSignal(signal: NodeJS.Signals) {
      received = signal as Signal
      remove()
      fiber.unsafeInterruptAsFork(fiber.id())
    }
    for (const name of Object.keys(signals) as Array<Signal>) process.on(name, onSignal)
    fiber.addObserver((exit) => {
      remove()
      if (Exit.isSuccess(exit)) return resolve(received === undefined ? { code: exit.value } : { code: exit.value, signal: received })
      if (Cause.isInterruptedOnly(exit.cause))
        return resolve(received === undefined ? { code: signals.SIGINT } : { code: signals[received], signal: received })
      process.stderr.write(`${Cause.pretty(exit.cause)}\n`)
      return resolve(received === undefined ? { code: 1 } : { code: 1, signal: received })
    })
  })

/**
 * Runs `program` and sets the process' exit code; after a signal, exits once the finalizers ran (a handle left open,
 * such as a socket the interrupted program did not close, would otherwise keep the process alive).
 */
export const runMain = (program: Effect.Effect<number>): Promise<void> =>
  run(program).then(({ code, signal }) => {
    process.exitCode = code
    if (signal !== undefined) process.exit(code)
  })
