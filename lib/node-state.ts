// What this server process is doing, for the readiness probe and the request handler: "starting" until
// the database is migrated and the server listens, "ready" while it serves, "draining" after SIGTERM
// (it finishes what it has, accepts nothing new, and says so to the load balancer).
export type NodePhase = "starting" | "ready" | "draining";

const SLOT = Symbol.for("sunshine.node-state");
type Slot = { phase: NodePhase; inFlight: number };
// On globalThis: the server entry and Astro's bundle each load their own copy of this module.
const state: Slot = ((globalThis as Record<symbol, Slot>)[SLOT] ??= { phase: "starting", inFlight: 0 });

export function nodePhase(): NodePhase {
  return state.phase;
}

export function setNodePhase(phase: NodePhase) {
  state.phase = phase;
}

/** Requests being answered right now (the HTTP server counts them). */
export function inFlightRequests(): number {
  return state.inFlight;
}

export function requestStarted() {
  state.inFlight++;
}

export function requestFinished() {
  state.inFlight--;
}
