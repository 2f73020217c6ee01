/**
 * A real `redis-server` for the tests: `@oauth2/testing`'s `RedisServer` (a free loopback port, no persistence, ready
 * once it answers PING, killed when the scope closes; `stop` and `start` make an outage on the same port).
 */
import { RedisServer as Server } from "@oauth2/testing"

export type RedisServer = Server.RedisServer

export const RedisServer = Server.RedisServer

export const make = Server.make()

export const layer = Server.layer()
