package cpu

import "ghlsim/backends"

// dropoutTask applies inverted dropout over grain-sized element ranges;
// element i's fate is backends.DropoutKeep(seed, i, rate), so the mask does
// not depend on the partition.
type dropoutTask struct {
	y, mask, x []float32
	rate       float32
	scale      float32
	seed       uint64
}

func (t *dropoutTask) run(i int) {
	lo, hi := span(i, grain, len(t.x))
	for j := lo; j < hi; j++ {
		m := float32(0)
		if backends.DropoutKeep(t.seed, j, t.rate) {
			m = t.scale
		}
		t.mask[j] = m
		t.y[j] = t.x[j] * m
	}
}

// Dropout zeroes each element with probability rate and scales the rest by
// 1/(1−rate), writing the applied factor into mask; element i is kept iff
// backends.DropoutKeep(seed, i, rate). A rate ≥ 1 drops everything.
func (b *Backend) Dropout(y, mask, x backends.Tensor, rate float32, seed uint64) {
	yt, mt, xt := tensorOf(y), tensorOf(mask), tensorOf(x)
	sameLen("Dropout", xt, yt, mt)
	t := &b.ws.drop
	*t = dropoutTask{y: yt.data, mask: mt.data, x: xt.data, rate: rate, seed: seed}
	if rate < 1 {
		t.scale = 1 / (1 - rate)
	}
	b.workers.do(items(len(xt.data), grain), t)
	*t = dropoutTask{}
}
