import { assert, describe, it } from "@effect/vitest"
import { ServerMetadata } from "@oauth2/core"
import { Either } from "effect"
import * as fc from "fast-check"

// Shape of node-oidc-provider 9's discovery document (defaults plus a few features enabled).
const oidcProvider = {
  authorization_endpoint: "http://127.0.0.1:3000/auth",
  device_authorization_endpoint: "http://127.0.0.1:3000/device/auth",
  claims_parameter_supported: false,
  claims_supported: ["sub", "email", "email_verified", "sid", "auth_time", "iss"],
  code_challenge_methods_supported: ["S256"],
  end_session_endpoint: "http://127.0.0.1:3000/session/end",
  grant_types_supported: ["implicit", "authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code", "client_credentials"],
  issuer: "http://127.0.0.1:3000",
  jwks_uri: "http://127.0.0.1:3000/jwks",
  authorization_response_iss_parameter_supported: true,
  response_modes_supported: ["form_post", "fragment", "query"],
  response_types_supported: ["code id_token", "code", "id_token", "none"],
  scopes_supported: ["openid", "offline_access", "email"],
  subject_types_supported: ["public"],
  token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_jwt", "client_secret_post", "private_key_jwt", "none"],
  token_endpoint_auth_signing_alg_values_supported: ["HS256", "RS256", "PS256", "ES256", "EdDSA"],
  token_endpoint: "http://127.0.0.1:3000/token",
  id_token_signing_alg_values_supported: ["RS256", "PS256", "ES256", "EdDSA"],
  pushed_authorization_request_endpoint: "http://127.0.0.1:3000/request",
  request_parameter_supported: false,
  request_uri_parameter_supported: false,
  userinfo_endpoint: "http://127.0.0.1:3000/me",
  introspection_endpoint: "http://127.0.0.1:3000/token/introspection",
  revocation_endpoint: "http://127.0.0.1:3000/token/revocation",
  backchannel_authentication_endpoint: "http://127.0.0.1:3000/backchannel",
  backchannel_token_delivery_modes_supported: ["poll", "ping"],
  backchannel_user_code_parameter_supported: true,
  dpop_signing_alg_values_supported: ["ES256", "EdDSA"],
  claim_types_supported: ["normal"]
}

// Shape of an Auth0 tenant's discovery document.
const auth0 = {
  issuer: "https://example.eu.auth0.com/",
  authorization_endpoint: "https://example.eu.auth0.com/authorize",
  token_endpoint: "https://example.eu.auth0.com/oauth/token",
  device_authorization_endpoint: "https://example.eu.auth0.com/oauth/device/code",
  userinfo_endpoint: "https://example.eu.auth0.com/userinfo",
  mfa_challenge_endpoint: "https://example.eu.auth0.com/mfa/challenge",
  jwks_uri: "https://example.eu.auth0.com/.well-known/jwks.json",
  registration_endpoint: "https://example.eu.auth0.com/oidc/register",
  revocation_endpoint: "https://example.eu.auth0.com/oauth/revoke",
  scopes_supported: ["openid", "profile", "offline_access", "name", "email", "email_verified", "created_at"],
  response_types_supported: ["code", "token", "id_token", "code token", "code id_token", "token id_token", "code token id_token"],
  code_challenge_methods_supported: ["S256", "plain"],
  response_modes_supported: ["query", "fragment", "form_post"],
  subject_types_supported: ["public"],
  token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "private_key_jwt"],
  claims_supported: [
    "aud",
    "auth_time",
    "created_at",
    "email",
    "email_verified",
    "exp",
    "family_name",
    "given_name",
    "iat",
    "identities",
    "iss",
    "name",
    "nickname",
    "phone_number",
    "picture",
    "sub"
  ],
  request_uri_parameter_supported: false,
  request_parameter_supported: false,
  id_token_signing_alg_values_supported: ["HS256", "RS256", "PS256"],
  token_endpoint_auth_signing_alg_values_supported: ["RS256", "RS384", "PS256"],
  end_session_endpoint: "https://example.eu.auth0.com/oidc/logout",
  global_token_revocation_endpoint: "https://example.eu.auth0.com/oauth/global-token-revocation/connection/{connectionName}",
  global_token_revocation_endpoint_auth_methods_supported: ["global-token-revocation+jwt"]
}

