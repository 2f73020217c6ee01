import { describe, expect, it } from "@effect/vitest"
import {
  BackchannelAuthentication,
  BearerToken,
  DeviceAuthorization,
  Introspection,
  OAuthError,
  PushedAuthorization,
  ServerMetadata,
  UserInfo
} from "@oauth2/core"
import { Cause, DateTime, Effect, Either, Exit, FastCheck as fc } from "effect"

// ---------------------------------------------------------------------------------------------------------------
// items 13 and 14: hostile values
// ---------------------------------------------------------------------------------------------------------------

const hostile = (): ReadonlyArray<unknown> => {
  const throwing = Object.defineProperty({}, "access_token", {
    enumerable: true,
    get: () => {
      throw new Error("boom")
    }
  })
  const proxy = new Proxy(
    {},
    {
      get: () => {
        throw new Error("get trap")
      },
      ownKeys: () => {
        throw new Error("ownKeys trap")
      },
      getPrototypeOf: () => {
        throw new Error("proto trap")
      },
      has: () => {
        throw new Error("has trap")
      }
    }
  )
  const revocable = Proxy.revocable({}, {})
  revocable.revoke()
  const cyclic: Record<string, unknown> = { access_token: "a", token_type: "Bearer" }
  cyclic.self = cyclic
  let deep: unknown = "x"
  for (let i = 0; i < 10_000; i++) deep = { a: deep }
  let deepArray: unknown = 1
  for (let i = 0; i < 10_000; i++) deepArray = [deepArray]
  return [
    { toString: 1 },
    { toString: 1, valueOf: 1 },
    Object.create(null),
    Object.assign(Object.create(null), { access_token: "a" }),
    10n,
    { access_token: "a", token_type: "Bearer", n: 10n },
    Symbol("s"),
    { [Symbol("k")]: 1, access_token: Symbol("v") },
    throwing,
    proxy,
    revocable.proxy,
    cyclic,
    { access_token: "a", token_type: "Bearer", deep },
    { access_token: "a", token_type: "Bearer", deepArray },
    { issuer: "https://as.example.com", deep },
    () => 1,
    new Date(0),
    new Map(),
    Number.NaN,
    {
      access_token: "a",
      token_type: "Bearer",
      expires_in: {
        valueOf: () => {
          throw new Error("v")
        }
      }
    },
    {
      sub: { toString: 1 },
      name: {
        toString: () => {
          throw new Error("t")
        }
      }
    },
    { error: { toString: 1 }, error_description: 10n }
  ]
}

const anything = fc.oneof(
  fc.anything({
    withBigInt: true,
    withBoxedValues: true,
    withMap: true,
    withSet: true,
    withObjectString: true,
    withNullPrototype: true,
    withTypedArray: true,
    withSparseArray: true,
    withDate: true
  }),
  // without the two Proxies (fast-check itself inspects generated values); the hand-made tests cover them
  fc.constantFrom(...hostile().filter((_, i) => i !== 9 && i !== 10))
)

const noThrow = (f: () => unknown) => {
  let thrown: unknown = undefined
  let result: unknown
  try {
    result = f()
  } catch (e) {
    thrown = e
  }
  expect(thrown, `threw: ${String((thrown as Error)?.message)}`).toBeUndefined()
  return result
}

const runEffect = <A, E>(effect: Effect.Effect<A, E>) => noThrow(() => Effect.runSyncExit(effect)) as Exit.Exit<A, E>
const isTypedFailureOrSuccess = (exit: Exit.Exit<unknown, unknown>) => Exit.isSuccess(exit) || Either.isLeft(Cause.failureOrCause(exit.cause))

const now = DateTime.unsafeMake(0)
const decoders: ReadonlyArray<readonly [string, (u: unknown) => void]> = [
  [
    "BearerToken.decodeAt",
    (u) => {
      const r = noThrow(() => BearerToken.decodeAt(u, now)) as Either.Either<unknown, OAuthError.UnexpectedResponse>
      if (Either.isLeft(r)) expect(r.left._tag).toBe("UnexpectedResponse")
    }
  ],
  [
    "BearerToken.decode",
    (u) => {
      expect(isTypedFailureOrSuccess(runEffect(BearerToken.decode(u)))).toBe(true)
    }
  ],
  [
    "BearerToken.deserialize",
    (u) => {
      const r = noThrow(() => BearerToken.deserialize(u as string)) as Either.Either<unknown, OAuthError.InvalidArgument>
      expect(Either.isLeft(r)).toBe(true)
    }
  ],
  [
    "UserInfo.decode",
    (u) => {
      const r = noThrow(() => UserInfo.decode(u)) as Either.Either<unknown, OAuthError.UnexpectedResponse>
      if (Either.isLeft(r)) expect(r.left._tag).toBe("UnexpectedResponse")
    }
  ],
  [
    "Introspection.decode",
    (u) => {
      const r = noThrow(() => Introspection.decode(u)) as Either.Either<unknown, OAuthError.UnexpectedResponse>
      if (Either.isLeft(r)) expect(r.left._tag).toBe("UnexpectedResponse")
    }
  ],
  [
    "ServerMetadata.decodeDocument",
    (u) => {
      const r = noThrow(() => ServerMetadata.decodeDocument(u)) as Either.Either<unknown, OAuthError.UnexpectedResponse>
      if (Either.isLeft(r)) expect(r.left._tag).toBe("UnexpectedResponse")
    }
  ],
  [
    "ServerMetadata.decode",
    (u) => {
      noThrow(() => ServerMetadata.decode(u, { issuer: "https://as.example.com" }))
    }
  ],
  [
    "DeviceAuthorization.decode",
    (u) => {
      expect(isTypedFailureOrSuccess(runEffect(DeviceAuthorization.decode(u)))).toBe(true)
    }
  ],
  [
    "BackchannelAuthentication.decode",
    (u) => {
      expect(isTypedFailureOrSuccess(runEffect(BackchannelAuthentication.decode(u)))).toBe(true)
    }
  ],
  [
    "PushedAuthorization.decode",
    (u) => {
      expect(isTypedFailureOrSuccess(runEffect(PushedAuthorization.decode(u)))).toBe(true)
    }
  ],
  [
    "OAuthError.fromBody",
    (u) => {
      noThrow(() => OAuthError.fromBody("token", u))
    }
  ],
  [
    "OAuthError.unexpectedResponse",
    (u) => {
      const e = noThrow(() => OAuthError.unexpectedResponse("token", "bad", u)) as OAuthError.UnexpectedResponse
      expect(typeof e.excerpt).toBe("string")
      noThrow(() => Cause.pretty(Cause.fail(e)))
    }
  ]
]

