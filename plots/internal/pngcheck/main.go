// Command pngcheck checks that a PNG screenshot is not blank: it must
// decode, hold at least -min-colors distinct colours, have at least -min-ink
// of its pixels differ from the dominant (background) colour, and at least
// -min-chroma of its pixels be clearly coloured (figures drawn in the
// report's palette). scripts/render_report.sh runs it on the screenshot of a
// report.
//
//	go run ./plots/internal/pngcheck [-min-colors 32] [-min-ink 0.02] [-min-chroma 0.0005] FILE.png
//
// It prints the measured statistics and exits 0 when every threshold is met,
// 1 otherwise.
package main

import (
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
)

// Stats describes the pixels of an image.
type Stats struct {
	Width, Height int
	Colors        int     // distinct RGBA values
	Ink           float64 // share of pixels differing from the most frequent colour
	Chroma        float64 // share of pixels whose max−min channel spread exceeds 60 of 255
}

// Limits are the thresholds Check applies.
type Limits struct {
	MinColors int
	MinInk    float64
	MinChroma float64
}

// Measure computes the statistics of img.
func Measure(img image.Image) Stats {
	b := img.Bounds()
	counts := map[uint64]int{}
	chroma := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			counts[uint64(r>>8)<<24|uint64(g>>8)<<16|uint64(bl>>8)<<8|uint64(a>>8)]++
			hi, lo := max(r, g, bl)>>8, min(r, g, bl)>>8
			if hi-lo > 60 {
				chroma++
			}
		}
	}
	n := b.Dx() * b.Dy()
	top := 0
	for _, c := range counts {
		top = max(top, c)
	}
	s := Stats{Width: b.Dx(), Height: b.Dy(), Colors: len(counts)}
	if n > 0 {
		s.Ink = float64(n-top) / float64(n)
		s.Chroma = float64(chroma) / float64(n)
	}
	return s
}

// Check returns an error describing the first threshold s misses.
func Check(s Stats, l Limits) error {
	switch {
	case s.Width == 0 || s.Height == 0:
		return fmt.Errorf("image is empty (%d×%d)", s.Width, s.Height)
	case s.Colors < l.MinColors:
		return fmt.Errorf("only %d distinct colours (want ≥ %d): the page looks blank", s.Colors, l.MinColors)
	case s.Ink < l.MinInk:
		return fmt.Errorf("only %.2f%% of pixels differ from the background (want ≥ %.2f%%): the page looks blank", 100*s.Ink, 100*l.MinInk)
	case s.Chroma < l.MinChroma:
		return fmt.Errorf("only %.3f%% of pixels are coloured (want ≥ %.3f%%): figures did not render", 100*s.Chroma, 100*l.MinChroma)
	}
	return nil
}

func main() {
	var l Limits
	flag.IntVar(&l.MinColors, "min-colors", 32, "minimum number of distinct colours")
	flag.Float64Var(&l.MinInk, "min-ink", 0.02, "minimum share of non-background pixels")
	flag.Float64Var(&l.MinChroma, "min-chroma", 0.0005, "minimum share of clearly coloured pixels")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: pngcheck [flags] FILE.png")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	path := flag.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pngcheck:", err)
		os.Exit(1)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		fmt.Fprintf(os.Stderr, "pngcheck: %s: %v\n", path, err)
		os.Exit(1)
	}
	s := Measure(img)
	summary := fmt.Sprintf("%s: %d×%d px, %d colours, %.1f%% ink, %.2f%% coloured", path, s.Width, s.Height, s.Colors, 100*s.Ink, 100*s.Chroma)
	if err := Check(s, l); err != nil {
		fmt.Fprintf(os.Stderr, "pngcheck: %s: %v\n", summary, err)
		os.Exit(1)
	}
	fmt.Println("pngcheck: ok:", summary)
}
