package plots

import (
	"errors"
	"testing"

	"ghlsim/internal/runfiles"
)

func benchFixture() []runfiles.Bench {
	return []runfiles.Bench{
		{Config: "deephebb b64", Impl: "ghlsim/cpu", MedianS: 0.2, MinS: 0.19, MaxS: 0.25, ImagesPerS: 320},
		{Config: "deephebb b64", Impl: "pytorch", MedianS: 0.25, MinS: 0.24, MaxS: 0.3, ImagesPerS: 256},
		{Config: "fasthebb b64", Impl: "ghlsim/cpu", MedianS: 0.1, MinS: 0.09, MaxS: 0.12, ImagesPerS: 640},
		{Config: "fasthebb b64", Impl: "pytorch", MedianS: 0.2, ImagesPerS: 320},                          // no min/max: no whisker
		{Config: "deephebb b64", Impl: "ghlsim/cpu", MedianS: 0.1, MinS: 0.1, MaxS: 0.1, ImagesPerS: 640}, // rerun supersedes the first
	}
}

func TestLatestBench(t *testing.T) {
	got := LatestBench(benchFixture())
	if len(got) != 4 || got[0].ImagesPerS != 640 || got[0].Config != "deephebb b64" || got[3].Impl != "pytorch" {
		t.Errorf("LatestBench = %+v", got)
	}
}

func TestThroughput(t *testing.T) {
	b, err := Throughput(benchFixture(), DefaultStyle())
	if err != nil {
		t.Fatal(err)
	}
	d := parseSVG(t, b)
	for _, s := range []string{"deephebb b64", "fasthebb b64", "ghlsim/cpu", "pytorch", "throughput (images/s)"} {
		if d.countText(s) != 1 {
			t.Errorf("text %q appears %d times, want once", s, d.countText(s))
		}
	}
	cols := seriesColors([]string{"ghlsim/cpu", "pytorch"})
	for impl, c := range cols {
		if n := d.fills(hexColor(c)); n != 2+1 {
			t.Errorf("%s: %d filled shapes, want 2 bars + 1 swatch", impl, n)
		}
		for _, r := range []string{"ghl", "bp", "sign", "hebb", "softhebb", "swta-fh", "hpca-fh"} {
			if c == RuleColor(r) {
				t.Errorf("impl %s has the colour of rule %s", impl, r)
			}
		}
	}
	// Whiskers on 3 of the 4 bars: a line and two caps each.
	if n := d.strokes("#000000", "0.7"); n != 3*3 {
		t.Errorf("%d whisker strokes, want 9", n)
	}
	if _, err := Throughput(nil, DefaultStyle()); !errors.Is(err, ErrNoData) {
		t.Errorf("no records: %v, want ErrNoData", err)
	}
}
