package neuromod_test

import (
	"fmt"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
	"ghlsim/neuromod"
)

// Specs as Go values: constructors compose as the grammar's wrappers do,
// print the spec string they stand for, and make the same source.
func ExampleFlip() {
	spec := neuromod.Delay(4, neuromod.Flip(0.1, neuromod.GradSign(neuromod.PerNeuron)))
	fmt.Println(spec)
	src, err := spec.New(cpu.New(1), backends.Shape{96, 3, 5, 5})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(src.Name(), "delay", neuromod.DelayStepsOf(src), "steps, credit", neuromod.CreditOf(src))
	// Output:
	// delay:4+flip:0.1+grad-sign@neuron
	// delay:4+flip:0.1+grad-sign@neuron delay 4 steps, credit bp
}

// A bad argument does not panic: the Spec carries the grammar's error, and
// wrappers carry it on, until Validate, New or network.Build reports it.
func ExampleSpec_Validate() {
	bad := neuromod.Every(2, neuromod.Flip(1.5, neuromod.Random()))
	fmt.Println(bad.Validate())
	fmt.Println(neuromod.Delay(3, neuromod.FASign(neuromod.PerLayer)).Validate())
	// Output:
	// modulator source "flip:1.5+random": flip: p = 1.5 is outside [0, 1] (it is the probability of negating each synapse's sign per step)
	// <nil>
}

// Parse reads a spec string into the same value the constructors build.
func ExampleParse() {
	s, err := neuromod.Parse("every:8 + dfa-sign@layer")
	fmt.Println(s, err)
	fmt.Println(s.String() == neuromod.Every(8, neuromod.DFASign(neuromod.PerLayer)).String())
	_, err = neuromod.Parse("delay:-2")
	fmt.Println(err)
	// Output:
	// every:8+dfa-sign@layer <nil>
	// true
	// modulator source "delay:-2": delay: k = -2 must be ≥ 0 (the number of steps the signal is held back)
}

// halfSign is a script's own third factor: M = sign(∂L/∂W) / 2.
type halfSign struct{}

func (halfSign) Name() string { return "half-sign" }
func (halfSign) Modulate(b backends.Backend, in neuromod.Inputs, m backends.Tensor) {
	b.Sign(m, in.Grad)
	b.AXPY(m, -0.5, m) // m − m/2
}

// A source of your own is a value too, wrapped like the built-in ones and
// registered nowhere.
func ExampleCustom() {
	b := cpu.New(1)
	w := backends.Shape{1, 4}
	spec := neuromod.Flip(1, neuromod.Custom("half-sign", func(backends.Backend, backends.Shape) (neuromod.Source, error) { return halfSign{}, nil }))
	src, err := spec.New(b, w)
	if err != nil {
		fmt.Println(err)
		return
	}
	grad, m := b.Alloc(w), b.Alloc(w)
	b.Upload(grad, []float32{0.3, -2, 0, 1e-3})
	src.Modulate(b, neuromod.Inputs{Grad: grad, Seed: 1}, m)
	fmt.Println(src.Name(), cpu.Data(m))
	// Output:
	// flip:1+half-sign [-0.5 0.5 -0 -0.5]
}
