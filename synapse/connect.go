package synapse

import (
	"fmt"
	"math/rand/v2"
)

// Connectivity rules. Each returns the (pre, post) pairs of a projection in a
// deterministic order; random ones draw from the generator they are given
// (a named stream of the run seed), so the same seed gives the same network.

// AllToAll connects every presynaptic neuron to every postsynaptic one
// (nPre·nPost synapses), skipping i → i when self is false (same population).
func AllToAll(nPre, nPost int, self bool) (pre, post []int32) {
	for i := 0; i < nPre; i++ {
		for j := 0; j < nPost; j++ {
			if !self && i == j {
				continue
			}
			pre, post = append(pre, int32(i)), append(post, int32(j))
		}
	}
	return pre, post
}

// OneToOne connects neuron i to neuron i (the populations must be equal in size).
func OneToOne(nPre, nPost int) (pre, post []int32, err error) {
	if nPre != nPost {
		return nil, nil, fmt.Errorf("synapse: one-to-one needs equal populations, got %d and %d neurons", nPre, nPost)
	}
	for i := 0; i < nPre; i++ {
		pre, post = append(pre, int32(i)), append(post, int32(i))
	}
	return pre, post, nil
}

// FixedProbability connects each pair independently with probability prob
// (Brian2's connect(p=…), NEST's pairwise_bernoulli), skipping i → i when
// self is false.
func FixedProbability(nPre, nPost int, prob float64, self bool, r *rand.Rand) (pre, post []int32, err error) {
	if !(prob >= 0 && prob <= 1) {
		return nil, nil, fmt.Errorf("synapse: connection probability %v must be in [0, 1]", prob)
	}
	for i := 0; i < nPre; i++ {
		for j := 0; j < nPost; j++ {
			if r.Float64() < prob && (self || i != j) {
				pre, post = append(pre, int32(i)), append(post, int32(j))
			}
		}
	}
	return pre, post, nil
}

// FixedOutDegree gives every presynaptic neuron exactly k distinct targets
// drawn without replacement from the first nTargets postsynaptic neurons
// (NEST's fixed_outdegree without multapses; Izhikevich's spnet draws
// randperm(N)(1:M)). With self false, i → i is excluded.
func FixedOutDegree(nPre, nTargets, k int, self bool, r *rand.Rand) (pre, post []int32, err error) {
	avail := nTargets
	if !self && nPre > 0 {
		avail-- // i itself may be among the targets
	}
	if k < 0 || k > avail {
		return nil, nil, fmt.Errorf("synapse: out-degree %d must be in [0, %d] (distinct targets among %d neurons)", k, avail, nTargets)
	}
	perm := make([]int32, nTargets)
	for i := 0; i < nPre; i++ {
		for j := range perm {
			perm[j] = int32(j)
		}
		got := 0
		// partial Fisher–Yates: the first got entries are the draw
		for n := 0; got < k; n++ {
			m := n + r.IntN(nTargets-n)
			perm[n], perm[m] = perm[m], perm[n]
			if !self && int(perm[n]) == i {
				continue
			}
			pre, post = append(pre, int32(i)), append(post, perm[n])
			got++
		}
	}
	return pre, post, nil
}

// Convolutional connects a [c, h, w] presynaptic map to a [k, h', w']
// postsynaptic map as the conv groups do (square kernel, stride, zero
// padding; h' = (h + 2·pad − kernel)/stride + 1): neuron (ch, y, x) of the
// input feeds output (o, oy, ox) when it lies in that output's receptive
// field. It also returns, per synapse, the flat index into a [k, c, kernel,
// kernel] weight tensor, so shared conv weights can be copied into the
// projection's per-synapse weights.
func Convolutional(c, h, w, k, kernel, stride, pad int) (pre, post, widx []int32, oh, ow int, err error) {
	if c <= 0 || h <= 0 || w <= 0 || k <= 0 || kernel <= 0 || stride <= 0 || pad < 0 {
		return nil, nil, nil, 0, 0, fmt.Errorf("synapse: convolution %d×%d×%d → %d channels, kernel %d, stride %d, padding %d is impossible", c, h, w, k, kernel, stride, pad)
	}
	oh, ow = (h+2*pad-kernel)/stride+1, (w+2*pad-kernel)/stride+1
	if oh <= 0 || ow <= 0 {
		return nil, nil, nil, 0, 0, fmt.Errorf("synapse: kernel %d does not fit a %d×%d input with padding %d", kernel, h, w, pad)
	}
	for ch := 0; ch < c; ch++ {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				i := int32((ch*h+y)*w + x)
				for o := 0; o < k; o++ {
					for ky := 0; ky < kernel; ky++ {
						ny := y + pad - ky
						if ny < 0 || ny%stride != 0 || ny/stride >= oh {
							continue
						}
						for kx := 0; kx < kernel; kx++ {
							nx := x + pad - kx
							if nx < 0 || nx%stride != 0 || nx/stride >= ow {
								continue
							}
							pre = append(pre, i)
							post = append(post, int32((o*oh+ny/stride)*ow+nx/stride))
							widx = append(widx, int32(((o*c+ch)*kernel+ky)*kernel+kx))
						}
					}
				}
			}
		}
	}
	return pre, post, widx, oh, ow, nil
}
