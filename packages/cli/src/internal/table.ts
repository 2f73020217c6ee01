/**
 * The demo's table, apart from the demo itself so that rendering never loads the embedded server.
 *
 * @internal
 */
import type * as Demo from "../Demo.js"

/**
 * A failure's text on one line of the table: its first line that looks like an error (one naming an `Error`, not a
 * stack frame), or its first line when none does, with the whitespace collapsed.
 */
export const oneLine = (text: string): string => {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.replace(/\s+/g, " ").trim())
    .filter((l) => l !== "")
  return lines.find((l) => /error/i.test(l) && !l.startsWith("at ")) ?? lines[0] ?? ""
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length))

/** @internal */
export const render = (rows: ReadonlyArray<Demo.Row>): string => {
  const header = ["flow", "result", "token lifetime", "scopes", "time"]
  const cells = rows.map((r) => [
    r.flow,
    `${r.skipped === true ? "skipped" : r.ok ? "ok" : "FAILED"}  ${r.result}`,
    r.lifetime ?? "-",
    r.scopes ?? "-",
    `${r.millis} ms`
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
  const line = (c: ReadonlyArray<string>) =>
    c
      .map((s, i) => pad(s, widths[i]!))
      .join("  ")
      .trimEnd()
  const rule = widths.map((w) => "-".repeat(w)).join("  ")
  const failed = rows.filter((r) => !r.ok).length
  const skipped = rows.filter((r) => r.ok && r.skipped === true).length
  const summary = `${rows.length - failed - skipped} passed, ${skipped > 0 ? `${skipped} skipped, ` : ""}${failed} failed`
  return [line(header), rule, ...cells.map(line), rule, summary].join("\n")
}
