// Package neuromod is ghlsim's third factor: a Channel broadcasts, once per
// training step, a modulator M to every subscribed synapse group, stamped
// with the step number so that a group reading a stale or missing signal is
// caught (DESIGN.md phase 6). Where M comes from is a Source: the paper's
// per-synapse sign of ∂L/∂W (grad-sign, ALGORITHM.md §2) is one; others
// plug in behind the same interface without touching the groups.
//
// Sources read only what Inputs offers them for one group at one step: the
// group's weight gradient from the credit phase, the per-neuron credit
// Σ_{b,p} ∂L/∂u_k, and the step number.
package neuromod
