package gemm

// chunk multiplies rows [r0, r1) of the current K block of op(A) by column
// panels [t0, t1) of the packed B block bb into C. Long K blocks walk down a
// panel so its B micro-panel stays in L1; short ones (C-bound, such as a
// 96×65536×75 convolution) walk along rows so each C row is written in order,
// which hardware prefetch follows.
func (s *state) chunk(ws *scratch, bb []float32, r0, r1, jc, nc, t0, t1, pc, kc int, beta float32) {
	ldc, alpha, kern := s.ldc, s.alpha, s.kern
	mc := r1 - r0
	packA(ws.abuf, s.a, s.lda, s.transA, s.simd, r0, mc, pc, kc)
	rowTiles, panels := (mc+mr-1)/mr, t1-t0
	alongRows := kc < shortK
	for q := 0; q < rowTiles*panels; q++ {
		var t, ir int
		if alongRows {
			t, ir = t0+q%panels, q/panels*mr
		} else {
			t, ir = t0+q/rowTiles, q%rowTiles*mr
		}
		bp, ap := &bb[t*kc*nr], &ws.abuf[ir*kc]
		rows, cols := min(mr, mc-ir), min(nr, nc-t*nr)
		ci := (r0+ir)*ldc + jc + t*nr
		if rows == mr && cols == nr {
			kern(kc, ap, bp, &s.c[ci], ldc, alpha, beta)
			continue
		}
		// Edge tile: run the same kernel on a private full tile so the
		// arithmetic matches interior tiles exactly.
		tile := ws.tile[:]
		if beta != 0 {
			for r := 0; r < rows; r++ {
				copy(tile[r*nr:r*nr+cols], s.c[ci+r*ldc:ci+r*ldc+cols])
			}
		}
		kern(kc, ap, bp, &tile[0], nr, alpha, beta)
		for r := 0; r < rows; r++ {
			copy(s.c[ci+r*ldc:ci+r*ldc+cols], tile[r*nr:r*nr+cols])
		}
	}
}
