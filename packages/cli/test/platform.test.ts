/**
 * The command line that starts the demo's members (this command again, from the sources here): node's own flags are
 * kept, and tsx's loader and the `@oauth2/source` condition added only when they are missing.
 */
import { describe, expect, it } from "@effect/vitest"
import { selfCommand } from "../src/internal/platform.js"

const flags = (execArgv: ReadonlyArray<string>) => {
  const { args } = selfCommand(["x"], execArgv)
  return args.slice(
    0,
    args.findIndex((a) => a.endsWith("bin.ts"))
  )
}

const tsxLoader = expect.stringMatching(/^file:\/\/.*\/tsx\//)

describe("selfCommand", () => {
  it("adds tsx's loader and the source condition to flags without them, keeping the flags", () => {
    expect(flags([])).toEqual(["--import", tsxLoader, "--conditions=@oauth2/source"])
    expect(flags(["--conditions", "node", "--enable-source-maps"])).toEqual([
      "--conditions",
      "node",
      "--enable-source-maps",
      "--import",
      tsxLoader,
      "--conditions=@oauth2/source"
    ])
  })

  it("keeps the condition given as --import tsx --conditions=x (node run by hand, without the tsx CLI)", () => {
    expect(flags(["--import", "tsx", "--conditions=@oauth2/source"])).toEqual(["--import", "tsx", "--conditions=@oauth2/source"])
  })

  it("recognises every spelling of the condition and of tsx's loader", () => {
    for (const condition of [["--conditions=@oauth2/source"], ["--conditions", "@oauth2/source"], ["-C", "@oauth2/source"], ["-C=@oauth2/source"]]) {
      expect(flags(["--import=tsx", ...condition])).toEqual(["--import=tsx", ...condition])
    }
    const underTsxCli = ["--require", "/r/node_modules/tsx/dist/preflight.cjs", "--import", "file:///r/node_modules/tsx/dist/loader.mjs"]
    expect(flags(underTsxCli)).toEqual([...underTsxCli, "--conditions=@oauth2/source"])
    // another condition is not the source one; a flag's value that merely contains "tsx" is not tsx
    expect(flags(["-C", "development", "--import", "./mytsx.mjs"])).toEqual([
      "-C",
      "development",
      "--import",
      "./mytsx.mjs",
      "--import",
      tsxLoader,
      "--conditions=@oauth2/source"
    ])
  })
})
