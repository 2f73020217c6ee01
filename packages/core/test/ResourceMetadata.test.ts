import { assert, describe, it } from "@effect/vitest"
import { ResourceMetadata } from "@oauth2/core"
import { Either } from "effect"
import * as fc from "fast-check"

const resource = "https://api.example.com/mcp"
const document = {
  resource,
  authorization_servers: ["https://as.example.com", "https://as2.example.com/tenant"],
  scopes_supported: ["read", "write"],
  bearer_methods_supported: ["header"],
  resource_name: "Example API",
  x_vendor: { a: 1 }
}

describe("ResourceMetadata", () => {
  it("builds the well-known URL (RFC 9728 3.1): inserted between host and path, query kept", () => {
    const url = (r: string) => Either.getOrThrow(ResourceMetadata.metadataUrl(r))
    assert.strictEqual(url("https://api.example.com"), "https://api.example.com/.well-known/oauth-protected-resource")
    assert.strictEqual(url("https://api.example.com/"), "https://api.example.com/.well-known/oauth-protected-resource")
    assert.strictEqual(url("https://api.example.com/mcp"), "https://api.example.com/.well-known/oauth-protected-resource/mcp")
    assert.strictEqual(url("https://api.example.com:8443/a/b/"), "https://api.example.com:8443/.well-known/oauth-protected-resource/a/b/")
    assert.strictEqual(url("https://api.example.com/r?tenant=1"), "https://api.example.com/.well-known/oauth-protected-resource/r?tenant=1")
    assert.strictEqual(url("http://127.0.0.1:3000/mcp"), "http://127.0.0.1:3000/.well-known/oauth-protected-resource/mcp")
    for (const bad of ["http://api.example.com/mcp", "https://api.example.com/mcp#frag", "https://u:p@api.example.com", "/mcp", "not a url"]) {
      const result = ResourceMetadata.metadataUrl(bad)
      assert.isTrue(Either.isLeft(result) && result.left._tag === "InvalidArgument", bad)
    }
    assert.isTrue(Either.isRight(ResourceMetadata.metadataUrl("http://api.example.com/mcp", { allowInsecureHttp: true })))
  })

  it("decodes a document for the expected resource: camelCase, extra kept", () => {
    const metadata = Either.getOrThrow(ResourceMetadata.decode(document, { resource }))
    assert.deepStrictEqual(metadata.authorizationServers, document.authorization_servers)
    assert.deepStrictEqual(metadata.scopesSupported, ["read", "write"])
    assert.strictEqual(metadata.resourceName, "Example API")
    assert.deepStrictEqual(metadata.extra, { x_vendor: { a: 1 } })
    assert.deepStrictEqual(ResourceMetadata.encode(metadata), document)
  })

  it("refuses a document for another resource, compared exactly", () => {
    for (const other of ["https://api.example.com/mcp/", "https://API.example.com/mcp", "https://api.example.com", "https://evil.example/mcp"]) {
      const result = ResourceMetadata.decode({ ...document, resource: other }, { resource })
      assert.isTrue(Either.isLeft(result))
      if (Either.isLeft(result)) {
        assert.strictEqual(result.left._tag, "MismatchingResource")
        assert.isTrue(ResourceMetadata.isMismatchingResource(result.left))
        if (result.left._tag === "MismatchingResource") {
          assert.strictEqual(result.left.expected, resource)
          assert.strictEqual(result.left.received, other)
        }
      }
    }
  })

  it("pinned bad documents: typed failures naming the member", () => {
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [{ authorization_servers: ["https://as.example.com"] }, "resource"],
      [{ resource, authorization_servers: "https://as.example.com" }, "authorization_servers"],
      [{ resource, authorization_servers: ["javascript:alert(1)"] }, "authorization_servers"],
      [{ resource, authorization_servers: ["http://as.example.com"] }, "authorization_servers.0"],
      [{ resource, authorization_servers: [] }, "authorization_servers"],
      [{ resource }, "authorization_servers"],
      [{ resource, authorization_servers: ["https://as.example.com"], jwks_uri: "http://api.example.com/jwks" }, "jwks_uri"],
      [{ resource, authorization_servers: ["https://as.example.com"], scopes_supported: [1] }, "scopes_supported"],
      [null, "JSON object"]
    ]
    for (const [body, member] of cases) {
      const result = ResourceMetadata.decode(body, { resource })
      assert.isTrue(Either.isLeft(result), JSON.stringify(body))
      if (Either.isLeft(result)) {
        assert.strictEqual(result.left._tag, "UnexpectedResponse", JSON.stringify(body))
        if (result.left._tag === "UnexpectedResponse") {
          assert.include(result.left.reason, member)
          assert.strictEqual(result.left.endpoint, "resource_metadata")
        }
      }
    }
    // without authorization servers when the caller allows it
    assert.isTrue(Either.isRight(ResourceMetadata.decode({ resource }, { resource, requireAuthorizationServers: false })))
  })

  it("validate of a hand-built value with bad URLs: a typed failure, never a throw", () => {
    const good = Either.getOrThrow(ResourceMetadata.decode(document, { resource }))
    const cases: ReadonlyArray<readonly [ResourceMetadata.ResourceMetadata, string]> = [
      [{ ...good, authorizationServers: ["not a url"] }, "authorization_servers.0"],
      [{ ...good, authorizationServers: ["https://as.example.com", ""] }, "authorization_servers.1"],
      [{ ...good, authorizationServers: ["javascript:alert(1)"] }, "authorization_servers.0"],
      [{ ...good, jwksUri: "//no-scheme/jwks" }, "jwks_uri"],
      [{ ...good, jwksUri: "https://api.example.com/jwks#frag" }, "jwks_uri"]
    ]
    for (const [value, member] of cases) {
      const result = ResourceMetadata.validate(value, { resource })
      assert.isTrue(Either.isLeft(result), member)
      if (Either.isLeft(result)) {
        assert.strictEqual(result.left._tag, "UnexpectedResponse")
        if (result.left._tag === "UnexpectedResponse") assert.include(result.left.reason, member)
      }
    }
    assert.isTrue(Either.isRight(ResourceMetadata.validate({ ...good, jwksUri: "https://api.example.com/jwks" }, { resource })))
  })

  it.prop("never throws: a value or a typed failure", [fc.jsonValue()], ([body]) => {
    const result = ResourceMetadata.decode(body, { resource })
    assert.isTrue(Either.isRight(result) || result.left._tag === "UnexpectedResponse" || result.left._tag === "MismatchingResource")
  })

  it.prop(
    "the well-known URL always starts at the resource's origin and ends with its path",
    [fc.webUrl({ validSchemes: ["https"], withFragments: false })],
    ([r]) => {
      const url = ResourceMetadata.metadataUrl(r)
      if (Either.isRight(url)) {
        const parsed = new URL(r)
        assert.isTrue(url.right.startsWith(`${parsed.origin}/.well-known/oauth-protected-resource`))
        assert.isTrue(url.right.endsWith(`${parsed.pathname === "/" ? "" : parsed.pathname}${parsed.search}`))
      }
    }
  )
})
