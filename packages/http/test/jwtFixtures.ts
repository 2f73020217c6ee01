/** Keys and JWS signing for the OpenID Connect tests of this package (correctness.test.ts, oidc.test.ts). */
import { Effect } from "effect"
import * as jose from "jose"
import { createHash } from "node:crypto"

/** A fresh key pair, with its public and private JWKs carrying `kid`, `alg` and `use`. */
export const keyPair = async (alg: string, kid: string, use: "sig" | "enc" = "sig") => {
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true })
  return {
    alg,
    kid,
    privateKey,
    publicJwk: { ...(await jose.exportJWK(publicKey)), kid, alg, use },
    privateJwk: { ...(await jose.exportJWK(privateKey)), kid, alg, use }
  }
}

/** A compact JWS of `claims`; `alg` and `kid` from the key, extra header members on top. */
export const sign = (
  claims: Record<string, unknown>,
  key: { readonly alg: string; readonly kid?: string; readonly privateKey: CryptoKey | Uint8Array },
  header: Record<string, unknown> = {}
) =>
  Effect.promise(() =>
    new jose.CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
      .setProtectedHeader({ alg: key.alg, ...(key.kid === undefined ? {} : { kid: key.kid }), ...header })
      .sign(key.privateKey)
  )

/** The left half of a SHA-256, base64url: `at_hash`, `c_hash`, `s_hash` (OIDC Core 3.1.3.6). */
export const halfHash = (value: string) => createHash("sha256").update(value).digest().subarray(0, 16).toString("base64url")
