package experiments

import (
	"math"
	"testing"
)

func TestLRAt(t *testing.T) {
	cases := []struct {
		s        string
		t, total int
		want     float64
	}{
		{"cosine", 0, 100, 1},
		{"cosine", 50, 100, 0.5},
		{"cosine", 100, 100, 0},
		{"cosine", 25, 100, (1 + math.Cos(math.Pi/4)) / 2},
		{"steps", 19, 100, 1},
		{"steps", 20, 100, 0.5},
		{"steps", 35, 100, 0.25},
		{"steps", 95, 100, 1.0 / 128},
		{"constant", 70, 100, 1},
	}
	for _, c := range cases {
		if got := LRAt(c.s, c.t, c.total); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("LRAt(%s, %d, %d) = %v, want %v", c.s, c.t, c.total, got, c.want)
		}
	}
}
