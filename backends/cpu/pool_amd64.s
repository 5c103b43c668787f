//go:build amd64 && !purego

#include "textflag.h"

// Max-pooling kernels on order keys: integers ordered as the float32 values
// they come from (k = (m ^ s) − s with m the magnitude bits and s the sign
// mask, so −0 and +0 share key 0), 8 lanes at a time.

DATA keymag<>+0(SB)/4, $0x7fffffff
GLOBL keymag<>(SB), RODATA|NOPTR, $4
DATA keyinf<>+0(SB)/4, $0x7f800000
GLOBL keyinf<>(SB), RODATA|NOPTR, $4
DATA evenidx<>+0(SB)/4, $0
DATA evenidx<>+4(SB)/4, $2
DATA evenidx<>+8(SB)/4, $4
DATA evenidx<>+12(SB)/4, $6
DATA evenidx<>+16(SB)/4, $8
DATA evenidx<>+20(SB)/4, $10
DATA evenidx<>+24(SB)/4, $12
DATA evenidx<>+28(SB)/4, $14
GLOBL evenidx<>(SB), RODATA|NOPTR, $32

// func poolKeysAVX2(n8 int, src *float32, dst *int32) (nan bool)
// dst[i] = key(src[i]) for 8·n8 values; nan reports a NaN among them.
TEXT ·poolKeysAVX2(SB), NOSPLIT, $0-25
	MOVQ n8+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ dst+16(FP), DI
	VPBROADCASTD keymag<>(SB), Y14
	VPBROADCASTD keyinf<>(SB), Y13
	VPXOR Y12, Y12, Y12              // NaN lanes seen
	TESTQ CX, CX
	JLE  keysdone

keysloop:
	VMOVDQU (SI), Y0
	VPAND   Y14, Y0, Y1              // m = |bits|
	VPSRAD  $31, Y0, Y2              // s = sign mask
	VPCMPGTD Y13, Y1, Y3             // m > +Inf bits: NaN
	VPOR    Y3, Y12, Y12
	VPXOR   Y2, Y1, Y1               // m ^ s
	VPSUBD  Y2, Y1, Y1               // (m ^ s) − s
	VMOVDQU Y1, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     keysloop

keysdone:
	VPTEST  Y12, Y12
	SETNE   nan+24(FP)
	VZEROUPPER
	RET

// func poolRowAVX2(n8 int, keys *int32, base int, hk, hp *int32)
// The horizontal pass of a 4-wide, stride-2 window over one padded key row
// (keys[0] and keys[W+1] are the padding, below every real key): for output
// columns ox = 0..8·n8−1, hk[ox] is the largest of keys[2ox..2ox+3] (the
// first of equal ones) and hp[ox] its input offset base + 2ox + d − 1.
TEXT ·poolRowAVX2(SB), NOSPLIT, $0-40
	MOVQ n8+0(FP), CX
	MOVQ keys+8(FP), SI
	MOVQ base+16(FP), AX
	MOVQ hk+24(FP), DI
	MOVQ hp+32(FP), DX
	DECQ AX                          // padded index 0 is column −1
	MOVQ AX, X15
	VPBROADCASTD X15, Y15            // base − 1 + 2·ox0
	VMOVDQU evenidx<>(SB), Y14       // 0, 2, …, 14
	MOVL $1, BX
	MOVQ BX, X13
	VPBROADCASTD X13, Y13            // 1
	MOVL $16, BX
	MOVQ BX, X12
	VPBROADCASTD X12, Y12            // 16: columns per group
	TESTQ CX, CX
	JLE  rowdone

rowloop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VSHUFPS $0x88, Y1, Y0, Y2
	VSHUFPS $0xDD, Y1, Y0, Y3
	VPERMPD $0xD8, Y2, Y2            // keys[2ox]
	VPERMPD $0xD8, Y3, Y3            // keys[2ox+1]
	VMOVUPS 8(SI), Y0
	VMOVUPS 40(SI), Y1
	VSHUFPS $0x88, Y1, Y0, Y4
	VSHUFPS $0xDD, Y1, Y0, Y5
	VPERMPD $0xD8, Y4, Y4            // keys[2ox+2]
	VPERMPD $0xD8, Y5, Y5            // keys[2ox+3]
	VPADDD  Y14, Y15, Y6             // position of d = 0
	VPADDD  Y13, Y6, Y7              // d = 1
	VPCMPGTD Y2, Y3, Y8              // keys[2ox+1] > best
	VPBLENDVB Y8, Y3, Y2, Y2
	VPBLENDVB Y8, Y7, Y6, Y6
	VPADDD  Y13, Y7, Y7              // d = 2
	VPCMPGTD Y2, Y4, Y8
	VPBLENDVB Y8, Y4, Y2, Y2
	VPBLENDVB Y8, Y7, Y6, Y6
	VPADDD  Y13, Y7, Y7              // d = 3
	VPCMPGTD Y2, Y5, Y8
	VPBLENDVB Y8, Y5, Y2, Y2
	VPBLENDVB Y8, Y7, Y6, Y6
	VMOVDQU Y2, (DI)
	VMOVDQU Y6, (DX)
	ADDQ    $64, SI
	ADDQ    $32, DI
	ADDQ    $32, DX
	VPADDD  Y12, Y15, Y15
	DECQ    CX
	JNZ     rowloop

rowdone:
	VZEROUPPER
	RET

// func poolColAVX2(n8 int, hk, hp *int32, stride, rows int, idx *int32)
// The vertical pass: for 8·n8 output columns, idx[ox] is the position of
// the largest key among rows 0..rows−1 of hk (rows stride ints apart; the
// first row of equal ones), read from hp.
TEXT ·poolColAVX2(SB), NOSPLIT, $0-48
	MOVQ n8+0(FP), CX
	MOVQ hk+8(FP), SI
	MOVQ hp+16(FP), DX
	MOVQ stride+24(FP), R8
	SHLQ $2, R8
	MOVQ rows+32(FP), R9
	MOVQ idx+40(FP), DI
	TESTQ CX, CX
	JLE  coldone

colloop:
	VMOVDQU (SI), Y0                 // best key
	VMOVDQU (DX), Y1                 // its position
	MOVQ    SI, R10
	MOVQ    DX, R11
	MOVQ    R9, BX
	DECQ    BX
	JLE     colstore

colrows:
	ADDQ    R8, R10
	ADDQ    R8, R11
	VMOVDQU (R10), Y2
	VMOVDQU (R11), Y3
	VPCMPGTD Y0, Y2, Y4
	VPBLENDVB Y4, Y2, Y0, Y0
	VPBLENDVB Y4, Y3, Y1, Y1
	DECQ    BX
	JNZ     colrows

colstore:
	VMOVDQU Y1, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, DI
	DECQ    CX
	JNZ     colloop

coldone:
	VZEROUPPER
	RET
