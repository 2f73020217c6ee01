import { assert, describe, it } from "@effect/vitest"
import { Bearer } from "@oauth2/http"
import { FastCheck as fc } from "effect"

const tchar = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/
const tokenArb = fc.stringMatching(/^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]{0,11}$/)
const token68Arb = fc.stringMatching(/^[A-Za-z0-9\-._~+/]{1,24}={0,2}$/)
const valueArb = fc.oneof(fc.string({ maxLength: 40 }), fc.fullUnicodeString({ maxLength: 20 }), tokenArb)

/** A generated challenge: what it means, and how a server may write it. */
interface Generated {
  readonly scheme: string
  readonly token68?: string | undefined
  readonly params: ReadonlyArray<readonly [name: string, value: string, quoted: boolean]>
}

const challengeArb: fc.Arbitrary<Generated> = fc.oneof(
  fc.record({
    scheme: tokenArb,
    params: fc.uniqueArray(fc.tuple(tokenArb, valueArb, fc.boolean()), { maxLength: 5, selector: ([name]) => name.toLowerCase() })
  }),
  fc.record({ scheme: tokenArb, token68: token68Arb, params: fc.constant([]) })
)

const quote = (value: string) => `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`

const write = (challenges: ReadonlyArray<Generated>, spaces: string): string =>
  challenges
    .map((c) => {
      if (c.token68 !== undefined) return `${c.scheme} ${c.token68}`
      const params = c.params.map(([name, value, quoted]) => `${name}${spaces}=${spaces}${quoted || !tchar.test(value) ? quote(value) : value}`)
      return params.length === 0 ? c.scheme : `${c.scheme} ${params.join(`${spaces},${spaces}`)}`
    })
    .join(`${spaces},${spaces}`)

const meaning = (challenges: ReadonlyArray<Generated>) =>
  challenges.map((c) => ({ scheme: c.scheme.toLowerCase(), params: Object.fromEntries(c.params.map(([n, v]) => [n.toLowerCase(), v])) }))

const prototypeNames = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf", "__defineGetter__"]

