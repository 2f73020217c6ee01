/** @internal */

const utf8 = new TextEncoder()

type NodeBufferish = {
  from(data: ArrayBufferLike, offset: number, length: number): { toString(encoding: "base64url"): string }
  from(text: string, encoding: "base64url"): Uint8Array
}

/** Node's `Buffer` when the runtime has one: its base64url codec is native. */
const NodeBuffer = (globalThis as { readonly Buffer?: NodeBufferish }).Buffer

/**
 * base64url without padding (RFC 4648 section 5) of bytes, or of the UTF-8 of a string. (jose has one too, but core
 * loads jose only when a key or a JWT needs it.)
 *
 * @internal
 */
export const encode = (input: Uint8Array | string): string => {
  const bytes = typeof input === "string" ? utf8.encode(input) : input
  if (NodeBuffer !== undefined) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url")
  let binary = ""
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
}

const alphabet = /^[A-Za-z0-9_-]*={0,2}$/

/**
 * The bytes of a base64url string (padding allowed); a `TypeError` for anything else.
 *
 * @internal
 */
export const decode = (input: string): Uint8Array<ArrayBuffer> => {
  const text = input.replace(/=+$/, "")
  if (!alphabet.test(input) || text.length % 4 === 1) throw new TypeError("not base64url")
  if (NodeBuffer !== undefined) {
    const view = NodeBuffer.from(text, "base64url")
    return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength) as ArrayBuffer)
  }
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"))
  const out = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i)
  return out
}
