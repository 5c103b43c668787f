package neuromod

import "testing"

func TestInSteps(t *testing.T) {
	for _, c := range []struct {
		spec   string
		stepMS float64
		want   string
		bad    bool
	}{
		{"delay:200ms+flip:0.1", 50, "delay:4+flip:0.1", false},
		{"every:100ms+delay:0ms+grad-sign@neuron", 25, "every:4+delay:0+grad-sign@neuron", false},
		{"delay:4+flip:0.1", 0, "delay:4+flip:0.1", false}, // steps pass through
		{"delay:200ms", 0, "", true},                       // no clock
		{"delay:30ms", 20, "", true},                       // not a whole number of steps
		{"every:5ms", 20, "", true},                        // shorter than a step
		{"delay:-5ms", 1, "", true},
		{"delay:xms", 1, "", true},
	} {
		got, err := InSteps(c.spec, c.stepMS)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("InSteps(%q, %v) = %q, %v; want %q (error %v)", c.spec, c.stepMS, got, err, c.want, c.bad)
		}
	}
	// the rewritten spec is a valid spec with the same meaning as in steps
	s, err := InSteps("delay:200ms+flip:0.1", 50)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parseSpec(s); err != nil {
		t.Fatal(err)
	}
}