const reasonOf = (e: { readonly _tag: string }) => ("reason" in e ? String(e.reason) : e._tag)

describe("ServerMetadata well-known URLs", () => {
  it("derives the OpenID Connect discovery URL, with or without a terminating slash", () => {
    assert.strictEqual(
      Either.getOrThrow(ServerMetadata.openidConfigurationUrl("https://as.example")),
      "https://as.example/.well-known/openid-configuration"
    )
    assert.strictEqual(
      Either.getOrThrow(ServerMetadata.openidConfigurationUrl("https://as.example/")),
      "https://as.example/.well-known/openid-configuration"
    )
    assert.strictEqual(
      Either.getOrThrow(ServerMetadata.openidConfigurationUrl("https://as.example/tenant/")),
      "https://as.example/tenant/.well-known/openid-configuration"
    )
  })

  it("inserts the RFC 8414 well-known segment between host and path", () => {
    const url = (issuer: string) => Either.getOrThrow(ServerMetadata.authorizationServerMetadataUrl(issuer))
    assert.strictEqual(url("https://as.example/tenant"), "https://as.example/.well-known/oauth-authorization-server/tenant")
    assert.strictEqual(url("https://as.example/tenant/"), "https://as.example/.well-known/oauth-authorization-server/tenant")
    assert.strictEqual(url("https://as.example/a/b"), "https://as.example/.well-known/oauth-authorization-server/a/b")
    assert.strictEqual(url("https://as.example"), "https://as.example/.well-known/oauth-authorization-server")
    assert.strictEqual(url("https://as.example/"), "https://as.example/.well-known/oauth-authorization-server")
    assert.strictEqual(url("https://as.example:8443/t"), "https://as.example:8443/.well-known/oauth-authorization-server/t")
    assert.strictEqual(
      Either.getOrThrow(ServerMetadata.discoveryUrl("https://as.example/t", "oauth")),
      "https://as.example/.well-known/oauth-authorization-server/t"
    )
    assert.strictEqual(
      Either.getOrThrow(ServerMetadata.discoveryUrl("https://as.example/t", "openid")),
      "https://as.example/t/.well-known/openid-configuration"
    )
  })

  it("accepts http only on loopback hosts unless allowed explicitly", () => {
    for (const issuer of ["http://127.0.0.1:3000", "http://127.0.0.2:3000", "http://localhost:8080/realms/x", "http://[::1]:9000"]) {
      assert.isTrue(Either.isRight(ServerMetadata.openidConfigurationUrl(issuer)), issuer)
    }
    const refused = ServerMetadata.openidConfigurationUrl("http://as.example")
    assert.isTrue(Either.isLeft(refused))
    if (Either.isLeft(refused)) {
      assert.strictEqual(refused.left._tag, "InvalidArgument")
      assert.strictEqual(refused.left.argument, "issuer")
    }
    assert.isTrue(Either.isLeft(ServerMetadata.authorizationServerMetadataUrl("http://localhost.evil.example")))
    assert.isTrue(Either.isLeft(ServerMetadata.openidConfigurationUrl("http://127.evil.com")))
    assert.isTrue(Either.isRight(ServerMetadata.openidConfigurationUrl("http://as.example", { allowInsecureHttp: true })))
  })

  it("refuses query, fragment, credentials, other schemes and garbage", () => {
    for (const issuer of [
      "https://as.example?tenant=a",
      "https://as.example/?",
      "https://as.example#x",
      "https://user:pw@as.example",
      "ftp://as.example",
      "javascript:alert(1)",
      "as.example",
      "",
      "/relative"
    ]) {
      const result = ServerMetadata.openidConfigurationUrl(issuer, { allowInsecureHttp: true })
      assert.isTrue(Either.isLeft(result) && result.left._tag === "InvalidArgument", issuer)
      assert.isTrue(Either.isLeft(ServerMetadata.authorizationServerMetadataUrl(issuer)), issuer)
    }
  })
})

