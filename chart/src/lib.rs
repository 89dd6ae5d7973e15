//! Helm v2 charts: the chart model, the loader, values coalescing and the render engine.
