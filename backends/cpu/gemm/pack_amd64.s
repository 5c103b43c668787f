//go:build amd64 && !purego

#include "textflag.h"

// Packing helpers. The transposes move 8×8 blocks with unpack, shuffle and
// lane permutes; each processes kc8 (a multiple of 8) columns of its source
// rows, and callers pack the rest in Go.

// TRANSPOSE8 transposes the 8×8 block in Y0..Y7 (row i in Yi) into Y8..Y15
// (column i in Y8+i), clobbering Y0..Y7.
#define TRANSPOSE8 \
	VUNPCKLPS  Y1, Y0, Y8         \
	VUNPCKHPS  Y1, Y0, Y9         \
	VUNPCKLPS  Y3, Y2, Y10        \
	VUNPCKHPS  Y3, Y2, Y11        \
	VUNPCKLPS  Y5, Y4, Y12        \
	VUNPCKHPS  Y5, Y4, Y13        \
	VUNPCKLPS  Y7, Y6, Y14        \
	VUNPCKHPS  Y7, Y6, Y15        \
	VSHUFPS    $0x44, Y10, Y8, Y0 \
	VSHUFPS    $0xEE, Y10, Y8, Y1 \
	VSHUFPS    $0x44, Y11, Y9, Y2 \
	VSHUFPS    $0xEE, Y11, Y9, Y3 \
	VSHUFPS    $0x44, Y14, Y12, Y4 \
	VSHUFPS    $0xEE, Y14, Y12, Y5 \
	VSHUFPS    $0x44, Y15, Y13, Y6 \
	VSHUFPS    $0xEE, Y15, Y13, Y7 \
	VPERM2F128 $0x20, Y4, Y0, Y8  \
	VPERM2F128 $0x20, Y5, Y1, Y9  \
	VPERM2F128 $0x20, Y6, Y2, Y10 \
	VPERM2F128 $0x20, Y7, Y3, Y11 \
	VPERM2F128 $0x31, Y4, Y0, Y12 \
	VPERM2F128 $0x31, Y5, Y1, Y13 \
	VPERM2F128 $0x31, Y6, Y2, Y14 \
	VPERM2F128 $0x31, Y7, Y3, Y15

// LOAD8 loads 8 floats from each of the 8 rows at R11 (row stride R8, R9 =
// 3·R8) into Y0..Y7.
#define LOAD8 \
	VMOVUPS (R11), Y0        \
	VMOVUPS (R11)(R8*1), Y1  \
	VMOVUPS (R11)(R8*2), Y2  \
	VMOVUPS (R11)(R9*1), Y3  \
	LEAQ    (R11)(R8*4), R12 \
	VMOVUPS (R12), Y4        \
	VMOVUPS (R12)(R8*1), Y5  \
	VMOVUPS (R12)(R8*2), Y6  \
	VMOVUPS (R12)(R9*1), Y7

// STORE8(off) stores Y8..Y15 to eight packed B rows (64 bytes apart) at
// off(DI).
#define STORE8(off) \
	VMOVUPS Y8, off(DI)      \
	VMOVUPS Y9, off+64(DI)   \
	VMOVUPS Y10, off+128(DI) \
	VMOVUPS Y11, off+192(DI) \
	VMOVUPS Y12, off+256(DI) \
	VMOVUPS Y13, off+320(DI) \
	VMOVUPS Y14, off+384(DI) \
	VMOVUPS Y15, off+448(DI)

// func packBTransAVX2(kc8 int, src *float32, ldb int, dst *float32)
//
// dst[p·16 + c] = src[c·ldb + p] for c < 16, p < kc8.
TEXT ·packBTransAVX2(SB), NOSPLIT, $0-32
	MOVQ kc8+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ ldb+16(FP), R8
	MOVQ dst+24(FP), DI
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9  // 3·ldb
	LEAQ (SI)(R8*8), R10 // row 8
	SHRQ $3, CX
	JEQ  bdone

bloop:
	MOVQ SI, R11 // rows 0..7 -> columns 0..7
	LOAD8
	TRANSPOSE8
	STORE8(0)
	MOVQ R10, R11 // rows 8..15 -> columns 8..15
	LOAD8
	TRANSPOSE8
	STORE8(32)
	ADDQ $32, SI
	ADDQ $32, R10
	ADDQ $512, DI
	DECQ CX
	JNE  bloop

bdone:
	VZEROUPPER
	RET

