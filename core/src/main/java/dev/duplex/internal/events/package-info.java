/**
 * How events reach listeners: each socket's ordered event queue and its registration gate
 * ({@link dev.duplex.internal.events.EventDispatcher}), the shared event threads
 * ({@link dev.duplex.internal.events.EventThreads}) and the back-pressure that pauses reading
 * while a socket's listeners fall behind
 * ({@link dev.duplex.internal.events.InboundBackPressure}). Internal: not exported.
 */
package dev.duplex.internal.events;
