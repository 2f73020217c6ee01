/**
 * Tiny HTML helpers: escaping for the pages we render, and reading hidden form fields from the pages the provider
 * renders (device flow forms, form_post responses).
 *
 * @internal
 */

/** @internal */
export const escape = (value: unknown): string =>
  String(value).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;")

const unescape = (value: string): string =>
  value
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#([0-9]+);/g, (_, dec: string) => String.fromCodePoint(parseInt(dec, 10)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")

const attribute = (tag: string, name: string): string | undefined => {
  const match = new RegExp(`\\s${name}="([^"]*)"`, "i").exec(tag)
  return match?.[1] === undefined ? undefined : unescape(match[1])
}

/** A form found in a page: its action (resolved against the page URL) and hidden fields. @internal */
export interface Form {
  readonly id: string | undefined
  readonly action: string
  readonly fields: ReadonlyArray<readonly [string, string]>
}

/** @internal */
export const forms = (html: string, base: string): ReadonlyArray<Form> =>
  [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map((match) => {
    const open = match[1] ?? ""
    const inner = match[2] ?? ""
    const fields = [...inner.matchAll(/<input\b[^>]*>/gi)].flatMap((input) => {
      const tag = input[0]
      const name = attribute(tag, "name")
      const type = attribute(tag, "type")
      return name !== undefined && type === "hidden" ? [[name, attribute(tag, "value") ?? ""] as const] : []
    })
    return { id: attribute(open, "id"), action: new URL(attribute(open, "action") ?? base, base).href, fields }
  })

/** The value of a `data-*` marker we put in our own pages. @internal */
export const marker = (html: string, name: string): string | undefined => {
  const match = new RegExp(`data-${name}="([^"]*)"`).exec(html)
  return match?.[1] === undefined ? undefined : unescape(match[1])
}

/** @internal */
export const page = (title: string, body: string, attributes = ""): string =>
  `<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>${escape(title)}</title></head>
<body ${attributes}>
<h1>${escape(title)}</h1>
${body}
</body>
</html>`
