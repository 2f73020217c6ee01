import { Effect, Fiber, Option, TestClock } from "effect"
import type { Duration } from "effect"

/**
 * Advances the TestClock by `step` until the fiber is done, with a short real pause at each step: a program that does
 * real async work (WebCrypto hashing or signing) before it sleeps may register its sleep after any single adjust on a
 * loaded machine. Gives up after ~2000 steps (~10 s of real time at least).
 */
export const advanceUntilDone = <A, E>(fiber: Fiber.RuntimeFiber<A, E>, step: Duration.DurationInput) =>
  Effect.gen(function* () {
    for (let i = 0; i < 2000 && Option.isNone(yield* Fiber.poll(fiber)); i++) {
      yield* TestClock.adjust(step)
      yield* Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 5)))
    }
    return yield* Fiber.join(fiber)
  })
