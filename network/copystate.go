package network

import (
	"fmt"

	"ghlsim/backends"
)

// stateCopy pairs a network's state tensors with those of the network it
// copies from, cached so that copying allocates nothing after the first time.
type stateCopy struct {
	from  *Network
	pairs [][2]backends.Tensor // dst, src
}

// ShareModulators makes n's modulator channel use src's sources (the same
// objects, so a delay line's pending values and its step bookkeeping are
// shared). n and src must have the same architecture and rules. It is for a
// twin network that runs some steps of src's run at another batch size (the
// last, partial batch of an epoch).
func (n *Network) ShareModulators(src *Network) error {
	a, b := n.Channel.Subscriptions(), src.Channel.Subscriptions()
	if len(a) != len(b) {
		return fmt.Errorf("network: ShareModulators: %d subscribers, source network has %d", len(a), len(b))
	}
	for i := range a {
		if a[i].Name != b[i].Name {
			return fmt.Errorf("network: ShareModulators: subscriber %d is %s, source network's is %s", i, a[i].Name, b[i].Name)
		}
	}
	for i := range a {
		a[i].Source = b[i].Source
	}
	return nil
}

// CopyStateFrom makes n's training state equal to src's: every state tensor
// (weights, BN statistics, eligibility traces, optimiser moments; copied on
// the device), the step counter and the channel's last broadcast step. The
// networks must have the same architecture and rules (they may differ in
// batch size). After the first call for a given src it allocates nothing.
// Modulator sources are not copied: share them once with ShareModulators.
func (n *Network) CopyStateFrom(src *Network) error {
	if n.copy == nil || n.copy.from != src || n.copyStale(src) {
		if err := n.pairState(src); err != nil {
			return err
		}
	}
	for _, p := range n.copy.pairs {
		if p[0] != p[1] {
			n.B.Copy(p[0], p[1])
		}
	}
	n.step = src.step
	if n.Channel != nil && src.Channel != nil {
		n.Channel.SetLastStep(src.Channel.LastStep())
	}
	return nil
}

// copyStale reports whether src gained optimiser moments since the pairs
// were made (they are allocated at the first step that needs them).
func (n *Network) copyStale(src *Network) bool {
	a, b := n.allParams, src.allParams
	for i := range b {
		if (b[i].Moment1 != nil) != (a[i].Moment1 != nil) || (b[i].Moment2 != nil) != (a[i].Moment2 != nil) {
			return true
		}
	}
	return false
}

// pairState matches n's state tensors with src's by name, allocating the
// optimiser moments src has and n lacks.
func (n *Network) pairState(src *Network) error {
	a, b := n.allParams, src.allParams
	if len(a) != len(b) {
		return fmt.Errorf("network: CopyStateFrom: %d parameters, source network has %d", len(a), len(b))
	}
	for i := range b {
		if b[i].Moment1 != nil && a[i].Moment1 == nil {
			a[i].Moment1 = n.B.Alloc(b[i].Moment1.Shape())
		}
		if b[i].Moment2 != nil && a[i].Moment2 == nil {
			a[i].Moment2 = n.B.Alloc(b[i].Moment2.Shape())
		}
	}
	byName := map[string]backends.Tensor{}
	for _, t := range src.StateTensors() {
		byName[t.Name] = t.T
	}
	dst := n.StateTensors()
	if len(dst) != len(byName) {
		return fmt.Errorf("network: CopyStateFrom: %d state tensors, source network has %d", len(dst), len(byName))
	}
	c := &stateCopy{from: src}
	for _, t := range dst {
		s, ok := byName[t.Name]
		if !ok || !s.Shape().Equal(t.T.Shape()) {
			return fmt.Errorf("network: CopyStateFrom: state tensor %s has no counterpart of shape %v in the source network", t.Name, t.T.Shape())
		}
		c.pairs = append(c.pairs, [2]backends.Tensor{t.T, s})
	}
	n.copy = c
	return nil
}
