package gemm

// chunk multiplies rows [r0, r1) of the current K block of op(A) by column
// panels [t0, t1) of the packed B block bb into C. Long K blocks walk down a
// panel so its B micro-panel stays in L1; short ones (C-bound, such as a
// 96×65536×75 convolution) walk along rows so each C row is written in order,
// which hardware prefetch follows.
func (s *state) chunk(ws *scratch, bb []float32, r0, r1, jc, nc, t0, t1, pc, kc int, beta float32) {
	ldc, alpha, kern, tm, tn := s.ldc, s.alpha, s.kern, s.tm, s.tn
	mc := r1 - r0
	packA(ws.abuf, s.a, s.lda, s.transA, s.simd, r0, mc, pc, kc)
	rowTiles, panels := (mc+tm-1)/tm, t1-t0
	if packed := (mc + mr - 1) / mr * mr; packed < rowTiles*tm {
		// The last tile reads A panels past the block: make them zeros.
		clear(ws.abuf[packed*kc : rowTiles*tm*kc])
	}
	alongRows := kc < shortK
	for q := 0; q < rowTiles*panels; q++ {
		var t, ir int
		if alongRows {
			t, ir = t0+q%panels, q/panels*tm
		} else {
			t, ir = t0+q/rowTiles, q%rowTiles*tm
		}
		bp, ap := &bb[t*kc*tn], &ws.abuf[ir*kc]
		rows, cols := min(tm, mc-ir), min(tn, nc-t*tn)
		ci := (r0+ir)*ldc + jc + t*tn
		if rows == tm && cols == tn {
			kern(kc, ap, bp, &s.c[ci], ldc, alpha, beta)
			continue
		}
		// Edge tile: run the same kernel on a private full tile so the
		// arithmetic matches interior tiles exactly.
		tile := ws.tile[:]
		if beta != 0 {
			for r := 0; r < rows; r++ {
				copy(tile[r*tn:r*tn+cols], s.c[ci+r*ldc:ci+r*ldc+cols])
			}
		}
		kern(kc, ap, bp, &tile[0], tn, alpha, beta)
		for r := 0; r < rows; r++ {
			copy(s.c[ci+r*ldc:ci+r*ldc+cols], tile[r*tn:r*tn+cols])
		}
	}
}
