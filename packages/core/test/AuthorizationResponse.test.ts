import { assert, describe, it } from "@effect/vitest"
import { AuthorizationRequest, AuthorizationResponse, OAuthError, Params } from "@oauth2/core"
import { Effect, Either, FastCheck as fc, Redacted } from "effect"

const rfcVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
const issuer = "https://as.example.com"
const endpoint = "https://as.example.com/authorize"

const pending = (options: Partial<AuthorizationRequest.Options> = {}) =>
  AuthorizationRequest.make({
    authorizationEndpoint: endpoint,
    clientId: "client",
    redirectUri: "https://app.example.com/cb",
    state: "xyz",
    nonce: "n-0S6_WzA2Mj",
    codeVerifier: rfcVerifier,
    ...options
  })

const tagOf = (result: Either.Either<unknown, { readonly _tag: string }>): string => (Either.isLeft(result) ? result.left._tag : "Right")

describe("AuthorizationResponse.validate", () => {
  it.effect("a valid callback gives the code and the pending data", () =>
    Effect.gen(function* () {
      const request = yield* pending({ acrValues: "urn:acr:1", maxAge: 300, issuer })
      const response = yield* AuthorizationResponse.validate(
        request,
        `https://app.example.com/cb?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz&iss=${encodeURIComponent(issuer)}&session_state=abc.def`
      )
      assert.strictEqual(response._tag, "AuthorizationResponse")
      assert.strictEqual(Redacted.value(response.code), "SplxlOBeZQQYbYS6WxSbIA")
      assert.strictEqual(String(response.code), "<redacted>")
      assert.strictEqual(response.state, "xyz")
      assert.strictEqual(response.clientId, "client")
      assert.strictEqual(response.redirectUri, "https://app.example.com/cb")
      assert.strictEqual(Redacted.value(response.codeVerifier!), rfcVerifier)
      assert.strictEqual(response.nonce, "n-0S6_WzA2Mj")
      assert.deepStrictEqual(response.acrValues, ["urn:acr:1"])
      assert.strictEqual(response.maxAge, 300)
      assert.strictEqual(response.issuer, issuer)
      assert.deepStrictEqual({ ...response.extra }, { iss: issuer, session_state: "abc.def" })
    })
  )

  it.effect("accepts every input shape", () =>
    Effect.gen(function* () {
      const request = yield* pending()
      const inputs: Array<AuthorizationResponse.Input> = [
        "https://app.example.com/cb?code=c%2Bd&state=xyz",
        "https://app.example.com/cb?code=c%2Bd&state=xyz#_=_",
        "com.example.app:/cb?code=c%2Bd&state=xyz",
        "/cb?code=c%2Bd&state=xyz",
        "?code=c%2Bd&state=xyz",
        "?code=c%2Bd&state=xyz#ignored",
        "code=c%2Bd&state=xyz",
        "  code=c%2Bd&state=xyz\n",
        "code=c%2Bd&&state=xyz&",
        new URL("https://app.example.com/cb?code=c%2Bd&state=xyz"),
        new URLSearchParams({ code: "c+d", state: "xyz" })
      ]
      for (const input of inputs) {
        const response = AuthorizationResponse.validate(request, input)
        assert.isTrue(Either.isRight(response), String(input))
        if (Either.isRight(response)) assert.strictEqual(Redacted.value(response.right.code), "c+d", String(input))
      }
    })
  )

  it.effect("decodes + and %20 as spaces (form encoding)", () =>
    Effect.gen(function* () {
      const request = yield* pending({ state: "a b" })
      for (const input of ["?code=x&state=a+b", "?code=x&state=a%20b", "code=x&state=a+b"]) {
        assert.isTrue(Either.isRight(AuthorizationResponse.validate(request, input)), input)
      }
      assert.strictEqual(tagOf(AuthorizationResponse.validate(request, "?code=x&state=a%2Bb")), "MismatchingState")
    })
  )

  it.effect("honours response_mode when the URL has both a query and a fragment", () =>
    Effect.gen(function* () {
      const url = "https://app/cb?code=fromquery&state=xyz#code=fromfragment&state=xyz"
      const fragment = yield* AuthorizationResponse.validate(yield* pending({ responseMode: "fragment" }), url)
      assert.strictEqual(Redacted.value(fragment.code), "fromfragment")
      const query = yield* AuthorizationResponse.validate(yield* pending({ responseMode: "query" }), url)
      assert.strictEqual(Redacted.value(query.code), "fromquery")
      const byDefault = yield* AuthorizationResponse.validate(yield* pending(), url)
      assert.strictEqual(Redacted.value(byDefault.code), "fromquery")
      const form = yield* AuthorizationResponse.validate(yield* pending({ responseMode: "form_post" }), "code=fromform&state=xyz")
      assert.strictEqual(Redacted.value(form.code), "fromform")
    })
  )

  it.effect("reads only the response mode requested: the query by default, never the fragment instead", () =>
    Effect.gen(function* () {
      const inFragment = [
        "https://app.example.com/cb#code=c%2Bd&state=xyz",
        "https://app.example.com/cb?#code=c%2Bd&state=xyz",
        "#code=c%2Bd&state=xyz"
      ]
      for (const mode of [undefined, "query"]) {
        const request = yield* pending(mode === undefined ? {} : { responseMode: mode })
        for (const input of inFragment) {
          assert.strictEqual(tagOf(AuthorizationResponse.validate(request, input)), "InvalidCallback", `${mode}: ${input}`)
        }
      }
      const fragmentMode = yield* pending({ responseMode: "fragment" })
      for (const input of inFragment) {
        const response = AuthorizationResponse.validate(fragmentMode, input)
        assert.isTrue(Either.isRight(response), input)
      }
      // and a fragment-mode request does not read the query
      for (const input of ["https://app.example.com/cb?code=c&state=xyz", "?code=c&state=xyz"]) {
        assert.strictEqual(tagOf(AuthorizationResponse.validate(fragmentMode, input)), "InvalidCallback", input)
      }
    })
  )

  it.effect("state: missing and mismatching", () =>
    Effect.gen(function* () {
      const request = yield* pending()
      assert.strictEqual(tagOf(AuthorizationResponse.validate(request, "?code=c")), "MissingState")
      assert.strictEqual(tagOf(AuthorizationResponse.validate(request, "?code=c&state=")), "MissingState")
      assert.strictEqual(tagOf(AuthorizationResponse.validate(request, "?code=c&state=xyZ")), "MismatchingState")
      assert.strictEqual(tagOf(AuthorizationResponse.validate(request, "?code=c&state=xyz%20")), "MismatchingState")
      assert.strictEqual(tagOf(AuthorizationResponse.validate(request, "?code=c&State=xyz")), "MissingState")
      const mismatch = AuthorizationResponse.validate(request, "?code=c&state=other")
      assert.isTrue(Either.isLeft(mismatch) && !mismatch.left.message.includes("xyz"))
      // no state sent: none is required
      const stateless = yield* pending({ state: false })
      assert.isTrue(Either.isRight(AuthorizationResponse.validate(stateless, "?code=c")))
    })
  )

  it.effect("RFC 9207 iss: required when supported, exact when present", () =>
    Effect.gen(function* () {
      const supported = yield* pending({ issuer, authorizationResponseIssParameterSupported: true })
      const missing = AuthorizationResponse.validate(supported, "?code=c&state=xyz")
      assert.strictEqual(tagOf(missing), "MissingIssuer")
      assert.isTrue(Either.isLeft(missing) && missing.left._tag === "MissingIssuer" && missing.left.expected === issuer)
      assert.isTrue(Either.isRight(AuthorizationResponse.validate(supported, `?code=c&state=xyz&iss=${encodeURIComponent(issuer)}`)))
      for (const other of ["https://as.example.com/", "https://AS.example.com", "https://evil.example.com", "https://as.example.com%20"]) {
        const result = AuthorizationResponse.validate(supported, `?code=c&state=xyz&iss=${other}`)
        assert.strictEqual(tagOf(result), "MismatchingIssuer", other)
        if (Either.isLeft(result) && result.left._tag === "MismatchingIssuer") assert.strictEqual(result.left.expected, issuer)
      }
      // known issuer, not advertised: optional, but checked when present
      const known = yield* pending({ issuer })
      assert.isTrue(Either.isRight(AuthorizationResponse.validate(known, "?code=c&state=xyz")))
      assert.strictEqual(tagOf(AuthorizationResponse.validate(known, "?code=c&state=xyz&iss=https://evil")), "MismatchingIssuer")
      // no issuer expected: an iss is fine and kept
      const unknown = yield* pending()
      const kept = yield* AuthorizationResponse.validate(unknown, "?code=c&state=xyz&iss=https://whatever")
      assert.strictEqual(kept.extra.iss, "https://whatever")
      assert.isUndefined(kept.issuer)
    })
  )

  it.effect("iss and state are checked before an error is believed", () =>
    Effect.gen(function* () {
      const request = yield* pending({ issuer, authorizationResponseIssParameterSupported: true })
      const iss = `iss=${encodeURIComponent(issuer)}`
      assert.strictEqual(tagOf(AuthorizationResponse.validate(request, "?error=access_denied&state=xyz")), "MissingIssuer")
      assert.strictEqual(tagOf(AuthorizationResponse.validate(request, "?error=access_denied&state=xyz&iss=https://evil")), "MismatchingIssuer")
      assert.strictEqual(tagOf(AuthorizationResponse.validate(request, `?error=access_denied&${iss}`)), "MissingState")
      assert.strictEqual(tagOf(AuthorizationResponse.validate(request, `?error=access_denied&state=forged&${iss}`)), "MismatchingState")
      assert.strictEqual(tagOf(AuthorizationResponse.validate(request, `?error=access_denied&state=xyz&${iss}`)), "AccessDenied")
      // an error wins over a code
      assert.strictEqual(tagOf(AuthorizationResponse.validate(request, `?error=login_required&code=c&state=xyz&${iss}`)), "LoginRequired")
    })
  )

  it.effect("maps every authorization error code to its tag", () =>
    Effect.gen(function* () {
      const request = yield* pending()
      for (const code of OAuthError.endpointCodes.authorization) {
        const result = AuthorizationResponse.validate(
          request,
          `?error=${code}&error_description=Something+went+wrong&error_uri=https%3A%2F%2Fas%2Ferr&state=xyz`
        )
        const expected = code
          .split("_")
          .map((p) => p[0]!.toUpperCase() + p.slice(1))
          .join("")
        assert.strictEqual(tagOf(result), expected)
        if (Either.isLeft(result) && OAuthError.isOAuthError(result.left)) {
          assert.strictEqual(result.left.error, code)
          assert.strictEqual(result.left.description, "Something went wrong")
          assert.strictEqual(result.left.uri, "https://as/err")
          assert.strictEqual(result.left.endpoint, "authorization")
          assert.isUndefined(result.left.status)
        } else {
          assert.fail(`not an OAuthError for ${code}`)
        }
      }
      const unknown = AuthorizationResponse.validate(request, "?error=session_selection_required&state=xyz")
      assert.strictEqual(tagOf(unknown), "UnknownError")
      assert.isTrue(Either.isLeft(unknown) && "error" in unknown.left && unknown.left.error === "session_selection_required")
      const bare = AuthorizationResponse.validate(request, "?error=consent_required&state=xyz")
      assert.isTrue(Either.isLeft(bare) && bare.left._tag === "ConsentRequired" && !("description" in bare.left))
      const tokenOnly = AuthorizationResponse.validate(request, "?error=invalid_grant&state=xyz")
      assert.strictEqual(tagOf(tokenOnly), "UnknownError")
    })
  )

  it.effect("code is required", () =>
    Effect.gen(function* () {
      const request = yield* pending()
      assert.strictEqual(tagOf(AuthorizationResponse.validate(request, "?state=xyz")), "MissingAuthorizationCode")
      assert.strictEqual(tagOf(AuthorizationResponse.validate(request, "?state=xyz&code=")), "MissingAuthorizationCode")
      assert.strictEqual(tagOf(AuthorizationResponse.validate(request, "?state=xyz&code")), "MissingAuthorizationCode")
      assert.strictEqual(tagOf(AuthorizationResponse.validate(request, "https://app/cb?state=xyz#code=c")), "MissingAuthorizationCode")
    })
  )

  it.effect("repeated parameters are refused, naming the parameter", () =>
    Effect.gen(function* () {
      const request = yield* pending()
      for (const [input, name] of [
        ["?code=a&code=b&state=xyz", "code"],
        ["?code=a&state=xyz&state=xyz", "state"],
        ["?code=a&state=xyz&iss=x&iss=x", "iss"],
        ["?code=a&state=xyz&error=a&error=b", "error"],
        ["?code=a&state=xyz&foo=1&foo=2", "foo"],
        ["?code=a&state=xyz&code=", "code"]
      ] as const) {
        const result = AuthorizationResponse.validate(request, input)
        assert.strictEqual(tagOf(result), "RepeatedParameter", input)
        if (Either.isLeft(result) && result.left._tag === "RepeatedParameter") {
          assert.strictEqual(result.left.parameter, name)
          assert.include(result.left.message, name)
        }
      }
      const form = new URLSearchParams([
        ["code", "a"],
        ["code", "b"],
        ["state", "xyz"]
      ])
      assert.strictEqual(tagOf(AuthorizationResponse.validate(request, form)), "RepeatedParameter")
    })
  )

  it.effect("malformed input is InvalidCallback", () =>
    Effect.gen(function* () {
      const request = yield* pending()
      const bad: Array<unknown> = [
        "",
        "   ",
        "?code=%E0%A4%A&state=xyz",
        "?code=%&state=xyz",
        "?code=%ZZ&state=xyz",
        "?code=a&state=%FF",
        "https://[::1/cb?code=a",
        `?code=${"a".repeat(AuthorizationResponse.maxInputLength)}&state=xyz`,
        "?" + Array.from({ length: 1000 }, (_, i) => `p${i}=1`).join("&"),
        null,
        undefined,
        42,
        { code: "a", state: "xyz" },
        ["code=a"]
      ]
      assert.strictEqual(tagOf(AuthorizationResponse.validate(undefined as any, "?code=a")), "InvalidCallback")
      for (const input of bad) {
        const result = AuthorizationResponse.validate(request, input as string)
        assert.strictEqual(tagOf(result), "InvalidCallback", String(input).slice(0, 40))
        if (Either.isLeft(result)) assert.isTrue(AuthorizationResponse.isCallbackError(result.left))
      }
    })
  )

  it.effect("works against restored and pushed requests", () =>
    Effect.gen(function* () {
      const request = yield* pending({ issuer, authorizationResponseIssParameterSupported: true })
      const pushed = yield* AuthorizationRequest.withRequestUri(request, { requestUri: "urn:r" })
      const restored = yield* AuthorizationRequest.restore(AuthorizationRequest.serialize(pushed))
      const callback = `https://app.example.com/cb?code=c&state=xyz&iss=${encodeURIComponent(issuer)}`
      const response = yield* AuthorizationResponse.validate(restored, callback)
      assert.strictEqual(Redacted.value(response.codeVerifier!), rfcVerifier)
      const piped = yield* AuthorizationResponse.validate(callback)(pushed)
      assert.strictEqual(Redacted.value(piped.code), "c")
      assert.strictEqual(tagOf(AuthorizationResponse.validate(restored, "?code=c&state=xyz")), "MissingIssuer")
    })
  )

  it.effect("token request inputs", () =>
    Effect.gen(function* () {
      const response = yield* AuthorizationResponse.validate(yield* pending(), "?code=the-code&state=xyz")
      const inputs = AuthorizationResponse.tokenRequestInputs(response)
      assert.strictEqual(Redacted.value(inputs.code), "the-code")
      assert.strictEqual(inputs.redirectUri, "https://app.example.com/cb")
      assert.strictEqual(Redacted.value(inputs.codeVerifier!), rfcVerifier)
      const params = AuthorizationResponse.toParams(response)
      assert.deepStrictEqual(
        params.map(([n]) => n),
        ["code", "redirect_uri", "code_verifier"]
      )
      assert.isTrue(Redacted.isRedacted(params[0]![1]) && Redacted.isRedacted(params[2]![1]))
      assert.strictEqual(Params.encode(params), `code=the-code&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&code_verifier=${rfcVerifier}`)
      const minimal = yield* AuthorizationResponse.validate(
        yield* AuthorizationRequest.make({ authorizationEndpoint: endpoint, clientId: "c", state: false, codeChallengeMethod: false }),
        "?code=k"
      )
      assert.deepStrictEqual(Object.keys(AuthorizationResponse.tokenRequestInputs(minimal)), ["code"])
      assert.deepStrictEqual(
        AuthorizationResponse.toParams(minimal).map(([n]) => n),
        ["code"]
      )
    })
  )
})

