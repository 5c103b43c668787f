package neuromod

import "ghlsim/backends"

// wrapped is embedded by wrappers: it names the chain and forwards the
// optional interfaces of the inner source, so that a wrapper around
// fa-sign still asks for feedback alignment, one around an @global source
// still gets Inputs.GlobalCredit, and one around a delay still exposes its
// buffers.
type wrapped struct {
	name  string // the full chain, e.g. "flip:0.1+grad-sign"
	inner Source
}

// wrapName is "term+inner".
func wrapName(term string, inner Source) string { return term + "+" + inner.Name() }

// Name is the canonical chain, outermost wrapper first.
func (w *wrapped) Name() string { return w.name }

// Credit is the inner source's credit path.
func (w *wrapped) Credit() Credit { return CreditOf(w.inner) }

// ReadsGlobalCredit is the inner source's.
func (w *wrapped) ReadsGlobalCredit() bool { return ReadsGlobalCredit(w.inner) }

// State is the inner source's state (wrappers with their own state prepend
// it).
func (w *wrapped) State() []backends.Tensor { return StateOf(w.inner) }

// HostState is the inner source's host state (delay prepends its own).
func (w *wrapped) HostState() [][]byte { return HostStateOf(w.inner) }

// DelaySteps is the inner source's delay (delay adds its own).
func (w *wrapped) DelaySteps() int { return DelayStepsOf(w.inner) }

// DelayBytes is the inner source's delay memory (delay adds its own).
func (w *wrapped) DelayBytes() int64 { return DelayBytesOf(w.inner) }
