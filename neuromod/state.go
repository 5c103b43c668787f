package neuromod

import "ghlsim/backends"

// Stateful is implemented by sources that carry state from step to step
// (the delay line of delay:k). State returns the live device tensors, in a
// fixed order for a given spec and weight shape: checkpoint them with
// Download and restore them with Upload into the tensors of a freshly made
// source of the same spec, then continue with the next step number.
// Wrappers list their own tensors first, then their inner source's.
type Stateful interface {
	// State is the source's live state tensors (nil or empty when none).
	State() []backends.Tensor
}

// StateOf is s.State() when s is Stateful and nil otherwise.
func StateOf(s Source) []backends.Tensor {
	if st, ok := s.(Stateful); ok {
		return st.State()
	}
	return nil
}
