package backends

import (
	"sort"
	"sync"
	"time"
)

// Profiler is a Backend that runs every operation on an inner backend and
// records, per operation, how often it ran and the wall time it took
// (Profile makes one; Report reads the totals).
//
// Each timed operation is followed by the inner backend's Sync, so that an
// asynchronous device (torch:cuda) is charged for the work it queued rather
// than for queuing it. That serialises such devices — no overlap of one
// operation with the next, or with the host — so a profiled step is slower
// than an unprofiled one there; on cpu, where Sync is a no-op, the overhead
// is two clock reads per operation.
//
// Tensors and indices allocated through a Profiler are the inner backend's
// (their Backend method names it), so they can be used with the inner
// backend directly as well.
//
// Metadata and allocation methods (Name, Device, Threads, SetThreads, Sync,
// Close, Alloc, AllocIndices, Reshape) are forwarded untimed.
//
// A Profiler implements HebbGradFuser and ConvArithmetic whatever the inner
// backend implements (one static type cannot do otherwise): without an inner
// HebbGradFuser, Conv2DBackwardWeightHebb runs Conv2DBackwardWeight and then
// OjaSWTA (recorded under those names), which is what callers of a backend
// without the fused kernel run; without an inner ConvArithmetic,
// ConvFLOPFraction is 1 (the direct count, which is what callers assume for
// such a backend). PeakProber is not forwarded. It is safe for concurrent
// use; the recorded times of overlapping calls then overlap too.
type Profiler struct {
	b     Backend
	fuser HebbGradFuser  // b's, or nil
	arith ConvArithmetic // b's, or nil

	mu    sync.Mutex
	calls [numOps]int
	total [numOps]time.Duration
}

// OpTime is one operation's totals in a Profiler's report.
type OpTime struct {
	Op    string        `json:"op"`    // the Backend method, e.g. "Conv2D"
	Calls int           `json:"calls"` // number of calls
	Total time.Duration `json:"total"` // wall time of all calls, each followed by Sync
}

// Profile wraps b in a Profiler with empty totals.
func Profile(b Backend) *Profiler {
	p := &Profiler{b: b}
	p.fuser, _ = b.(HebbGradFuser)
	p.arith, _ = b.(ConvArithmetic)
	return p
}

// Inner is the wrapped backend.
func (p *Profiler) Inner() Backend { return p.b }

// Report lists the operations that ran since Profile or the last Reset,
// by total time, longest first (ties by name).
func (p *Profiler) Report() []OpTime {
	p.mu.Lock()
	defer p.mu.Unlock()
	var r []OpTime
	for i := range numOps {
		if p.calls[i] > 0 {
			r = append(r, OpTime{Op: opNames[i], Calls: p.calls[i], Total: p.total[i]})
		}
	}
	sort.Slice(r, func(i, j int) bool {
		if r[i].Total != r[j].Total {
			return r[i].Total > r[j].Total
		}
		return r[i].Op < r[j].Op
	})
	return r
}

// Reset clears the totals.
func (p *Profiler) Reset() {
	p.mu.Lock()
	p.calls, p.total = [numOps]int{}, [numOps]time.Duration{}
	p.mu.Unlock()
}

// done syncs the inner backend and charges the time since t0 to op.
func (p *Profiler) done(op profOp, t0 time.Time) {
	p.b.Sync()
	d := time.Since(t0)
	p.mu.Lock()
	p.calls[op]++
	p.total[op] += d
	p.mu.Unlock()
}

// profOp indexes the timed operations.
type profOp int

const (
	opUpload profOp = iota
	opDownload
	opFill
	opCopy
	opAdd
	opMul
	opAXPY
	opSign
	opMaxAbs
	opConv2D
	opConv2DBackwardData
	opConv2DBackwardWeight
	opConv2DBackwardWeightHebb
	opLinear
	opLinearBackwardData
	opLinearBackwardWeight
	opMaxPool2D
	opMaxPool2DBackward
	opAvgPool2D
	opAvgPool2DBackward
	opBatchNorm
	opBatchNormBackward
	opActivation
	opActivationBackward
	opDropout
	opSoftmaxCrossEntropy
	opOjaSWTA
	opModulatedUpdate
	opSGD
	opAdam
	numOps
)

var opNames = [numOps]string{
	opUpload: "Upload", opDownload: "Download", opFill: "Fill", opCopy: "Copy", opAdd: "Add", opMul: "Mul",
	opAXPY: "AXPY", opSign: "Sign", opMaxAbs: "MaxAbs", opConv2D: "Conv2D", opConv2DBackwardData: "Conv2DBackwardData",
	opConv2DBackwardWeight: "Conv2DBackwardWeight", opConv2DBackwardWeightHebb: "Conv2DBackwardWeightHebb",
	opLinear: "Linear", opLinearBackwardData: "LinearBackwardData", opLinearBackwardWeight: "LinearBackwardWeight",
	opMaxPool2D: "MaxPool2D", opMaxPool2DBackward: "MaxPool2DBackward", opAvgPool2D: "AvgPool2D",
	opAvgPool2DBackward: "AvgPool2DBackward", opBatchNorm: "BatchNorm", opBatchNormBackward: "BatchNormBackward",
	opActivation: "Activation", opActivationBackward: "ActivationBackward", opDropout: "Dropout",
	opSoftmaxCrossEntropy: "SoftmaxCrossEntropy", opOjaSWTA: "OjaSWTA", opModulatedUpdate: "ModulatedUpdate",
	opSGD: "SGD", opAdam: "Adam",
}

