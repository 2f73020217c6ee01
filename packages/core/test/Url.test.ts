import { assert, describe, it } from "@effect/vitest"
import { Url } from "@oauth2/core"
import { FastCheck as fc } from "effect"
import { isIPv4 } from "node:net"

const loopback = (s: string) => Url.isLoopback(new URL(s))

/** The rule written independently of the implementation: `localhost`, `[::1]`, or an IPv4 address whose first part is 127. */
const model = (hostname: string): boolean =>
  hostname === "localhost" || hostname === "[::1]" || (isIPv4(hostname) && hostname.split(".")[0] === "127")

const octet = fc.integer({ min: 0, max: 255 })

describe("Url.isLoopback (RFC 8252 7.3, 8.3)", () => {
  it("accepts localhost, 127.0.0.0/8 and [::1], in any spelling the URL parser normalises", () => {
    for (const url of [
      "http://localhost/cb",
      "http://LOCALHOST:8080/cb",
      "http://127.0.0.1:8080/cb",
      "http://127.0.0.2/cb",
      "http://127.255.255.255/cb",
      "http://127.1/cb",
      "http://0x7f.0.0.1/cb",
      "http://0177.0.0.1/cb",
      "http://2130706433/cb",
      "http://[::1]:9000/cb",
      "http://[0:0:0:0:0:0:0:1]/cb",
      "https://127.0.0.1/cb"
    ])
      assert.isTrue(loopback(url), url)
  })

  it("refuses look-alike names, other addresses and IPv4-mapped forms", () => {
    for (const url of [
      "http://127.evil.com/cb",
      "http://127.0.0.1.evil.com/cb",
      "http://127.0.0.1.nip.io/cb",
      "http://localhost.evil.com/cb",
      "http://evil-localhost/cb",
      "http://localhost.localdomain/cb",
      "http://app.localhost/cb",
      "http://localhost./cb",
      "http://128.0.0.1/cb",
      "http://126.255.255.255/cb",
      "http://10.0.0.1/cb",
      "http://0.0.0.0/cb",
      "http://[::2]/cb",
      "http://[::ffff:127.0.0.1]/cb",
      "http://[::]/cb",
      "http://as.example.com/cb",
      "http://user@evil.com/?host=127.0.0.1"
    ])
      assert.isFalse(loopback(url), url)
  })

  it.prop("every address of 127.0.0.0/8 is a loopback host", [octet, octet, octet], ([a, b, c]) => {
    assert.isTrue(loopback(`http://127.${a}.${b}.${c}:8080/cb`))
  })

  it.prop("no other IPv4 address is", [octet.filter((n) => n !== 127), octet, octet, octet], ([a, b, c, d]) => {
    assert.isFalse(loopback(`http://${a}.${b}.${c}.${d}/cb`))
  })

  it.prop(
    "a DNS name made of a loopback host and more labels is not a loopback host",
    [fc.constantFrom("127", "127.0.0.1", "127.0.0", "localhost", "0x7f"), fc.domain()],
    ([head, domain]) => {
      // the URL parser refuses names whose last label is numeric; any name it accepts must not count as loopback
      const url = `http://${head}.${domain}/cb`
      if (URL.canParse(url) && !isIPv4(new URL(url).hostname)) assert.isFalse(loopback(url), url)
    }
  )

  it.prop(
    "agrees with the rule on arbitrary hosts",
    [
      fc.oneof(
        fc.domain(),
        fc.ipV4(),
        fc.ipV4Extended(),
        fc.ipV6().map((ip) => `[${ip}]`),
        fc.constantFrom("localhost", "[::1]")
      )
    ],
    ([host]) => {
      const url = `http://${host}/cb`
      if (!URL.canParse(url)) return
      const parsed = new URL(url)
      assert.strictEqual(Url.isLoopback(parsed), model(parsed.hostname), parsed.hostname)
    }
  )
})
