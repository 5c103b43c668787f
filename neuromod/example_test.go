package neuromod_test

import (
	"fmt"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
	"ghlsim/neuromod"
)

func ExampleNew() {
	b := cpu.New(1)
	w := backends.Shape{96, 3, 5, 5} // a conv layer's weights [K, C, kh, kw]
	for _, spec := range []string{"grad-sign", "flip:0.1", "delay:4+flip:0.1", "every:8+fa-sign@layer", "dfa-sign@neuron"} {
		src, err := neuromod.New(b, spec, w)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%-22s → %-30s credit %v, state tensors %d\n", spec, src.Name(), neuromod.CreditOf(src), len(neuromod.StateOf(src)))
	}
	_, err := neuromod.New(b, "flip:1.5", w)
	fmt.Println(err)
	// Output:
	// grad-sign              → grad-sign                      credit bp, state tensors 0
	// flip:0.1               → flip:0.1+grad-sign             credit bp, state tensors 0
	// delay:4+flip:0.1       → delay:4+flip:0.1+grad-sign     credit bp, state tensors 5
	// every:8+fa-sign@layer  → every:8+fa-sign@layer          credit fa, state tensors 0
	// dfa-sign@neuron        → dfa-sign@neuron                credit dfa, state tensors 0
	// modulator source "flip:1.5": flip: p = 1.5 is outside [0, 1] (it is the probability of negating each synapse's sign per step)
}