// Name implements Backend.
func (p *Profiler) Name() string { return p.b.Name() }

// Device implements Backend.
func (p *Profiler) Device() string { return p.b.Device() }

// Threads implements Backend.
func (p *Profiler) Threads() int { return p.b.Threads() }

// SetThreads implements Backend.
func (p *Profiler) SetThreads(n int) { p.b.SetThreads(n) }

// Sync implements Backend.
func (p *Profiler) Sync() { p.b.Sync() }

// Close implements Backend: it closes the inner backend.
func (p *Profiler) Close() error { return p.b.Close() }

// Alloc implements Backend.
func (p *Profiler) Alloc(s Shape) Tensor { return p.b.Alloc(s) }

// AllocIndices implements Backend.
func (p *Profiler) AllocIndices(s Shape) Indices { return p.b.AllocIndices(s) }

// Reshape implements Backend.
func (p *Profiler) Reshape(t Tensor, s Shape) Tensor { return p.b.Reshape(t, s) }

// Upload implements Backend.
func (p *Profiler) Upload(dst Tensor, src []float32) {
	defer p.done(opUpload, time.Now())
	p.b.Upload(dst, src)
}

// Download implements Backend.
func (p *Profiler) Download(dst []float32, src Tensor) {
	defer p.done(opDownload, time.Now())
	p.b.Download(dst, src)
}

// Fill implements Backend.
func (p *Profiler) Fill(dst Tensor, v float32) {
	defer p.done(opFill, time.Now())
	p.b.Fill(dst, v)
}

// Copy implements Backend.
func (p *Profiler) Copy(dst, src Tensor) {
	defer p.done(opCopy, time.Now())
	p.b.Copy(dst, src)
}

// Add implements Backend.
func (p *Profiler) Add(dst, a, b Tensor) {
	defer p.done(opAdd, time.Now())
	p.b.Add(dst, a, b)
}

// Mul implements Backend.
func (p *Profiler) Mul(dst, a, b Tensor) {
	defer p.done(opMul, time.Now())
	p.b.Mul(dst, a, b)
}

// AXPY implements Backend.
func (p *Profiler) AXPY(y Tensor, a float32, x Tensor) {
	defer p.done(opAXPY, time.Now())
	p.b.AXPY(y, a, x)
}

// Sign implements Backend.
func (p *Profiler) Sign(dst, src Tensor) {
	defer p.done(opSign, time.Now())
	p.b.Sign(dst, src)
}

// MaxAbs implements Backend.
func (p *Profiler) MaxAbs(t Tensor) float32 {
	defer p.done(opMaxAbs, time.Now())
	return p.b.MaxAbs(t)
}

// Conv2D implements Backend.
func (p *Profiler) Conv2D(y, x, w, bias Tensor, c ConvParams) {
	defer p.done(opConv2D, time.Now())
	p.b.Conv2D(y, x, w, bias, c)
}

// Conv2DBackwardData implements Backend.
func (p *Profiler) Conv2DBackwardData(dx, dy, w Tensor, c ConvParams) {
	defer p.done(opConv2DBackwardData, time.Now())
	p.b.Conv2DBackwardData(dx, dy, w, c)
}

// Conv2DBackwardWeight implements Backend.
func (p *Profiler) Conv2DBackwardWeight(dw, dbias, x, dy Tensor, c ConvParams) {
	defer p.done(opConv2DBackwardWeight, time.Now())
	p.b.Conv2DBackwardWeight(dw, dbias, x, dy, c)
}

// Conv2DBackwardWeightHebb implements HebbGradFuser: the inner backend's
// fused kernel when it has one, else Conv2DBackwardWeight then OjaSWTA,
// each timed under its own name.
func (p *Profiler) Conv2DBackwardWeightHebb(dw, dbias, h, x, dy, u, w Tensor, o OjaParams) float32 {
	if p.fuser == nil {
		p.Conv2DBackwardWeight(dw, dbias, x, dy, o.Conv)
		return p.OjaSWTA(h, x, u, w, o)
	}
	defer p.done(opConv2DBackwardWeightHebb, time.Now())
	return p.fuser.Conv2DBackwardWeightHebb(dw, dbias, h, x, dy, u, w, o)
}

