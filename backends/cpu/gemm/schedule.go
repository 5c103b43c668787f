package gemm

import "sync/atomic"

// The product is computed in steps, one per (N block, K block) in that
// order. A step packs its kc×nc block of op(B) into a ring of shared
// buffers, in units (panels of Bᵀ, rows of B), and multiplies it into C in
// chunks: rectangles of rows × column panels whose A rows the computing
// thread packs privately. The chunks of one N block at successive K blocks
// form a lane, which must run in K order since they update the same part of
// C. Threads repeatedly claim, from atomic counters,
//   - the next K step of any lane whose previous step is finished and whose
//     B block is packed (starting from lanes near their own, so a lane tends
//     to stay on one core), else
//   - a packing unit of the oldest step not fully handed out, once its ring
//     buffer is free (all chunks of the step that used it are done),
// and otherwise wait for progress. A slow or descheduled thread delays only
// the lane or unit it holds; the others run up to a ring's length ahead.
//
// Which thread computes a chunk does not change its arithmetic, and the
// blocking depends only on the shape, so results do not depend on the thread
// count.

// step is the shared bookkeeping of one step.
type step struct {
	units, chunks int32 // how many of each the step has
	unitNext      atomic.Int32
	unitDone      atomic.Int32
	chunkDone     atomic.Int32
	_             [44]byte // keep steps on separate cache lines
}

// lane counts the K steps of one chunk: claimed and finished.
type lane struct {
	next, done atomic.Int32
	_          [56]byte
}

// schedule is the shared state of the current call.
type schedule struct {
	kcb, ncb   int          // K and N block sizes
	nj, np     int          // N and K blocks
	ring       int          // packed B buffers in use
	plans      [2]blockPlan // full N blocks and the last one
	steps      []step       // nj·np, N-block major
	lanes      []lane       // plans[0].chunks() per N block
	bbuf       [][]float32  // the ring of packed B blocks
	left       atomic.Int32 // lane steps not yet finished
	firstBlock atomic.Int32 // no unfinished lane before this N block
	packNext   atomic.Int32 // no unit to hand out before this step
}

// blockPlan is how one N block is cut up.
type blockPlan struct {
	nc, tiles        int // columns and tn-wide panels
	unitTiles        int // panels per packing unit
	rowsPer          int // rows per chunk (multiple of tm)
	tilesPer         int // panels per chunk
	rowCuts, colCuts int // chunks down and across
}

// chunks is the number of chunks of the block.
func (p *blockPlan) chunks() int { return p.rowCuts * p.colCuts }

