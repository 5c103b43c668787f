package datasets

import (
	"math"
	"testing"
)

// unevenSet has classes of 50, 31, 7, 2 and 1 samples, interleaved.
func unevenSet() *Set {
	s := uniqueSet(91, 1, 2, 2, 5)
	sizes := []int{50, 31, 7, 2, 1}
	k := 0
	for c, n := range sizes {
		for range n {
			s.Labels[k] = int32(c)
			k++
		}
	}
	// interleave deterministically
	idx := make([]int, s.Len())
	for i := range idx {
		idx[i] = (i * 37) % s.Len()
	}
	return s.Subset(idx)
}

func ids(s *Set) map[int]bool {
	m := map[int]bool{}
	for i := range s.Len() {
		m[sampleID(s.Image(i))] = true
	}
	return m
}

func TestSplitStratified(t *testing.T) {
	s := unevenSet()
	train, val, err := Split(s, 0.2, 42)
	if err != nil {
		t.Fatal(err)
	}
	counts, vc := s.ClassCounts(), val.ClassCounts()
	for c, n := range counts {
		want := min(int(math.Round(0.2*float64(n))), n-1)
		if vc[c] != want || train.ClassCounts()[c] != n-want {
			t.Errorf("class %d (%d samples): val %d train %d, want val %d", c, n, vc[c], train.ClassCounts()[c], want)
		}
	}
	ti, vi := ids(train), ids(val)
	for id := range vi {
		if ti[id] {
			t.Fatalf("sample %d in both train and val", id)
		}
	}
	if len(ti)+len(vi) != s.Len() || len(ti) != train.Len() || len(vi) != val.Len() {
		t.Fatalf("split loses or duplicates samples: %d + %d of %d", len(ti), len(vi), s.Len())
	}
	for _, part := range []*Set{train, val} {
		for i := 1; i < part.Len(); i++ {
			if posOf(s, sampleID(part.Image(i-1))) > posOf(s, sampleID(part.Image(i))) {
				t.Fatal("split does not keep the original order")
			}
		}
		if err := part.Validate(); err != nil {
			t.Fatal(err)
		}
	}

	train2, val2, _ := Split(s, 0.2, 42)
	if !sameSet(train, train2) || !sameSet(val, val2) {
		t.Fatal("same seed gives a different split")
	}
	_, val3, _ := Split(s, 0.2, 43)
	if sameSet(val, val3) {
		t.Fatal("another seed gives the same split")
	}
	_, val0, err := Split(s, 0, 1)
	if err != nil || val0.Len() != 0 {
		t.Fatalf("fraction 0: val %d, %v", val0.Len(), err)
	}
}

func posOf(s *Set, id int) int {
	for i := range s.Len() {
		if sampleID(s.Image(i)) == id {
			return i
		}
	}
	return -1
}

func TestSplitBadFraction(t *testing.T) {
	for _, f := range []float64{-0.1, 1, 1.5, math.NaN()} {
		_, _, err := Split(unevenSet(), f, 1)
		wantErr(t, err, ErrConfig, "validation fraction")
	}
}

func TestHead(t *testing.T) {
	s := unevenSet()
	h := Head(s, 17)
	if got := h.ClassCounts(); !intsEqual(got, []int{5, 5, 4, 2, 1}) {
		t.Fatalf("Head(17) class counts %v, want [5 5 4 2 1]", got)
	}
	h10 := Head(s, 10)
	if !intsEqual(h10.ClassCounts(), []int{3, 2, 2, 2, 1}) {
		t.Fatalf("Head(10) class counts %v", h10.ClassCounts())
	}
	for id := range ids(h10) {
		if !ids(h)[id] {
			t.Fatal("Head(10) is not contained in Head(17)")
		}
	}
	for i := 1; i < h.Len(); i++ {
		if posOf(s, sampleID(h.Image(i-1))) > posOf(s, sampleID(h.Image(i))) {
			t.Fatal("Head does not keep the original order")
		}
	}
	if !sameSet(Head(s, 17), h) {
		t.Fatal("Head is not deterministic")
	}
	if Head(s, 0).Len() != 0 || Head(s, -3).Len() != 0 || !sameSet(Head(s, 1000), s) {
		t.Fatal("Head edge cases")
	}
}