// func packBTrans8AVX2(kc8 int, src *float32, ldb int, dst *float32)
//
// dst[p·16 + c] = src[c·ldb + p] for c < 8, p < kc8: the left half of a
// panel when B has only 8 to 15 rows left. Columns 8..15 are not written.
TEXT ·packBTrans8AVX2(SB), NOSPLIT, $0-32
	MOVQ kc8+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ ldb+16(FP), R8
	MOVQ dst+24(FP), DI
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	SHRQ $3, CX
	JEQ  hdone

hloop:
	MOVQ SI, R11
	LOAD8
	TRANSPOSE8
	STORE8(0)
	ADDQ $32, SI
	ADDQ $512, DI
	DECQ CX
	JNE  hloop

hdone:
	VZEROUPPER
	RET

// A6(src, dst) transposes 8 columns of the six rows at src (row stride R8,
// R9 = 3·R8) into eight packed A rows at dst, 24 bytes apart. Rows are
// stored 8 floats wide, the last two overwritten by the next row; the last
// row is stored exactly, so nothing past the 48 floats is written.
#define A6(src, dst) \
	VMOVUPS (src), Y0       \
	VMOVUPS (src)(R8*1), Y1 \
	VMOVUPS (src)(R8*2), Y2 \
	VMOVUPS (src)(R9*1), Y3 \
	LEAQ    (src)(R8*4), R12 \
	VMOVUPS (R12), Y4       \
	VMOVUPS (R12)(R8*1), Y5 \
	VXORPS  Y6, Y6, Y6      \
	VXORPS  Y7, Y7, Y7      \
	TRANSPOSE8              \
	VMOVUPS Y8, 0(dst)      \
	VMOVUPS Y9, 24(dst)     \
	VMOVUPS Y10, 48(dst)    \
	VMOVUPS Y11, 72(dst)    \
	VMOVUPS Y12, 96(dst)    \
	VMOVUPS Y13, 120(dst)   \
	VMOVUPS Y14, 144(dst)   \
	VMOVUPS X15, 168(dst)   \
	VEXTRACTF128 $1, Y15, X15 \
	MOVQ    X15, 184(dst)

// func packA6AVX2(kc8 int, src *float32, lda int, dst *float32, panels, pstride int)
//
// For q < panels (1 or 2): dst[q·pstride + p·6 + r] = src[(6q+r)·lda + p]
// for r < 6, p < kc8. Two panels at once keep twelve rows streaming.
TEXT ·packA6AVX2(SB), NOSPLIT, $0-48
	MOVQ kc8+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ lda+16(FP), R8
	MOVQ dst+24(FP), DI
	MOVQ pstride+40(FP), R10
	SHLQ $2, R8
	SHLQ $2, R10
	LEAQ (R8)(R8*2), R9
	SHRQ $3, CX
	JEQ  adone
	CMPQ panels+32(FP), $2
	JEQ  a2loop

aloop:
	A6(SI, DI)
	ADDQ $32, SI
	ADDQ $192, DI
	DECQ CX
	JNE  aloop
	JMP  adone

a2loop:
	LEAQ (SI)(R8*2), R11
	LEAQ (R11)(R8*4), R11 // row 6
	LEAQ (DI)(R10*1), R13 // second panel
	A6(SI, DI)
	A6(R11, R13)
	ADDQ $32, SI
	ADDQ $192, DI
	DECQ CX
	JNE  a2loop

adone:
	VZEROUPPER
	RET

// func packBCopyAVX2(kc int, src *float32, ldb int, panels int, dst *float32, pstride int)
//
// For p < kc and t < panels: 16 floats from src[p·ldb + 16t] to
// dst[t·pstride + 16p]. Rows are read left to right.
TEXT ·packBCopyAVX2(SB), NOSPLIT, $0-48
	MOVQ kc+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ ldb+16(FP), R8
	MOVQ panels+24(FP), R9
	MOVQ dst+32(FP), DI
	MOVQ pstride+40(FP), R10
	SHLQ $2, R8
	SHLQ $2, R10
	TESTQ CX, CX
	JEQ   cdone
	TESTQ R9, R9
	JEQ   cdone

crow:
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ R9, DX

cpanel:
	VMOVUPS (R11), Y0
	VMOVUPS 32(R11), Y1
	VMOVUPS Y0, (R12)
	VMOVUPS Y1, 32(R12)
	ADDQ    $64, R11
	ADDQ    R10, R12
	DECQ    DX
	JNE     cpanel
	ADDQ    R8, SI
	ADDQ    $64, DI
	DECQ    CX
	JNE     crow

