package rng

import "testing"

func TestStreamsAreReproducibleAndIndependent(t *testing.T) {
	a1, a2 := Stream(7, "init/conv1"), Stream(7, "init/conv1")
	b := Stream(7, "init/conv2")
	c := Stream(8, "init/conv1")
	same, diffName, diffSeed := true, false, false
	for i := 0; i < 16; i++ {
		x, y, z, w := a1.Uint64(), a2.Uint64(), b.Uint64(), c.Uint64()
		same = same && x == y
		diffName = diffName || x != z
		diffSeed = diffSeed || x != w
	}
	if !same || !diffName || !diffSeed {
		t.Fatalf("same=%v diffName=%v diffSeed=%v", same, diffName, diffSeed)
	}
}

func TestNormalMoments(t *testing.T) {
	x := make([]float32, 20000)
	Normal(Stream(1, "n"), x, 2)
	var m, v float64
	for _, e := range x {
		m += float64(e)
	}
	m /= float64(len(x))
	for _, e := range x {
		v += (float64(e) - m) * (float64(e) - m)
	}
	v /= float64(len(x))
	if m < -0.05 || m > 0.05 || v < 3.8 || v > 4.2 {
		t.Fatalf("mean %.3f var %.3f, want ≈0, ≈4", m, v)
	}
}
