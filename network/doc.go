// Package network assembles populations and synapse groups into a network
// and runs one training step as a fixed schedule of batched events
// (DESIGN.md): present → forward → eligibility → loss → credit → broadcast →
// plasticity → monitor. The schedule is built once by Build and replayed; no
// event allocates, and parallelism lives inside the backend's kernels.
//
// Architectures (DeepHebb, …) are builder functions over the same API, so a
// new network is a few lines of layer calls (New, Input, Conv, Act, MaxPool,
// Flatten, Dense, then Build with the Rules). The package's Example and
// ExampleNetwork_Build (example_test.go) show it in code that compiles and
// whose output go test checks.
package network
