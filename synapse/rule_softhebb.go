package synapse

import (
	"math"

	"ghlsim/backends"
)

// softHebbRule is SoftHebb's plasticity (ALGORITHM.md §4): the eligibility is
// computed with anti-Hebbian losers, and each post-synaptic neuron k learns
// at rate η·|‖w_k‖₂ − 1|^0.5, which drives weight norms towards 1. The
// per-neuron rate is computed on the host (the update runs once per step of
// an unsupervised phase, so a host round trip is affordable on every backend).
type softHebbRule struct {
	w, e []float32
}

func (*softHebbRule) Name() string { return "softhebb" }

func (*softHebbRule) Needs() Needs { return Needs{Eligibility: true, AntiHebbian: true} }

// NormPower is the exponent of SoftHebb's norm-dependent learning rate.
const NormPower = 0.5

// Apply implements W_k ← W_k + η·|‖w_k‖₂ − 1|^p · Ĥ_k for every output neuron k.
func (r *softHebbRule) Apply(b backends.Backend, g *Group, h Hyper) {
	n := g.Weight.Value.Shape().Len()
	if len(r.w) != n {
		r.w, r.e = make([]float32, n), make([]float32, n)
	}
	b.Download(r.w, g.Weight.Value)
	b.Download(r.e, g.Trace)
	SoftHebbUpdate(r.w, r.e, g.Out, h.LR, g.TraceScale)
	b.Upload(g.Weight.Value, r.w)
}

// SoftHebbUpdate applies the SoftHebb step to host weights w (rows = output
// neurons) from the eligibility e scaled by eScale.
func SoftHebbUpdate(w, e []float32, rows int, lr, eScale float32) {
	fan := len(w) / rows
	for k := 0; k < rows; k++ {
		row := w[k*fan : (k+1)*fan]
		var sq float64
		for _, v := range row {
			sq += float64(v) * float64(v)
		}
		rate := lr * float32(math.Pow(math.Abs(math.Sqrt(sq)-1), NormPower)) * eScale
		er := e[k*fan : (k+1)*fan]
		for j := range row {
			row[j] += rate * er[j]
		}
	}
}
