package experiments

import "math"

// LRAt is the learning-rate multiplier at step t of total steps for a
// schedule: "cosine" anneals from 1 to 0 following (1 + cos(π t/T))/2,
// stepped every iteration (PyTorch CosineAnnealingLR with T_max = T,
// eta_min = 0, as the reference); "steps" halves at 20, 35, 50, 60, 70, 80
// and 90 % of T (SoftHebb's readout); "constant" is 1.
func LRAt(schedule string, t, total int) float64 {
	if total <= 0 {
		return 1
	}
	frac := float64(t) / float64(total)
	switch schedule {
	case "cosine":
		return (1 + math.Cos(math.Pi*frac)) / 2
	case "steps":
		m := 1.0
		for _, at := range []float64{0.2, 0.35, 0.5, 0.6, 0.7, 0.8, 0.9} {
			if frac >= at {
				m /= 2
			}
		}
		return m
	}
	return 1
}
