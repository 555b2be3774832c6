// The IPC contract's types, all generated from the Rust definitions into ./bindings.ts (see
// CONTRIBUTING.md). Views import them from here; nothing is written by hand.
export type * from './bindings';
