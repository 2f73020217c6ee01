import { assert, describe, it } from "@effect/vitest"
import { AuthorizationRequest, Params } from "@oauth2/core"
import { DateTime, Effect, Either, Equal, FastCheck as fc, Redacted } from "effect"
import { createHash } from "node:crypto"

const rfcVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
const rfcChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
const endpoint = "https://as.example.com/authorize"
const base = { authorizationEndpoint: endpoint, clientId: "client" } as const

const queryOf = (url: string): Array<[string, string]> => [...new URL(url).searchParams]

const refused = (options: unknown, argument: string) =>
  Effect.gen(function* () {
    const error = yield* Effect.flip(AuthorizationRequest.make(options as AuthorizationRequest.Options))
    assert.strictEqual(error._tag, "InvalidArgument")
    assert.strictEqual(error.argument, argument, error.message)
    return error
  })

describe("AuthorizationRequest.make", () => {
  it.effect("builds the exact URL, parameters in order, spaces as %20", () =>
    Effect.gen(function* () {
      const request = yield* AuthorizationRequest.make({
        ...base,
        redirectUri: "https://app.example.com/cb",
        scope: ["openid", "profile"],
        state: "st",
        nonce: "nn",
        codeVerifier: rfcVerifier
      })
      assert.strictEqual(
        request.url,
        "https://as.example.com/authorize?client_id=client&response_type=code" +
          "&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&scope=openid%20profile&state=st&nonce=nn" +
          `&code_challenge=${rfcChallenge}&code_challenge_method=S256`
      )
      assert.strictEqual(request._tag, "AuthorizationRequest")
      assert.strictEqual(request.clientId, "client")
      assert.strictEqual(request.redirectUri, "https://app.example.com/cb")
      assert.strictEqual(request.scope, "openid profile")
      assert.strictEqual(request.state, "st")
      assert.strictEqual(request.nonce, "nn")
      assert.strictEqual(request.codeChallengeMethod, "S256")
      assert.strictEqual(Redacted.value(request.codeVerifier!), rfcVerifier)
      assert.isFalse(request.authorizationResponseIssParameterSupported)
      assert.notInclude(request.url, rfcVerifier)
      assert.isUndefined(Params.get(request.params, "code_verifier"))
    })
  )

  it.effect("defaults: scope openid, random state and nonce, S256 PKCE", () =>
    Effect.gen(function* () {
      const request = yield* AuthorizationRequest.make(base)
      const q = new URL(request.url).searchParams
      assert.deepStrictEqual([...q.keys()], ["client_id", "response_type", "scope", "state", "nonce", "code_challenge", "code_challenge_method"])
      assert.strictEqual(q.get("scope"), "openid")
      assert.match(request.state!, /^[A-Za-z0-9_-]{43}$/)
      assert.match(request.nonce!, /^[A-Za-z0-9_-]{43}$/)
      assert.notStrictEqual(request.state, request.nonce)
      assert.strictEqual(q.get("state"), request.state)
      assert.strictEqual(q.get("nonce"), request.nonce)
      const verifier = Redacted.value(request.codeVerifier!)
      assert.strictEqual(verifier.length, 43)
      assert.strictEqual(q.get("code_challenge"), createHash("sha256").update(verifier).digest("base64url"))
      assert.strictEqual(q.get("code_challenge_method"), "S256")
      const other = yield* AuthorizationRequest.make(base)
      assert.notStrictEqual(other.state, request.state)
      assert.isFalse(Equal.equals(other, request))
    })
  )

  it.effect("no nonce unless the scope contains openid; opting out of state, nonce and PKCE", () =>
    Effect.gen(function* () {
      const noOpenid = yield* AuthorizationRequest.make({ ...base, scope: "profile email" })
      assert.isUndefined(noOpenid.nonce)
      assert.isUndefined(new URL(noOpenid.url).searchParams.get("nonce") ?? undefined)
      assert.isDefined(noOpenid.state)
      const explicitNonce = yield* AuthorizationRequest.make({ ...base, scope: "profile", nonce: "n" })
      assert.strictEqual(explicitNonce.nonce, "n")
      const bare = yield* AuthorizationRequest.make({ ...base, scope: [], state: false, nonce: false, codeChallengeMethod: false })
      assert.strictEqual(bare.url, "https://as.example.com/authorize?client_id=client&response_type=code")
      assert.isUndefined(bare.state)
      assert.isUndefined(bare.nonce)
      assert.isUndefined(bare.codeVerifier)
      assert.isUndefined(bare.scope)
      const emptyScope = yield* AuthorizationRequest.make({ ...base, scope: "", state: false, codeChallengeMethod: false })
      assert.strictEqual(emptyScope.url, bare.url)
    })
  )

  it.effect("plain PKCE sends the verifier as challenge", () =>
    Effect.gen(function* () {
      const request = yield* AuthorizationRequest.make({ ...base, codeChallengeMethod: "plain", codeVerifier: Redacted.make(rfcVerifier) })
      const q = new URL(request.url).searchParams
      assert.strictEqual(q.get("code_challenge"), rfcVerifier)
      assert.strictEqual(q.get("code_challenge_method"), "plain")
    })
  )

  it.effect("every standard parameter, encoded", () =>
    Effect.gen(function* () {
      const claims = { id_token: { acr: { essential: true, values: ["urn:mace:incommon:iap:silver"] } } }
      const details = [{ type: "payment_initiation", instructedAmount: { currency: "EUR", amount: "123.50" } }]
      const request = yield* AuthorizationRequest.make({
        ...base,
        state: "s",
        nonce: false,
        codeChallengeMethod: false,
        scope: "openid  profile ",
        acrValues: ["urn:acr:1", "urn:acr:2"],
        maxAge: 0,
        prompt: ["login", "consent"],
        loginHint: "user+tag@example.com",
        claims,
        resource: ["https://api.example.com/a", "https://api.example.com/b?x=1"],
        authorizationDetails: details,
        responseMode: "form_post",
        extraParams: { ui_locales: "fr-CA fr", custom: ["1", "2"], empty: "", absent: undefined, secret: Redacted.make("x y") }
      })
      assert.deepStrictEqual(queryOf(request.url), [
        ["client_id", "client"],
        ["response_type", "code"],
        ["scope", "openid profile"],
        ["state", "s"],
        ["response_mode", "form_post"],
        ["prompt", "login consent"],
        ["max_age", "0"],
        ["acr_values", "urn:acr:1 urn:acr:2"],
        ["login_hint", "user+tag@example.com"],
        ["claims", JSON.stringify(claims)],
        ["resource", "https://api.example.com/a"],
        ["resource", "https://api.example.com/b?x=1"],
        ["authorization_details", JSON.stringify(details)],
        ["ui_locales", "fr-CA fr"],
        ["custom", "1"],
        ["custom", "2"],
        ["secret", "x y"]
      ])
      // `+` is encoded, spaces are %20, nothing is sent as a raw `+`
      assert.include(request.url, "login_hint=user%2Btag%40example.com")
      assert.include(request.url, "prompt=login%20consent")
      assert.notInclude(request.url.split("?")[1], "+")
      assert.deepStrictEqual(request.acrValues, ["urn:acr:1", "urn:acr:2"])
      assert.strictEqual(request.maxAge, 0)
      assert.strictEqual(request.responseMode, "form_post")
      const single = yield* AuthorizationRequest.make({
        ...base,
        authorizationDetails: { type: "account_information" },
        acrValues: "a b",
        prompt: "none"
      })
      const q = new URL(single.url).searchParams
      assert.strictEqual(q.get("authorization_details"), `[{"type":"account_information"}]`)
      assert.strictEqual(q.get("acr_values"), "a b")
      assert.strictEqual(q.get("prompt"), "none")
      assert.deepStrictEqual(single.acrValues, ["a", "b"])
    })
  )

  it.effect("keeps the endpoint's own query, unchanged, before ours", () =>
    Effect.gen(function* () {
      const request = yield* AuthorizationRequest.make({
        ...base,
        authorizationEndpoint: "https://login.example.com/tenant/oauth2/authorize?p=B2C_1_signin&x=a+b%2Bc",
        state: "s",
        nonce: false,
        codeChallengeMethod: false,
        scope: "openid"
      })
      assert.strictEqual(
        request.url,
        "https://login.example.com/tenant/oauth2/authorize?p=B2C_1_signin&x=a+b%2Bc&client_id=client&response_type=code&scope=openid&state=s"
      )
      assert.strictEqual(new URL(request.url).searchParams.get("x"), "a b+c")
      assert.strictEqual(request.authorizationEndpoint, "https://login.example.com/tenant/oauth2/authorize?p=B2C_1_signin&x=a+b%2Bc")
    })
  )

  it.effect("refuses an endpoint whose query already has one of our parameters", () =>
    Effect.gen(function* () {
      const error = yield* refused({ ...base, authorizationEndpoint: `${endpoint}?client_id=other` }, "authorizationEndpoint")
      assert.include(error.message, "client_id")
      yield* refused({ ...base, authorizationEndpoint: `${endpoint}?scope=x` }, "authorizationEndpoint")
      yield* refused({ ...base, authorizationEndpoint: `${endpoint}?foo=1`, extraParams: { foo: "2" } }, "authorizationEndpoint")
    })
  )

  it.effect("refuses code_challenge, code_challenge_method and code_verifier as parameters", () =>
    Effect.gen(function* () {
      for (const name of ["code_challenge", "code_challenge_method", "code_verifier"]) {
        const error = yield* refused({ ...base, extraParams: { [name]: "x" } }, "extraParams")
        assert.include(error.message, name)
        assert.include(error.message, "codeVerifier")
      }
    })
  )

  it.effect("refuses managed names in extraParams", () =>
    Effect.gen(function* () {
      for (const name of ["client_id", "response_type", "redirect_uri", "scope", "state", "nonce", "max_age", "resource", "request", "request_uri"]) {
        yield* refused({ ...base, extraParams: { [name]: "x" } }, "extraParams")
      }
      yield* refused({ ...base, extraParams: { n: 1 } }, "extraParams")
      yield* refused({ ...base, extraParams: { n: [Redacted.make(1)] } }, "extraParams")
      yield* refused({ ...base, extraParams: "a=b" }, "extraParams")
      yield* refused({ ...base, extraParams: { "": "x" } }, "extraParams")
    })
  )

  it.effect("refuses bad options with InvalidArgument naming them", () =>
    Effect.gen(function* () {
      yield* refused(undefined, "options")
      yield* refused("https://as", "options")
      yield* refused({ clientId: "c" }, "authorizationEndpoint")
      yield* refused({ ...base, authorizationEndpoint: "not a url" }, "authorizationEndpoint")
      yield* refused({ ...base, authorizationEndpoint: "/authorize" }, "authorizationEndpoint")
      yield* refused({ ...base, authorizationEndpoint: "ftp://as.example.com/authorize" }, "authorizationEndpoint")
      yield* refused({ ...base, authorizationEndpoint: `${endpoint}#frag` }, "authorizationEndpoint")
      yield* refused({ ...base, authorizationEndpoint: `${endpoint}#` }, "authorizationEndpoint")
      yield* refused({ ...base, authorizationEndpoint: 42 }, "authorizationEndpoint")
      yield* refused({ ...base, clientId: "" }, "clientId")
      yield* refused({ ...base, clientId: 42 }, "clientId")
      yield* refused({ authorizationEndpoint: endpoint }, "clientId")
      yield* refused({ ...base, redirectUri: "/cb" }, "redirectUri")
      yield* refused({ ...base, redirectUri: "https://app/cb#x" }, "redirectUri")
      yield* refused({ ...base, scope: 42 }, "scope")
      yield* refused({ ...base, scope: ["openid", 1] }, "scope")
      yield* refused({ ...base, state: "" }, "state")
      yield* refused({ ...base, state: "é" }, "state")
      yield* refused({ ...base, state: "a\nb" }, "state")
      yield* refused({ ...base, state: true }, "state")
      yield* refused({ ...base, nonce: "" }, "nonce")
      yield* refused({ ...base, nonce: 1 }, "nonce")
      yield* refused({ ...base, codeChallengeMethod: "S512" }, "codeChallengeMethod")
      yield* refused({ ...base, codeChallengeMethod: true }, "codeChallengeMethod")
      yield* refused({ ...base, codeVerifier: "short" }, "codeVerifier")
      yield* refused({ ...base, codeVerifier: "a".repeat(129) }, "codeVerifier")
      yield* refused({ ...base, codeVerifier: rfcVerifier, codeChallengeMethod: false }, "codeVerifier")
      for (const maxAge of [-1, 1.5, Number.NaN, Infinity, "60", 2 ** 60]) {
        yield* refused({ ...base, maxAge }, "maxAge")
      }
      yield* refused({ ...base, prompt: "none login" }, "prompt")
      yield* refused({ ...base, prompt: ["none", "consent"] }, "prompt")
      yield* refused({ ...base, acrValues: { a: 1 } }, "acrValues")
      yield* refused({ ...base, loginHint: 3 }, "loginHint")
      yield* refused({ ...base, claims: "{}" }, "claims")
      yield* refused({ ...base, claims: [1] }, "claims")
      yield* refused({ ...base, claims: { n: BigInt(1) } }, "claims")
      const cyclic: Record<string, unknown> = {}
      cyclic.self = cyclic
      yield* refused({ ...base, claims: cyclic }, "claims")
      yield* refused({ ...base, resource: "api" }, "resource")
      yield* refused({ ...base, resource: ["https://api.example.com", "https://api.example.com/#x"] }, "resource")
      yield* refused({ ...base, authorizationDetails: [{ foo: 1 }] }, "authorizationDetails")
      yield* refused({ ...base, authorizationDetails: [{ type: "" }] }, "authorizationDetails")
      yield* refused({ ...base, authorizationDetails: "x" }, "authorizationDetails")
      yield* refused({ ...base, authorizationDetails: [{ type: "t", n: BigInt(2) }] }, "authorizationDetails")
      yield* refused({ ...base, responseMode: "" }, "responseMode")
      yield* refused({ ...base, issuer: "" }, "issuer")
      yield* refused({ ...base, authorizationResponseIssParameterSupported: true }, "issuer")
      yield* refused(
        { ...base, issuer: "https://as", authorizationResponseIssParameterSupported: "yes" },
        "authorizationResponseIssParameterSupported"
      )
    })
  )

  it.effect("keeps issuer and RFC 9207 support", () =>
    Effect.gen(function* () {
      const request = yield* AuthorizationRequest.make({
        ...base,
        issuer: "https://as.example.com",
        authorizationResponseIssParameterSupported: true
      })
      assert.strictEqual(request.issuer, "https://as.example.com")
      assert.isTrue(request.authorizationResponseIssParameterSupported)
      assert.notInclude(request.url, "iss")
    })
  )

  it.effect("accepts native-app redirect URIs and huge but valid inputs", () =>
    Effect.gen(function* () {
      const request = yield* AuthorizationRequest.make({ ...base, redirectUri: "com.example.app:/oauth2redirect" })
      assert.strictEqual(new URL(request.url).searchParams.get("redirect_uri"), "com.example.app:/oauth2redirect")
      const big = yield* AuthorizationRequest.make({ ...base, loginHint: "x".repeat(100_000) })
      assert.strictEqual(new URL(big.url).searchParams.get("login_hint")!.length, 100_000)
    })
  )
})

