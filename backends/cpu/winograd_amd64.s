//go:build amd64 && !purego

#include "textflag.h"

// Winograd F(2×2, 3×3) tile transforms, 8 tiles per iteration. Each
// computes exactly the float32 operations of its portable counterpart in
// winograd_task.go, in the same order, so both give bit-identical results.

DATA signbit<>+0(SB)/4, $0x80000000
GLOBL signbit<>(SB), RODATA|NOPTR, $4

// EVENODD(lo, hi, ev, od) splits the 16 floats lo:hi (tiles 0–3 in lo,
// 4–7 in hi) into their even and odd elements, in tile order.
#define EVENODD(lo, hi, ev, od) \
	VSHUFPS $0x88, hi, lo, ev \
	VSHUFPS $0xDD, hi, lo, od \
	VPERMPD $0xD8, ev, ev     \
	VPERMPD $0xD8, od, od

// A4STORE(c0, c1, base) stores a4(c0, c1) = (c0, c0+c1, c0−c1, −c1) to the
// four streams at base, base+xs, base+2xs, base+3xs (R11 = xs bytes,
// R12 = 3·xs bytes), using Y0 as scratch.
#define A4STORE(c0, c1, base) \
	VMOVUPS c0, (base)            \
	VADDPS  c1, c0, Y0            \
	VMOVUPS Y0, (base)(R11*1)     \
	VSUBPS  c1, c0, Y0            \
	VMOVUPS Y0, (base)(R11*2)     \
	VXORPS  Y15, c1, Y0           \
	VMOVUPS Y0, (base)(R12*1)

// func winoOutGradAVX2(n int, a *float32, wo, hi, step int, z *float32, xs int)
TEXT ·winoOutGradAVX2(SB), NOSPLIT, $0-56
	MOVQ n+0(FP), CX
	TESTQ CX, CX
	JLE  done
	MOVQ a+8(FP), SI
	MOVQ wo+16(FP), R8
	SHLQ $2, R8
	MOVQ hi+24(FP), R9
	SHLQ $2, R9
	MOVQ step+32(FP), R10
	SHLQ $2, R10
	MOVQ z+40(FP), DX
	MOVQ xs+48(FP), R11
	SHLQ $2, R11
	LEAQ (R11)(R11*2), R12
	LEAQ (DX)(R11*4), R13
	LEAQ (R13)(R11*4), R14
	LEAQ (R14)(R11*4), R15
	VBROADCASTSS signbit<>(SB), Y15

loop:
	LEAQ    (SI)(R8*1), DI
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R9*1), Y1
	EVENODD(Y0, Y1, Y2, Y3)      // Y2 = a[j], Y3 = a[j+1]
	VMOVUPS (DI), Y0
	VMOVUPS (DI)(R9*1), Y1
	EVENODD(Y0, Y1, Y4, Y5)      // Y4 = b[j], Y5 = b[j+1]

	// A g by columns: a4(a[j], b[j]) → Y2, Y6, Y7, Y8;
	// a4(a[j+1], b[j+1]) → Y3, Y9, Y10, Y11.
	VADDPS Y4, Y2, Y6
	VSUBPS Y4, Y2, Y7
	VXORPS Y15, Y4, Y8
	VADDPS Y5, Y3, Y9
	VSUBPS Y5, Y3, Y10
	VXORPS Y15, Y5, Y11

	// Aᵀ by rows: row i of the tile is a4(ci0, ci1).
	A4STORE(Y2, Y3, DX)
	A4STORE(Y6, Y9, R13)
	A4STORE(Y7, Y10, R14)
	A4STORE(Y8, Y11, R15)

	ADDQ $32, DX
	ADDQ $32, R13
	ADDQ $32, R14
	ADDQ $32, R15
	ADDQ R10, SI
	DECQ CX
	JNZ  loop
	VZEROUPPER

done:
	RET

// AT4(a, b, c, d, p, q) computes at4(a, b, c, d) = ((a+b)+c, (b−c)−d)
// into p and q from four loaded vectors.
#define AT4(a, b, c, d, p, q) \
	VADDPS b, a, p \
	VADDPS c, p, p \
	VSUBPS c, b, q \
	VSUBPS d, q, q

