package cpu

import (
	"math"
	"testing"
)

// TestExp32 checks exp32 against math.Exp over the softmax range (x ≤ 0)
// and beyond, including the fallback outside [−87, 88].
func TestExp32(t *testing.T) {
	worst := 0.0
	for i := 0; i <= 188000; i++ {
		x := float32(-100 + float64(i)*0.001) // up to 88, below float32 overflow
		want := math.Exp(float64(x))
		got := float64(exp32(x))
		if want < 1e-37 {
			if math.Abs(got-want) > 1e-44 {
				t.Fatalf("exp32(%g) = %g, want %g", x, got, want)
			}
			continue
		}
		worst = math.Max(worst, math.Abs(got-want)/want)
	}
	if worst > 2.5e-7 {
		t.Errorf("exp32: worst relative error %.2e, want ≤ 2.5e-7", worst)
	}
	if v := exp32(89); !math.IsInf(float64(v), 1) {
		t.Errorf("exp32(89) = %g, want +Inf (float32 overflow)", v)
	}
	if v := exp32(float32(math.Inf(-1))); v != 0 {
		t.Errorf("exp32(-Inf) = %g, want 0", v)
	}
	if v := exp32(float32(math.NaN())); v == v {
		t.Errorf("exp32(NaN) = %g, want NaN", v)
	}
}