describe("AuthorizationRequest variants", () => {
  it.effect("PAR: the URL carries only client_id and request_uri, the pending data stays", () =>
    Effect.gen(function* () {
      const request = yield* AuthorizationRequest.make({
        ...base,
        authorizationEndpoint: `${endpoint}?tenant=t`,
        redirectUri: "https://app/cb",
        maxAge: 60
      })
      const expiresAt = DateTime.unsafeMake(1_700_000_090_000)
      const pushed = yield* AuthorizationRequest.withRequestUri(request, {
        requestUri: "urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c",
        expiresAt
      })
      assert.strictEqual(pushed._tag, "RequestUriRequest")
      assert.strictEqual(
        pushed.url,
        `${endpoint}?tenant=t&client_id=client&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3A6esc_11ACC5bwc014ltc14eY22c`
      )
      assert.strictEqual(pushed.state, request.state)
      assert.strictEqual(pushed.nonce, request.nonce)
      assert.strictEqual(pushed.codeVerifier, request.codeVerifier)
      assert.strictEqual(pushed.maxAge, 60)
      assert.deepStrictEqual(pushed.params, request.params)
      assert.deepStrictEqual(AuthorizationRequest.queryParams(request), request.params)
      assert.deepStrictEqual(AuthorizationRequest.queryParams(pushed), [
        ["client_id", "client"],
        ["request_uri", pushed.requestUri]
      ])
      assert.isTrue(Equal.equals(pushed.expiresAt, expiresAt))
      const piped = yield* AuthorizationRequest.withRequestUri({ requestUri: "urn:x" })(request)
      assert.strictEqual(piped.requestUri, "urn:x")
      const empty = AuthorizationRequest.withRequestUri(request, { requestUri: "" })
      assert.isTrue(Either.isLeft(empty) && empty.left.argument === "requestUri")
      const wrong = AuthorizationRequest.withRequestUri(request, { requestUri: 5 as any })
      assert.isTrue(Either.isLeft(wrong))
      const badExpiry = AuthorizationRequest.withRequestUri(request, { requestUri: "urn:x", expiresAt: 5 as any })
      assert.isTrue(Either.isLeft(badExpiry) && badExpiry.left.argument === "expiresAt")
    })
  )

  it.effect("request object: the URL carries client_id, response_type, scope (OIDC Core 6.1) and request", () =>
    Effect.gen(function* () {
      const request = yield* AuthorizationRequest.make(base)
      const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJjbGllbnQifQ.c2ln"
      const jar = yield* AuthorizationRequest.withRequestObject(request, jwt)
      assert.strictEqual(jar._tag, "RequestObjectRequest")
      assert.strictEqual(jar.url, `${endpoint}?client_id=client&response_type=code&scope=openid&request=${jwt}`)
      const withScope = yield* AuthorizationRequest.withRequestObject(yield* AuthorizationRequest.make({ ...base, scope: "openid email" }), jwt)
      assert.strictEqual(withScope.url, `${endpoint}?client_id=client&response_type=code&scope=openid%20email&request=${jwt}`)
      assert.strictEqual(jar.state, request.state)
      const jwe = "eyJhbGciOiJSU0EtT0FFUCJ9.ZW5j.aXY.Y3Q.dGFn"
      assert.isTrue(Either.isRight(AuthorizationRequest.withRequestObject(jwe)(request)))
      for (const bad of ["", "abc", "a.b", "a.b.c.d", "a b.c.d", 5]) {
        const result = AuthorizationRequest.withRequestObject(request, bad as string)
        assert.isTrue(Either.isLeft(result) && result.left.argument === "request", String(bad))
      }
      // a request object can then be pushed
      const pushed = yield* AuthorizationRequest.withRequestUri(jar, { requestUri: "urn:r" })
      assert.strictEqual(pushed.state, request.state)
    })
  )
})

