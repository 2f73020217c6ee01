import { describe, expect, it } from "@effect/vitest"
import { Params } from "@oauth2/core"
import { Redacted } from "effect"

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
})
