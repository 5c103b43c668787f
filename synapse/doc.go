// Package synapse holds ghlsim's plastic projections. A Group is one conv or
// dense projection between two populations: it owns the weights W, the
// eligibility (the Oja-SWTA Hebbian term of ALGORITHM.md §1, optionally kept
// as a decaying trace across steps), the last modulator it received, and a
// plasticity Rule that turns (eligibility, modulator, gradient) into Δw.
//
// Every built-in rule (ghl, sign, bp, hebb, softhebb, …) is one entry of the
// builtinRules list in rules.go: name, summary, factory, its training
// defaults (RuleDefaults: learning rates, weight decay, momentum, optimiser,
// schedule, unsupervised phase) and its plot colour. A script names a rule
// by string (NewRule("ghl")) or passes it as a value (GHL(), Hebb(), or a
// RuleInfo of its own). Storage stays one dense tensor per group;
// Group.Synapse gives a per-synapse view for inspection and tests.
//
// The GHL update (ALGORITHM.md §3, eq. 1/5-6 of the paper):
//
//	W ← W − η_t · ( |Ĥ| ⊙ M + λ·W ),   Ĥ = H / (max|H| + 1e-30),   M = sign(∂L/∂W)
//
// The whole rule's math — u = conv(x, W) or W·x, the soft winner-take-all
// y = softmax(t_inv·u), the Oja-SWTA term H = Σ y·patch(x) − (Σ y·u)·W, the
// normalisation, the sign and the update — is written out once as plain
// float64 Go in ghl_reference.go: ReferenceForward, ReferenceSoftWTA,
// ReferenceOjaSWTA (ReferenceOjaGiven for a given competition output), ReferenceNormalise, ReferenceSign, ReferenceGHLUpdate
// and ReferenceGHL (one whole step). Read it for the formula; call it to
// check a result. The backends compute the same with fused float32 kernels
// (Backend.OjaSWTA, backends.HebbGradFuser, Backend.ModulatedUpdate), and
// ghl_reference_test.go tests each backend's kernels against it on random
// shapes. NormScale is the one float32 copy of the normaliser 1/(max|H|+ε)
// the training path uses.
package synapse
