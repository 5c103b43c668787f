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
		fmt.Printf("%-22s → %-30s credit %v, delay memory %d B\n", spec, src.Name(), neuromod.CreditOf(src), neuromod.DelayBytesOf(src))
	}
	_, err := neuromod.New(b, "flip:1.5", w)
	fmt.Println(err)
	// Output:
	// grad-sign              → grad-sign                      credit bp, delay memory 0 B
	// flip:0.1               → flip:0.1+grad-sign             credit bp, delay memory 0 B
	// delay:4+flip:0.1       → delay:4+flip:0.1+grad-sign     credit bp, delay memory 57600 B
	// every:8+fa-sign@layer  → every:8+fa-sign@layer          credit fa, delay memory 0 B
	// dfa-sign@neuron        → dfa-sign@neuron                credit dfa, delay memory 0 B
	// modulator source "flip:1.5": flip: p = 1.5 is outside [0, 1] (it is the probability of negating each synapse's sign per step)
}