// ConvFLOPFraction implements ConvArithmetic: the inner backend's, or 1.
func (p *Profiler) ConvFLOPFraction(x, w Shape, c ConvParams) float64 {
	if p.arith == nil {
		return 1
	}
	return p.arith.ConvFLOPFraction(x, w, c)
}

// Linear implements Backend.
func (p *Profiler) Linear(y, x, w, bias Tensor) {
	defer p.done(opLinear, time.Now())
	p.b.Linear(y, x, w, bias)
}

// LinearBackwardData implements Backend.
func (p *Profiler) LinearBackwardData(dx, dy, w Tensor) {
	defer p.done(opLinearBackwardData, time.Now())
	p.b.LinearBackwardData(dx, dy, w)
}

// LinearBackwardWeight implements Backend.
func (p *Profiler) LinearBackwardWeight(dw, dbias, x, dy Tensor) {
	defer p.done(opLinearBackwardWeight, time.Now())
	p.b.LinearBackwardWeight(dw, dbias, x, dy)
}

// MaxPool2D implements Backend.
func (p *Profiler) MaxPool2D(y Tensor, arg Indices, x Tensor, c PoolParams) {
	defer p.done(opMaxPool2D, time.Now())
	p.b.MaxPool2D(y, arg, x, c)
}

// MaxPool2DBackward implements Backend.
func (p *Profiler) MaxPool2DBackward(dx, dy Tensor, arg Indices) {
	defer p.done(opMaxPool2DBackward, time.Now())
	p.b.MaxPool2DBackward(dx, dy, arg)
}

// AvgPool2D implements Backend.
func (p *Profiler) AvgPool2D(y, x Tensor, c PoolParams) {
	defer p.done(opAvgPool2D, time.Now())
	p.b.AvgPool2D(y, x, c)
}

// AvgPool2DBackward implements Backend.
func (p *Profiler) AvgPool2DBackward(dx, dy Tensor, c PoolParams) {
	defer p.done(opAvgPool2DBackward, time.Now())
	p.b.AvgPool2DBackward(dx, dy, c)
}

// BatchNorm implements Backend.
func (p *Profiler) BatchNorm(y, x, gamma, beta Tensor, st BNState, c BNParams) {
	defer p.done(opBatchNorm, time.Now())
	p.b.BatchNorm(y, x, gamma, beta, st, c)
}

// BatchNormBackward implements Backend.
func (p *Profiler) BatchNormBackward(dx, dgamma, dbeta, dy, x, gamma Tensor, st BNState, c BNParams) {
	defer p.done(opBatchNormBackward, time.Now())
	p.b.BatchNormBackward(dx, dgamma, dbeta, dy, x, gamma, st, c)
}

// Activation implements Backend.
func (p *Profiler) Activation(y, x Tensor, c ActParams) {
	defer p.done(opActivation, time.Now())
	p.b.Activation(y, x, c)
}

// ActivationBackward implements Backend.
func (p *Profiler) ActivationBackward(dx, dy, x Tensor, c ActParams) {
	defer p.done(opActivationBackward, time.Now())
	p.b.ActivationBackward(dx, dy, x, c)
}

// Dropout implements Backend.
func (p *Profiler) Dropout(y, mask, x Tensor, rate float32, seed uint64) {
	defer p.done(opDropout, time.Now())
	p.b.Dropout(y, mask, x, rate, seed)
}

// SoftmaxCrossEntropy implements Backend.
func (p *Profiler) SoftmaxCrossEntropy(dlogits, logits Tensor, labels []int32) (float64, int) {
	defer p.done(opSoftmaxCrossEntropy, time.Now())
	return p.b.SoftmaxCrossEntropy(dlogits, logits, labels)
}

// OjaSWTA implements Backend.
func (p *Profiler) OjaSWTA(h, x, u, w Tensor, o OjaParams) float32 {
	defer p.done(opOjaSWTA, time.Now())
	return p.b.OjaSWTA(h, x, u, w, o)
}

// ModulatedUpdate implements Backend.
func (p *Profiler) ModulatedUpdate(w, e, m Tensor, eScale, lr, wd float32) {
	defer p.done(opModulatedUpdate, time.Now())
	p.b.ModulatedUpdate(w, e, m, eScale, lr, wd)
}

// SGD implements Backend.
func (p *Profiler) SGD(w, g, vel Tensor, lr, momentum, wd float32) {
	defer p.done(opSGD, time.Now())
	p.b.SGD(w, g, vel, lr, momentum, wd)
}

// Adam implements Backend.
func (p *Profiler) Adam(w, g, m, v Tensor, lr, beta1, beta2, eps, wd float32, step int) {
	defer p.done(opAdam, time.Now())
	p.b.Adam(w, g, m, v, lr, beta1, beta2, eps, wd, step)
}

var (
	_ Backend        = (*Profiler)(nil)
	_ HebbGradFuser  = (*Profiler)(nil)
	_ ConvArithmetic = (*Profiler)(nil)
)
