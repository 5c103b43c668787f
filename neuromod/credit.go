package neuromod

// Credit is the credit-assignment path whose weight gradient a source reads
// as Inputs.Grad (and per-neuron credit as Inputs.PostGrad).
type Credit int

const (
	// BP is end-to-end backpropagation: δ_{l−1} = W_lᵀ δ_l ⊙ f′ (the paper).
	BP Credit = iota
	// FA is feedback alignment (Lillicrap et al. 2016): the backward pass
	// uses a fixed random matrix B_l of W_l's shape in place of W_l, so no
	// weight transport is needed.
	FA
	// DFA is direct feedback alignment (Nøkland 2016): every hidden layer's
	// error is the output error projected by its own fixed random matrix,
	// δ_l = (D_l e) ⊙ f′(u_l), with e = ∂L/∂logits.
	DFA
)

// String is the lower-case name of the credit path: "bp", "fa" or "dfa".
func (c Credit) String() string {
	switch c {
	case BP:
		return "bp"
	case FA:
		return "fa"
	case DFA:
		return "dfa"
	}
	return "credit(?)"
}

// CreditReader is implemented by sources that read the credit phase and say
// which path must fill Inputs.Grad and Inputs.PostGrad. A source that does
// not implement it gets backprop (BP). Wrappers report their inner source's.
type CreditReader interface {
	// Credit is the path the network must run in its credit phase.
	Credit() Credit
}

// CreditOf is s.Credit() when s is a CreditReader and BP otherwise.
func CreditOf(s Source) Credit {
	if c, ok := s.(CreditReader); ok {
		return c.Credit()
	}
	return BP
}
