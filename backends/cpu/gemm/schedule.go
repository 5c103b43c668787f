package gemm

import "sync/atomic"

// The product is computed in steps, one per (N block jc, K block pc) in that
// order. Each step packs its kc×nc block of op(B) into one of two shared
// buffers, in units of whole panels, then multiplies it into C in chunks, each
// a rectangle of rows × column panels for which the thread packs its A rows
// privately. Threads take units and chunks from atomic counters, so a slow or
// descheduled thread delays the others only by the piece it holds. Ordering:
//   - chunks of step g wait until all units of step g are packed;
//   - chunk j of step g (pc > 0) waits for chunk j of step g-1, which wrote
//     the same part of C, so every element sees its K blocks in order;
//   - step g packs into the buffer of step g-2 only after all of that step's
//     chunks are done.
// Which thread computes a chunk does not change its arithmetic, so results do
// not depend on the thread count.

// step is the shared bookkeeping of one step.
type step struct {
	units, chunks      int32 // how many of each the step has
	unitNext, unitDone atomic.Int32
	chunkNext          atomic.Int32
	chunkDone          atomic.Int32
	_                  [40]byte // keep steps on separate cache lines
}

// blockPlan is how one N block is cut up.
type blockPlan struct {
	nc, tiles        int // columns and nr-wide panels
	unitTiles        int // panels per packing unit
	rowsPer          int // rows per chunk (multiple of mr)
	tilesPer         int // panels per chunk
	rowCuts, colCuts int // chunks down and across
}

// plan cuts an N block of nc columns for nt threads. It aims at about four
// chunks per thread, choosing how many row and column cuts by a cost model:
// cutting columns re-packs A (one packed element ≈ 16 multiply-adds), cutting
// rows re-reads B from the shared cache (≈ 2 multiply-adds an element), and
// too few chunks leave threads idle.
func plan(m, nc, nt int) blockPlan {
	p := blockPlan{nc: nc, tiles: (nc + nr - 1) / nr}
	mtiles := (m + mr - 1) / mr
	minRows := (mtiles*mr + mC - 1) / mC // A blocks must fit mC rows
	target := 4 * nt
	if nt == 1 {
		target = 1
	}
	best := 0.0
	for rc := minRows; rc <= max(minRows, min(mtiles, target)); rc++ {
		cc := min(p.tiles, max(1, (target+rc-1)/rc))
		rowsPer := (mtiles + rc - 1) / rc * mr
		tilesPer := (p.tiles + cc - 1) / cc
		rcuts, ccuts := (m+rowsPer-1)/rowsPer, (p.tiles+tilesPer-1)/tilesPer
		chunks := rcuts * ccuts
		busiest := float64((chunks+nt-1)/nt) * float64(nt) / float64(chunks)
		cost := busiest * (1 + 16*float64(ccuts)/float64(nc) + 2*float64(rcuts)/float64(m))
		if best == 0 || cost < best {
			best = cost
			p.rowsPer, p.tilesPer, p.rowCuts, p.colCuts = rowsPer, tilesPer, rcuts, ccuts
		}
	}
	p.unitTiles = max(1, (p.tiles+target-1)/target)
	return p
}

// units is the number of packing units of the block.
func (p *blockPlan) units() int { return (p.tiles + p.unitTiles - 1) / p.unitTiles }

// work is one thread's part of the current call.
func (s *state) work(tid int) {
	ws := s.scratch[tid]
	g := 0
	for jc := 0; jc < s.n; jc += s.ncb {
		bp := &s.plans[0]
		if jc+s.ncb > s.n {
			bp = &s.plans[1]
		}
		for pc := 0; pc < s.k; pc, g = pc+s.kcb, g+1 {
			kc := min(s.kcb, s.k-pc)
			st := &s.steps[g]
			bb := s.bbuf[g&1]
			if g >= 2 {
				old := &s.steps[g-2]
				s.sig.waitGE(&old.chunkDone, old.chunks)
			}
			for {
				u := int(st.unitNext.Add(1) - 1)
				if u >= int(st.units) {
					break
				}
				t0 := u * bp.unitTiles
				packB(bb, s.b, s.ldb, s.transB, s.simd, jc, bp.nc, pc, kc, t0, min(bp.tiles, t0+bp.unitTiles))
				if st.unitDone.Add(1) == st.units {
					s.sig.progress()
				}
			}
			s.sig.waitGE(&st.unitDone, st.units)
			beta := s.beta
			if pc > 0 {
				beta = 1
			}
			for {
				j := int(st.chunkNext.Add(1) - 1)
				if j >= int(st.chunks) {
					break
				}
				if pc > 0 {
					s.sig.waitGE(&s.chunkStep[j], int32(g-1))
				}
				r0 := j % bp.rowCuts * bp.rowsPer
				t0 := j / bp.rowCuts * bp.tilesPer
				s.chunk(ws, bb, r0, min(s.m, r0+bp.rowsPer), jc, bp.nc, t0, min(bp.tiles, t0+bp.tilesPer), pc, kc, beta)
				storeMax(&s.chunkStep[j], int32(g))
				st.chunkDone.Add(1)
				s.sig.progress()
			}
		}
	}
}

// chunk multiplies rows [r0, r1) of the current K block of op(A) by column
// panels [t0, t1) of the packed B block bb into C, packing A in mc ≤ mC row
// blocks.
func (s *state) chunk(ws *scratch, bb []float32, r0, r1, jc, nc, t0, t1, pc, kc int, beta float32) {
	ldc, alpha, kern := s.ldc, s.alpha, s.kern
	packA(ws.abuf, s.a, s.lda, s.transA, s.simd, r0, r1-r0, pc, kc)
	mc := r1 - r0
	for t := t0; t < t1; t++ {
		bp := &bb[t*kc*nr]
		cols := min(nr, nc-t*nr)
		for ir := 0; ir < mc; ir += mr {
			rows := min(mr, mc-ir)
			ap := &ws.abuf[ir*kc]
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
}

// storeMax raises c to v unless it is already larger (a later N block may
// finish chunk j before an earlier one does).
func storeMax(c *atomic.Int32, v int32) {
	for {
		old := c.Load()
		if old >= v || c.CompareAndSwap(old, v) {
			return
		}
	}
}