describe("ServerMetadata.decodeDocument", () => {
  it("decodes a node-oidc-provider document", () => {
    const metadata = Either.getOrThrow(ServerMetadata.decodeDocument(oidcProvider))
    assert.strictEqual(metadata.issuer, "http://127.0.0.1:3000")
    assert.strictEqual(metadata.tokenEndpoint, "http://127.0.0.1:3000/token")
    assert.strictEqual(metadata.pushedAuthorizationRequestEndpoint, "http://127.0.0.1:3000/request")
    assert.strictEqual(metadata.backchannelUserCodeParameterSupported, true)
    assert.strictEqual(metadata.authorizationResponseIssParameterSupported, true)
    assert.deepStrictEqual(metadata.backchannelTokenDeliveryModesSupported, ["poll", "ping"])
    assert.deepStrictEqual(metadata.codeChallengeMethodsSupported, ["S256"])
    assert.deepStrictEqual(metadata.extra, {})
  })

  it("decodes an Auth0 document and keeps vendor members in extra", () => {
    const metadata = Either.getOrThrow(
      ServerMetadata.decode(auth0, { issuer: "https://example.eu.auth0.com/", required: ["tokenEndpoint", "jwksUri"] })
    )
    assert.strictEqual(metadata.deviceAuthorizationEndpoint, "https://example.eu.auth0.com/oauth/device/code")
    assert.strictEqual(metadata.extra.mfa_challenge_endpoint, "https://example.eu.auth0.com/mfa/challenge")
    assert.deepStrictEqual(Object.keys(metadata.extra), [
      "mfa_challenge_endpoint",
      "global_token_revocation_endpoint",
      "global_token_revocation_endpoint_auth_methods_supported"
    ])
    assert.notProperty(metadata, "token_endpoint")
    assert.notProperty(metadata, "mfa_challenge_endpoint")
  })

  it("maps every standard member to its camelCase name", () => {
    const metadata = Either.getOrThrow(
      ServerMetadata.decodeDocument({
        issuer: "https://as.example",
        mtls_endpoint_aliases: { token_endpoint: "https://mtls.as.example/token" },
        require_pushed_authorization_requests: true,
        introspection_signing_alg_values_supported: ["RS256"],
        authorization_details_types_supported: ["payment_initiation"],
        request_object_encryption_enc_values_supported: ["A128GCM"],
        userinfo_encryption_alg_values_supported: ["RSA-OAEP"],
        op_tos_uri: "https://as.example/tos"
      })
    )
    assert.deepStrictEqual(metadata.mtlsEndpointAliases, { token_endpoint: "https://mtls.as.example/token" })
    assert.strictEqual(metadata.requirePushedAuthorizationRequests, true)
    assert.deepStrictEqual(metadata.introspectionSigningAlgValuesSupported, ["RS256"])
    assert.deepStrictEqual(metadata.authorizationDetailsTypesSupported, ["payment_initiation"])
    assert.deepStrictEqual(metadata.requestObjectEncryptionEncValuesSupported, ["A128GCM"])
    assert.deepStrictEqual(metadata.userinfoEncryptionAlgValuesSupported, ["RSA-OAEP"])
    assert.strictEqual(metadata.opTosUri, "https://as.example/tos")
    assert.deepStrictEqual(metadata.extra, {})
  })

  it("does not fail discovery over a page for humans that is not an endpoint URL", () => {
    const decoded = ServerMetadata.decode(
      {
        issuer: "https://as.example.com",
        token_endpoint: "https://as.example.com/token",
        service_documentation: "https://docs.example.com/#oidc",
        op_tos_uri: "mailto:legal@example.com"
      },
      { issuer: "https://as.example.com" }
    )
    assert.isTrue(Either.isRight(decoded))
  })

  it("treats null members as absent", () => {
    const metadata = Either.getOrThrow(ServerMetadata.decodeDocument({ issuer: "https://as.example", end_session_endpoint: null }))
    assert.isUndefined(metadata.endSessionEndpoint)
    assert.notProperty(metadata.extra, "end_session_endpoint")
  })

  it("refuses endpoint values that are not absolute http(s) URLs, naming the member", () => {
    for (const bad of ["javascript:alert(1)", "/token", "token", "data:text/html,x", "https://as.example/token#frag", "", 42, ["https://a"]]) {
      const result = ServerMetadata.decodeDocument({ issuer: "https://as.example", token_endpoint: bad })
      assert.isTrue(Either.isLeft(result), String(bad))
      if (Either.isLeft(result)) {
        assert.strictEqual(result.left._tag, "UnexpectedResponse")
        assert.strictEqual(result.left.endpoint, "discovery")
        assert.include(reasonOf(result.left), "token_endpoint")
      }
    }
    const alias = ServerMetadata.decodeDocument({ issuer: "https://as.example", mtls_endpoint_aliases: { token_endpoint: "javascript:x" } })
    assert.isTrue(Either.isLeft(alias) && reasonOf(alias.left).includes("mtls_endpoint_aliases"))
  })

  it("refuses wrong types of other members", () => {
    const cases: ReadonlyArray<readonly [Record<string, unknown>, string]> = [
      [{ issuer: "https://as.example", scopes_supported: "openid email" }, "scopes_supported"],
      [{ issuer: "https://as.example", scopes_supported: ["openid", 1] }, "scopes_supported"],
      [{ issuer: "https://as.example", request_parameter_supported: "true" }, "request_parameter_supported"],
      [{ issuer: 42 }, "issuer"],
      [{ issuer: "" }, "issuer"],
      [{ token_endpoint: "https://as.example/token" }, "issuer"]
    ]
    for (const [body, field] of cases) {
      const result = ServerMetadata.decodeDocument(body)
      assert.isTrue(Either.isLeft(result) && reasonOf(result.left).includes(field), field)
    }
  })

  it("refuses bodies that are not JSON objects", () => {
    for (const body of ["<html><body>Not found</body></html>", "", null, [], 42, true, undefined]) {
      const result = ServerMetadata.decodeDocument(body, { status: 200, contentType: "text/html" })
      assert.isTrue(Either.isLeft(result))
      if (Either.isLeft(result)) {
        assert.strictEqual(result.left._tag, "UnexpectedResponse")
        assert.strictEqual(result.left.status, 200)
      }
    }
  })

  it("keeps a huge string bounded in the error", () => {
    const huge = "x".repeat(1_000_000)
    const result = ServerMetadata.decodeDocument({ issuer: "https://as.example", jwks_uri: huge })
    assert.isTrue(Either.isLeft(result))
    if (Either.isLeft(result)) {
      assert.isAtMost(result.left.excerpt.length, 1024)
      assert.isAtMost(result.left.message.length, 2048)
    }
  })

  it("does not let a crafted __proto__ member pollute extra", () => {
    const body = JSON.parse(`{"issuer":"https://as.example","__proto__":{"polluted":true}}`)
    const metadata = Either.getOrThrow(ServerMetadata.decodeDocument(body))
    assert.deepStrictEqual(Object.getOwnPropertyDescriptor(metadata.extra, "__proto__")?.value, { polluted: true })
    assert.isUndefined((metadata.extra as { polluted?: unknown }).polluted)
    assert.isUndefined(({} as { polluted?: unknown }).polluted)
  })
})

