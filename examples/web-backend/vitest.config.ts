import { mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

/** The example's test drives the web backend over HTTP against the test Authorization Server. */
export default mergeConfig(shared, { test: { name: "example-web-backend", testTimeout: 60_000, hookTimeout: 60_000 } })