// func winoOutputAVX2(n int, m *float32, xs int, y *float32, wo, hi, step int, bias float32)
TEXT ·winoOutputAVX2(SB), NOSPLIT, $0-60
	MOVQ n+0(FP), CX
	TESTQ CX, CX
	JLE  outdone
	MOVQ m+8(FP), DX
	MOVQ xs+16(FP), R11
	SHLQ $2, R11
	MOVQ y+24(FP), DI
	MOVQ wo+32(FP), R8
	SHLQ $2, R8
	MOVQ hi+40(FP), R9
	SHLQ $2, R9
	MOVQ step+48(FP), R10
	SHLQ $2, R10
	VBROADCASTSS bias+56(FP), Y14
	LEAQ (R11)(R11*2), R12
	LEAQ (DX)(R11*4), R13
	LEAQ (R13)(R11*4), R14
	LEAQ (R14)(R11*4), R15

outloop:
	// Aᵀ m by columns: column j is streams j, 4+j, 8+j, 12+j.
	VMOVUPS (DX), Y0
	VMOVUPS (R13), Y1
	VMOVUPS (R14), Y2
	VMOVUPS (R15), Y3
	AT4(Y0, Y1, Y2, Y3, Y4, Y8)          // p0, q0
	VMOVUPS (DX)(R11*1), Y0
	VMOVUPS (R13)(R11*1), Y1
	VMOVUPS (R14)(R11*1), Y2
	VMOVUPS (R15)(R11*1), Y3
	AT4(Y0, Y1, Y2, Y3, Y5, Y9)          // p1, q1
	VMOVUPS (DX)(R11*2), Y0
	VMOVUPS (R13)(R11*2), Y1
	VMOVUPS (R14)(R11*2), Y2
	VMOVUPS (R15)(R11*2), Y3
	AT4(Y0, Y1, Y2, Y3, Y6, Y10)         // p2, q2
	VMOVUPS (DX)(R12*1), Y0
	VMOVUPS (R13)(R12*1), Y1
	VMOVUPS (R14)(R12*1), Y2
	VMOVUPS (R15)(R12*1), Y3
	AT4(Y0, Y1, Y2, Y3, Y7, Y11)         // p3, q3

	// A by rows, plus the bias: y00, y01 from p; y10, y11 from q.
	AT4(Y4, Y5, Y6, Y7, Y0, Y1)
	AT4(Y8, Y9, Y10, Y11, Y2, Y3)
	VADDPS Y14, Y0, Y0
	VADDPS Y14, Y1, Y1
	VADDPS Y14, Y2, Y2
	VADDPS Y14, Y3, Y3

	// Interleave (y·0, y·1) pairs back into output rows: tiles 0–3 at y,
	// tiles 4–7 at y + hi; the second output row wo floats below.
	VUNPCKLPS  Y1, Y0, Y4
	VUNPCKHPS  Y1, Y0, Y5
	VPERM2F128 $0x20, Y5, Y4, Y6
	VPERM2F128 $0x31, Y5, Y4, Y7
	VMOVUPS    Y6, (DI)
	VMOVUPS    Y7, (DI)(R9*1)
	LEAQ       (DI)(R8*1), SI
	VUNPCKLPS  Y3, Y2, Y4
	VUNPCKHPS  Y3, Y2, Y5
	VPERM2F128 $0x20, Y5, Y4, Y6
	VPERM2F128 $0x31, Y5, Y4, Y7
	VMOVUPS    Y6, (SI)
	VMOVUPS    Y7, (SI)(R9*1)

	ADDQ $32, DX
	ADDQ $32, R13
	ADDQ $32, R14
	ADDQ $32, R15
	ADDQ R10, DI
	DECQ CX
	JNZ  outloop
	VZEROUPPER

outdone:
	RET

// BT4(d0, d1, d2, d3, o0, o1, o2, o3) computes bt4(d0, d1, d2, d3) =
// (d0−d2, d1+d2, d2−d1, d1−d3).
#define BT4(d0, d1, d2, d3, o0, o1, o2, o3) \
	VSUBPS d2, d0, o0 \
	VADDPS d2, d1, o1 \
	VSUBPS d1, d2, o2 \
	VSUBPS d3, d1, o3

