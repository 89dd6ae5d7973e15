//! Helm v2 hapi protocol buffers and gRPC services.
