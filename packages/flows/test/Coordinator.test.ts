/**
 * TokenSource's `coordinator` hook (issue 12): each renewal is handed to the coordinator, which may answer a shared
 * token (`accept`) or run the renewal from the token it gives (`renew(current)`); `invalidate` is forwarded, and the
 * `store` option is not used beside a coordinator. A memory coordinator stands for a shared store here.
 */
import { KeyValueStore } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { BearerToken, TokenRequest } from "@oauth2/core"
import { TokenSource } from "@oauth2/flows"
import { FakeHttp } from "@oauth2/testing"
import { DateTime, Effect, Option, Redacted } from "effect"
import { clientLayer, tokenAnswer, tokenRequests } from "./support.js"

const grant = TokenRequest.clientCredentials({ scope: "read" })
const value = (token: BearerToken.BearerToken) => Redacted.value(token.accessToken)

/** A shared store in memory: answers the shared token when accepted, else renews from it and shares the result. */
const memoryCoordinator = (initial?: BearerToken.BearerToken) => {
  const shared = { token: initial, renewals: 0, invalidated: [] as Array<string> }
  const coordinator: TokenSource.Coordinator = {
    renew: (renewal) =>
      Effect.gen(function* () {
        const now = DateTime.toEpochMillis(yield* DateTime.now)
        if (shared.token !== undefined && renewal.accept(shared.token, now)) return shared.token
        shared.renewals++
        const token = yield* renewal.renew(shared.token ?? renewal.current)
        shared.token = token
        return token
      }),
    invalidate: (token) => Effect.sync(() => void shared.invalidated.push(value(token)))
  }
  return { shared, coordinator }
}

const at = (millis: number) => DateTime.unsafeMake(millis)
const token = (accessToken: string, expiresAt: number, refreshToken?: string) =>
  BearerToken.make({ accessToken, issuedAt: at(0), expiresAt: at(expiresAt), ...(refreshToken === undefined ? {} : { refreshToken }) })

const run = <A, E>(
  options: TokenSource.Options<never>,
  use: (source: TokenSource.TokenSource, seen: ReadonlyArray<FakeHttp.ClientRequest>) => Effect.Effect<A, E>
) => {
  const http = FakeHttp.make(() => tokenAnswer({ refresh_token: "RT-new" }))
  return TokenSource.make(options).pipe(
    Effect.flatMap((source) => use(source, http.seen)),
    Effect.scoped,
    Effect.provide(clientLayer(http))
  )
}

describe("TokenSource with a coordinator", () => {
  it.effect("a usable shared token is answered without a token request", () => {
    const { shared, coordinator } = memoryCoordinator(token("SHARED", 3_600_000))
    return run({ grant, token: token("MINE", 0), coordinator }, (source, seen) =>
      Effect.gen(function* () {
        expect(value(yield* source.get)).toBe("SHARED")
        expect(tokenRequests(seen)).toHaveLength(0)
        expect(shared.renewals).toBe(0)
      })
    )
  })

  it.effect("a renewal refreshes with the refresh token of the token the coordinator gives (rotated elsewhere)", () => {
    const { shared, coordinator } = memoryCoordinator(token("SHARED", 0, "RT-rotated"))
    return run({ token: token("MINE", 0, "RT-old"), coordinator }, (source, seen) =>
      Effect.gen(function* () {
        const renewed = yield* source.get
        expect(tokenRequests(seen).map((r) => r.form.get("refresh_token"))).toEqual(["RT-rotated"])
        expect(value(shared.token!)).toBe(value(renewed))
      })
    )
  })

  it.effect("renew and invalidate do not accept the token being replaced; invalidate is forwarded", () => {
    const { shared, coordinator } = memoryCoordinator()
    return run({ grant, coordinator }, (source, seen) =>
      Effect.gen(function* () {
        const first = yield* source.get
        const second = yield* source.renew
        expect(value(second)).not.toBe(value(first))
        yield* source.invalidate(second)
        expect(shared.invalidated).toEqual([value(second)])
        const third = yield* source.get
        expect(value(third)).not.toBe(value(second))
        expect(tokenRequests(seen)).toHaveLength(3)
      })
    )
  })

  it.effect("the store option is not used beside a coordinator", () =>
    Effect.gen(function* () {
      const store = yield* KeyValueStore.KeyValueStore
      const { coordinator } = memoryCoordinator()
      yield* run({ grant, coordinator, store: { store, key: "k" } }, (source) => source.get)
      expect(Option.isNone(yield* store.get("k"))).toBe(true)
    }).pipe(Effect.provide(KeyValueStore.layerMemory))
  )
})
