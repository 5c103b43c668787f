package plots

import (
	"errors"
	"fmt"
	"hash/fnv"
	"image/color"
	"strings"

	"ghlsim/synapse"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
)

// Style sets the size and type of every figure. The zero value is not
// usable; start from DefaultStyle and change fields.
type Style struct {
	// Width of one figure. 3.5 in is one column of a two-column paper.
	Width vg.Length
	// Height of one panel (figures with stacked panels are taller).
	Height vg.Length
	// FontSize of tick and legend labels; axis labels are one point
	// larger. At least 8 pt, the minimum journals accept at print size.
	FontSize vg.Length
	// LineWidth of data lines; axes and grid use thinner lines.
	LineWidth vg.Length
}

// DefaultStyle returns the single-column style: 3.5 in × 2.4 in panels,
// 8 pt labels, 1.2 pt lines.
func DefaultStyle() Style {
	return Style{
		Width:     3.5 * vg.Inch,
		Height:    2.4 * vg.Inch,
		FontSize:  8,
		LineWidth: 1.2,
	}
}

// MinFontSize is the smallest font size a Style may ask for, in points.
const MinFontSize vg.Length = 8

// Validate reports a style that would produce unreadable or degenerate figures.
func (s Style) Validate() error {
	if s.Width < 1.5*vg.Inch || s.Height < 1*vg.Inch {
		return fmt.Errorf("plots: figure size %.2f×%.2f in is too small (need at least 1.5×1 in)", s.Width/vg.Inch, s.Height/vg.Inch)
	}
	if s.FontSize < MinFontSize {
		return fmt.Errorf("plots: font size %.1f pt is below the %.0f pt minimum for print", float64(s.FontSize), float64(MinFontSize))
	}
	if s.LineWidth <= 0 {
		return errors.New("plots: line width must be positive")
	}
	return nil
}

// orDefault returns s, or DefaultStyle when s is the zero value.
func (s Style) orDefault() Style {
	if s == (Style{}) {
		return DefaultStyle()
	}
	return s
}

// textFont is the typeface of every figure: Liberation Sans, which is
// metric-compatible with Arial and Helvetica, so browsers without it lay
// text out the same way.
var textFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// cssFontFamily is the font stack written into SVG text styles.
const cssFontFamily = `'Liberation Sans',Arial,Helvetica,sans-serif`

// OkabeIto is the Okabe–Ito palette (Okabe & Ito 2008), distinguishable
// under the common forms of colour blindness: black, orange, sky blue,
// bluish green, yellow, blue, vermillion, reddish purple.
var OkabeIto = [8]color.RGBA{
	{0x00, 0x00, 0x00, 0xff},
	{0xE6, 0x9F, 0x00, 0xff},
	{0x56, 0xB4, 0xE9, 0xff},
	{0x00, 0x9E, 0x73, 0xff},
	{0xF0, 0xE4, 0x42, 0xff},
	{0x00, 0x72, 0xB2, 0xff},
	{0xD5, 0x5E, 0x00, 0xff},
	{0xCC, 0x79, 0xA7, 0xff},
}

// ruleColors fixes the colour of every rule that declares one in its
// synapse registry entry (synapse.RuleInfo.Color: ghl vermillion, bp blue,
// sign sky blue, hebb reddish purple, softhebb bluish green, swta-fh
// orange, hpca-fh black — all Okabe–Ito), so a rule looks the same in every
// figure of every report. The colours live with the rules; this map only
// indexes them by name.
var ruleColors = func() map[string]color.RGBA {
	m := map[string]color.RGBA{}
	for _, r := range synapse.Rules() {
		if r.Color.A != 0 {
			m[r.Name] = r.Color
		}
	}
	return m
}()

// fallbackColors is Paul Tol's muted palette (also colour-blind safe),
// used for names outside ruleColors.
var fallbackColors = []color.RGBA{
	{0x33, 0x22, 0x88, 0xff},
	{0x88, 0xCC, 0xEE, 0xff},
	{0x44, 0xAA, 0x99, 0xff},
	{0x11, 0x77, 0x33, 0xff},
	{0x99, 0x99, 0x33, 0xff},
	{0xDD, 0xCC, 0x77, 0xff},
	{0xCC, 0x66, 0x77, 0xff},
	{0x88, 0x22, 0x55, 0xff},
	{0xAA, 0x44, 0x99, 0xff},
}

// RuleColor returns the colour of a plasticity rule. Names are matched
// case-insensitively ("GHL" and "ghl" are the same rule); a name without a
// declared colour (a rule that declares none, such as rstdp, or any other
// name) gets a colour from a second colour-blind-safe palette chosen by a
// hash of the name, so it too is the same in every figure.
func RuleColor(rule string) color.RGBA {
	key := strings.ToLower(strings.TrimSpace(rule))
	if c, ok := ruleColors[key]; ok {
		return c
	}
	h := fnv.New32a()
	h.Write([]byte(key))
	return fallbackColors[h.Sum32()%uint32(len(fallbackColors))]
}

// seriesColors returns one colour per name for names that are not rules
// (e.g. benchmark implementations), in order of first appearance, from
// Paul Tol's muted palette so they are not mistaken for rules.
func seriesColors(names []string) map[string]color.RGBA {
	order := []int{0, 5, 3, 1, 6, 8, 2, 4, 7}
	out := map[string]color.RGBA{}
	for _, n := range names {
		if _, ok := out[n]; !ok {
			out[n] = fallbackColors[order[len(out)%len(order)]]
		}
	}
	return out
}

// hexColor formats c as #rrggbb.
func hexColor(c color.Color) string {
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
}

// paperColor is the colour of the paper's reference numbers.
var paperColor = color.RGBA{0x33, 0x33, 0x33, 0xff}

// gridColor is the colour of light reference lines.
var gridColor = color.RGBA{0xdd, 0xdd, 0xdd, 0xff}
