package cpu

import (
	"fmt"

	"ghlsim/backends"
)

// dense checks a dense layer's x [B, in] (any rank: in is the product of
// the trailing dimensions), w [out, in] and y [B, out].
func dense(op string, x, w, y *Tensor) (batch, in, out int) {
	if len(w.shape) != 2 || len(x.shape) < 2 || len(y.shape) < 2 {
		panic(fmt.Sprintf("cpu: %s: want x [B,in], w [out,in], y [B,out], got %v, %v, %v", op, x.shape, w.shape, y.shape))
	}
	batch, out, in = x.shape[0], w.shape[0], w.shape[1]
	if len(x.data) != batch*in || y.shape[0] != batch || len(y.data) != batch*out {
		panic(fmt.Sprintf("cpu: %s: x %v, w %v and y %v do not match", op, x.shape, w.shape, y.shape))
	}
	return batch, in, out
}

// Linear computes y = x·wᵀ + bias. x [B,in], w [out,in], y [B,out].
func (b *Backend) Linear(y, x, w, bias backends.Tensor) {
	yt, xt, wt := tensorOf(y), tensorOf(x), tensorOf(w)
	n, in, out := dense("Linear", xt, wt, yt)
	bs := vecOf("Linear", "bias", bias, out)
	b.mm.Sgemm(false, true, n, out, in, 1, xt.data, in, wt.data, in, 0, yt.data, out)
	if bs != nil {
		b.addBias(yt.data, bs, n, out, 1)
	}
}

// LinearBackwardData computes dx = dy·w.
func (b *Backend) LinearBackwardData(dx, dy, w backends.Tensor) {
	dxt, dyt, wt := tensorOf(dx), tensorOf(dy), tensorOf(w)
	n, in, out := dense("LinearBackwardData", dxt, wt, dyt)
	b.mm.Sgemm(false, false, n, in, out, 1, dyt.data, out, wt.data, in, 0, dxt.data, in)
}

// LinearBackwardWeight computes dw = dyᵀ·x (and dbias = Σ_b dy when dbias is
// not nil), overwriting both.
func (b *Backend) LinearBackwardWeight(dw, dbias, x, dy backends.Tensor) {
	dwt, xt, dyt := tensorOf(dw), tensorOf(x), tensorOf(dy)
	n, in, out := dense("LinearBackwardWeight", xt, dwt, dyt)
	db := vecOf("LinearBackwardWeight", "dbias", dbias, out)
	b.mm.Sgemm(true, false, out, in, n, 1, dyt.data, out, xt.data, in, 0, dwt.data, in)
	if db != nil {
		b.chanSum(db, dyt.data, n, out, 1)
	}
}
