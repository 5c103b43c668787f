package datasets

import (
	"fmt"
	"math"
	"sort"
)

// Split divides s into a training and a validation set, stratified per
// class: each class c with n_c samples sends round(valFraction·n_c) of them
// (at most n_c−1, so every class keeps a training sample) to val, chosen by
// a shuffle that depends only on (seed, c). Both results keep the original
// sample order. valFraction must be in [0, 1); 0 gives an empty val set.
func Split(s *Set, valFraction float64, seed uint64) (train, val *Set, err error) {
	if math.IsNaN(valFraction) || valFraction < 0 || valFraction >= 1 {
		return nil, nil, fmt.Errorf("datasets: Split of %q: validation fraction %v must be in [0, 1): %w", s.Name, valFraction, ErrConfig)
	}
	if err := s.Validate(); err != nil {
		return nil, nil, err
	}
	byClass := indicesByClass(s)
	inVal := make([]bool, s.Len())
	for c, idx := range byClass {
		nv := int(math.Round(valFraction * float64(len(idx))))
		if nv > len(idx)-1 {
			nv = len(idx) - 1
		}
		if nv <= 0 {
			continue
		}
		perm := append([]int(nil), idx...)
		r := newStream(tagSplit, seed, uint64(c), 0)
		r.shuffle(perm)
		for _, i := range perm[:nv] {
			inVal[i] = true
		}
	}
	var ti, vi []int
	for i, v := range inVal {
		if v {
			vi = append(vi, i)
		} else {
			ti = append(ti, i)
		}
	}
	return s.Subset(ti), s.Subset(vi), nil
}

// Head returns a copy of the first n samples of s in a stable class-balanced
// order: the first sample of each class in class order, then the second of
// each, and so on (classes that run out are skipped). The chosen samples
// keep their original relative order. Use it to train on a budget of n
// samples with every class represented equally. n ≤ 0 gives an empty set;
// n ≥ s.Len() a copy of all of s.
func Head(s *Set, n int) *Set {
	if n <= 0 {
		return s.emptyLike(0)
	}
	if n >= s.Len() {
		all := make([]int, s.Len())
		for i := range all {
			all[i] = i
		}
		return s.Subset(all)
	}
	byClass := indicesByClass(s)
	chosen := make([]int, 0, n)
	for round, added := 0, true; added && len(chosen) < n; round++ {
		added = false
		for _, idx := range byClass {
			if round < len(idx) && len(chosen) < n {
				chosen = append(chosen, idx[round])
				added = true
			}
		}
	}
	sort.Ints(chosen)
	return s.Subset(chosen)
}

// indicesByClass returns, for each class, its sample indices in order.
// Labels outside [0, Classes) are ignored.
func indicesByClass(s *Set) [][]int {
	counts := s.ClassCounts()
	byClass := make([][]int, s.Classes)
	for c := range byClass {
		byClass[c] = make([]int, 0, counts[c])
	}
	for i, y := range s.Labels {
		if y >= 0 && int(y) < s.Classes {
			byClass[y] = append(byClass[y], i)
		}
	}
	return byClass
}