cdone:
	VZEROUPPER
	RET

// func packATransAVX2(kc int, src *float32, lda int, panels int, dst *float32, pstride int)
//
// For p < kc and q < panels: 6 floats from src[p·lda + 6q] to
// dst[q·pstride + 6p].
TEXT ·packATransAVX2(SB), NOSPLIT, $0-48
	MOVQ kc+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ lda+16(FP), R8
	MOVQ panels+24(FP), R9
	MOVQ dst+32(FP), DI
	MOVQ pstride+40(FP), R10
	SHLQ $2, R8
	SHLQ $2, R10
	TESTQ CX, CX
	JEQ   tdone
	TESTQ R9, R9
	JEQ   tdone

trow:
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ R9, DX

tpanel:
	MOVUPS (R11), X0
	MOVQ   16(R11), X1
	MOVUPS X0, (R12)
	MOVQ   X1, 16(R12)
	ADDQ   $24, R11
	ADDQ   R10, R12
	DECQ   DX
	JNE    tpanel
	ADDQ   R8, SI
	ADDQ   $24, DI
	DECQ   CX
	JNE    trow

tdone:
	RET

// STORE8W stores Y8..Y15 to eight rows of a 32-wide packed B panel (128
// bytes apart) at R14.
#define STORE8W \
	VMOVUPS Y8, (R14)     \
	VMOVUPS Y9, 128(R14)  \
	VMOVUPS Y10, 256(R14) \
	VMOVUPS Y11, 384(R14) \
	VMOVUPS Y12, 512(R14) \
	VMOVUPS Y13, 640(R14) \
	VMOVUPS Y14, 768(R14) \
	VMOVUPS Y15, 896(R14)

// func packBTrans32AVX2(kc8 int, src *float32, ldb int, dst *float32, groups int)
//
// dst[p·32 + c] = src[c·ldb + p] for c < 8·groups (groups 1..4), p < kc8:
// the transposed packing of a 32-wide B panel, eight rows of B at a time.
TEXT ·packBTrans32AVX2(SB), NOSPLIT, $0-40
	MOVQ kc8+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ ldb+16(FP), R8
	MOVQ dst+24(FP), DI
	MOVQ groups+32(FP), R13
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	SHRQ $3, CX
	JEQ  wdone
	TESTQ R13, R13
	JEQ   wdone

wloop:
	MOVQ SI, R11
	MOVQ DI, R14
	MOVQ R13, DX

wgroup:
	LOAD8
	TRANSPOSE8
	STORE8W
	LEAQ (R12)(R8*4), R11 // next eight rows of B
	ADDQ $32, R14         // next eight panel columns
	DECQ DX
	JNE  wgroup
	ADDQ $32, SI
	ADDQ $1024, DI
	DECQ CX
	JNE  wloop

wdone:
	VZEROUPPER
	RET

// func packBCopy32AVX2(kc int, src *float32, ldb int, panels int, dst *float32, pstride int)
//
// For p < kc and t < panels: 32 floats from src[p·ldb + 32t] to
// dst[t·pstride + 32p]. Rows are read left to right.
TEXT ·packBCopy32AVX2(SB), NOSPLIT, $0-48
	MOVQ kc+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ ldb+16(FP), R8
	MOVQ panels+24(FP), R9
	MOVQ dst+32(FP), DI
	MOVQ pstride+40(FP), R10
	SHLQ $2, R8
	SHLQ $2, R10
	TESTQ CX, CX
	JEQ   c32done
	TESTQ R9, R9
	JEQ   c32done

c32row:
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ R9, DX

c32panel:
	VMOVUPS (R11), Y0
	VMOVUPS 32(R11), Y1
	VMOVUPS 64(R11), Y2
	VMOVUPS 96(R11), Y3
	VMOVUPS Y0, (R12)
	VMOVUPS Y1, 32(R12)
	VMOVUPS Y2, 64(R12)
	VMOVUPS Y3, 96(R12)
	ADDQ    $128, R11
	ADDQ    R10, R12
	DECQ    DX
	JNE     c32panel
	ADDQ    R8, SI
	ADDQ    $128, DI
	DECQ    CX
	JNE     c32row

c32done:
	VZEROUPPER
	RET