describe("ServerMetadata.validate", () => {
  it("refuses a document whose issuer is not exactly the expected one", () => {
    for (const expected of ["https://example.eu.auth0.com", "https://EXAMPLE.eu.auth0.com/", "https://evil.example/"]) {
      const result = ServerMetadata.decode(auth0, { issuer: expected })
      assert.isTrue(Either.isLeft(result))
      if (Either.isLeft(result)) {
        assert.strictEqual(result.left._tag, "MismatchingIssuer")
        if (result.left._tag === "MismatchingIssuer") {
          assert.strictEqual(result.left.expected, expected)
          assert.strictEqual(result.left.received, "https://example.eu.auth0.com/")
          assert.include(result.left.message, expected)
        }
      }
    }
  })

  it("requires the members the caller needs, and only those", () => {
    const minimal = { issuer: "https://as.example", token_endpoint: "https://as.example/token" }
    assert.isTrue(Either.isRight(ServerMetadata.decode(minimal, { issuer: "https://as.example" })))
    assert.isTrue(Either.isRight(ServerMetadata.decode(minimal, { issuer: "https://as.example", required: ["tokenEndpoint"] })))
    const missing = ServerMetadata.decode(minimal, { issuer: "https://as.example", required: ["tokenEndpoint", "jwksUri"] })
    assert.isTrue(Either.isLeft(missing) && missing.left._tag === "UnexpectedResponse" && missing.left.reason === "jwks_uri: is missing")
  })

  it("refuses http endpoints outside loopback unless allowed", () => {
    const doc = { issuer: "https://as.example", token_endpoint: "http://as.example/token" }
    const refused = ServerMetadata.decode(doc, { issuer: "https://as.example" })
    assert.isTrue(Either.isLeft(refused) && reasonOf(refused.left) === "token_endpoint: must use https")
    assert.isTrue(Either.isRight(ServerMetadata.decode(doc, { issuer: "https://as.example", allowInsecureHttp: true })))
    const alias = ServerMetadata.decode(
      { issuer: "https://as.example", mtls_endpoint_aliases: { token_endpoint: "http://mtls.as.example/token" } },
      { issuer: "https://as.example" }
    )
    assert.isTrue(Either.isLeft(alias) && reasonOf(alias.left).startsWith("mtls_endpoint_aliases.token_endpoint"))
    assert.isTrue(Either.isRight(ServerMetadata.decode(oidcProvider, { issuer: "http://127.0.0.1:3000", required: ["jwksUri"] })))
  })

  it("refuses an insecure or malformed issuer even when it matches", () => {
    const result = ServerMetadata.decode({ issuer: "http://as.example" }, { issuer: "http://as.example" })
    assert.isTrue(Either.isLeft(result) && result.left._tag === "UnexpectedResponse")
    const query = ServerMetadata.decode({ issuer: "https://as.example?x=1" }, { issuer: "https://as.example?x=1" })
    assert.isTrue(Either.isLeft(query) && query.left._tag === "UnexpectedResponse")
  })

  it("is dual", () => {
    const metadata = Either.getOrThrow(ServerMetadata.decodeDocument(auth0))
    assert.deepStrictEqual(ServerMetadata.validate(metadata, { issuer: auth0.issuer }), ServerMetadata.validate({ issuer: auth0.issuer })(metadata))
  })
})

