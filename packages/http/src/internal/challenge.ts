/**
 * The one `WWW-Authenticate` parser: the transport reads OAuth errors from it, `Bearer.parseChallenges` and the
 * flows' bearer client expose it. No platform import, so the fetch transport does not load `HttpClient`.
 *
 * @internal
 */
import type * as Bearer from "../Bearer.js"

/** Longer headers are cut here before parsing. */
const maxLength = 8192

// sticky expressions, each matching at one position of the header
const separators = /[\s,]*/y
const token = /[A-Za-z0-9!#$%&'*+.^_`|~-]+/y
const equals = /[ \t]*=[ \t]*/y
const quoted = /"((?:[^"\\]|\\[\s\S])*)"/y
/** An unquoted value: a token, or (leniently) any run without whitespace, comma or quote, e.g. an unquoted URL. */
const bare = /[^\s,"]+/y
/** A token68 after the scheme (RFC 9110 11.2): it is the whole rest of the challenge. */
const token68 = /[ \t]+[A-Za-z0-9\-._~+/]+=*(?=[ \t]*(?:,|$))/y

const matchAt = (expression: RegExp, input: string, at: number): RegExpExecArray | null => {
  expression.lastIndex = at
  return expression.exec(input)
}

/**
 * Parses a `WWW-Authenticate` value into its challenges. Parameters are kept in objects without a prototype (a
 * parameter named `__proto__` or `constructor` is an ordinary entry, and an absent one reads `undefined`); the
 * first occurrence of a parameter wins. Parsing stops at the first thing that is neither a challenge nor a
 * parameter and returns what came before it. Never throws.
 *
 * @internal
 */
export const parseChallenges = (header: string): ReadonlyArray<Bearer.Challenge> => {
  const input = typeof header !== "string" ? "" : header.length > maxLength ? header.slice(0, maxLength) : header
  const challenges: Array<Bearer.Challenge> = []
  let params: Record<string, string> | undefined
  let at = 0
  for (;;) {
    at += matchAt(separators, input, at)![0].length
    if (at >= input.length) break
    const name = matchAt(token, input, at)
    if (name === null) break
    at += name[0].length
    const eq = params === undefined ? null : matchAt(equals, input, at)
    if (params !== undefined && eq !== null) {
      // an auth-param of the current challenge: name=token or name="quoted string"
      at += eq[0].length
      let value: string
      const q = matchAt(quoted, input, at)
      if (q !== null) {
        value = q[1]!.replace(/\\([\s\S])/g, "$1")
        at += q[0].length
      } else {
        const b = matchAt(bare, input, at)
        if (b === null) break
        value = b[0]
        at += b[0].length
      }
      const key = name[0].toLowerCase()
      if (!Object.hasOwn(params, key)) params[key] = value
    } else {
      // a new challenge: its scheme, then parameters or a token68
      params = Object.create(null) as Record<string, string>
      challenges.push({ scheme: name[0].toLowerCase(), params })
      const t = matchAt(token68, input, at)
      if (t !== null) at += t[0].length
    }
  }
  return challenges
}

/**
 * The parameters of the first `Bearer` or `DPoP` challenge that carries an `error` (RFC 6750 3, RFC 9449 7.1), if
 * any: how an OAuth error answered without a JSON body is read.
 *
 * @internal
 */
export const oauthErrorChallenge = (header: string | undefined): Readonly<Record<string, string>> | undefined => {
  if (header === undefined) return undefined
  for (const challenge of parseChallenges(header)) {
    if ((challenge.scheme === "bearer" || challenge.scheme === "dpop") && typeof challenge.params["error"] === "string") {
      return challenge.params
    }
  }
  return undefined
}
