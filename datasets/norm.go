package datasets

import "math"

// Standard per-channel normalisation constants, applied to pixel/255.
const (
	// MNISTMean and MNISTStd are MNIST's training-set statistics.
	MNISTMean = 0.1307
	MNISTStd  = 0.3081
	// FashionMNISTMean and FashionMNISTStd are Fashion-MNIST's training-set
	// statistics.
	FashionMNISTMean = 0.2860
	FashionMNISTStd  = 0.3530
	// CIFAR10Mean and CIFAR10Std are the GHL reference code's CIFAR
	// normalisation (ALGORITHM.md §3: mean 0.5, std 0.5 on every channel),
	// also used for CIFAR-100.
	CIFAR10Mean = 0.5
	CIFAR10Std  = 0.5
)

// StandardNorm returns the customary per-channel mean and std for a dataset
// name accepted by Load, with c entries each, and ok false (with mean 0,
// std 1) for a set without standard constants (image folders, synthetic):
// compute those with NormStats.
func StandardNorm(name string, c int) (mean, std []float32, ok bool) {
	m, s := 0.0, 1.0
	switch canonicalName(name) {
	case "mnist":
		m, s, ok = MNISTMean, MNISTStd, true
	case "fashion-mnist":
		m, s, ok = FashionMNISTMean, FashionMNISTStd, true
	case "cifar10", "cifar100":
		m, s, ok = CIFAR10Mean, CIFAR10Std, true
	}
	mean, std = make([]float32, c), make([]float32, c)
	for i := range c {
		mean[i], std[i] = float32(m), float32(s)
	}
	return mean, std, ok
}

// NormStats returns the per-channel mean and (population) standard
// deviation of s's pixels scaled to [0, 1], ready for LoaderConfig.Mean and
// Std. A channel with zero spread (or an empty set) gets std 1, so the
// result is always a valid configuration.
func NormStats(s *Set) (mean, std []float32) {
	mean, std = make([]float32, s.C), make([]float32, s.C)
	plane := s.H * s.W
	for ch := range s.C {
		var hist [256]int64
		for i := range s.Len() {
			for _, v := range s.Pixels[(i*s.C+ch)*plane : (i*s.C+ch+1)*plane] {
				hist[v]++
			}
		}
		var n, sum, sq float64
		for v, k := range hist {
			x := float64(v) / 255
			n += float64(k)
			sum += float64(k) * x
			sq += float64(k) * x * x
		}
		std[ch] = 1
		if n == 0 {
			continue
		}
		mu := sum / n
		mean[ch] = float32(mu)
		if v := sq/n - mu*mu; v > 1e-12 {
			std[ch] = float32(math.Sqrt(v))
		}
	}
	return mean, std
}
