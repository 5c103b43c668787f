package gemm

import "testing"

// TestPlanCoversBlock checks that every plan tiles the whole block with
// chunks whose A rows fit the packing buffer, for many shapes and threads.
func TestPlanCoversBlock(t *testing.T) {
	for _, m := range []int{1, 5, 6, 7, 75, 96, 250, 384, 1536, 3456} {
		for _, nc := range []int{1, 16, 17, 75, 864, 4096} {
			for nt := 1; nt <= 4; nt++ {
				for _, tile := range [][2]int{{mr, nr}, {2 * mr, 2 * nr}} {
					p := plan(m, nc, nt, tile[0], tile[1])
					switch {
					case p.rowsPer%tile[0] != 0 || p.rowsPer > mC || p.rowsPer <= 0:
						t.Fatalf("plan(%d,%d,%d): %d rows per chunk", m, nc, nt, p.rowsPer)
					case p.rowCuts*p.rowsPer < m || (p.rowCuts-1)*p.rowsPer >= m:
						t.Fatalf("plan(%d,%d,%d): %d×%d rows do not cover %d exactly", m, nc, nt, p.rowCuts, p.rowsPer, m)
					case p.colCuts*p.tilesPer < p.tiles || (p.colCuts-1)*p.tilesPer >= p.tiles:
						t.Fatalf("plan(%d,%d,%d): %d×%d panels do not cover %d exactly", m, nc, nt, p.colCuts, p.tilesPer, p.tiles)
					}
					for _, transB := range []bool{false, true} {
						for _, kc := range []int{1, 75, 256} {
							units, per := packUnits(transB, &p, kc, nt)
							total := kc
							if transB {
								total = p.tiles
							}
							if units*per < total || (units-1)*per >= total {
								t.Fatalf("plan(%d,%d,%d) kc=%d transB=%v: %d units of %d do not cover %d", m, nc, nt, kc, transB, units, per, total)
							}
						}
					}
				}
			}
		}
	}
}

func TestBlocks(t *testing.T) {
	for _, tc := range []struct{ n, max, unit, want int }{
		{75, 256, 1, 75}, {864, 256, 1, 216}, {3456, 256, 1, 247}, {65536, 4096, 16, 4096}, {75, 4096, 16, 80}, {4100, 4096, 16, 2064},
	} {
		if got := blocks(tc.n, tc.max, tc.unit); got != tc.want {
			t.Errorf("blocks(%d, %d, %d) = %d, want %d", tc.n, tc.max, tc.unit, got, tc.want)
		}
	}
}
