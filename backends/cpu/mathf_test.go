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
	t.Logf("exp32 worst relative error %.2e", worst)
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

// TestLogPow32 checks log32 against math.Log over normal floats from 1e-30
// to 1e30 and pow32 against math.Pow for the Triangle powers.
func TestLogPow32(t *testing.T) {
	worstLog, worstPow := 0.0, 0.0
	for i := 0; i <= 60000; i++ {
		x := float32(math.Pow(10, -30+float64(i)*0.001))
		want := math.Log(float64(x))
		worstLog = math.Max(worstLog, math.Abs(float64(log32(x))-want)/math.Max(1, math.Abs(want)))
	}
	for i := 1; i <= 100000; i++ {
		z := float32(float64(i) * 1e-4) // (0, 10]
		for _, p := range []float32{0.7, 1.4, -0.3, 0.4, 2} {
			want := math.Pow(float64(z), float64(p))
			worstPow = math.Max(worstPow, math.Abs(float64(pow32(z, p))-want)/want)
		}
	}
	t.Logf("log32 worst %.2e·max(1, |ln x|); pow32 worst relative %.2e", worstLog, worstPow)
	if worstLog > 2e-7 {
		t.Errorf("log32: worst error %.2e·max(1, |ln x|), want ≤ 2e-7", worstLog)
	}
	if worstPow > 2e-6 {
		t.Errorf("pow32: worst relative error %.2e, want ≤ 2e-6", worstPow)
	}
	for _, x := range []float32{0, -1, float32(math.Inf(1)), 1e-40} {
		if got, want := log32(x), float32(math.Log(float64(x))); got != want && !(got != got && want != want) {
			t.Errorf("log32(%g) = %g, want %g", x, got, want)
		}
	}
}