describe("ServerMetadata.encode", () => {
  it("round-trips real documents to the same JSON", () => {
    for (const doc of [oidcProvider, auth0]) {
      const metadata = Either.getOrThrow(ServerMetadata.decodeDocument(doc))
      const encoded = ServerMetadata.encode(metadata)
      assert.deepStrictEqual(encoded, doc)
      assert.deepStrictEqual(Either.getOrThrow(ServerMetadata.decodeDocument(encoded)), metadata)
    }
  })

  it("uses the snake_case name of every field", () => {
    for (const field of Object.keys(ServerMetadata.Document.fields)) {
      const snake = field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
      const encoded = ServerMetadata.encode({
        issuer: "https://as.example",
        [field]: field === "issuer" ? "https://as.example" : [],
        extra: {}
      } as any)
      assert.property(encoded, snake, field)
    }
  })

  it.prop(
    "round-trips generated documents",
    [
      fc.record(
        {
          issuer: fc.webUrl({ validSchemes: ["https"] }),
          token_endpoint: fc.webUrl({ validSchemes: ["https"], withFragments: false }),
          scopes_supported: fc.array(fc.string()),
          claims_parameter_supported: fc.boolean(),
          x_vendor: fc.jsonValue()
        },
        { requiredKeys: ["issuer"] }
      )
    ],
    ([doc]) => {
      const decoded = ServerMetadata.decodeDocument(doc)
      if (Either.isLeft(decoded)) return // e.g. a generated URL the WHATWG parser refuses
      const again = ServerMetadata.decodeDocument(ServerMetadata.encode(decoded.right))
      assert.deepStrictEqual(again, decoded)
    }
  )
})

const wireNames = Object.keys(ServerMetadata.Document.fields).map((f) => f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`))

describe("ServerMetadata decoders on any JSON value", () => {
  it.prop("never throw: a value or a typed failure", [fc.jsonValue()], ([body]) => {
    const result = ServerMetadata.decode(body, { issuer: "https://as.example" })
    if (Either.isLeft(result)) assert.include(["UnexpectedResponse", "MismatchingIssuer"], result.left._tag)
  })

  it.prop(
    "never throw on objects with standard member names",
    [fc.dictionary(fc.constantFrom(...wireNames), fc.oneof(fc.jsonValue(), fc.webUrl(), fc.array(fc.string())))],
    ([body]) => {
      const result = ServerMetadata.decode({ issuer: "https://as.example", ...body }, { issuer: "https://as.example" })
      if (Either.isLeft(result)) assert.include(["UnexpectedResponse", "MismatchingIssuer"], result.left._tag)
    }
  )
})
