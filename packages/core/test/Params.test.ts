import { describe, expect, it } from "@effect/vitest"
import { Params } from "@oauth2/core"
import { FastCheck as fc, Redacted } from "effect"

describe("Params", () => {
  it("drops absent and empty values and repeats lists", () => {
    const p = Params.make({ a: "1", b: undefined, c: null, d: "", e: ["x", "", "y"], f: [], g: Redacted.make("s") })
    expect(p.map(([n]) => n)).toEqual(["a", "e", "e", "g"])
    expect(Params.encode(p)).toBe("a=1&e=x&e=y&g=s")
    expect(Params.get(p, "g")).toBe("s")
    expect(Params.getAll(p, "e")).toEqual(["x", "y"])
  })

  it("keeps secrets redacted until encoded", () => {
    const p = Params.make({ refresh_token: Redacted.make("SECRET") })
    expect(JSON.stringify(p)).not.toContain("SECRET")
    expect(String(p)).not.toContain("SECRET")
    expect(Params.encode(p)).toBe("refresh_token=SECRET")
  })

  it("form-encodes UTF-8 and reserved characters", () => {
    expect(Params.encode(Params.make({ q: "a b&c=d/é+" }))).toBe("q=a+b%26c%3Dd%2F%C3%A9%2B")
  })

  it("normalises scopes", () => {
    expect(Params.scope(undefined)).toBeUndefined()
    expect(Params.scope("")).toBeUndefined()
    expect(Params.scope([])).toBeUndefined()
    expect(Params.scope("  openid   email ")).toBe("openid email")
    expect(Params.scope(["openid", " ", "profile"])).toBe("openid profile")
  })

  const nameArb = fc.oneof(
    fc.stringMatching(/^[a-z_]{1,12}$/),
    fc.string({ minLength: 1, maxLength: 8 }),
    fc.constantFrom("__proto__", "constructor", "a b", "x&y=z")
  )
  const valueArb = fc.oneof(fc.fullUnicodeString({ maxLength: 20 }), fc.string({ maxLength: 20 }), fc.constantFrom("+", "%2B", "a=b&c", " "))
  const inputArb = fc.oneof(
    valueArb,
    valueArb.map((v) => Redacted.make(v)),
    fc.array(valueArb, { maxLength: 3 }),
    fc.constant(undefined),
    fc.constant(null)
  )

  it.prop(
    "encode then form-decode gives back every non-empty value, in order, secrets included",
    [fc.array(fc.tuple(nameArb, inputArb), { maxLength: 6 })],
    ([entries]) => {
      const record: Record<string, Params.Input> = {}
      for (const [name, input] of entries) Object.defineProperty(record, name, { value: input, enumerable: true, writable: true, configurable: true })
      const expected = Object.entries(record).flatMap(([name, input]): Array<[string, string]> => {
        if (input === undefined || input === null) return []
        const all = (typeof input === "string" || Redacted.isRedacted(input) ? [input] : input).map(Params.unwrap)
        return all.filter((v) => v.length > 0).map((v) => [name, v])
      })
      const decoded = [...new URLSearchParams(Params.encode(Params.make(record)))]
      expect(decoded).toEqual(expected)
    }
  )

  it.prop(
    "concat keeps both lists in order",
    [fc.dictionary(fc.stringMatching(/^[a-z]{1,5}$/), valueArb), fc.dictionary(fc.stringMatching(/^[a-z]{1,5}$/), valueArb)],
    ([a, b]) => {
      const both = Params.concat(Params.make(a), Params.make(b))
      expect(Params.encode(both)).toBe([Params.encode(Params.make(a)), Params.encode(Params.make(b))].filter((s) => s.length > 0).join("&"))
    }
  )
})