// COLPAIR(off, slot) loads padded columns j+off/4 and j+off/4+1 of the four
// tile rows (tiles 0–3 at SI, 4–7 at DI; row stride R8, R9 = 3 rows),
// applies Bᵀ down each column and saves the two transformed columns to the
// stack slots slot and slot+128 (row i at +32·i).
#define COLPAIR(off, slot) \
	VMOVUPS off(SI), Y0                              \
	VMOVUPS off(DI), Y1                              \
	EVENODD(Y0, Y1, Y2, Y6)                          \
	VMOVUPS off(SI)(R8*1), Y0                        \
	VMOVUPS off(DI)(R8*1), Y1                        \
	EVENODD(Y0, Y1, Y3, Y7)                          \
	VMOVUPS off(SI)(R8*2), Y0                        \
	VMOVUPS off(DI)(R8*2), Y1                        \
	EVENODD(Y0, Y1, Y4, Y8)                          \
	VMOVUPS off(SI)(R9*1), Y0                        \
	VMOVUPS off(DI)(R9*1), Y1                        \
	EVENODD(Y0, Y1, Y5, Y9)                          \
	BT4(Y2, Y3, Y4, Y5, Y10, Y11, Y12, Y13)          \
	VMOVUPS Y10, slot(SP)                            \
	VMOVUPS Y11, slot+32(SP)                         \
	VMOVUPS Y12, slot+64(SP)                         \
	VMOVUPS Y13, slot+96(SP)                         \
	BT4(Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13)          \
	VMOVUPS Y10, slot+128(SP)                        \
	VMOVUPS Y11, slot+160(SP)                        \
	VMOVUPS Y12, slot+192(SP)                        \
	VMOVUPS Y13, slot+224(SP)

// ROWOUT(i, base) applies B along transformed row i (columns in stack
// slots 32·i, 128+32·i, 256+32·i, 384+32·i) and stores the four results to
// the streams at base, base+xs, base+2xs, base+3xs.
#define ROWOUT(i, base) \
	VMOVUPS (32*i)(SP), Y0                  \
	VMOVUPS (128+32*i)(SP), Y1              \
	VMOVUPS (256+32*i)(SP), Y2              \
	VMOVUPS (384+32*i)(SP), Y3              \
	BT4(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7)     \
	VMOVUPS Y4, (base)                      \
	VMOVUPS Y5, (base)(R11*1)               \
	VMOVUPS Y6, (base)(R11*2)               \
	VMOVUPS Y7, (base)(R12*1)

// func winoInputAVX2(n int, src *float32, pw, hi, step int, z *float32, xs int)
TEXT ·winoInputAVX2(SB), NOSPLIT, $512-56
	MOVQ n+0(FP), CX
	TESTQ CX, CX
	JLE  indone
	MOVQ src+8(FP), SI
	MOVQ pw+16(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	MOVQ hi+24(FP), DI
	LEAQ (SI)(DI*4), DI
	MOVQ step+32(FP), R10
	SHLQ $2, R10
	MOVQ z+40(FP), DX
	MOVQ xs+48(FP), R11
	SHLQ $2, R11
	LEAQ (R11)(R11*2), R12
	LEAQ (DX)(R11*4), R13
	LEAQ (R13)(R11*4), R14
	LEAQ (R14)(R11*4), R15

inloop:
	COLPAIR(0, 0)     // columns j, j+1 → slots 0, 128
	COLPAIR(8, 256)   // columns j+2, j+3 → slots 256, 384
	ROWOUT(0, DX)
	ROWOUT(1, R13)
	ROWOUT(2, R14)
	ROWOUT(3, R15)
	ADDQ $32, DX
	ADDQ $32, R13
	ADDQ $32, R14
	ADDQ $32, R15
	ADDQ R10, SI
	ADDQ R10, DI
	DECQ CX
	JNZ  inloop
	VZEROUPPER

indone:
	RET