describe("AuthorizationResponse.parse", () => {
  it("drops empty values, keeps others, survives __proto__", () => {
    const parsed = AuthorizationResponse.parse("?a=1&b=&c&__proto__=x&constructor=y")
    assert.isTrue(Either.isRight(parsed))
    if (Either.isRight(parsed)) {
      assert.deepStrictEqual(Object.keys(parsed.right), ["a", "__proto__", "constructor"])
      assert.strictEqual(Object.getPrototypeOf(parsed.right), Object.prototype)
    }
  })

  it("error constructors carry a message", () => {
    for (const e of [
      AuthorizationResponse.invalidCallback("x"),
      AuthorizationResponse.repeatedParameter("code"),
      AuthorizationResponse.missingIssuer("https://as"),
      AuthorizationResponse.mismatchingIssuer("https://as", "https://evil"),
      AuthorizationResponse.missingState(),
      AuthorizationResponse.mismatchingState(),
      AuthorizationResponse.missingAuthorizationCode()
    ]) {
      assert.isTrue(AuthorizationResponse.isCallbackError(e))
      assert.isTrue(e.message.length > 0)
    }
    assert.isFalse(AuthorizationResponse.isCallbackError(OAuthError.invalidArgument("a", "b")))
    const long = AuthorizationResponse.repeatedParameter("p".repeat(10_000))
    assert.isTrue(long.parameter.length <= 64)
  })
})

