//go:build amd64 && !purego

#include "textflag.h"

// Softmax row kernels, 8 lanes at a time. Each lane performs the scalar Go
// code's float32 operations in the same order with separate roundings (no
// FMA), so the results are bit-identical to it.

// func scaleAVX2(n int, dst, u *float32, tinv float32)
//
// dst[i] = tinv·u[i] for i < n (a multiple of 8).
TEXT ·scaleAVX2(SB), NOSPLIT, $0-28
	MOVQ         n+0(FP), CX
	MOVQ         dst+8(FP), DI
	MOVQ         u+16(FP), SI
	VBROADCASTSS tinv+24(FP), Y15
	SHRQ         $3, CX
	JEQ          sdone

sloop:
	VMULPS  (SI), Y15, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNE     sloop

sdone:
	VZEROUPPER
	RET

// func scaleMaxAVX2(n int, mx, u *float32, tinv float32)
//
// mx[i] = e > mx[i] ? e : mx[i] with e = tinv·u[i], for i < n (a multiple
// of 8). VMAXPS returns its second source unless the first is greater, so
// with e first a NaN on either side or a pair of zeros keeps mx, exactly as
// Go's "if e > mx { mx = e }".
TEXT ·scaleMaxAVX2(SB), NOSPLIT, $0-28
	MOVQ         n+0(FP), CX
	MOVQ         mx+8(FP), DI
	MOVQ         u+16(FP), SI
	VBROADCASTSS tinv+24(FP), Y15
	SHRQ         $3, CX
	JEQ          mdone

mloop:
	VMULPS  (SI), Y15, Y0
	VMAXPS  (DI), Y0, Y0 // Y0 > mx ? Y0 : mx
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNE     mloop

mdone:
	VZEROUPPER
	RET

// Offsets of exp32's constants in the broadcast table (expTab).
#define LOG2E 0
#define HALF 32
#define LN2HI 64
#define LN2LO 96
#define P0 128
#define P1 160
#define P2 192
#define P3 224
#define P4 256
#define P5 288
#define ONE 320
#define LO 352
#define HI 384
#define ZERO 416
#define BIAS 448

// func expRowAVX2(n int, dst, sum, u, mx *float32, tinv float32, tab *[15][8]float32) (ok bool)
//
// x = tinv·u[i] − mx[i]; e = exp32(x); dst[i] = e; sum[i] += e for i < n (a
// multiple of 8). Lanes with x outside (−87, 88) get e = 0; ok is false when
// any of them has x ≥ −104 or NaN (exp32 is exactly 0 below −104).
TEXT ·expRowAVX2(SB), NOSPLIT, $0-57
	MOVQ         n+0(FP), CX
	MOVQ         dst+8(FP), DI
	MOVQ         sum+16(FP), DX
	MOVQ         u+24(FP), SI
	MOVQ         mx+32(FP), R8
	VBROADCASTSS tinv+40(FP), Y15
	MOVQ         tab+48(FP), R9
	VXORPS       Y14, Y14, Y14    // 0
	VPCMPEQD     Y13, Y13, Y13    // lanes all fine so far
	SHRQ         $3, CX
	JEQ          edone

eloop:
	VMULPS (SI), Y15, Y0 // tinv·u
	VSUBPS (R8), Y0, Y0  // x = tinv·u − mx

	// In the fast range, exactly zero, or for the scalar path.
	VCMPPS $0x0e, LO(R9), Y0, Y1 // x > −87
	VCMPPS $0x01, HI(R9), Y0, Y2 // x < 88
	VANDPS Y2, Y1, Y1            // fast
	VCMPPS $0x01, ZERO(R9), Y0, Y2 // x < −104
	VORPS  Y1, Y2, Y2
	VANDPS Y2, Y13, Y13

	// k = round(x·log2 e) half away from zero; scale = 2^k.
	VMULPS     LOG2E(R9), Y0, Y3 // kf
	VADDPS     HALF(R9), Y3, Y4  // kf + 0.5
	VSUBPS     HALF(R9), Y3, Y5  // kf − 0.5
	VCMPPS     $0x01, Y14, Y3, Y3 // kf < 0
	VBLENDVPS  Y3, Y5, Y4, Y4
	VCVTTPS2DQ Y4, Y4            // k
	VCVTDQ2PS  Y4, Y5            // n
	VPADDD     BIAS(R9), Y4, Y4
	VPSLLD     $23, Y4, Y4       // 2^k

	// r = x − n·ln2hi − n·ln2lo.
	VMULPS LN2HI(R9), Y5, Y6
	VSUBPS Y6, Y0, Y6
	VMULPS LN2LO(R9), Y5, Y5
	VSUBPS Y5, Y6, Y6 // r

	// p(r), then e = (p·r·r + r + 1)·2^k.
	VMULPS P0(R9), Y6, Y7
	VADDPS P1(R9), Y7, Y7
	VMULPS Y6, Y7, Y7
	VADDPS P2(R9), Y7, Y7
	VMULPS Y6, Y7, Y7
	VADDPS P3(R9), Y7, Y7
	VMULPS Y6, Y7, Y7
	VADDPS P4(R9), Y7, Y7
	VMULPS Y6, Y7, Y7
	VADDPS P5(R9), Y7, Y7
	VMULPS Y6, Y7, Y7
	VMULPS Y6, Y7, Y7
	VADDPS Y6, Y7, Y7
	VADDPS ONE(R9), Y7, Y7
	VMULPS Y4, Y7, Y7
	VANDPS Y1, Y7, Y7 // 0 outside the fast range

	VMOVUPS Y7, (DI)
	VADDPS  (DX), Y7, Y7
	VMOVUPS Y7, (DX)

	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, DI
	ADDQ $32, DX
	DECQ CX
	JNE  eloop

edone:
	VMOVMSKPS Y13, AX
	CMPL      AX, $0xff
	SETEQ     ok+56(FP)
	VZEROUPPER
	RET
