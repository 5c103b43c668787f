package experiments

import (
	"os"
	"testing"
)

// Each bench row reports its own peak memory: after a 256 MB buffer is
// touched and dropped, resetPeakRSS brings the peak (VmHWM) back near the
// current resident size, so a later, smaller configuration does not
// inherit the earlier one's peak.
func TestResetPeakRSS(t *testing.T) {
	if _, err := os.Stat("/proc/self/clear_refs"); err != nil {
		t.Skip("no /proc/self/clear_refs on this system")
	}
	buf := make([]byte, 256<<20)
	for i := 0; i < len(buf); i += 4096 {
		buf[i] = 1
	}
	before := selfRSS()
	buf = nil
	_ = buf
	if !resetPeakRSS() {
		t.Fatal("resetPeakRSS refused on a system with /proc/self/clear_refs")
	}
	after := selfRSS()
	if !(before >= 256) || !(after < before-128) {
		t.Fatalf("peak RSS %.0f MB with the buffer, %.0f MB after dropping it and resetting: want a drop of more than 128 MB", before, after)
	}
}