describe("Bearer.parseChallenges (RFC 9110 11.6.1, RFC 6750 3)", () => {
  it("parses schemes, quoted and token parameters, token68 and several challenges", () => {
    assert.deepStrictEqual(
      Bearer.parseChallenges(`Bearer realm="example", error="invalid_token", error_description="The access token \\"expired\\""`),
      [{ scheme: "bearer", params: { realm: "example", error: "invalid_token", error_description: `The access token "expired"` } }]
    )
    assert.deepStrictEqual(Bearer.parseChallenges(`Basic dXNlcjpwYXNz==, Bearer error=invalid_token`), [
      { scheme: "basic", params: {} },
      { scheme: "bearer", params: { error: "invalid_token" } }
    ])
    assert.deepStrictEqual(Bearer.parseChallenges(`Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"`), [
      { scheme: "newauth", params: { realm: "apps", type: "1", title: `Login to "apps"` } },
      { scheme: "basic", params: { realm: "simple" } }
    ])
    // an unquoted URL is not a token, but servers send it
    assert.deepStrictEqual(Bearer.parseChallenges(`Bearer error=invalid_token, error_uri=https://as.example.com/e`), [
      { scheme: "bearer", params: { error: "invalid_token", error_uri: "https://as.example.com/e" } }
    ])
  })

  it("keeps the first value of a repeated parameter; names and schemes are case-insensitive", () => {
    assert.deepStrictEqual(Bearer.parseChallenges(`BEARER Error="invalid_token", error="insufficient_scope"`), [
      { scheme: "bearer", params: { error: "invalid_token" } }
    ])
  })

  it("stops at what is not a challenge and keeps what came before", () => {
    assert.deepStrictEqual(Bearer.parseChallenges(``), [])
    assert.deepStrictEqual(Bearer.parseChallenges(`"garbage`), [])
    assert.deepStrictEqual(Bearer.parseChallenges(`Bearer error="invalid_token", realm="unterminated`), [
      { scheme: "bearer", params: { error: "invalid_token" } }
    ])
    assert.deepStrictEqual(Bearer.parseChallenges(`Bearer error="invalid_token", realm=, Basic`), [
      { scheme: "bearer", params: { error: "invalid_token" } }
    ])
  })

  it("__proto__, constructor and the like are ordinary parameters; absent ones read undefined", () => {
    const [challenge] = Bearer.parseChallenges(`Bearer __proto__="polluted", constructor="c", error="invalid_token"`)
    assert.strictEqual(challenge!.params["__proto__"], "polluted")
    assert.strictEqual(challenge!.params["constructor"], "c")
    assert.strictEqual(challenge!.params["error"], "invalid_token")
    assert.strictEqual(({} as Record<string, unknown>)["polluted"], undefined)
    const [plain] = Bearer.parseChallenges(`Bearer realm="x"`)
    for (const name of prototypeNames) {
      assert.strictEqual(plain!.params[name], undefined, name)
      assert.strictEqual(plain!.params[name.toLowerCase()], undefined, name)
    }
  })

  it.prop(
    "written challenges parse back to what they mean",
    [fc.array(challengeArb, { minLength: 1, maxLength: 4 }), fc.constantFrom("", " ", "  ", "\t")],
    ([challenges, spaces]) => {
      assert.deepStrictEqual(Bearer.parseChallenges(write(challenges, spaces)), meaning(challenges))
    }
  )

  it.prop(
    "parameters named after Object.prototype members never reach a prototype",
    [
      fc.uniqueArray(fc.tuple(fc.constantFrom(...prototypeNames), valueArb), { minLength: 1, maxLength: prototypeNames.length, selector: ([n]) => n })
    ],
    ([params]) => {
      const header = `Bearer ${params.map(([n, v]) => `${n}=${quote(v)}`).join(", ")}, Basic ${params.map(([n]) => `${n}=x`).join(", ")}`
      const [bearer, basic] = Bearer.parseChallenges(header)
      for (const [sent, value] of params) {
        const name = sent.toLowerCase()
        assert.isTrue(Object.hasOwn(bearer!.params, name), name)
        assert.strictEqual(bearer!.params[name], value)
        assert.strictEqual(basic!.params[name], "x")
      }
      assert.isNull(Object.getPrototypeOf(bearer!.params))
      assert.deepStrictEqual(Object.keys(Object.prototype), [])
      assert.strictEqual(typeof ({} as Record<string, unknown>).toString, "function")
    }
  )

  it.prop(
    "never throws, and what it returns is well-formed",
    [
      fc.oneof(
        fc.string({ maxLength: 200 }),
        fc.fullUnicodeString({ maxLength: 100 }),
        fc
          .array(fc.constantFrom("Bearer", "DPoP", " ", "\t", ",", "=", '"', "\\", "error", "realm", "abc==", "__proto__", "\n"), { maxLength: 40 })
          .map((parts) => parts.join(""))
      )
    ],
    ([header]) => {
      for (const challenge of Bearer.parseChallenges(header)) {
        assert.match(challenge.scheme, tchar)
        assert.strictEqual(challenge.scheme, challenge.scheme.toLowerCase())
        for (const [name, value] of Object.entries(challenge.params)) {
          assert.match(name, tchar)
          assert.isString(value)
        }
      }
    }
  )

  it("is linear on hostile input (a long header is cut at 8 KiB)", () => {
    for (const header of [
      `Bearer a="${"\\".repeat(100_000)}`,
      `Bearer ${"a=b ".repeat(50_000)}`,
      `${"x ".repeat(100_000)}=`,
      `Basic ${"A".repeat(100_000)}`
    ]) {
      assert.isArray(Bearer.parseChallenges(header))
    }
  })
})
