package network

import (
	"math"

	"ghlsim/backends"

	"ghlsim/internal/runfiles"
)

// Telemetry is the polarity monitor (issue: plasticity-polarity studies): every
// Stride steps it records, per hidden synapse group, the share of
// potentiated, depressed and unchanged synapses, the agreement of the
// applied modulator with the gradient sign, the agreement of the signed
// Hebbian term with −∂L/∂W, the weight norm and the soft-WTA winner entropy,
// appending one runfiles.Telemetry line per group to Path. Copies to the
// host happen only on due steps.
type Telemetry struct {
	Stride int    // record every Stride steps (≥ 1)
	Path   string // telemetry.jsonl
	// Err is the first write error (monitors cannot fail a step).
	Err error
	// Records keeps what was written, for tests and live plots.
	Records []runfiles.Telemetry

	pending []runfiles.Telemetry
	prev    []float32
}

// Due reports whether step is a telemetry step.
func (m *Telemetry) Due(step int) bool { return m.Stride > 0 && step%m.Stride == 0 }

// Before measures the signals the plasticity phase is about to apply and
// remembers W so After can measure Δw.
func (m *Telemetry) Before(n *Network, step int) {
	m.pending = m.pending[:0]
	trueGrads := n.TrueGradients()
	for i, g := range n.Groups {
		if n.Roles[i] != Hidden {
			continue
		}
		r := runfiles.Telemetry{Step: step, Layer: g.Name, SignAgreement: -1, HebbGradAgreement: -1, WinnerEntropy: -1}
		grad := trueGrads[i]
		if g.Modulator != nil && g.ModStep == step {
			mod := hostCopy(n, g.Modulator)
			r.SignAgreement = agreement(mod, grad, 1)
		}
		if g.H != nil {
			h := hostCopy(n, g.H)
			r.HebbGradAgreement = agreement(h, grad, -1)
			o := n.synOf[g]
			u := hostCopy(n, o.out.Act)
			r.WinnerEntropy = winnerEntropy(u, o.out.Shape[1], len(u)/o.out.Shape[0]/o.out.Shape[1], o.out.Shape[0], g.TInv)
		}
		m.pending = append(m.pending, r)
	}
	// Remember every hidden group's weights (concatenated) for Δw.
	m.prev = m.prev[:0]
	for i, g := range n.Groups {
		if n.Roles[i] == Hidden {
			m.prev = append(m.prev, hostCopy(n, g.Weight.Value)...)
		}
	}
}

// After measures Δw and the weight norms and writes the step's records.
func (m *Telemetry) After(n *Network, st StepStats) {
	off, k := 0, 0
	for i, g := range n.Groups {
		if n.Roles[i] != Hidden {
			continue
		}
		w := hostCopy(n, g.Weight.Value)
		prev := m.prev[off : off+len(w)]
		off += len(w)
		r := &m.pending[k]
		k++
		var pot, dep, sq float64
		for j, v := range w {
			switch d := v - prev[j]; {
			case d > 0:
				pot++
			case d < 0:
				dep++
			}
			sq += float64(v) * float64(v)
		}
		total := float64(len(w))
		r.Potentiated, r.Depressed, r.Unchanged = pot/total, dep/total, (total-pot-dep)/total
		r.WeightNorm = math.Sqrt(sq)
	}
	for _, r := range m.pending {
		m.Records = append(m.Records, r)
		if m.Path != "" && m.Err == nil {
			m.Err = runfiles.AppendJSONL(m.Path, r)
		}
	}
}

// hostCopy downloads a tensor into a new host slice (telemetry runs only
// every Stride steps, so the copies do not touch the steady-state step).
func hostCopy(n *Network, t backends.Tensor) []float32 {
	h := make([]float32, t.Shape().Len())
	n.B.Download(h, t)
	return h
}

// agreement is the share of entries where sign(a) = s·sign(b), over entries
// where b ≠ 0.
func agreement(a, b []float32, s float32) float64 {
	var agree, count float64
	for i, bv := range b {
		if bv == 0 {
			continue
		}
		count++
		if sgn32(a[i]) == s*sgn32(bv) {
			agree++
		}
	}
	if count == 0 {
		return -1
	}
	return agree / count
}

func sgn32(x float32) float32 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// winnerEntropy is the mean entropy (nats) of y = softmax(tInv·u) over the
// channels at each (batch, position) of u [B, K, P].
func winnerEntropy(u []float32, k, p, batch int, tInv float32) float64 {
	var total float64
	for b := 0; b < batch; b++ {
		base := b * k * p
		for q := 0; q < p; q++ {
			mx := math.Inf(-1)
			for c := 0; c < k; c++ {
				mx = math.Max(mx, float64(tInv*u[base+c*p+q]))
			}
			var z float64
			for c := 0; c < k; c++ {
				z += math.Exp(float64(tInv*u[base+c*p+q]) - mx)
			}
			var h float64
			for c := 0; c < k; c++ {
				pr := math.Exp(float64(tInv*u[base+c*p+q])-mx) / z
				if pr > 0 {
					h -= pr * math.Log(pr)
				}
			}
			total += h
		}
	}
	return total / float64(batch*p)
}