// ---------------------------------------------------------------------------------------------------------------
// serialization
// ---------------------------------------------------------------------------------------------------------------

const token = fc.stringMatching(/^[A-Za-z0-9:._~-]{1,12}$/)
const ascii = fc.stringMatching(/^[\x20-\x7e]{1,40}$/)
const optionsArb = fc.record(
  {
    redirectUri: fc.constantFrom("https://app.example.com/cb", "http://127.0.0.1:8080/cb?x=1", "com.example.app:/cb"),
    scope: fc.oneof(fc.array(token, { maxLength: 4 }), token),
    state: fc.oneof(ascii, fc.constant(false as const)),
    nonce: fc.oneof(fc.string({ minLength: 1, maxLength: 30 }), fc.constant(false as const)),
    codeChallengeMethod: fc.constantFrom("S256" as const, "plain" as const, false as const),
    acrValues: fc.array(token, { minLength: 1, maxLength: 3 }),
    maxAge: fc.nat(),
    prompt: fc.constantFrom("login", "consent", ["login", "consent"], "none"),
    loginHint: fc.string({ minLength: 1 }),
    claims: fc.dictionary(token, fc.jsonValue({ maxDepth: 2 })),
    resource: fc.array(fc.webUrl({ withFragments: false }), { minLength: 1, maxLength: 3 }),
    responseMode: fc.constantFrom("query", "fragment", "form_post"),
    issuer: fc.webUrl({ withFragments: false }),
    extraParams: fc.dictionary(
      fc.stringMatching(/^x_[a-z]{1,6}$/),
      fc.oneof(fc.string({ minLength: 1 }), fc.array(fc.string({ minLength: 1 }), { maxLength: 3 }))
    )
  },
  { requiredKeys: [] }
)
const variantArb = fc.oneof(
  fc.constant({ kind: "code" as const }),
  fc.record({
    kind: fc.constant("uri" as const),
    requestUri: token,
    expiresAt: fc.option(fc.integer({ min: 0, max: 4_000_000_000_000 }), { nil: undefined })
  }),
  fc.record({ kind: fc.constant("jar" as const), request: fc.constant("eyJhbGciOiJub25lIn0.eyJhIjoxfQ.") })
)

