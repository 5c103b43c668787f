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
}

// NewChannel returns an empty channel.
func NewChannel() *Channel { return &Channel{lastStep: -1} }

// Subscribe adds a group with the source that computes its modulator.
func (c *Channel) Subscribe(name string, sub Subscriber, src Source) {
	c.subs = append(c.subs, Subscription{Name: name, Sub: sub, Source: src})
}

// Subscriptions lists the channel's subscribers in subscription order.
func (c *Channel) Subscriptions() []Subscription { return c.subs }

// Broadcast computes and delivers every subscriber's modulator for step.
// inputs returns what the source of subscriber i may read. Steps must
// increase; broadcasting a step twice is a programmer error and panics.
func (c *Channel) Broadcast(b backends.Backend, step int, inputs func(i int) Inputs) {
	if step <= c.lastStep {
		panic(fmt.Sprintf("neuromod: broadcast for step %d after step %d", step, c.lastStep))
	}
	c.lastStep = step
	for i, s := range c.subs {
		in := inputs(i)
		in.Step, in.Group, in.Index = step, s.Name, i
		s.Source.Modulate(b, in, s.Sub.ModulatorTarget())
		s.Sub.ReceiveModulator(step)
	}
}

// LastStep is the step of the last broadcast (−1 before the first).
func (c *Channel) LastStep() int { return c.lastStep }

// SetLastStep restores the channel's step counter (checkpoint resume).
func (c *Channel) SetLastStep(step int) { c.lastStep = step }
