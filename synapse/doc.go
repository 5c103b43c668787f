// Package synapse holds ghlsim's plastic projections. A Group is one conv or
// dense projection between two populations: it owns the weights W, the
// eligibility (the Oja-SWTA Hebbian term of ALGORITHM.md §1, optionally kept
// as a decaying trace across steps), the last modulator it received, and a
// plasticity Rule that turns (eligibility, modulator, gradient) into Δw.
//
// Rules are registered by name (ghl, sign, bp, hebb, softhebb, …); adding one
// touches one file. Storage stays one dense tensor per group; Group.Synapse
// gives a per-synapse view for inspection and tests.
//
// The GHL update (ALGORITHM.md §3, eq. 1/5-6 of the paper):
//
//	W ← W − η_t · ( |Ĥ| ⊙ M + λ·W ),   Ĥ = H / (max|H| + 1e-30),   M = sign(∂L/∂W)
package synapse
