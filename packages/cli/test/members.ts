/** Parameters of a demo member (the hidden `__demo-member` command) whose Redis and token endpoint do not answer. */
import type * as member from "../src/internal/member.js"

export const unreachableMember = (fibers: number): member.Parameters => ({
  redisUrl: "redis://127.0.0.1:9",
  tokenEndpoint: "http://127.0.0.1:9/token",
  clientId: "c",
  clientSecret: "s",
  scope: [],
  resource: "http://127.0.0.1:9/",
  key: "k",
  keyMaterial: Buffer.alloc(32).toString("base64"),
  fibers
})
