/** Benchmarks and the soak: see bench/README.md. Not part of the library. */
package dev.duplex.bench;
