package plots

import (
	"math"
	"testing"
)

// TestShortNumber: tick labels stay within maxTickLabel characters for any
// magnitude (the conv1 eligibility histogram printed "-2500.00…").
func TestShortNumber(t *testing.T) {
	for v, want := range map[float64]string{
		0: "0", -2500: "-2500", 0.125: "0.125", 25: "25", -12500000: "-12.5M",
		1.5e9: "1.5G", 0.3: "0.3", 1.25e-5: "1.25e-05", -1.25e-5: "-1.3e-05",
	} {
		if got := shortNumber(v); got != want {
			t.Errorf("shortNumber(%g) = %q, want %q", v, got, want)
		}
	}
	for _, v := range []float64{-2512.3456789, 123456789.123, -9.87654321e-7, 1e300, -1e-300, math.Pi * 1e5, 99999.999} {
		if s := shortNumber(v); len(s) > maxTickLabel {
			t.Errorf("shortNumber(%g) = %q: %d characters", v, s, len(s))
		}
	}
}

// TestReadableTicks: an axis gets 4 to 7 evenly spaced, short labels; the
// polarity bars' 0 to 26.5 axis showed only "0.00" and "25.00".
func TestReadableTicks(t *testing.T) {
	ts := readableTicks{}.Ticks(0, 26.5)
	var labels []string
	for _, tk := range ts {
		labels = append(labels, tk.Label)
	}
	if len(ts) < 4 || len(ts) > 7 || labels[0] != "0" || labels[1] != "5" {
		t.Errorf("ticks of 0..26.5: %q", labels)
	}
	for _, r := range [][2]float64{{-2600, 140}, {0, 1}, {0.1, 0.3}, {93.1, 94.9}, {-1e-6, 3e-6}, {1, 1202}, {0, 1e8}} {
		ts := readableTicks{}.Ticks(r[0], r[1])
		if len(ts) < 3 || len(ts) > 7 {
			t.Errorf("%v: %d ticks", r, len(ts))
		}
		for _, tk := range ts {
			if len(tk.Label) > maxTickLabel || tk.Value < r[0]-1e-9 || tk.Value > r[1]+1e-9 {
				t.Errorf("%v: tick %g %q", r, tk.Value, tk.Label)
			}
		}
	}
}