// plan cuts an N block of nc columns for nt threads. It aims at about four
// chunks per thread, choosing how many row and column cuts by a cost model:
// cutting columns re-packs A (one packed element ≈ 16 multiply-adds), cutting
// rows re-reads B from the shared cache (≈ 2 multiply-adds an element), and
// too few chunks leave threads idle.
func plan(m, nc, nt, tm, tn int) blockPlan {
	p := blockPlan{nc: nc, tiles: (nc + tn - 1) / tn}
	mtiles := (m + tm - 1) / tm
	minRows := (mtiles*tm + mC - 1) / mC // A blocks must fit mC rows
	target := 4 * nt
	if nt == 1 {
		target = 1
	}
	best := 0.0
	for rc := minRows; rc <= max(minRows, min(mtiles, target)); rc++ {
		cc := min(p.tiles, max(1, (target+rc-1)/rc))
		rowsPer := (mtiles + rc - 1) / rc * tm
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

// packUnits is how the B block of a step with kc rows is cut for packing:
// op(B) = Bᵀ by panels (each reads tn rows of B), op(B) = B by rows (each
// reads whole rows of B, long runs that hardware prefetch follows). It
// returns the unit count and the panels or rows per unit.
func packUnits(transB bool, p *blockPlan, kc, nt int) (units, per int) {
	target := 4 * nt
	if transB {
		return (p.tiles + p.unitTiles - 1) / p.unitTiles, p.unitTiles
	}
	per = (kc + target - 1) / target
	return (kc + per - 1) / per, per
}

// reserve plans the current call and grows its buffers and counters.
func (s *state) reserve() {
	sc := &s.sched
	sc.ncb = blocks(s.n, nC, s.tn)
	sc.kcb = blocks(s.k, min(kCMax, max(kC, stepWork/(s.m*sc.ncb)/8*8)), 1)
	sc.plans[0] = plan(s.m, sc.ncb, s.nt, s.tm, s.tn)
	sc.plans[1] = plan(s.m, s.n-(s.n-1)/sc.ncb*sc.ncb, s.nt, s.tm, s.tn)
	sc.nj, sc.np = (s.n+sc.ncb-1)/sc.ncb, (s.k+sc.kcb-1)/sc.kcb
	g := sc.nj * sc.np
	if len(sc.steps) < g {
		sc.steps = make([]step, g)
	}
	for i := range sc.steps[:g] {
		st, bp := &sc.steps[i], sc.plan(i/sc.np)
		units, _ := packUnits(s.transB, bp, min(sc.kcb, s.k-i%sc.np*sc.kcb), s.nt)
		st.units, st.chunks = int32(units), int32(bp.chunks())
		st.unitNext.Store(0)
		st.unitDone.Store(0)
		st.chunkDone.Store(0)
	}
	lanes := (sc.nj-1)*sc.plans[0].chunks() + sc.plans[1].chunks()
	if len(sc.lanes) < lanes {
		sc.lanes = make([]lane, lanes)
	}
	for i := range sc.lanes[:lanes] {
		sc.lanes[i].next.Store(0)
		sc.lanes[i].done.Store(0)
	}
	sc.left.Store(int32(lanes * sc.np))
	sc.firstBlock.Store(0)
	sc.packNext.Store(0)

	// Up to four B buffers (8 MiB in all) let fast threads run ahead.
	bsize := sc.kcb * sc.ncb
	sc.ring = min(g, max(2, min(maxRing, ringBytes/(4*bsize))))
	for len(sc.bbuf) < sc.ring {
		sc.bbuf = append(sc.bbuf, nil)
	}
	for i := range sc.bbuf[:sc.ring] {
		sc.bbuf[i] = grow(sc.bbuf[i], bsize)
	}
	for len(s.scratch) < s.nt {
		s.scratch = append(s.scratch, &scratch{})
	}
	asize := sc.kcb * max(sc.plans[0].rowsPer, sc.plans[1].rowsPer)
	for _, w := range s.scratch[:s.nt] {
		w.abuf = grow(w.abuf, asize)
	}
}

// plan returns the cut of N block b.
func (sc *schedule) plan(b int) *blockPlan {
	if b == sc.nj-1 {
		return &sc.plans[1]
	}
	return &sc.plans[0]
}

// work is one thread's part of the current call: it computes or packs until
// every lane is finished.
func (s *state) work(tid int) {
	ws := s.scratch[tid]
	for {
		e := s.sig.now()
		if s.sched.left.Load() <= 0 {
			return
		}
		if !s.computeOne(ws, tid) && !s.packOne() {
			s.sig.wait(e, spinWait)
		}
	}
}

// computeOne claims and computes one lane step, if one is ready.
func (s *state) computeOne(ws *scratch, tid int) bool {
	sc := &s.sched
	for b := int(sc.firstBlock.Load()); b < sc.nj; b++ {
		bp := sc.plan(b)
		chunks, base := bp.chunks(), b*sc.plans[0].chunks()
		if last := &sc.steps[b*sc.np+sc.np-1]; last.chunkDone.Load() == last.chunks {
			sc.firstBlock.CompareAndSwap(int32(b), int32(b+1))
			continue
		}
		if first := &sc.steps[b*sc.np]; first.unitDone.Load() < first.units {
			return false // later blocks are not packed either
		}
		home := tid * chunks / s.nt
		for i := 0; i < chunks; i++ {
			j := (home + i) % chunks
			ln := &sc.lanes[base+j]
			n := ln.next.Load()
			if int(n) >= sc.np || ln.done.Load() != n {
				continue // lane finished, or its previous step is running
			}
			g := b*sc.np + int(n)
			st := &sc.steps[g]
			if st.unitDone.Load() < st.units || !ln.next.CompareAndSwap(n, n+1) {
				continue
			}
			pc := int(n) * sc.kcb
			beta := s.beta
			if n > 0 {
				beta = 1
			}
			r0, t0 := j%bp.rowCuts*bp.rowsPer, j/bp.rowCuts*bp.tilesPer
			s.chunk(ws, sc.bbuf[g%sc.ring], r0, min(s.m, r0+bp.rowsPer), b*sc.ncb, bp.nc,
				t0, min(bp.tiles, t0+bp.tilesPer), pc, min(sc.kcb, s.k-pc), beta)
			ln.done.Store(n + 1)
			st.chunkDone.Add(1)
			sc.left.Add(-1)
			s.sig.progress()
			return true
		}
	}
	return false
}

// packOne claims and packs one unit of the oldest step that has units left,
// if that step's ring buffer is free.
func (s *state) packOne() bool {
	sc := &s.sched
	for {
		g := int(sc.packNext.Load())
		if g >= sc.nj*sc.np {
			return false
		}
		st := &sc.steps[g]
		if st.unitNext.Load() >= st.units {
			sc.packNext.CompareAndSwap(int32(g), int32(g+1))
			continue
		}
		if g >= sc.ring {
			if old := &sc.steps[g-sc.ring]; old.chunkDone.Load() < old.chunks {
				return false
			}
		}
		u := int(st.unitNext.Add(1) - 1)
		if u >= int(st.units) {
			continue
		}
		b, pc := g/sc.np, g%sc.np*sc.kcb
		bp, kc, bb := sc.plan(b), min(sc.kcb, s.k-pc), sc.bbuf[g%sc.ring]
		_, per := packUnits(s.transB, bp, kc, s.nt)
		if s.transB {
			packBTrans(bb, s.b, s.ldb, s.simd, s.tn, b*sc.ncb, bp.nc, pc, kc, u*per, min(bp.tiles, (u+1)*per))
		} else {
			packBRows(bb, s.b, s.ldb, s.simd, s.tn, b*sc.ncb, bp.nc, pc, kc, u*per, min(kc, (u+1)*per))
		}
		if st.unitDone.Add(1) == st.units {
			s.sig.progress()
		}
		return true
	}
}
