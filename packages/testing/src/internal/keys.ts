/**
 * Key material generated per server start: nothing is shared between servers, nothing is written to disk.
 *
 * @internal
 */
import { randomBytes } from "node:crypto"
import * as jose from "jose"

/** @internal */
export type Jwk = jose.JWK & { readonly kid: string; readonly alg: string }

/** @internal */
export interface KeyPair {
  readonly privateJwk: Jwk
  readonly publicJwk: Jwk
}

/** @internal */
export const generateKeyPair = async (alg: string, use: "sig" | "enc"): Promise<KeyPair> => {
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true })
  const publicBase = await jose.exportJWK(publicKey)
  const kid = await jose.calculateJwkThumbprint(publicBase)
  const privateJwk: Jwk = { ...(await jose.exportJWK(privateKey)), kid, alg, use }
  const publicJwk: Jwk = { ...publicBase, kid, alg, use }
  return { privateJwk, publicJwk }
}

/** The public part of a private JWK (drops every private member). @internal */
export const toPublicJwk = (jwk: Jwk): Jwk => {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, oth: _oth, k: _k, ...rest } = jwk as Jwk & Record<string, unknown>
  return rest as Jwk
}

/** A random secret, base64url, long enough for HS256 client assertions. @internal */
export const randomSecret = (bytes = 32): string => randomBytes(bytes).toString("base64url")