const propertyRequest = await Effect.runPromise(pending({ issuer, authorizationResponseIssParameterSupported: true }))

describe("AuthorizationResponse properties", () => {
  const request = propertyRequest
  const callbackTags = new Set([
    "InvalidCallback",
    "RepeatedParameter",
    "MissingIssuer",
    "MismatchingIssuer",
    "MissingState",
    "MismatchingState",
    "MissingAuthorizationCode"
  ])
  const typed = (result: Either.Either<AuthorizationResponse.AuthorizationResponse, { readonly _tag: string }>) => {
    if (Either.isLeft(result)) {
      assert.isTrue(callbackTags.has(result.left._tag) || OAuthError.isOAuthError(result.left), result.left._tag)
    } else {
      assert.strictEqual(result.right.state, "xyz")
    }
  }

  it.prop(
    "random strings give a success or a typed failure",
    [fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.webUrl({ withQueryParameters: true, withFragments: true }))],
    ([s]) => {
      typed(AuthorizationResponse.validate(request, s))
    }
  )

  const name = fc.constantFrom("code", "state", "iss", "error", "error_description", "session_state", "x", "%", "=", "&")
  const value = fc.oneof(fc.constantFrom("xyz", issuer, "access_denied", "%E0", "%2", ""), fc.string())
  it.prop(
    "random parameter lists give a success or a typed failure",
    [fc.array(fc.tuple(name, value), { maxLength: 8 }), fc.constantFrom("?", "#", "", "https://app/cb?", "https://app/cb#", "/cb?")],
    ([pairs, prefix]) => {
      const input = prefix + pairs.map(([n, v]) => `${n}=${v}`).join("&")
      typed(AuthorizationResponse.validate(request, input))
    }
  )

  it.prop(
    "a well-formed callback with the right state and iss always succeeds",
    [fc.string({ minLength: 1 }), fc.dictionary(fc.stringMatching(/^x_[a-z]{1,5}$/), fc.string({ minLength: 1 }))],
    ([code, extra]) => {
      const params = new URLSearchParams({ ...extra, code, state: "xyz", iss: issuer })
      const result = AuthorizationResponse.validate(request, `https://app.example.com/cb?${params}`)
      assert.isTrue(Either.isRight(result))
      if (Either.isRight(result)) {
        assert.strictEqual(Redacted.value(result.right.code), code)
        assert.deepStrictEqual({ ...result.right.extra }, { ...extra, iss: issuer })
      }
    }
  )
})