describe("decoders never throw on values that are not JSON (issue 13 item 14)", () => {
  for (const [name, run] of decoders) {
    it(`${name}: hand-made hostile values`, () => {
      for (const value of hostile()) run(value)
    })
    it(`${name}: property over arbitrary JavaScript values`, () => {
      fc.assert(
        fc.property(anything, (u) => {
          run(u)
        }),
        { numRuns: 300 }
      )
    })
  }

  it("refuses a body that is not JSON with UnexpectedResponse", () => {
    for (const value of [{ access_token: "a", token_type: "Bearer", n: 10n }, hostile()[8], hostile()[9]]) {
      const r = BearerToken.decodeAt(value, now)
      expect(Either.isLeft(r)).toBe(true)
      if (Either.isLeft(r)) expect(r.left._tag).toBe("UnexpectedResponse")
    }
  })

  it("ServerMetadata.decode without an expected issuer fails instead of throwing", () => {
    const doc = { issuer: "https://as.example.com", token_endpoint: "https://as.example.com/token" }
    const r = noThrow(() => ServerMetadata.decode(doc, {} as ServerMetadata.ValidateOptions)) as Either.Either<unknown, unknown>
    expect(Either.isLeft(r)).toBe(true)
    const r2 = noThrow(() => ServerMetadata.decode(doc, undefined as unknown as ServerMetadata.ValidateOptions)) as Either.Either<unknown, unknown>
    expect(Either.isLeft(r2)).toBe(true)
  })
})

describe("BearerToken serialization is total (issue 13 item 13)", () => {
  it("deserialize(null) and deserialize(undefined) fail with InvalidArgument", () => {
    for (const value of [null, undefined, 1, {}, []]) {
      const r = noThrow(() => BearerToken.deserialize(value as unknown as string)) as Either.Either<unknown, OAuthError.InvalidArgument>
      expect(Either.isLeft(r)).toBe(true)
      if (Either.isLeft(r)) expect(r.left._tag).toBe("InvalidArgument")
    }
  })

  it("a token answer with an extra member nested 10,000 levels deep is refused at decode time", () => {
    const text = `{"access_token":"a","token_type":"Bearer","x":${"[".repeat(10_000)}${"]".repeat(10_000)}}`
    const r = BearerToken.decodeAt(JSON.parse(text), now)
    expect(Either.isLeft(r)).toBe(true)
    if (Either.isLeft(r)) expect(r.left.reason).toMatch(/deep/)
  })

  it("serialize never throws, whatever a made token's extra holds; such members are left out", () => {
    let deep: unknown = "x"
    for (let i = 0; i < 10_000; i++) deep = { a: deep }
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    const token = BearerToken.make({ accessToken: "at", issuedAt: now, extra: { deep, cyclic, big: 10n, f: () => 1, ok: { a: [1, "b"] } } })
    const s = noThrow(() => BearerToken.serialize(token)) as string
    const back = BearerToken.deserialize(s)
    expect(Either.isRight(back)).toBe(true)
    if (Either.isRight(back)) expect(back.right.extra).toStrictEqual({ ok: { a: [1, "b"] } })
  })

  it("keeps a moderately nested extra member", () => {
    let nested: unknown = "x"
    for (let i = 0; i < 20; i++) nested = { a: nested }
    const r = BearerToken.decodeAt({ access_token: "a", token_type: "Bearer", nested }, now)
    expect(Either.isRight(r)).toBe(true)
    if (Either.isRight(r)) {
      const back = BearerToken.deserialize(BearerToken.serialize(r.right))
      expect(Either.isRight(back)).toBe(true)
      if (Either.isRight(back)) expect(back.right.extra).toStrictEqual({ nested })
    }
  })
})
