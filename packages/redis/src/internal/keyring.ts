/** @internal */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as SharedTokenSource from "../SharedTokenSource.js"

/**
 * AES-256-GCM envelopes: `v1.<key id>.<iv>.<ciphertext and tag>` (base64url), with the Redis key as additional data,
 * so that an entry copied under another key does not decrypt.
 *
 * @internal
 */
export interface Keyring {
  readonly encrypt: (plaintext: string, context: string) => Effect.Effect<string, unknown>
  /** None when the envelope is malformed, names an unknown key, or does not decrypt. */
  readonly decrypt: (envelope: string, context: string) => Effect.Effect<Option.Option<string>>
}

const idPattern = /^[A-Za-z0-9_-]{1,64}$/
const base64Pattern = /^[A-Za-z0-9+/_-]+={0,2}$/
const encoder = new TextEncoder()
const decoder = new TextDecoder()

const base64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64url")
const fromBase64url = (s: string): Uint8Array<ArrayBuffer> | undefined =>
  /^[A-Za-z0-9_-]*$/.test(s) ? new Uint8Array(Buffer.from(s, "base64url")) : undefined

const invalid = (message: string) => ConfigError.InvalidData([], message)

/**
 * The 32 bytes of a key given in base64 or base64url (padding optional). Errors name the key by its position in the
 * list, never by its id: an operator who swapped id and key would otherwise see the key printed.
 */
const keyBytes = (key: SharedTokenSource.EncryptionKey, position: number): Either.Either<Uint8Array<ArrayBuffer>, ConfigError.ConfigError> => {
  if (!idPattern.test(key.id)) return Either.left(invalid(`encryption key ids are 1 to 64 letters, digits, "-" or "_"`))
  const text = Redacted.value(key.key).trim()
  const bytes = base64Pattern.test(text)
    ? new Uint8Array(Buffer.from(text, text.includes("-") || text.includes("_") ? "base64url" : "base64"))
    : undefined
  return bytes !== undefined && bytes.length === 32
    ? Either.right(bytes)
    : Either.left(
        invalid(`the encryption key at position ${position} of the list is not 32 bytes in base64 (make one with \`openssl rand -base64 32\`)`)
      )
}

/** @internal */
export const make = (keys: ReadonlyArray<SharedTokenSource.EncryptionKey>): Effect.Effect<Keyring, ConfigError.ConfigError> =>
  Effect.gen(function* () {
    if (keys.length === 0) return yield* Effect.fail(invalid("at least one encryption key is needed"))
    if (new Set(keys.map((k) => k.id)).size !== keys.length) return yield* Effect.fail(invalid("encryption key ids must be distinct"))
    const imported = new Map<string, CryptoKey>()
    for (const [index, key] of keys.entries()) {
      const bytes = yield* keyBytes(key, index + 1)
      const cryptoKey = yield* Effect.promise(() => crypto.subtle.importKey("raw", bytes, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]))
      imported.set(key.id, cryptoKey)
    }
    const first = keys[0]!.id
    const firstKey = imported.get(first)!
    const encrypt = (plaintext: string, context: string) =>
      Effect.tryPromise({
        try: async () => {
          const iv = crypto.getRandomValues(new Uint8Array(12))
          const sealed = await crypto.subtle.encrypt(
            { name: "AES-GCM", iv, additionalData: encoder.encode(context) },
            firstKey,
            encoder.encode(plaintext)
          )
          return `v1.${first}.${base64url(iv)}.${base64url(new Uint8Array(sealed))}`
        },
        catch: (e) => e
      })
    const decrypt = (envelope: string, context: string): Effect.Effect<Option.Option<string>> => {
      const parts = envelope.split(".")
      if (parts.length !== 4 || parts[0] !== "v1") return Effect.succeedNone
      const key = imported.get(parts[1]!)
      const iv = fromBase64url(parts[2]!)
      const sealed = fromBase64url(parts[3]!)
      if (key === undefined || iv === undefined || iv.length !== 12 || sealed === undefined || sealed.length < 16) return Effect.succeedNone
      return Effect.tryPromise(() => crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: encoder.encode(context) }, key, sealed)).pipe(
        Effect.map((plain) => Option.some(decoder.decode(plain))),
        Effect.orElseSucceed(() => Option.none())
      )
    }
    return { encrypt, decrypt }
  })

/**
 * `id:key` pairs separated by commas (`2026-11:BASE64,2026-05:BASE64`); the first encrypts, all decrypt.
 *
 * @internal
 */
export const parseKeys = (text: string): Either.Either<ReadonlyArray<SharedTokenSource.EncryptionKey>, string> => {
  const keys: Array<SharedTokenSource.EncryptionKey> = []
  for (const item of text.split(",")) {
    const trimmed = item.trim()
    if (trimmed.length === 0) continue
    const colon = trimmed.indexOf(":")
    if (colon <= 0) return Either.left(`an encryption key is "id:base64 key" (the item ${keys.length + 1} has no id)`)
    keys.push({ id: trimmed.slice(0, colon), key: Redacted.make(trimmed.slice(colon + 1)) })
  }
  return keys.length === 0 ? Either.left("at least one encryption key is needed") : Either.right(keys)
}

/** @internal */
export const keysConfig = (name: string): Config.Config<ReadonlyArray<SharedTokenSource.EncryptionKey>> =>
  Config.mapOrFail(Config.redacted(name), (text) =>
    Either.mapLeft(parseKeys(Redacted.value(text)), (message) => ConfigError.InvalidData([name], message))
  )
