// Package backends defines the tensor-compute interface every ghlsim device
// implements: float32 NCHW tensors held on a device, layer-level forward and
// backward operations written destination first, and the fused GHL kernels
// (the Oja-SWTA eligibility trace and the modulated update of ALGORITHM.md §1
// and §3).
//
// Backends are chosen by name through a registry, e.g. New("cpu") or
// New("torch:cuda:0"). The pure-Go "cpu" backend is the reference that every
// other backend is tested against (see package backendtest).
//
// Conventions: shape mismatches and mixing tensors of two backends are
// programmer errors and panic with a "backends: " or backend-name prefix;
// missing libraries and bad device names are returned as wrapped errors.
// Steady-state operations never allocate: callers allocate every tensor once
// with Alloc and reuse it.
package backends
