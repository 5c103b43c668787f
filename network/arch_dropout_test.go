package network

import (
	"strings"
	"testing"

	"ghlsim/backends/cpu"
)

// dropoutRate is the rate of the network's dropout op (-1 if none).
func dropoutRate(n *Network) float32 {
	for _, o := range n.ops {
		if d, ok := o.(*dropoutOp); ok {
			return d.rate
		}
	}
	return -1
}

// TestArchDropoutOption: DeepHebb's and FastHebb's dropout rate was
// hard-coded to 0.5; ArchOptions.Dropout sets it (0 included) and nil keeps
// 0.5; a rate outside [0, 1) is refused.
func TestArchDropoutOption(t *testing.T) {
	rate := func(r float64) *float64 { return &r }
	for _, arch := range []string{"deephebb", "fasthebb"} {
		for _, c := range []struct {
			opt  *float64
			want float32
		}{{nil, 0.5}, {rate(0.2), 0.2}, {rate(0), 0}} {
			n := New(cpu.New(1), 2, 1)
			if err := BuildArch(n, arch, ArchOptions{C: 3, H: 32, W: 32, Classes: 10, Width: 0.0625, Dropout: c.opt}); err != nil {
				t.Fatalf("%s: %v", arch, err)
			}
			if got := dropoutRate(n); got != c.want {
				t.Errorf("%s with Dropout %v: rate %g, want %g", arch, c.opt, got, c.want)
			}
		}
		err := BuildArch(New(cpu.New(1), 2, 1), arch, ArchOptions{C: 3, H: 32, W: 32, Classes: 10, Width: 0.0625, Dropout: rate(1)})
		if err == nil || !strings.Contains(err.Error(), "dropout rate 1") {
			t.Errorf("%s with Dropout 1: got %v", arch, err)
		}
	}
}
