package neuromod

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"ghlsim/internal/quote"
)

// InSteps rewrites the times of a spec given in milliseconds — delay:200ms,
// every:50ms — as step counts, for a trainer whose step stands for stepMS
// of simulated time (one presentation). A time that is not a whole number
// of steps is an error naming it, as is a time in ms when stepMS is 0 (the
// trainer has no clock). Terms without ms pass through unchanged.
//
//	InSteps("delay:200ms+flip:0.1", 50)  →  "delay:4+flip:0.1"
func InSteps(spec string, stepMS float64) (string, error) {
	parts := strings.Split(spec, "+")
	for i, raw := range parts {
		t := strings.TrimSpace(raw)
		name, param, ok := strings.Cut(t, ":")
		if !ok || (name != "delay" && name != "every") {
			continue
		}
		v, isMS := strings.CutSuffix(strings.TrimSpace(param), "ms")
		if !isMS {
			continue
		}
		ms, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(ms) || math.IsInf(ms, 0) || ms < 0 {
			return "", fmt.Errorf("%s: %s is not a time in ms (write e.g. %s:200ms)", quote.Q(t), quote.Q(param), name)
		}
		if !(stepMS > 0) {
			return "", fmt.Errorf("%s: a time in ms needs the simulated duration of one step (set step_ms / --step-ms, the presentation time), or give %s in steps", quote.Q(t), name)
		}
		k := math.Round(ms / stepMS)
		if math.Abs(k*stepMS-ms) > 1e-6*math.Max(ms, stepMS) {
			return "", fmt.Errorf("%s: %v ms is not a whole number of %v ms steps", quote.Q(t), ms, stepMS)
		}
		if name == "every" && k < 1 {
			return "", fmt.Errorf("%s: %v ms is shorter than one %v ms step", quote.Q(t), ms, stepMS)
		}
		parts[i] = name + ":" + strconv.FormatInt(int64(k), 10)
	}
	return strings.Join(parts, "+"), nil
}
