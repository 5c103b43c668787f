package progress

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"
)

// Bar tracks progress through a known number of units (e.g. images).
type Bar struct {
	w        io.Writer
	live     bool
	label    string
	total    int
	done     int
	start    time.Time
	lastDraw time.Time
	unit     string
}

// Interactive reports whether f is a terminal and the CI variable is unset.
func Interactive(f *os.File) bool {
	return os.Getenv("CI") == "" && term.IsTerminal(int(f.Fd()))
}

// New starts a bar writing to stderr when it is interactive.
func New(label string, total int, unit string) *Bar {
	return NewTo(os.Stderr, Interactive(os.Stderr), label, total, unit)
}

// NewTo starts a bar on w; live selects in-place redrawing (false = silent).
func NewTo(w io.Writer, live bool, label string, total int, unit string) *Bar {
	return &Bar{w: w, live: live, label: label, total: total, start: time.Now(), unit: unit}
}

// Add records n more units done and redraws at most every 200 ms.
func (b *Bar) Add(n int) {
	b.done += n
	if !b.live {
		return
	}
	if now := time.Now(); now.Sub(b.lastDraw) >= 200*time.Millisecond || b.done >= b.total {
		b.lastDraw = now
		fmt.Fprint(b.w, "\r"+b.Line()+"\x1b[K")
	}
}

// Line formats the current state: label, count, percent, rate, ETA.
func (b *Bar) Line() string {
	el := time.Since(b.start).Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(b.done) / el
	}
	eta := "?"
	if rate > 0 && b.total > 0 {
		eta = (time.Duration(float64(b.total-b.done)/rate) * time.Second).Round(time.Second).String()
	}
	pct := 0.0
	if b.total > 0 {
		pct = 100 * float64(b.done) / float64(b.total)
	}
	return fmt.Sprintf("%s %d/%d (%.0f%%) %.0f %s/s ETA %s", b.label, b.done, b.total, pct, rate, b.unit, eta)
}

// Done clears the live line.
func (b *Bar) Done() {
	if b.live {
		fmt.Fprint(b.w, "\r\x1b[K")
	}
}
