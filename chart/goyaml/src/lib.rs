//! Go-compatible YAML: reading and writing YAML the way go-yaml v2 and sigs.k8s.io/yaml do.
