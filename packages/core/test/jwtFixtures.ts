/**
 * Keys and token builders for the JOSE tests: tokens are signed with jose directly (never with the code under test).
 */
import { createCipheriv, createHash, createPublicKey, publicEncrypt, randomBytes, constants } from "node:crypto"
import * as jose from "jose"

export const ISSUER = "https://as.example.com"
export const CLIENT_ID = "client-1"
/** The test clock's time, in seconds. */
export const NOW = 1_700_000_000

export interface KeyPair {
  readonly alg: string
  readonly kid: string
  readonly privateKey: CryptoKey
  readonly publicJwk: jose.JWK
  readonly privateJwk: jose.JWK
}

export const keyPair = async (alg: string, kid: string, options: { readonly crv?: string; readonly use?: "sig" | "enc" } = {}): Promise<KeyPair> => {
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true, ...(options.crv ? { crv: options.crv } : {}) })
  const publicJwk = { ...(await jose.exportJWK(publicKey)), kid, alg, use: options.use ?? "sig" }
  const privateJwk = { ...(await jose.exportJWK(privateKey)), kid, alg, use: options.use ?? "sig" }
  return { alg, kid, privateKey, publicJwk, privateJwk }
}

export const encoder = new TextEncoder()

/** Signs claims (any JSON) with any header; `alg` and `kid` come from the key unless overridden. */
export const signJwt = (
  claims: unknown,
  key: { readonly alg: string; readonly kid?: string; readonly privateKey: CryptoKey | Uint8Array },
  header: Record<string, unknown> = {},
  options?: jose.SignOptions
): Promise<string> =>
  new jose.CompactSign(encoder.encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: key.alg, ...(key.kid === undefined ? {} : { kid: key.kid }), ...header } as jose.CompactJWSHeaderParameters)
    .sign(key.privateKey, options)

const b64 = (bytes: Uint8Array | string) => jose.base64url.encode(bytes)

/** An unsigned JWT (`alg: none`). */
export const unsignedJwt = (claims: unknown, header: Record<string, unknown> = {}): string =>
  `${b64(JSON.stringify({ alg: "none", ...header }))}.${b64(JSON.stringify(claims))}.`

/** Replaces the payload of a signed JWT, keeping its header and signature (a forgery). */
export const withPayload = (jwt: string, claims: unknown): string => {
  const [header, , signature] = jwt.split(".")
  return `${header}.${b64(JSON.stringify(claims))}.${signature}`
}

export const claims = (overrides: Record<string, unknown> = {}): Record<string, unknown> => {
  const base: Record<string, unknown> = { iss: ISSUER, sub: "alice", aud: CLIENT_ID, exp: NOW + 300, iat: NOW, nonce: "n-1" }
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete base[k]
    else base[k] = v
  }
  return base
}

/** at_hash / c_hash computed independently with node:crypto. */
export const nodeHalfHash = (value: string, hash: "sha256" | "sha384" | "sha512"): string => {
  const digest = createHash(hash).update(value, "ascii").digest()
  return digest.subarray(0, digest.length / 2).toString("base64url")
}

/** A JWE with RSA1_5 key encryption (which jose refuses to produce), built with node:crypto. */
export const rsa15Jwe = (plaintext: string, rsaPublicJwk: jose.JWK): string => {
  const cek = randomBytes(32)
  const publicKey = createPublicKey({ key: rsaPublicJwk as import("node:crypto").JsonWebKey, format: "jwk" })
  const encryptedKey = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, cek)
  const header = b64(JSON.stringify({ alg: "RSA1_5", enc: "A256GCM" }))
  const iv = randomBytes(12)
  const cipher = createCipheriv("aes-256-gcm", cek, iv)
  cipher.setAAD(Buffer.from(header, "ascii"))
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()])
  return [header, b64(encryptedKey), b64(iv), b64(ciphertext), b64(cipher.getAuthTag())].join(".")
}

/** Encrypts a JWS to a public key (nested JWT). */
export const encryptJwt = (jws: string, publicJwk: jose.JWK, alg: string, enc: string, header: Record<string, unknown> = {}) =>
  jose
    .importJWK(publicJwk, alg)
    .then((key) => new jose.CompactEncrypt(encoder.encode(jws)).setProtectedHeader({ alg, enc, cty: "JWT", ...header }).encrypt(key))
