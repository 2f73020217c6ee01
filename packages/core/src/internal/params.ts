/** @internal */
import * as Redacted from "effect/Redacted"
import type { Input, Params, Value } from "../Params.js"

/** @internal */
export const make = (input: Readonly<Record<string, Input>>): Params => {
  const out: Array<readonly [string, Value]> = []
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined || value === null) continue
    if (typeof value === "string" || Redacted.isRedacted(value)) {
      if (!isEmpty(value)) out.push([name, value])
    } else {
      for (const v of value as ReadonlyArray<Value>) if (!isEmpty(v)) out.push([name, v])
    }
  }
  return out
}

const isEmpty = (v: Value): boolean => (typeof v === "string" ? v.length === 0 : Redacted.value(v).length === 0)

/** @internal */
export const scope = (scope: string | ReadonlyArray<string> | undefined): string | undefined => {
  if (scope === undefined) return undefined
  const parts = (typeof scope === "string" ? scope.split(" ") : scope).map((s) => s.trim()).filter((s) => s.length > 0)
  return parts.length === 0 ? undefined : parts.join(" ")
}

/** @internal */
export const getAll = (params: Params, name: string): ReadonlyArray<Value> => params.filter(([n]) => n === name).map(([, v]) => v)

/** @internal */
export const get = (params: Params, name: string): string | undefined => {
  const found = params.find(([n]) => n === name)
  return found === undefined ? undefined : unwrap(found[1])
}

/** @internal */
export const unwrap = (v: Value): string => (typeof v === "string" ? v : Redacted.value(v))

/** @internal */
export const concat = (...all: ReadonlyArray<Params>): Params => {
  // a loop: Array.prototype.flat is several times slower on the token path's short lists
  const out: Array<Params[number]> = []
  for (const params of all) for (const p of params) out.push(p)
  return out
}

/** @internal */
export const encode = (params: Params): string => toURLSearchParams(params).toString()

/** @internal */
export const toURLSearchParams = (params: Params): URLSearchParams => {
  const search = new URLSearchParams()
  for (const [name, value] of params) search.append(name, unwrap(value))
  return search
}
