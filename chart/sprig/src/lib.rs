//! The Sprig function library for the Go template engine.
