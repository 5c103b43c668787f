package backends

import "fmt"

// PadMode selects how a convolution pads its input.
type PadMode int

const (
	// PadZero pads with zeros (PyTorch padding_mode="zeros").
	PadZero PadMode = iota
	// PadReflect mirrors the input without repeating the edge
	// (PyTorch padding_mode="reflect"); requires Pad < H and Pad < W.
	PadReflect
)

// String names the padding mode as in configs ("zeros", "reflect").
func (m PadMode) String() string {
	if m == PadReflect {
		return "reflect"
	}
	return "zeros"
}

// ConvParams describes a 2-d convolution (square stride and padding, no
// dilation, no groups). The kernel size comes from the weight tensor.
type ConvParams struct {
	Stride int     // step between output positions, ≥ 1
	Pad    int     // padding on each side, ≥ 0
	Mode   PadMode // zero or reflect padding
}

// OutSize is the output extent of a convolution over an input extent in with
// kernel extent k.
func (p ConvParams) OutSize(in, k int) int { return (in+2*p.Pad-k)/p.Stride + 1 }

// Validate checks the parameters against an input of h×w and a kernel of kh×kw.
func (p ConvParams) Validate(h, w, kh, kw int) error {
	if p.Stride < 1 {
		return fmt.Errorf("conv stride %d must be ≥ 1", p.Stride)
	}
	if p.Pad < 0 {
		return fmt.Errorf("conv padding %d must be ≥ 0", p.Pad)
	}
	if h+2*p.Pad < kh || w+2*p.Pad < kw {
		return fmt.Errorf("conv kernel %d×%d is larger than the padded input %d×%d: use a smaller kernel, more padding or a larger input", kh, kw, h+2*p.Pad, w+2*p.Pad)
	}
	if p.Mode == PadReflect && (p.Pad >= h || p.Pad >= w) {
		return fmt.Errorf("reflect padding %d needs an input larger than %d×%d", p.Pad, p.Pad, p.Pad)
	}
	return nil
}

// PoolParams describes a max or average pooling window (square, PyTorch
// semantics, floor mode; average pooling counts padded zeros, as PyTorch's
// default count_include_pad=True).
type PoolParams struct {
	Kernel int // window extent, ≥ 1
	Stride int // step, ≥ 1
	Pad    int // implicit padding, 0 ≤ Pad ≤ Kernel/2
}

// OutSize is the pooled extent of an input extent in.
func (p PoolParams) OutSize(in int) int { return (in+2*p.Pad-p.Kernel)/p.Stride + 1 }

// Validate checks the parameters against an input of h×w.
func (p PoolParams) Validate(h, w int) error {
	if p.Kernel < 1 || p.Stride < 1 {
		return fmt.Errorf("pool kernel %d and stride %d must be ≥ 1", p.Kernel, p.Stride)
	}
	if p.Pad < 0 || 2*p.Pad > p.Kernel {
		return fmt.Errorf("pool padding %d must be between 0 and half the kernel %d", p.Pad, p.Kernel)
	}
	if h+2*p.Pad < p.Kernel || w+2*p.Pad < p.Kernel {
		return fmt.Errorf("pool kernel %d is larger than the padded input %d×%d", p.Kernel, h+2*p.Pad, w+2*p.Pad)
	}
	return nil
}

// ActKind names an activation function.
type ActKind int

const (
	// Identity passes u through unchanged.
	Identity ActKind = iota
	// ReLU is max(u, 0).
	ReLU
	// Triangle is ReLU(u − mean over channels of u)^Power (SoftHebb,
	// ALGORITHM.md §4); the mean is taken per (batch, row, col) position.
	Triangle
)

// String names the activation as in configs.
func (k ActKind) String() string {
	switch k {
	case ReLU:
		return "relu"
	case Triangle:
		return "triangle"
	}
	return "identity"
}

// ActParams configures an activation.
type ActParams struct {
	Kind  ActKind
	Power float32 // exponent of Triangle; 1 when zero
}

// BNParams configures batch normalisation over the channel axis (axis 1) of
// [B, C, H, W] or [B, C] tensors.
type BNParams struct {
	Eps      float32 // added to the variance, PyTorch default 1e-5
	Momentum float32 // running-statistics momentum, PyTorch default 0.1
	Training bool    // batch statistics (and running-stat update) when true, running stats when false
}

// DefaultBN is PyTorch's BatchNorm default (eps 1e-5, momentum 0.1, training).
var DefaultBN = BNParams{Eps: 1e-5, Momentum: 0.1, Training: true}
