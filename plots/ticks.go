package plots

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// maxTickLabel is the longest tick label the figures print, in characters.
const maxTickLabel = 8

// readableTicks labels a numeric axis with 4 to 7 ticks at multiples of 1,
// 2, 2.5 or 5 × 10^k, each labelled by shortNumber (at most maxTickLabel
// characters). gonum's default ticker may label an axis 0 to 26 with only
// "0" and "25", and prints wide ranges with long fixed-point labels.
type readableTicks struct{}

// Ticks implements plot.Ticker.
func (readableTicks) Ticks(min, max float64) []plot.Tick {
	if !(max > min) || !finite(min) || !finite(max) {
		return []plot.Tick{{Value: min, Label: shortNumber(min)}}
	}
	step := tickStep(max - min)
	var out []plot.Tick
	for k := math.Ceil(min/step - 1e-9); k*step <= max+1e-9*step; k++ {
		v := k * step
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		out = append(out, plot.Tick{Value: v, Label: shortNumber(v)})
	}
	return out
}

// tickStep is the smallest of 1, 2, 2.5, 5 × 10^k that cuts span into at
// most 6 intervals.
func tickStep(span float64) float64 {
	raw := span / 6
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw*(1-1e-9) {
			return m * mag
		}
	}
	return 10 * mag
}

// shortNumber prints v in at most maxTickLabel characters: plainly when
// that fits ("-2500", "0.125") and |v| ≥ 0.001, else with an SI suffix ("-12.5M") or in
// exponent form ("1.2e-05"), with as many significant digits as fit (up
// to 6).
func shortNumber(v float64) string {
	if v == 0 || !finite(v) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	for prec := 6; prec >= 1 && math.Abs(v) >= 1e-3; prec-- {
		r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', prec, 64), 64)
		if s := strconv.FormatFloat(r, 'f', -1, 64); len(s) <= maxTickLabel {
			return s
		}
	}
	if a := math.Abs(v); a >= 1000 {
		x, i := v, 0
		const suffix = "kMGTPE"
		for math.Abs(x) >= 1000 && i < len(suffix) {
			x /= 1000
			i++
		}
		for prec := 4; prec >= 1; prec-- {
			if s := strconv.FormatFloat(x, 'g', prec, 64) + suffix[i-1:i]; len(s) <= maxTickLabel && math.Abs(x) < 1000 {
				return s
			}
		}
	}
	for prec := 3; prec >= 1; prec-- {
		if s := strconv.FormatFloat(v, 'g', prec, 64); len(s) <= maxTickLabel {
			return s
		}
	}
	return strconv.FormatFloat(v, 'e', 0, 64)
}
