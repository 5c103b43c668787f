package plots

import (
	"slices"
	"sort"
	"testing"
)

func TestNaturalLess(t *testing.T) {
	in := []string{"conv10", "conv2", "fc", "conv1", "cell-010", "cell-9", "conv02"}
	sort.Slice(in, func(i, j int) bool { return naturalLess(in[i], in[j]) })
	want := []string{"cell-9", "cell-010", "conv1", "conv02", "conv2", "conv10", "fc"} // equal numbers: lexical order
	if !slices.Equal(in, want) {
		t.Errorf("got %v, want %v", in, want)
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{"flip": "flip", "t_inv": "t_inv", "Flip Prob (p)": "flip-prob-p", "--": "x"} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}
