//go:build amd64 && !purego

#include "textflag.h"

// One K step of the 6×16 tile: a row of the B panel (two vectors at bo(DI))
// times six broadcast A values (at ao(SI)), accumulated into Y0..Y11.
#define FMASTEP(ao, bo) \
	VMOVUPS      bo(DI), Y12        \
	VMOVUPS      bo+32(DI), Y13     \
	VBROADCASTSS ao(SI), Y14        \
	VFMADD231PS  Y12, Y14, Y0       \
	VFMADD231PS  Y13, Y14, Y1       \
	VBROADCASTSS ao+4(SI), Y15      \
	VFMADD231PS  Y12, Y15, Y2       \
	VFMADD231PS  Y13, Y15, Y3       \
	VBROADCASTSS ao+8(SI), Y14      \
	VFMADD231PS  Y12, Y14, Y4       \
	VFMADD231PS  Y13, Y14, Y5       \
	VBROADCASTSS ao+12(SI), Y15     \
	VFMADD231PS  Y12, Y15, Y6       \
	VFMADD231PS  Y13, Y15, Y7       \
	VBROADCASTSS ao+16(SI), Y14     \
	VFMADD231PS  Y12, Y14, Y8       \
	VFMADD231PS  Y13, Y14, Y9       \
	VBROADCASTSS ao+20(SI), Y15     \
	VFMADD231PS  Y12, Y15, Y10      \
	VFMADD231PS  Y13, Y15, Y11

// Store row r (Y2r, Y2r+1) of the tile at DX, then advance DX one C row.
#define STOREROW(lo, hi) \
	VMOVUPS lo, (DX)   \
	VMOVUPS hi, 32(DX) \
	ADDQ    R8, DX

// C row r = tile row r + beta (Y15) · C row r.
#define BETAROW(lo, hi) \
	VFMADD231PS (DX), Y15, lo   \
	VFMADD231PS 32(DX), Y15, hi \
	STOREROW(lo, hi)

#define PREFETCHC \
	PREFETCHT0 (R9)   \
	PREFETCHT0 60(R9) \
	ADDQ       R8, R9

// func kernelAVX2(kc int, a, b, c *float32, ldc int, alpha, beta float32)
//
// 6×16 micro-kernel: Y0..Y11 hold the tile (row r in Y2r, Y2r+1), Y12/Y13 a
// row of the B panel, Y14/Y15 broadcast A values; the K loop is unrolled 4×.
// With beta = 0, C is not read.
TEXT ·kernelAVX2(SB), NOSPLIT, $0-48
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $2, R8
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11

	// Pull the C tile towards L1 while the K loop runs.
	MOVQ DX, R9
	PREFETCHC
	PREFETCHC
	PREFETCHC
	PREFETCHC
	PREFETCHC
	PREFETCHC

	CMPQ CX, $4
	JLT  tail

loop4:
	PREFETCHT0 512(DI)
	FMASTEP(0, 0)
	FMASTEP(24, 64)
	PREFETCHT0 576(DI)
	FMASTEP(48, 128)
	FMASTEP(72, 192)
	ADDQ $96, SI
	ADDQ $256, DI
	SUBQ $4, CX
	CMPQ CX, $4
	JGE  loop4

tail:
	TESTQ CX, CX
	JEQ   store

tail1:
	FMASTEP(0, 0)
	ADDQ $24, SI
	ADDQ $64, DI
	DECQ CX
	JNE  tail1

store:
	VBROADCASTSS alpha+40(FP), Y14
	VMULPS Y14, Y0, Y0
	VMULPS Y14, Y1, Y1
	VMULPS Y14, Y2, Y2
	VMULPS Y14, Y3, Y3
	VMULPS Y14, Y4, Y4
	VMULPS Y14, Y5, Y5
	VMULPS Y14, Y6, Y6
	VMULPS Y14, Y7, Y7
	VMULPS Y14, Y8, Y8
	VMULPS Y14, Y9, Y9
	VMULPS Y14, Y10, Y10
	VMULPS Y14, Y11, Y11
	MOVSS   beta+44(FP), X15
	XORPS   X13, X13
	UCOMISS X13, X15
	JNE     withbeta
	JPS     withbeta
	STOREROW(Y0, Y1)
	STOREROW(Y2, Y3)
	STOREROW(Y4, Y5)
	STOREROW(Y6, Y7)
	STOREROW(Y8, Y9)
	STOREROW(Y10, Y11)
	VZEROUPPER
	RET

withbeta:
	VBROADCASTSS beta+44(FP), Y15
	BETAROW(Y0, Y1)
	BETAROW(Y2, Y3)
	BETAROW(Y4, Y5)
	BETAROW(Y6, Y7)
	BETAROW(Y8, Y9)
	BETAROW(Y10, Y11)
	VZEROUPPER
	RET
