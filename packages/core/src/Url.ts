/**
 * Rules about URLs that every layer applies the same way: which hosts are loopback hosts, where plain `http:` is
 * acceptable without an explicit opt-in (redirect URIs, issuer and endpoint URLs, resource servers that receive a
 * bearer token).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 * @since 0.1.0
 */
import * as wire from "./internal/wire.js"

/**
 * Whether a URL's host is a loopback host: `localhost`, an IPv4 address in `127.0.0.0/8` or the IPv6 address
 * `[::1]` (RFC 8252 7.3 and 8.3). The URL parser has already normalised the other spellings of these addresses
 * (`127.1`, `0x7f.0.0.1`, `[0:0:0:0:0:0:0:1]`). A host name that only starts like one (`127.evil.com`,
 * `127.0.0.1.evil.com`, `localhost.evil.com`) is an ordinary DNS name and is not a loopback host. The scheme is not
 * looked at.
 *
 * This is the one rule behind the redirect URI policy, issuer and metadata URLs, the transport's endpoint URLs and the
 * hosts a bearer token may be sent to over plain `http:`.
 *
 * @example
 * ```ts
 * import { Url } from "@oauth2/core"
 *
 * console.log(Url.isLoopback(new URL("http://127.0.0.2:8080/cb"))) // true
 * console.log(Url.isLoopback(new URL("http://[::1]/cb"))) // true
 * console.log(Url.isLoopback(new URL("http://127.evil.com/cb"))) // false
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-8.3
 * @since 0.1.0
 * @category guards
 */
export const isLoopback: (url: URL) => boolean = wire.isLoopback