const build = (options: Partial<AuthorizationRequest.Options>, variant: typeof variantArb extends fc.Arbitrary<infer V> ? V : never) =>
  Effect.gen(function* () {
    const iss = options.issuer !== undefined && options.maxAge !== undefined && options.maxAge % 2 === 0
    const request = yield* AuthorizationRequest.make({
      ...base,
      ...options,
      ...(iss ? { authorizationResponseIssParameterSupported: true } : {})
    } as AuthorizationRequest.Options)
    if (variant.kind === "uri") {
      return yield* AuthorizationRequest.withRequestUri(request, {
        requestUri: variant.requestUri,
        ...(variant.expiresAt === undefined ? {} : { expiresAt: DateTime.unsafeMake(variant.expiresAt) })
      })
    }
    if (variant.kind === "jar") return yield* AuthorizationRequest.withRequestObject(request, variant.request)
    return request
  })

describe("AuthorizationRequest serialization", () => {
  it.effect.prop(
    "restore(serialize(r)) equals r",
    [optionsArb, variantArb],
    ([options, variant]) =>
      Effect.gen(function* () {
        const request = yield* build(options, variant)
        const serialized = AuthorizationRequest.serialize(request)
        assert.match(serialized, /^[A-Za-z0-9_-]+$/)
        const restored = yield* AuthorizationRequest.restore(serialized)
        assert.isTrue(Equal.equals(restored, request))
        assert.strictEqual(restored.url, request.url)
        assert.strictEqual(restored._tag, request._tag)
        assert.strictEqual(
          restored.codeVerifier === undefined ? undefined : Redacted.value(restored.codeVerifier),
          request.codeVerifier === undefined ? undefined : Redacted.value(request.codeVerifier)
        )
        assert.strictEqual(AuthorizationRequest.serialize(restored), serialized)
      }),
    { fastCheck: { numRuns: 100 } }
  )

  it.effect("a restored request with another verifier or state is not equal", () =>
    Effect.gen(function* () {
      const a = yield* AuthorizationRequest.make({ ...base, state: "s", nonce: "n", codeVerifier: rfcVerifier })
      const b = yield* AuthorizationRequest.make({ ...base, state: "s", nonce: "n", codeVerifier: rfcVerifier.replace("d", "e") })
      const c = yield* AuthorizationRequest.make({ ...base, state: "t", nonce: "n", codeVerifier: rfcVerifier })
      const a2 = yield* AuthorizationRequest.make({ ...base, state: "s", nonce: "n", codeVerifier: rfcVerifier })
      assert.isTrue(Equal.equals(a, a2))
      assert.isFalse(Equal.equals(a, b))
      assert.isFalse(Equal.equals(a, c))
      assert.isFalse(Equal.equals(yield* AuthorizationRequest.restore(AuthorizationRequest.serialize(b)), a))
    })
  )

  const encode = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url")
  const restoreFails = (serialized: unknown) => {
    const result = AuthorizationRequest.restore(serialized as string)
    assert.isTrue(Either.isLeft(result), `restored ${String(serialized).slice(0, 40)}`)
    if (Either.isLeft(result)) {
      assert.strictEqual(result.left._tag, "InvalidArgument")
      assert.strictEqual(result.left.argument, "serialized")
    }
  }

  it.effect("garbage gives InvalidArgument", () =>
    Effect.gen(function* () {
      const good = AuthorizationRequest.serialize(yield* AuthorizationRequest.make({ ...base, state: "s", codeVerifier: rfcVerifier }))
      const json = JSON.parse(Buffer.from(good, "base64url").toString("utf8"))
      for (const bad of [
        "",
        "!!!",
        "a",
        "x".repeat(AuthorizationRequest.maxSerializedLength + 1),
        good + "!",
        good.slice(0, -3),
        Buffer.from([0xff, 0xfe, 0xfd]).toString("base64url"),
        encode(null),
        encode([]),
        encode("string"),
        encode({}),
        encode({ ...json, v: 2 }),
        encode({ ...json, v: "1" }),
        encode({ ...json, k: "implicit" }),
        encode({ ...json, e: "not a url" }),
        encode({ ...json, e: "https://as/authorize#x" }),
        encode({ ...json, p: "client_id=x" }),
        encode({ ...json, p: [["client_id"]] }),
        encode({ ...json, p: [["client_id", 1]] }),
        encode({ ...json, p: json.p.filter(([n]: [string]) => n !== "client_id") }),
        encode({ ...json, p: [...json.p, ["state", "again"]] }),
        encode({ ...json, p: json.p.map(([n, v]: [string, string]) => [n, n === "response_type" ? "token" : v]) }),
        encode({ ...json, p: [...json.p, ["max_age", "-1"]] }),
        encode({ ...json, p: [...json.p, ["max_age", "99999999999999999"]] }),
        encode({ ...json, p: [...json.p, ["x", ""]] }),
        encode({ ...json, cv: "short" }),
        encode({ ...json, cv: undefined }),
        encode({ ...json, isp: true }),
        encode({ ...json, iss: "" }),
        encode({ ...json, k: "uri" }),
        encode({ ...json, k: "uri", ru: "" }),
        encode({ ...json, k: "uri", ru: "urn:x", exp: 1e20 }),
        encode({ ...json, k: "uri", ru: "urn:x", exp: 1.5 }),
        encode({ ...json, k: "jar" }),
        encode({ ...json, k: "jar", ro: "not-a-jwt" }),
        encode({ ...json, ru: "urn:x" }),
        null,
        42,
        { v: 1 }
      ]) {
        restoreFails(bad)
      }
      assert.isTrue(Either.isRight(AuthorizationRequest.restore(encode(json))))
      assert.isTrue(Either.isRight(AuthorizationRequest.restore(encode({ ...json, future: "ignored" }))))
    })
  )

  it.prop("never throws on arbitrary strings", [fc.oneof(fc.string(), fc.base64String(), fc.stringMatching(/^[A-Za-z0-9_-]{0,200}$/))], ([s]) => {
    const result = AuthorizationRequest.restore(s)
    assert.isTrue(Either.isLeft(result))
  })

  it.prop("never throws on arbitrary JSON", [fc.jsonValue()], ([value]) => {
    const result = AuthorizationRequest.restore(encode(value))
    assert.isTrue(Either.isLeft(result))
  })

  it.prop(
    "never throws on mutated serialized requests",
    [
      fc.record(
        {
          v: fc.constantFrom(1, 2),
          k: fc.constantFrom("code", "uri", "jar", "x"),
          e: fc.oneof(fc.webUrl(), fc.string()),
          p: fc.array(
            fc.tuple(fc.constantFrom("client_id", "response_type", "state", "max_age", "code_challenge", "code_challenge_method", "x"), fc.string())
          ),
          cv: fc.option(fc.string(), { nil: undefined }),
          ru: fc.option(fc.string(), { nil: undefined }),
          ro: fc.option(fc.string(), { nil: undefined }),
          exp: fc.option(fc.double(), { nil: undefined }),
          isp: fc.option(fc.boolean(), { nil: undefined })
        },
        { requiredKeys: ["v", "k", "e", "p"] }
      )
    ],
    ([value]) => {
      const result = AuthorizationRequest.restore(encode(value))
      if (Either.isRight(result)) {
        assert.isTrue(AuthorizationRequest.isPendingRequest(result.right))
        assert.strictEqual(AuthorizationRequest.serialize(result.right).length > 0, true)
      } else {
        assert.strictEqual(result.left._tag, "InvalidArgument")
      }
    }
  )
})
