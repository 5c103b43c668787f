package neuromod

import (
	"fmt"

	"ghlsim/backends"
)

// Subscriber is a synapse group as the channel sees it: where its modulator
// goes and how it is stamped. *synapse.Group implements it.
type Subscriber interface {
	// ModulatorTarget is the tensor the channel writes M into.
	ModulatorTarget() backends.Tensor
	// ReceiveModulator stamps the delivered modulator with its step.
	ReceiveModulator(step int)
}

// Subscription ties a subscriber to its source.
type Subscription struct {
	Name   string
	Sub    Subscriber
	Source Source
}

// Channel broadcasts the third factor to its subscribers once per step.
type Channel struct {
	subs     []Subscription
	lastStep int

	global bool      // some subscribed source reads Inputs.GlobalCredit
	credit float64   // the last GlobalCredit computed
	ins    []Inputs  // per-subscriber inputs of the current broadcast
	host   []float32 // PostGrad downloads for the global sum
}

// NewChannel returns an empty channel.
func NewChannel() *Channel { return &Channel{lastStep: -1} }

// Subscribe adds a group with the source that computes its modulator.
func (c *Channel) Subscribe(name string, sub Subscriber, src Source) {
	c.subs = append(c.subs, Subscription{Name: name, Sub: sub, Source: src})
	c.global = c.global || ReadsGlobalCredit(src)
}

// Subscriptions lists the channel's subscribers in subscription order.
func (c *Channel) Subscriptions() []Subscription { return c.subs }

// NeedsGlobalCredit reports whether some subscribed source reads
// Inputs.GlobalCredit, so that Broadcast downloads every subscriber's
// PostGrad each step.
func (c *Channel) NeedsGlobalCredit() bool { return c.global }

// GlobalCredit is the Inputs.GlobalCredit of the last broadcast (0 when no
// source reads it).
func (c *Channel) GlobalCredit() float64 { return c.credit }

// Broadcast computes and delivers every subscriber's modulator for step.
// inputs returns what the source of subscriber i may read; it is called once
// per subscriber, for all subscribers before any source runs. When a source
// reads the global credit, Broadcast first downloads every subscriber's
// PostGrad ([K] floats each, one device-to-host copy and thus one device
// synchronisation per group), sums them in float64 on the host in
// subscription order, and hands the total to every source as
// Inputs.GlobalCredit. Steps must increase; broadcasting a step twice is a
// programmer error and panics.
func (c *Channel) Broadcast(b backends.Backend, step int, inputs func(i int) Inputs) {
	if step <= c.lastStep {
		panic(fmt.Sprintf("neuromod: broadcast for step %d after step %d", step, c.lastStep))
	}
	c.lastStep = step
	if cap(c.ins) < len(c.subs) {
		c.ins = make([]Inputs, len(c.subs))
	}
	ins := c.ins[:len(c.subs)]
	for i, s := range c.subs {
		in := inputs(i)
		in.Step, in.Group, in.Index = step, s.Name, i
		ins[i] = in
	}
	if c.global {
		c.credit = c.sumCredit(b, ins)
		for i := range ins {
			ins[i].GlobalCredit = c.credit
		}
	}
	for i, s := range c.subs {
		s.Source.Modulate(b, ins[i], s.Sub.ModulatorTarget())
		s.Sub.ReceiveModulator(step)
	}
	clear(ins) // hold no references to the caller's tensors between steps
}

// sumCredit is Σ over subscribers of Σ_k PostGrad[k], in float64.
func (c *Channel) sumCredit(b backends.Backend, ins []Inputs) float64 {
	var sum float64
	for _, in := range ins {
		if in.PostGrad == nil {
			panic(fmt.Sprintf("neuromod: @global needs every subscriber's PostGrad, and group %q has none", in.Group))
		}
		n := in.PostGrad.Shape().Len()
		if cap(c.host) < n {
			c.host = make([]float32, n)
		}
		h := c.host[:n]
		b.Download(h, in.PostGrad)
		for _, v := range h {
			sum += float64(v)
		}
	}
	return sum
}

// LastStep is the step of the last broadcast (−1 before the first).
func (c *Channel) LastStep() int { return c.lastStep }

// SetLastStep restores the channel's step counter (checkpoint resume).
func (c *Channel) SetLastStep(step int) { c.lastStep = step }
