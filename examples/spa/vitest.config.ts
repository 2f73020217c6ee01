import { mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

/** The example's test drives real headless Chromium: longer timeouts than the packages' unit tests. */
export default mergeConfig(shared, { test: { name: "example-spa", testTimeout: 120_000, hookTimeout: 120_000 } })
